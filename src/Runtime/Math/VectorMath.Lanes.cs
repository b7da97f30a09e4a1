using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen;

// The short vector helpers the generated SIMD-across-samples kernels call by full name (global::NetGen.VectorMath.Fma,
// …), and the buffer updates of the engine: written once here instead of in every generated file.
public static partial class VectorMath
{
    /// <summary>a · b + c lane by lane, one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Fma(Vector<float> a, Vector<float> b, Vector<float> c) => Vector.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc cref="Fma(Vector{float}, Vector{float}, Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Fma(Vector<double> a, Vector<double> b, Vector<double> c) => Vector.FusedMultiplyAdd(a, b, c);

    /// <summary>e^x lane by lane, double (<see cref="Vector.Exp(Vector{double})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x) => Vector.Exp(x);

    /// <summary>ln x lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> x) => Vector.Log(x);

    /// <inheritdoc cref="Log(Vector{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x) => Vector.Log(x);

    /// <summary>max(z, 0) lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Max0<T>(Vector<T> z) => Vector.Max(z, Vector<T>.Zero);

    /// <summary>min(z, 0) lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Min0<T>(Vector<T> z) => Vector.Min(z, Vector<T>.Zero);

    /// <summary>Lane by lane: z &gt; 0 ? then : otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> IfPositive<T>(Vector<T> z, Vector<T> then, Vector<T> otherwise) =>
        Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<T>.Zero), then, otherwise);

    /// <summary>tanh z = sign(z) (1 − e^(−2|z|)) / (1 + e^(−2|z|)), lane by lane, finite for every z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Tanh<T>(Vector<T> z) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector<T> e = Simd.Exp(new Vector<T>(T.CreateTruncating(-2)) * Vector.Abs(z));
        Vector<T> t = (Vector<T>.One - e) / (Vector<T>.One + e);
        return Vector.ConditionalSelect(Vector.LessThan(z, Vector<T>.Zero), -t, t);
    }

    /// <summary>p += scale · g, vectorized, in index order.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void AddScaled<T>(Span<T> p, ReadOnlySpan<T> g, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.Length != g.Length)
        {
            throw new ArgumentException($"The spans hold {p.Length} and {g.Length} values.", nameof(g));
        }

        ref T pr = ref MemoryMarshal.GetReference(p);
        ref T gr = ref MemoryMarshal.GetReference(g);
        var scaleV = new Vector<T>(scale);
        int i = 0;
        for (; i + Vector<T>.Count <= p.Length; i += Vector<T>.Count)
        {
            Simd.Store(ref pr, i, Simd.Fma(scaleV, Simd.Load(ref gr, i), Simd.Load(ref pr, i)));
        }

        for (; i < p.Length; i++)
        {
            p[i] += scale * g[i];
        }
    }

    /// <summary>
    /// g += h, then h = 0, in one pass (the same sums as <see cref="Add{T}"/>): a second core's partial gradients folded
    /// into the first's and left zero for its next batch, without a separate clearing pass. Returns max |g| of the sums
    /// it wrote, as <see cref="FusedUpdate.MaxMagnitude{T}"/> would over them (NaN, or +∞ when an infinity and no NaN was
    /// written), so that the step's check of Σ ∂C/∂θ needs no pass of its own.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double AddAndClear<T>(Span<T> g, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != h.Length)
        {
            throw new ArgumentException($"The spans hold {g.Length} and {h.Length} values.", nameof(h));
        }

        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T hr = ref MemoryMarshal.GetReference(h);
        T max = T.Zero, probe = T.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Vector<T> maxV = Vector<T>.Zero, probeV = Vector<T>.Zero;
            for (; i + Vector<T>.Count <= g.Length; i += Vector<T>.Count)
            {
                Vector<T> sum = Simd.Load(ref gr, i) + Simd.Load(ref hr, i);
                Simd.Store(ref gr, i, sum);
                Simd.Store(ref hr, i, Vector<T>.Zero);
                maxV = Vector.MaxNative(maxV, Vector.Abs(sum));
                probeV += sum - sum;
            }

            (max, probe) = (FusedUpdate.MaxOf(maxV), Vector.Sum(probeV));
        }

        for (; i < g.Length; i++)
        {
            T sum = g[i] + h[i];
            g[i] = sum;
            h[i] = T.Zero;
            max = T.Max(max, T.Abs(sum));
            probe += sum - sum;
        }

        return FusedUpdate.Magnitude(max, probe);
    }

    /// <summary>g += h, vectorized, in index order.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add<T>(Span<T> g, ReadOnlySpan<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != h.Length)
        {
            throw new ArgumentException($"The spans hold {g.Length} and {h.Length} values.", nameof(h));
        }

        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T hr = ref MemoryMarshal.GetReference(h);
        int i = 0;
        for (; i + Vector<T>.Count <= g.Length; i += Vector<T>.Count)
        {
            Simd.Store(ref gr, i, Simd.Load(ref gr, i) + Simd.Load(ref hr, i));
        }

        for (; i < g.Length; i++)
        {
            g[i] += h[i];
        }
    }
}
