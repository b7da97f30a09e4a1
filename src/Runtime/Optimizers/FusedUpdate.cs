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

    /// <summary>Asks for the cache lines of the rule's state at <paramref name="index"/> (<see cref="InputLayerPass"/> reads a band's ahead of its update).</summary>
    void Prefetch(nint index);
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
    /// <param name="inputLayer">The first layer's gradients when back-propagation left them unformed (<see cref="Tile{T}.DefersInputLayer"/>):
    /// then <paramref name="gradientSums"/> holds only the other blocks, and W1 and b1 are updated inside the product that forms
    /// their sums (<see cref="InputLayerPass"/>). Empty otherwise.</param>
    UpdateOutcome FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer = default);

    /// <summary>Measures max |state| again (after a restore, a resume or a Reset outside the fused pass).</summary>
    void MeasureState();
}

/// <summary>The loop every fused optimizer shares: per layout block, the effective gradient, the rule, the checks.</summary>
internal static class FusedUpdate
{
    /// <summary>Values above this are treated as a possible overflow (a margin of 2⁻⁸ below T.MaxValue).</summary>
    public static double Limit<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        (typeof(T) == typeof(float) ? float.MaxValue : typeof(T) == typeof(Half) ? (double)Half.MaxValue : double.MaxValue) / 256;

    /// <summary>
    /// Updates of at least this many parameters run as two contiguous halves of θ, the second on
    /// <see cref="SecondCore"/>: the pass is bound by memory traffic (Adam reads four values and writes three per
    /// parameter), and the Fashion-sized update of 235,146 parameters took 100 µs on two cores against 135–200 µs on
    /// one (bench/README.md, 2026-12-07). Smaller ones stay on one core, where a wake-up could cost more than it saves.
    /// </summary>
    internal const int SplitLength = 1 << 16;

    public static UpdateOutcome Run<T, TRule>(ref TRule rule, NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> sums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        Shapes.RequireLength(parameters.Length, spec.ParameterCount, nameof(parameters), "The parameters");
        Shapes.RequireLength(sums.Length, spec.ParameterCount, nameof(sums), "The gradients");
        IReadOnlyList<ParameterBlock> layout = spec.Layout;
        Span<BlockOutcome<T>> results = layout.Count <= 128 ? stackalloc BlockOutcome<T>[2 * layout.Count] : new BlockOutcome<T>[2 * layout.Count];
        results.Clear();
        Span<BlockOutcome<T>> first = results.Slice(0, layout.Count), second = results.Slice(layout.Count);

        // With the first layer's gradients deferred, the blocks after it first (their sums were written last, by the
        // layers above, and are still in cache), then W1 and b1 inside the product that forms their sums.
        int from = inputLayer.IsEmpty ? 0 : inputLayer.RestStart;
        if (parameters.Length - from < SplitLength || !Parallelism.SplitPasses)
        {
            Range(ref rule, layout, parameters, sums, from, parameters.Length, inputs, first);
        }
        else
        {
            // Two halves whose partial results are combined in a fixed order below, so that the outcome is the same bit
            // for bit whether the second half ran on the other core or here after the first.
            int split = from + (parameters.Length - from) / 2 / 64 * 64;
            Halves<T, TRule>.Run(ref rule, layout, parameters, sums, from, split, inputs, first, second);
        }

        if (!inputLayer.IsEmpty)
        {
            InputLayer(ref rule, layout, parameters, inputLayer, inputs, first, second);
        }

        var outcome = new UpdateOutcome { Finite = true, FirstBadBlock = -1 };
        T maxParameter = T.Zero;
        for (int b = 0; b < layout.Count; b++)
        {
            BlockOutcome<T> one = first[b], two = second[b];
            T max = T.Max(one.Max, two.Max);
            maxParameter = T.Max(maxParameter, max);
            blockMaxima[b] = double.CreateChecked(max);
            outcome.SumOfMagnitudes += double.CreateChecked(one.Magnitudes);
            outcome.SumOfSquares += double.CreateChecked(one.Squares);
            if (two.Touched)
            {
                outcome.SumOfMagnitudes += double.CreateChecked(two.Magnitudes);
                outcome.SumOfSquares += double.CreateChecked(two.Squares);
            }

            bool finite = (!one.Touched || one.Finite) && (!two.Touched || two.Finite);
            if (!finite && outcome.Finite)
            {
                outcome.Finite = false;
                outcome.FirstBadBlock = b;
            }
        }

        outcome.MaxParameter = double.CreateChecked(maxParameter);
        return outcome;
    }

