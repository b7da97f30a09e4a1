using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// An optimizer whose state — the per-parameter buffers (moments, accumulators, velocities) and the step count — can be
/// saved in a <see cref="TrainingCheckpoint"/> and restored into a new optimizer of the same kind, so that a resumed
/// <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/> continues bit for bit.
/// Every built-in optimizer implements it.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IResumableOptimizer<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The number of steps taken since the last <see cref="IOptimizer{T}.Bind"/> or <see cref="IOptimizer{T}.Reset"/>.</summary>
    long StepCount { get; }

    /// <summary>The number of state buffers (0 for <see cref="Sgd{T}"/>, 2 for Adam's m and v, …); fixed for a configuration.</summary>
    int StateBufferCount { get; }

    /// <summary>State buffer <paramref name="index"/> in the layout of the parameters (empty when the configuration does not use it).</summary>
    /// <exception cref="InvalidOperationException">The optimizer is not bound yet.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="StateBufferCount"/>).</exception>
    Span<T> StateBuffer(int index);

    /// <summary>Sets the step count (after the buffers were restored from a checkpoint).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative.</exception>
    void RestoreStepCount(long stepCount);
}

/// <summary>The checks the resumable optimizers share.</summary>
internal static class ResumableChecks
{
    /// <summary>State buffer <paramref name="index"/> of <paramref name="buffers"/> (a span, so no array per call: Fit's guarded steps ask on every step).</summary>
    public static Span<T> Buffer<T>(T[]? bound, int index, params ReadOnlySpan<T[]> buffers)
    {
        if (bound is null)
        {
            throw new InvalidOperationException("The optimizer has no state yet: call Bind(spec) first.");
        }

        if ((uint)index >= (uint)buffers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The optimizer has {buffers.Length} state buffers.");
        }

        return buffers[index];
    }

    public static long StepCount(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(value));
        return value;
    }
}
