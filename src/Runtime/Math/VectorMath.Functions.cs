using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetGen;

// The vector dialect of user-written functions (issue 15): the Math functions a custom activation may call, lane by
// lane, and the piecewise selection of its conditionals, called by full name from the generated code. Exp, Log, Tanh,
// Sqrt, Abs, Max and Min are vector instructions or polynomial kernels; Pow, Sinh, Cosh, Sin, Cos and Atan run the scalar
// Math function on each lane (exact like the scalar code, and rare in activations).
public static partial class VectorMath
{
    /// <summary>√x lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Sqrt<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector.SquareRoot(x);

    /// <summary>|x| lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Abs<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Abs(x);

    /// <summary>max(x, y) lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Max<T>(Vector<T> x, Vector<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Max(x, y);

    /// <summary>min(x, y) lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Min<T>(Vector<T> x, Vector<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Min(x, y);

    /// <summary>x^y lane by lane (the scalar Pow on each lane, so negative bases with integer exponents work).</summary>
    public static Vector<T> Pow<T>(Vector<T> x, Vector<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Lanes(x, y, T.Pow);

    /// <summary>sinh x lane by lane.</summary>
    public static Vector<T> Sinh<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes(x, T.Sinh);

    /// <summary>cosh x lane by lane.</summary>
    public static Vector<T> Cosh<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes(x, T.Cosh);

    /// <summary>sin x lane by lane.</summary>
    public static Vector<T> Sin<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes(x, T.Sin);

    /// <summary>cos x lane by lane.</summary>
    public static Vector<T> Cos<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes(x, T.Cos);

    /// <summary>atan x lane by lane.</summary>
    public static Vector<T> Atan<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Lanes(x, T.Atan);

    /// <summary>Lane by lane: l &gt; r ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfGreater<T>(Vector<T> l, Vector<T> r, Vector<T> then, Vector<T> otherwise) => Vector.ConditionalSelect(Vector.GreaterThan(l, r), then, otherwise);

    /// <summary>Lane by lane: l ≥ r ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfGreaterOrEqual<T>(Vector<T> l, Vector<T> r, Vector<T> then, Vector<T> otherwise) => Vector.ConditionalSelect(Vector.GreaterThanOrEqual(l, r), then, otherwise);

    /// <summary>Lane by lane: l &lt; r ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfLess<T>(Vector<T> l, Vector<T> r, Vector<T> then, Vector<T> otherwise) => Vector.ConditionalSelect(Vector.LessThan(l, r), then, otherwise);

    /// <summary>Lane by lane: l ≤ r ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfLessOrEqual<T>(Vector<T> l, Vector<T> r, Vector<T> then, Vector<T> otherwise) => Vector.ConditionalSelect(Vector.LessThanOrEqual(l, r), then, otherwise);

    /// <summary>Lane by lane: l = r ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfEqual<T>(Vector<T> l, Vector<T> r, Vector<T> then, Vector<T> otherwise) => Vector.ConditionalSelect(Vector.Equals(l, r), then, otherwise);

    /// <summary>Lane by lane: l ≠ r ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfNotEqual<T>(Vector<T> l, Vector<T> r, Vector<T> then, Vector<T> otherwise) => Vector.ConditionalSelect(Vector.Equals(l, r), otherwise, then);

    private static Vector<T> Lanes<T>(Vector<T> x, Func<T, T> f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> values = stackalloc T[Vector<T>.Count];
        x.CopyTo(values);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = f(values[i]);
        }

        return new Vector<T>(values);
    }

    /// <summary>f(x_i, y_i) lane by lane, the scalar function on each lane (also the lane kernels' element-wise losses).</summary>
    internal static Vector<T> Lanes<T>(Vector<T> x, Vector<T> y, Func<T, T, T> f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> a = stackalloc T[Vector<T>.Count];
        Span<T> b = stackalloc T[Vector<T>.Count];
        x.CopyTo(a);
        y.CopyTo(b);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = f(a[i], b[i]);
        }

        return new Vector<T>(a);
    }
}
