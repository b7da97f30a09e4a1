using System;

namespace NetGen;

/// <summary>
/// Ends training gracefully when it diverges (Keras's <c>keras.callbacks.TerminateOnNaN</c>): instead of throwing
/// <see cref="TrainingDivergedException"/>, Fit returns the history with <see cref="TrainingStopReason.Diverged"/> and the
/// exception in <see cref="TrainingHistory.Divergence"/>. The network keeps the last parameters whose loss and
/// gradients were finite, as it does when the exception is thrown.
/// </summary>
/// <remarks>
/// The trainer checks every loss, gradient and update itself, so a non-finite batch loss never reaches
/// <see cref="OnBatchEnd"/>; the check there is kept for losses a custom network might report.
/// </remarks>
public sealed class TerminateOnNaN : TrainingCallback
{
    /// <inheritdoc />
    public override void OnBatchEnd(TrainingContext context, BatchProgress batch)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!double.IsFinite(batch.BatchLoss) || !double.IsFinite(batch.RunningLoss))
        {
            context.RequestStop($"TerminateOnNaN: batch {batch.Batch} of epoch {batch.Epoch} has an invalid loss.");
        }
    }
}
