using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// What one fused update does to the summed gradient before the optimizer's rule sees it, per parameter i:
/// <code>
/// gᵢ = s · Σ_batch ∂Cₙ/∂θᵢ                      (s = 1/B, or the weighted divisor)
/// gᵢ ← gᵢ + λ1 sign(wᵢ) + λ2 wᵢ                 (weight blocks only)
/// gᵢ ← clamp(gᵢ, −c, c)                         (clipping by value)
/// </code>
/// in the same order and with the same roundings as the separate passes (scale, <see cref="WeightPenalty"/>,
/// <see cref="GradientClipping.ClipByValue{T}"/>), so both give the same parameters bit for bit.
/// </summary>
internal readonly struct UpdateInputs<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public UpdateInputs(T scale, double l1, double l2, double? clipValue)
    {
        Scale = scale;
        L1 = T.CreateChecked(l1);
        L2 = T.CreateChecked(l2);
        HasL1 = l1 != 0;
        HasL2 = l2 != 0;
        HasClip = clipValue is not null;
        Clip = clipValue is { } c ? T.CreateSaturating(c) : T.PositiveInfinity;
    }

    public T Scale { get; }

    public T L1 { get; }

    public T L2 { get; }

    public bool HasL1 { get; }

    public bool HasL2 { get; }

    public bool HasClip { get; }

    public T Clip { get; }
}

/// <summary>What the update pass measured: whether every θ it wrote is finite, max |θ| afterwards, and the penalty's sums at the old θ.</summary>
internal struct UpdateOutcome
{
    /// <summary>Whether every parameter written is finite.</summary>
    public bool Finite;

    /// <summary>The first layout block (index into <see cref="NetworkSpec.Layout"/>) with a non-finite parameter, or −1.</summary>
    public int FirstBadBlock;

    /// <summary>max |θ| after the update.</summary>
    public double MaxParameter;

    /// <summary>Σ |w| and Σ w² over the weight blocks before the update (for the penalty R added to the loss).</summary>
    public double SumOfMagnitudes, SumOfSquares;
}

/// <summary>One optimizer's rule applied to a vector (or a value) of effective gradients g at parameters w: returns w's new value and updates the rule's own state at the same index.</summary>
internal interface IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the current block is a weight block (AdamW decays only those).</summary>
    bool Weights { set; }

    Vector<T> Update(int index, Vector<T> g, Vector<T> w);

    T Update(int index, T g, T w);
}

/// <summary>
/// A built-in optimizer that <see cref="Trainer"/> can drive in one pass per step (<see cref="FitOptions.FusedUpdate"/>):
/// it applies <see cref="UpdateInputs{T}"/> to the summed gradient itself, and says beforehand, from max |g|, whether
/// the step can overflow, so that the trainer copies the parameters only for a step that might need undoing.
/// </summary>
internal interface IFusedOptimizer<T> : IResumableOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Bounds on the next step, in double, given that every effective gradient satisfies |g| ≤ <paramref name="gradientBound"/>
    /// and every |θ| ≤ <paramref name="parameterBound"/>: Values bounds every |value| it computes (θ, the state, the
    /// intermediates), Delta bounds |θ_new − θ| for every parameter; +∞ when nothing can be promised.
    /// </summary>
    (double Values, double Delta) StepBounds(double gradientBound, double parameterBound);

    /// <summary>One step t + 1 over the whole layout (see <see cref="UpdateInputs{T}"/>); the step count advances.</summary>
    /// <param name="spec">The layout (which blocks are weights).</param>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradientSums">Σ over the batch of ∂Cₙ/∂θ, before <see cref="UpdateInputs{T}.Scale"/>.</param>
    /// <param name="inputs">The scale, the penalties and the clipping.</param>
    /// <param name="blockMaxima">Receives max |θ| of every layout block after the update.</param>
    UpdateOutcome FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima);

    /// <summary>Measures max |state| again (after a restore, a resume or a Reset outside the fused pass).</summary>
    void MeasureState();
}

/// <summary>The loop every fused optimizer shares: per layout block, the effective gradient, the rule, the checks.</summary>
internal static class FusedUpdate
{
    /// <summary>Values above this are treated as a possible overflow (a margin of 2⁻⁸ below T.MaxValue).</summary>
    public static double Limit<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        (typeof(T) == typeof(float) ? float.MaxValue : typeof(T) == typeof(Half) ? (double)Half.MaxValue : double.MaxValue) / 256;

    public static UpdateOutcome Run<T, TRule>(ref TRule rule, NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> sums, in UpdateInputs<T> inputs, Span<double> blockMaxima)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        Shapes.RequireLength(parameters.Length, spec.ParameterCount, nameof(parameters), "The parameters");
        Shapes.RequireLength(sums.Length, spec.ParameterCount, nameof(sums), "The gradients");
        var outcome = new UpdateOutcome { Finite = true, FirstBadBlock = -1 };
        IReadOnlyList<ParameterBlock> layout = spec.Layout;
        T maxParameter = T.Zero;
        for (int b = 0; b < layout.Count; b++)
        {
            ParameterBlock block = layout[b];
            bool weights = block.IsPenalized;
            rule.Weights = weights;
            (bool finite, T max, T magnitudes, T squares) = weights
                ? Block<T, TRule, PenalizedBlock>(ref rule, parameters, sums, block.Offset, block.Length, inputs)
                : Block<T, TRule, PlainBlock>(ref rule, parameters, sums, block.Offset, block.Length, inputs);
            maxParameter = T.Max(maxParameter, max);
            blockMaxima[b] = double.CreateChecked(max);
            outcome.SumOfMagnitudes += double.CreateChecked(magnitudes);
            outcome.SumOfSquares += double.CreateChecked(squares);
            if (!finite && outcome.Finite)
            {
                outcome.Finite = false;
                outcome.FirstBadBlock = b;
            }
        }

