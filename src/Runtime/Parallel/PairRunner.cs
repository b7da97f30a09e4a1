using System;

namespace NetGen;

/// <summary>
/// Process-wide switch for the two-core batch split. Batches above a network's threshold are always computed as two
/// halves whose gradients and losses are added in a fixed order, so results are bit-for-bit the same whether the
/// halves run on two cores or one after the other; this only chooses which.
/// </summary>
public static class Parallelism
{
    /// <summary>Whether the second half of a split batch runs on another core; true when the machine has more than one.</summary>
    public static bool Enabled { get; set; } = Environment.ProcessorCount > 1;

    /// <summary>
    /// Whether the passes over the whole parameter vector (the fused update, clearing, folding and scanning ∂C/∂θ) are
    /// split in two halves from their size on (<see cref="TwoCorePasses"/>); off only to measure one against the other
    /// (bench --fit --part passes). Parameters are the same either way; the penalty's reported sums may round differently.
    /// </summary>
    internal static bool SplitPasses { get; set; } = true;
}

/// <summary>One half of a split batch, run by <see cref="PairRunner{T}"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
public interface IPairedWork<T> where T : unmanaged
{
    /// <summary>Computes half <paramref name="part"/> (0 or 1) of the work on the given spans; returns its partial result.</summary>
    T RunPart(int part, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> outputs);
}

/// <summary>
/// Runs the two halves of a batch, the second on <see cref="SecondCore"/>'s thread, without allocating: the spans are
/// pinned for the duration of the call (the caller waits for the second half), the work item is this reused object.
/// When the second core is off or busy with another call, both halves run here, one after the other.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed unsafe class PairRunner<T> : ISecondCoreWork where T : unmanaged
{
    private readonly IPairedWork<T> _work;
    private T* _inputs, _targets, _outputs;
    private int _inputLength, _targetLength, _outputLength;
    private T _second;

    /// <summary>Creates the runner for one network.</summary>
    public PairRunner(IPairedWork<T> work) => _work = work ?? throw new ArgumentNullException(nameof(work));

    /// <summary>Runs half 0 here and half 1 on another core (or after half 0 when <paramref name="parallel"/> is false or the other core is busy).</summary>
    /// <returns>The two partial results, in part order.</returns>
    public (T First, T Second) Run(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> outputs, bool parallel)
    {
        fixed (T* pi = inputs, pt = targets, po = outputs)
        {
            _inputs = pi;
            _targets = pt;
            _outputs = po;
            _inputLength = inputs.Length;
            _targetLength = targets.Length;
            _outputLength = outputs.Length;
            if (!parallel || !SecondCore.TryStart(this))
            {
                T a = _work.RunPart(0, inputs, targets, outputs);
                return (a, _work.RunPart(1, inputs, targets, outputs));
            }

            T first;
            try
            {
                first = _work.RunPart(0, inputs, targets, outputs);
            }
            finally
            {
                // Never leave while the other half may still read the pinned spans.
                SecondCore.Join();
                _inputs = _targets = _outputs = null;
            }

            return (first, _second);
        }
    }

    void ISecondCoreWork.RunSecondHalf() =>
        _second = _work.RunPart(1, new ReadOnlySpan<T>(_inputs, _inputLength), new ReadOnlySpan<T>(_targets, _targetLength), new Span<T>(_outputs, _outputLength));
}
