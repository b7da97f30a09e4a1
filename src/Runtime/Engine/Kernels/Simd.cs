using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// <see cref="Vector{T}"/> operations that <see cref="Vector"/> offers only per element type, generic for the engine's
/// kernels: each tests typeof(T), which the JIT folds, so a float kernel compiles to the float instruction.
/// </summary>
internal static class Simd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return a * b + c;
    }

    /// <summary>e^z: the fast float exponential of <see cref="VectorMath.Exp(Vector{float})"/>, <see cref="Vector.Exp(Vector{double})"/> for double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Exp<T>(Vector<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return VectorMath.Exp(z.As<T, float>()).As<float, T>();
        }

        return Vector.Exp(z.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ref T origin, nint index) => Vector.LoadUnsafe(ref origin, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(ref T origin, nint index, Vector<T> value) => Vector.StoreUnsafe(value, ref origin, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T At<T>(ref T origin, nint index) => ref Unsafe.Add(ref origin, index);

    /// <summary>destination[0..3] = the lane sums of c0 … c3 (<see cref="VectorMath.StoreSums(Vector{float}, Vector{float}, Vector{float}, Vector{float}, ref float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSums<T>(Vector<T> c0, Vector<T> c1, Vector<T> c2, Vector<T> c3, ref T destination)
    {
        if (typeof(T) == typeof(float))
        {
            VectorMath.StoreSums(c0.As<T, float>(), c1.As<T, float>(), c2.As<T, float>(), c3.As<T, float>(), ref Unsafe.As<T, float>(ref destination));
            return;
        }

        VectorMath.StoreSums(c0.As<T, double>(), c1.As<T, double>(), c2.As<T, double>(), c3.As<T, double>(), ref Unsafe.As<T, double>(ref destination));
    }
}
