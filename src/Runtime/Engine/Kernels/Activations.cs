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

    /// <summary>SiLU/Swish: σ(z) = z / (1 + e^(−z)), σ'(z) = s (1 + z (1 − s)), s = 1 / (1 + e^(−z)).</summary>
    public readonly struct SiLU : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z / (T.One + T.Exp(-z));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z / (Vector<T>.One + Simd.Exp(-z));

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T s = T.One / (T.One + T.Exp(-z));
            return g * s * (T.One + z * (T.One - s));
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Vector<T> s = Vector<T>.One / (Vector<T>.One + Simd.Exp(-z));
            return g * s * (Vector<T>.One + z * (Vector<T>.One - s));
        }
    }

    /// <summary>
    /// GELU, tanh form: σ(z) = ½ z (1 + t), t = tanh(c (z + 0.044715 z³)), c = √(2/π);
    /// σ'(z) = ½ (1 + t) + ½ z (1 − t²) c (1 + 3 · 0.044715 z²).
    /// </summary>
    public readonly struct GELU : IActivation
    {
        private const double C = 0.7978845608028654, K = 0.044715;

        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
            T.CreateTruncating(0.5) * z * (T.One + T.Tanh(T.CreateTruncating(C) * (z + T.CreateTruncating(K) * z * z * z)));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
            new Vector<T>(T.CreateTruncating(0.5)) * z * (Vector<T>.One + VectorMath.Tanh(new Vector<T>(T.CreateTruncating(C)) * (z + new Vector<T>(T.CreateTruncating(K)) * z * z * z)));

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T half = T.CreateTruncating(0.5), t = T.Tanh(T.CreateTruncating(C) * (z + T.CreateTruncating(K) * z * z * z));
            return g * (half * (T.One + t) + half * z * (T.One - t * t) * T.CreateTruncating(C) * (T.One + T.CreateTruncating(3 * K) * z * z));
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var half = new Vector<T>(T.CreateTruncating(0.5));
            var c = new Vector<T>(T.CreateTruncating(C));
            Vector<T> t = VectorMath.Tanh(c * (z + new Vector<T>(T.CreateTruncating(K)) * z * z * z));
            return g * (half * (Vector<T>.One + t) + half * z * (Vector<T>.One - t * t) * c * (Vector<T>.One + new Vector<T>(T.CreateTruncating(3 * K)) * z * z));
        }
    }

    /// <summary>Softplus: σ(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)), σ'(z) = 1 / (1 + e^(−z)).</summary>
    public readonly struct Softplus : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(z, T.Zero) + T.Log(T.One + T.Exp(-T.Abs(z)));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
            Vector.Max(z, Vector<T>.Zero) + Log(Vector<T>.One + Simd.Exp(-Vector.Abs(z)));

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g / (T.One + T.Exp(-z));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g / (Vector<T>.One + Simd.Exp(-z));
    }

    /// <summary>Mish: σ(z) = z t, t = tanh(softplus(z)); σ'(z) = t + z (1 − t²) / (1 + e^(−z)).</summary>
    public readonly struct Mish : IActivation
    {
        /// <inheritdoc />
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z * T.Tanh(Softplus.Apply(z, alpha));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z * VectorMath.Tanh(Softplus.Apply(z, alpha));

        /// <inheritdoc />
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T t = T.Tanh(Softplus.Apply(z, alpha));
            return g * (t + z * (T.One - t * t) / (T.One + T.Exp(-z)));
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Vector<T> t = VectorMath.Tanh(Softplus.Apply(z, alpha));
            return g * (t + z * (Vector<T>.One - t * t) / (Vector<T>.One + Simd.Exp(-z)));
        }
    }

    /// <summary>
    /// A user-written activation <typeparamref name="TF"/> of precision <typeparamref name="TU"/> (emitted by the generator)
    /// as an <see cref="IActivation"/>: the kernels run with T = TU, so each reinterpretation is the identity the JIT removes.
    /// </summary>
    public readonly struct Custom<TU, TF> : IActivation
        where TU : unmanaged, IFloatingPointIeee754<TU>
        where TF : struct, IActivationFunction<TU>
    {
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TU r = TF.Apply(Unsafe.As<T, TU>(ref z));
            return Unsafe.As<TU, T>(ref r);
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => TF.Apply(z.As<T, TU>()).As<TU, T>();

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TU d = TF.Derivative(Unsafe.As<T, TU>(ref z));
            return g * Unsafe.As<TU, T>(ref d);
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> =>
            g * TF.Derivative(z.As<T, TU>()).As<TU, T>();
    }

    /// <summary>ln x lane by lane for float or double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Log<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector.Log(x.As<T, float>()).As<float, T>() : Vector.Log(x.As<T, double>()).As<double, T>();

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