    /// <summary>
    /// W1 and b1 updated inside <see cref="InputLayerPass"/>, split by columns over two cores from its size on; what each
    /// core found goes into the blocks' entries of <paramref name="first"/> and <paramref name="second"/>.
    /// </summary>
    private static unsafe void InputLayer<T, TRule>(ref TRule rule, IReadOnlyList<ParameterBlock> layout, Span<T> parameters,
        in InputLayerGradients<T> inputLayer, in UpdateInputs<T> inputs, Span<BlockOutcome<T>> first, Span<BlockOutcome<T>> second)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        int weights = -1, biases = -1;
        for (int b = 0; b < layout.Count; b++)
        {
            if (layout[b].Offset == inputLayer.Weights && layout[b].Length == inputLayer.In * inputLayer.Out)
            {
                weights = b;
            }
            else if (layout[b].Offset == inputLayer.Biases && layout[b].Length == inputLayer.Out)
            {
                biases = b;
            }
        }

        if (weights < 0 || biases < 0 || !layout[weights].IsPenalized || layout[biases].IsPenalized)
        {
            throw new ArgumentException("The deferred first-layer gradients do not match the network's layout.", nameof(inputLayer));
        }

        fixed (T* p = parameters)
        {
            var sink = new UpdateSink<T, TRule> { Rule = rule, Parameters = p, ParameterLength = parameters.Length, Inputs = inputs };
            InputLayerPass.Run(inputLayer, ref sink, out UpdateSink<T, TRule> other, out bool split);
            first[weights] = Outcome(sink.WeightOutcome);
            first[biases] = Outcome(sink.BiasOutcome);
            if (split)
            {
                second[weights] = Outcome(other.WeightOutcome);
                second[biases] = Outcome(other.BiasOutcome);
            }
        }

