using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>An activation σ as the engine's generic kernels apply it: σ(z) and g ∘ σ'(z), on scalars and on vectors.</summary>
public interface IActivation
{
    /// <summary>σ(z).</summary>
    static abstract T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>σ(z), lane by lane.</summary>
    static abstract Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>g σ'(z), given z and a = σ(z).</summary>
    static abstract T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>g ∘ σ'(z), lane by lane.</summary>
    static abstract Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Whether a product kernel applies σ as it stores each accumulator (the one-instruction activations). Those with e^z
    /// run as one pass over the tile after the product: inlined into every store they made the kernel too large to inline
    /// its helpers.
    /// </summary>
    static virtual bool OnStore => false;

    /// <summary>Whether σ is the identity (no pass at all).</summary>
    static virtual bool IsIdentity => false;
}

/// <summary>
/// The built-in activations as types (the generated code names them as type arguments of the wide-layer kernels) and
/// the element-wise passes a = σ(z) and δ = g ∘ σ'(z) over a tile. The formulas are those of the generator's calculus
/// table and of <see cref="ActivationMath"/>; the tests check all three against finite differences.
/// </summary>
public static class Activations
{
    /// <summary>σ(z) = z, σ'(z) = 1.</summary>
    public readonly struct Identity : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z;

        /// <inheritdoc />
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z;

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g;

        /// <inheritdoc />
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g;

        /// <inheritdoc />
        public static bool OnStore => true;

        /// <inheritdoc />
        public static bool IsIdentity => true;
    }

    /// <summary>σ(z) = 1 / (1 + e^(−z)), σ'(z) = a (1 − a).</summary>
    public readonly struct Sigmoid : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-z));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Vector<T>.One / (Vector<T>.One + Simd.Exp(-z));

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g * a * (T.One - a);

        /// <inheritdoc />
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g * a * (Vector<T>.One - a);
    }

    /// <summary>σ(z) = tanh z, σ'(z) = 1 − a².</summary>
    public readonly struct Tanh : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(z);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => VectorMath.Tanh(z);

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g * (T.One - a * a);

        /// <inheritdoc />
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g * (Vector<T>.One - a * a);
    }

    /// <summary>σ(z) = max(0, z), σ'(z) = 1[z &gt; 0].</summary>
    public readonly struct ReLU : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(z, T.Zero);

        /// <inheritdoc />
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Max(z, Vector<T>.Zero);

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero ? g : T.Zero;

        /// <inheritdoc />
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => VectorMath.IfPositive(z, g, Vector<T>.Zero);

        /// <inheritdoc />
        public static bool OnStore => true;
    }

    /// <summary>σ(z) = z &gt; 0 ? z : α z, σ'(z) = z &gt; 0 ? 1 : α.</summary>
    public readonly struct LeakyReLU : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero ? z : alpha * z;

        /// <inheritdoc />
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => VectorMath.IfPositive(z, z, alpha * z);

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero ? g : alpha * g;

        /// <inheritdoc />
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => VectorMath.IfPositive(z, g, alpha * g);

        /// <inheritdoc />
        public static bool OnStore => true;
    }

    /// <summary>σ(z) = z &gt; 0 ? z : α (e^z − 1), σ'(z) = z &gt; 0 ? 1 : a + α.</summary>
    public readonly struct ELU : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero ? z : alpha * (T.Exp(z) - T.One);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
            VectorMath.IfPositive(z, z, alpha * (Simd.Exp(Vector.Min(z, Vector<T>.Zero)) - Vector<T>.One));

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero ? g : g * (a + alpha);

        /// <inheritdoc />
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
            VectorMath.IfPositive(z, g, g * (a + new Vector<T>(alpha)));
    }

    /// <summary>a = σ(z) over <paramref name="length"/> values: <see cref="Vector{T}"/> chunks, then a scalar remainder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<T, TAct>(ReadOnlySpan<T> z, Span<T> a, int length, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        if (TAct.IsIdentity)
        {
            if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(a)))
            {
                z.Slice(0, length).CopyTo(a);
            }

            return;
        }

        ref T zr = ref MemoryMarshal.GetReference(z.Slice(0, length));
        ref T ar = ref MemoryMarshal.GetReference(a.Slice(0, length));
        int i = 0;
        for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
        {
            Simd.Store(ref ar, i, TAct.Apply(Simd.Load(ref zr, i), alpha));
        }

        for (; i < length; i++)
        {
            Simd.At(ref ar, i) = TAct.Apply(Simd.At(ref zr, i), alpha);
        }
    }

    /// <summary>δ = g ∘ σ'(z) in place over <paramref name="length"/> values: <paramref name="delta"/> holds g = ∂C/∂a on entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Delta<T, TAct>(Span<T> delta, ReadOnlySpan<T> z, ReadOnlySpan<T> a, int length, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        if (TAct.IsIdentity)
        {
            return;
        }

        ref T dr = ref MemoryMarshal.GetReference(delta.Slice(0, length));
        ref T zr = ref MemoryMarshal.GetReference(z.Slice(0, length));
        ref T ar = ref MemoryMarshal.GetReference(a.Slice(0, length));
        int i = 0;
        for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
        {
            Simd.Store(ref dr, i, TAct.Delta(Simd.Load(ref dr, i), Simd.Load(ref zr, i), Simd.Load(ref ar, i), alpha));
        }

        for (; i < length; i++)
        {
            Simd.At(ref dr, i) = TAct.Delta(Simd.At(ref dr, i), Simd.At(ref zr, i), Simd.At(ref ar, i), alpha);
        }
    }
}
