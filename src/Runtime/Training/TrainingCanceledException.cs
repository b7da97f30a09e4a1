using System;
using System.Threading;

namespace NetGen;

/// <summary>
/// <see cref="FitOptions.CancellationToken"/> fired. Training stops between two batches; the network holds the
/// parameters of the last completed step, and <see cref="History"/> the epochs completed before it. It is an
/// <see cref="OperationCanceledException"/>, so code that catches that still works.
/// </summary>
public sealed class TrainingCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public TrainingCanceledException(TrainingHistory history, long steps, CancellationToken token, Exception? innerException = null)
        : base($"Training was cancelled after {history?.Epochs.Count ?? 0} complete epoch(s) and {steps} optimizer step(s); the network keeps the parameters of the last completed step.", innerException, token)
    {
        ArgumentNullException.ThrowIfNull(history);
        History = history;
        Steps = steps;
    }

    /// <summary>The epochs completed before the cancellation (<see cref="TrainingHistory.StopReason"/> is <see cref="TrainingStopReason.Cancelled"/>).</summary>
    public TrainingHistory History { get; }

    /// <summary>The optimizer steps taken in total; the network holds the parameters after the last of them.</summary>
    public long Steps { get; }
}