        static BlockOutcome<T> Outcome((bool Finite, T Max, T Magnitudes, T Squares) o) =>
            new() { Touched = true, Finite = o.Finite, Max = o.Max, Magnitudes = o.Magnitudes, Squares = o.Squares };
    }

    /// <summary>What the pass found in the part of one layout block that one half updated (not <see cref="Touched"/>: the half held none of it).</summary>
    private struct BlockOutcome<T> where T : unmanaged
    {
        public bool Touched;
        public bool Finite;
        public T Max, Magnitudes, Squares;
    }

    /// <summary>Updates θ[from, to): each layout block's part of it, with the block's kind; the outcome of block b into results[b].</summary>
    private static void Range<T, TRule>(ref TRule rule, IReadOnlyList<ParameterBlock> layout, Span<T> parameters, ReadOnlySpan<T> sums,
        int from, int to, in UpdateInputs<T> inputs, Span<BlockOutcome<T>> results)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        for (int b = 0; b < layout.Count; b++)
        {
            ParameterBlock block = layout[b];
            int start = Math.Max(block.Offset, from), end = Math.Min(block.Offset + block.Length, to);
            if (start >= end)
            {
                results[b] = default;
                continue;
            }

            bool weights = block.IsPenalized;
            rule.Weights = weights;
            (bool finite, T max, T magnitudes, T squares) = weights
                ? Block<T, TRule, PenalizedBlock>(ref rule, parameters, ref MemoryMarshal.GetReference(sums), 0, start, end - start, inputs)
                : Block<T, TRule, PlainBlock>(ref rule, parameters, ref MemoryMarshal.GetReference(sums), 0, start, end - start, inputs);
            results[b] = new BlockOutcome<T> { Touched = true, Finite = finite, Max = max, Magnitudes = magnitudes, Squares = squares };
        }
    }

    /// <summary>
    /// The two halves of a large update: θ[0, split) on the calling thread, θ[split, P) on <see cref="SecondCore"/> with
    /// its own copy of the rule (whose only mutable field is which kind of block it is in), or here after the first half
    /// when the other core is off or busy. One reused object per rule type and thread: no allocation per step.
    /// </summary>
    private sealed unsafe class Halves<T, TRule> : ISecondCoreWork
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        [ThreadStatic]
        private static Halves<T, TRule>? t_instance;

        private TRule _rule;
        private IReadOnlyList<ParameterBlock> _layout = [];
        private UpdateInputs<T> _inputs;
        private T* _parameters, _sums;
        private BlockOutcome<T>* _results;
        private int _length, _split;

        public static void Run(ref TRule rule, IReadOnlyList<ParameterBlock> layout, Span<T> parameters, ReadOnlySpan<T> sums, int from, int split,
            in UpdateInputs<T> inputs, Span<BlockOutcome<T>> first, Span<BlockOutcome<T>> second)
        {
            Halves<T, TRule> halves = t_instance ??= new Halves<T, TRule>();
            fixed (T* p = parameters, g = sums)
            fixed (BlockOutcome<T>* r = second)
            {
                halves._rule = rule;
                halves._layout = layout;
                halves._inputs = inputs;
                halves._parameters = p;
                halves._sums = g;
                halves._results = r;
                halves._length = parameters.Length;
                halves._split = split;
                if (!SecondCore.TryStart(halves))
                {
                    Range(ref rule, layout, parameters, sums, from, split, inputs, first);
                    halves.RunSecondHalf();
                    halves.Clear();
                    return;
                }

                try
                {
                    Range(ref rule, layout, parameters, sums, from, split, inputs, first);
                }
                finally
                {
                    // Never leave while the other half may still use the pinned buffers.
                    SecondCore.Join();
                    halves.Clear();
                }
            }
        }

        public void RunSecondHalf() =>
            Range(ref _rule, _layout, new Span<T>(_parameters, _length), new ReadOnlySpan<T>(_sums, _length), _split, _length, _inputs,
                new Span<BlockOutcome<T>>(_results, _layout.Count));

        private void Clear()
        {
            _rule = default;   // drops the state arrays it refers to
            _layout = [];
            _parameters = _sums = null;
            _results = null;
        }
    }

    internal interface IPenaltyKind
    {
        static abstract bool Penalized { get; }
    }

    internal struct PenalizedBlock : IPenaltyKind
    {
        public static bool Penalized => true;
    }

    internal struct PlainBlock : IPenaltyKind
    {
        public static bool Penalized => false;
    }

    /// <summary>
    /// θ[offset, offset + length) updated from the sums at <paramref name="sums"/>[i − <paramref name="shift"/>] (the
    /// gradient buffer with shift 0, or the first layer's staged sums of one band, <see cref="InputLayerPass"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (bool Finite, T Max, T Magnitudes, T Squares) Block<T, TRule, TKind>(
        ref TRule rule, Span<T> parameters, ref T sums, nint shift, int offset, int length, in UpdateInputs<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TKind : struct, IPenaltyKind
    {
        TRule r = rule;   // a local copy: its fields are loop-invariant (no store below can reach them)
        bool l1 = TKind.Penalized && inputs.HasL1, l2 = TKind.Penalized && inputs.HasL2, clip = inputs.HasClip;
        T scale = inputs.Scale, lambda1 = inputs.L1, lambda2 = inputs.L2, high = inputs.Clip;
        _ = parameters.Slice(offset, length);
        ref T p = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref sums;   // g[i − shift] is the sum of θ[i]
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
                Vector<T> gk = Vector.LoadUnsafe(ref g, (nuint)(i - shift)) * scaleV;
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
            T gi = Unsafe.Add(ref g, i - shift) * scale;
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

            (max, probe) = (MaxOf(maxV), Vector.Sum(probeV));
        }

        for (; i < values.Length; i++)
        {
            max = T.Max(max, T.Abs(values[i]));
            probe += values[i] - values[i];
        }

        return Magnitude(max, probe);
    }

    /// <summary>The largest lane of <paramref name="maxV"/> (a vector of magnitudes, at least 0).</summary>
    internal static T MaxOf<T>(Vector<T> maxV) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.Zero;
        for (int k = 0; k < Vector<T>.Count; k++)
        {
            max = T.Max(max, maxV[k]);
        }

        return max;
    }

    /// <summary>
    /// <see cref="MaxMagnitude{T}"/>'s answer from the largest |x| seen and Σ (x − x): x − x is NaN for ±∞ and NaN, and then
    /// the maximum tells which (it is ∞ when an infinity was seen).
    /// </summary>
    internal static double Magnitude<T>(T max, T probe) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsFinite(probe) ? double.CreateChecked(max) : T.IsInfinity(max) ? double.PositiveInfinity : double.NaN;
}