        outcome.MaxParameter = double.CreateChecked(maxParameter);
        return outcome;
    }

    private interface IPenaltyKind
    {
        static abstract bool Penalized { get; }
    }

    private struct PenalizedBlock : IPenaltyKind
    {
        public static bool Penalized => true;
    }

    private struct PlainBlock : IPenaltyKind
    {
        public static bool Penalized => false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (bool Finite, T Max, T Magnitudes, T Squares) Block<T, TRule, TKind>(
        ref TRule rule, Span<T> parameters, ReadOnlySpan<T> sums, int offset, int length, in UpdateInputs<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TKind : struct, IPenaltyKind
    {
        TRule r = rule;   // a local copy: its fields are loop-invariant (no store below can reach them)
        bool l1 = TKind.Penalized && inputs.HasL1, l2 = TKind.Penalized && inputs.HasL2, clip = inputs.HasClip;
        T scale = inputs.Scale, lambda1 = inputs.L1, lambda2 = inputs.L2, high = inputs.Clip;
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(sums);
        int i = offset, end = offset + length;
        T probe = T.Zero, max = T.Zero, magnitudes = T.Zero, squares = T.Zero;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var scaleV = new Vector<T>(scale);
            var plus = new Vector<T>(lambda1);
            var minus = new Vector<T>(-lambda1);
            var l2V = new Vector<T>(lambda2);
            var highV = new Vector<T>(high);
            var lowV = new Vector<T>(-high);
            Vector<T> probeV = Vector<T>.Zero, maxV = Vector<T>.Zero, magnitudesV = Vector<T>.Zero, squaresV = Vector<T>.Zero;
            for (; i <= end - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> w = Vector.LoadUnsafe(ref p, (nuint)i);
                Vector<T> gk = Vector.LoadUnsafe(ref g, (nuint)i) * scaleV;
                if (l1)
                {
                    magnitudesV += Vector.Abs(w);
                    gk += Vector.ConditionalSelect(Vector.GreaterThan(w, Vector<T>.Zero), plus, Vector<T>.Zero)
                        + Vector.ConditionalSelect(Vector.LessThan(w, Vector<T>.Zero), minus, Vector<T>.Zero);
                }

                if (l2)
                {
                    squaresV += w * w;
                    gk = w * l2V + gk;
                }

                if (clip)
                {
                    gk = Vector.MaxNative(Vector.MinNative(gk, highV), lowV);   // g is finite here (checked before the pass)
                }

                // A non-finite result is never stored (the old value stays): x − x is 0 only for finite x.
                Vector<T> updated = r.Update(i, gk, w);
                Vector<T> difference = updated - updated;
                probeV += difference;
                updated = Vector.ConditionalSelect(Vector.Equals(difference, Vector<T>.Zero), updated, w);
                maxV = Vector.MaxNative(maxV, Vector.Abs(updated));
                updated.StoreUnsafe(ref p, (nuint)i);
            }

            probe = Vector.Sum(probeV);
            magnitudes = Vector.Sum(magnitudesV);
            squares = Vector.Sum(squaresV);
            for (int k = 0; k < Vector<T>.Count; k++)
            {
                max = T.Max(max, maxV[k]);
            }
        }

        for (; i < end; i++)
        {
            T w = Unsafe.Add(ref p, i);
            T gi = Unsafe.Add(ref g, i) * scale;
            if (l1)
            {
                magnitudes += T.Abs(w);
                if (w > T.Zero)
                {
                    gi += lambda1;
                }
                else if (w < T.Zero)
                {
                    gi -= lambda1;
                }
            }

            if (l2)
            {
                squares += w * w;
                gi = w * lambda2 + gi;
            }

            if (clip)
            {
                gi = T.Max(T.Min(gi, high), -high);
            }

            T updated = r.Update(i, gi, w);
            probe += updated - updated;
            updated = T.IsFinite(updated) ? updated : w;
            max = T.Max(max, T.Abs(updated));
            Unsafe.Add(ref p, i) = updated;
        }

        return (T.IsFinite(probe), max, magnitudes, squares);
    }

    /// <summary>max |x| over a buffer in double: NaN if a value is NaN, +∞ if one is infinite; 0 for an empty buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MaxMagnitude<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.Zero, probe = T.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Vector<T> maxV = Vector<T>.Zero, probeV = Vector<T>.Zero;
            ref T x = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> v = Vector.LoadUnsafe(ref x, (nuint)i);
                maxV = Vector.MaxNative(maxV, Vector.Abs(v));
                probeV += v - v;
            }

            probe = Vector.Sum(probeV);
            for (int k = 0; k < Vector<T>.Count; k++)
            {
                max = T.Max(max, maxV[k]);
            }
        }

        for (; i < values.Length; i++)
        {
            max = T.Max(max, T.Abs(values[i]));
            probe += values[i] - values[i];
        }

        // x − x is NaN for ±∞ and NaN: then the maximum tells which (it is ∞ when an infinity was seen).
        return T.IsFinite(probe) ? double.CreateChecked(max) : T.IsInfinity(max) ? double.PositiveInfinity : double.NaN;
    }
}
