using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

// The update rules of the built-in optimizers for the fused pass (FusedUpdate.Run): each is its optimizer's Step, the
// same expressions in the same order (so the fused and the separate passes agree bit for bit), over state arrays
// indexed like the parameters, tracking max |state| for the next step's overflow bound.

/// <summary>Software prefetch of one cache line of a state array (nothing where SSE is not there).</summary>
internal static class StatePrefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line<T>(T[] array, nint index) where T : unmanaged
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index)));
        }
    }
}

/// <summary>SGD: θ ← θ − η g (as <c>TensorPrimitives.MultiplyAdd(g, −η, θ)</c>).</summary>
internal struct SgdRule<T>(T eta) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _negativeEta = -eta;
    private readonly Vector<T> _negativeEtaV = new(-eta);

    public readonly bool Weights { set { } }

    public readonly void Prefetch(nint index) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector<T> Update(int index, Vector<T> g, Vector<T> w) => g * _negativeEtaV + w;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Update(int index, T g, T w) => g * _negativeEta + w;
}

/// <summary>Momentum: v ← μ v + g; θ ← θ − η v (Nesterov: θ ← θ − η (g + μ v)).</summary>
internal struct MomentumRule<T>(T[] velocity, T mu, T eta, bool nesterov) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _muV = new(mu), _etaV = new(eta);

    public readonly bool Weights { set { } }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(nint index) => StatePrefetch.Line(velocity, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector<T> Update(int index, Vector<T> g, Vector<T> w)
    {
        ref T v = ref MemoryMarshal.GetArrayDataReference(velocity);
        Vector<T> vk = _muV * Vector.LoadUnsafe(ref v, (nuint)index) + g;
        vk.StoreUnsafe(ref v, (nuint)index);
        return nesterov ? w - _etaV * (g + _muV * vk) : w - _etaV * vk;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Update(int index, T g, T w)
    {
        T vi = mu * velocity[index] + g;
        velocity[index] = vi;
        return w - eta * (nesterov ? g + mu * vi : vi);
    }
}

/// <summary>AdaGrad: G ← G + g²; θ ← θ − η g / (√G + ε).</summary>
internal struct AdaGradRule<T>(T[] accumulator, T eta, T eps) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _etaV = new(eta), _epsV = new(eps);

    public readonly bool Weights { set { } }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(nint index) => StatePrefetch.Line(accumulator, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector<T> Update(int index, Vector<T> g, Vector<T> w)
    {
        ref T acc = ref MemoryMarshal.GetArrayDataReference(accumulator);
        Vector<T> a = Vector.LoadUnsafe(ref acc, (nuint)index) + g * g;
        a.StoreUnsafe(ref acc, (nuint)index);
        return w - _etaV * g / (Vector.SquareRoot(a) + _epsV);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Update(int index, T g, T w)
    {
        T a = accumulator[index] + g * g;
        accumulator[index] = a;
        return w - eta * g / (T.Sqrt(a) + eps);
    }
}

/// <summary>RMSprop: s ← ρ s + (1 − ρ) g² (centered: a ← ρ a + (1 − ρ) g, variance s − a²); r = g / (√variance + ε) (momentum: b ← μ b + r); θ ← θ − η r.</summary>
internal struct RmsPropRule<T>(T[] square, T[] average, T[] buffer, T eta, T rho, T oneMinusRho, T eps, T mu, bool centered, bool momentum)
    : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _etaV = new(eta), _rhoV = new(rho), _oneMinusRhoV = new(oneMinusRho), _epsV = new(eps), _muV = new(mu);

    public readonly bool Weights { set { } }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(nint index)
    {
        StatePrefetch.Line(square, index);
        if (centered)
        {
            StatePrefetch.Line(average, index);
        }

        if (momentum)
        {
            StatePrefetch.Line(buffer, index);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector<T> Update(int index, Vector<T> g, Vector<T> w)
    {
        ref T s = ref MemoryMarshal.GetArrayDataReference(square);
        Vector<T> sk = _rhoV * Vector.LoadUnsafe(ref s, (nuint)index) + _oneMinusRhoV * (g * g);
        sk.StoreUnsafe(ref s, (nuint)index);
        Vector<T> variance = sk;
        if (centered)
        {
            ref T a = ref MemoryMarshal.GetArrayDataReference(average);
            Vector<T> ak = _rhoV * Vector.LoadUnsafe(ref a, (nuint)index) + _oneMinusRhoV * g;
            ak.StoreUnsafe(ref a, (nuint)index);
            variance = Vector.Max(sk - ak * ak, Vector<T>.Zero);
        }

        Vector<T> ratio = g / (Vector.SquareRoot(variance) + _epsV);
        if (momentum)
        {
            ref T b = ref MemoryMarshal.GetArrayDataReference(buffer);
            ratio = _muV * Vector.LoadUnsafe(ref b, (nuint)index) + ratio;
            ratio.StoreUnsafe(ref b, (nuint)index);
        }

        return w - _etaV * ratio;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Update(int index, T g, T w)
    {
        T si = rho * square[index] + oneMinusRho * (g * g);
        square[index] = si;
        T variance = si;
        if (centered)
        {
            T ai = rho * average[index] + oneMinusRho * g;
            average[index] = ai;
            variance = T.Max(si - ai * ai, T.Zero);
        }

        T ratio = g / (T.Sqrt(variance) + eps);
        if (momentum)
        {
            ratio = mu * buffer[index] + ratio;
            buffer[index] = ratio;
        }

        return w - eta * ratio;
    }
}

/// <summary>
/// Adam, step t (AdamKernel's arrangement): m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²;
/// θ ← θ − (η / (1 − β1ᵗ)) m / (√v / √(1 − β2ᵗ) + ε); AdamW first multiplies a weight by (1 − η λ).
/// </summary>
internal struct AdamRule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _first, _second;
    private readonly T _b1, _c1, _b2, _c2, _stepSize, _root2, _eps, _decay;
    private readonly Vector<T> _b1V, _c1V, _b2V, _c2V, _stepV, _rootV, _epsV, _decayV;
    private readonly bool _decays;
    private bool _decayBlock;

    public AdamRule(T[] first, T[] second, double learningRate, double beta1, double beta2, double epsilon, long step, double shrink)
    {
        _first = first;
        _second = second;
        double correction1 = 1 - Math.Pow(beta1, step);
        double correction2 = 1 - Math.Pow(beta2, step);
        _b1 = T.CreateChecked(beta1);
        _c1 = T.CreateChecked(1 - beta1);
        _b2 = T.CreateChecked(beta2);
        _c2 = T.CreateChecked(1 - beta2);
        _stepSize = T.CreateChecked(learningRate / correction1);
        _root2 = T.CreateChecked(Math.Sqrt(correction2));
        _eps = T.CreateChecked(epsilon);
        _decays = shrink != 0;
        _decay = T.CreateChecked(1 - shrink);
        (_b1V, _c1V, _b2V, _c2V) = (new(_b1), new(_c1), new(_b2), new(_c2));
        (_stepV, _rootV, _epsV, _decayV) = (new(_stepSize), new(_root2), new(_eps), new(_decay));
    }

    public bool Weights { set => _decayBlock = value && _decays; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(nint index)
    {
        StatePrefetch.Line(_first, index);
        StatePrefetch.Line(_second, index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector<T> Update(int index, Vector<T> g, Vector<T> w)
    {
        ref T m = ref MemoryMarshal.GetArrayDataReference(_first);
        ref T v = ref MemoryMarshal.GetArrayDataReference(_second);
        Vector<T> mk = _b1V * Vector.LoadUnsafe(ref m, (nuint)index) + _c1V * g;
        Vector<T> vk = _b2V * Vector.LoadUnsafe(ref v, (nuint)index) + _c2V * (g * g);
        mk.StoreUnsafe(ref m, (nuint)index);
        vk.StoreUnsafe(ref v, (nuint)index);
        if (_decayBlock)
        {
            w *= _decayV;
        }

        return w - _stepV * mk / (Vector.SquareRoot(vk) / _rootV + _epsV);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Update(int index, T g, T w)
    {
        T mi = _b1 * _first[index] + _c1 * g;
        T vi = _b2 * _second[index] + _c2 * (g * g);
        _first[index] = mi;
        _second[index] = vi;
        if (_decayBlock)
        {
            w *= _decay;
        }

        return w - _stepSize * mi / (T.Sqrt(vi) / _root2 + _eps);
    }

    /// <summary>
    /// The bounds of Adam's step t from max |g| = G, max |θ| = Θ and the bounds M ≥ max |m|, V ≥ max v of the last step:
    /// m' ≤ β1 M + (1 − β1) G, v' ≤ β2 V + (1 − β2) G². The step |Δθ| = (η / (1 − β1ᵗ)) |m| / (√v / √(1 − β2ᵗ) + ε) is at
    /// most (η / (1 − β1ᵗ)) m' / ε, and, when β1² &lt; β2 (Cauchy–Schwarz over m's and v's sums of past gradients, both
    /// started at 0), at most η (1 − β1) / (1 − β1ᵗ) · √((1 − β2ᵗ) / (1 − β2)) / √(1 − β1² / β2): about 7.3 η for the
    /// defaults. Every intermediate (g², the numerator, θ − Δθ) is at most the largest of these.
    /// </summary>
    public static (double Values, double Delta, double First, double Second) Bounds(
        double g, double theta, double maxFirst, double maxSecond, double learningRate, double beta1, double beta2, double epsilon, long step)
    {
        double first = beta1 * maxFirst + (1 - beta1) * g;
        double second = beta2 * maxSecond + (1 - beta2) * g * g;
        double stepSize = learningRate / (1 - Math.Pow(beta1, step));
        double numerator = stepSize * first;
        double delta = numerator / epsilon;
        if (beta1 * beta1 < beta2)
        {
            double ratio = (1 - beta1) / (1 - Math.Pow(beta1, step)) * Math.Sqrt((1 - Math.Pow(beta2, step)) / (1 - beta2)) / Math.Sqrt(1 - beta1 * beta1 / beta2);
            delta = Math.Min(delta, learningRate * ratio);
        }

        return (Math.Max(Math.Max(g * g, second), Math.Max(numerator, theta + delta)), delta, first, second);
    }
}
