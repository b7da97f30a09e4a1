using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen;

/// <summary>The metrics of one data split: loss, and accuracy for classification or MSE and R² for regression.</summary>
/// <param name="Loss">The mean loss per sample (including the L1/L2 penalty for training).</param>
/// <param name="Accuracy">The fraction of correct predictions (classification), else null.</param>
/// <param name="MeanSquaredError">The mean of (a − y)² over samples and outputs (regression), else null.</param>
/// <param name="R2">The coefficient of determination, averaged over outputs as scikit-learn does (regression), else null.</param>
public sealed record Metrics(double Loss, double? Accuracy = null, double? MeanSquaredError = null, double? R2 = null);

/// <summary>Per-layer health after an epoch: the course's vanishing/exploding gradients and dead units, as numbers.</summary>
/// <param name="Layer">The dense layer l.</param>
/// <param name="Activation">Its activation.</param>
/// <param name="GradientNorm">The root mean square over the epoch's steps of the L2 norm of ∂C/∂θ of the layer (W, b, γ, β).</param>
/// <param name="DeadFraction">For ReLU layers: the fraction of units never positive over the training rows at the end of the epoch; else null.</param>
/// <param name="SaturatedFraction">For sigmoid/tanh layers: the fraction of unit activations within 0.01 of the bounds (σ'(z) ≲ 0.01–0.02); else null.</param>
public sealed record LayerDiagnostics(int Layer, Activation Activation, double GradientNorm, double? DeadFraction, double? SaturatedFraction);

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Train">Training metrics: the running mean of the batch losses, and the metrics of an inference pass when enabled.</param>
/// <param name="Validation">Validation metrics (inference mode), or null without validation data.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="Steps">The optimizer steps taken so far in total.</param>
/// <param name="Duration">Wall time of the epoch.</param>
/// <param name="SamplesPerSecond">Training samples per second of the epoch.</param>
/// <param name="Layers">Per-layer diagnostics when enabled, else empty.</param>
public sealed record EpochReport(
    int Epoch,
    Metrics Train,
    Metrics? Validation,
    double LearningRate,
    long Steps,
    TimeSpan Duration,
    double SamplesPerSecond,
    IReadOnlyList<LayerDiagnostics> Layers);

/// <summary>Why <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/> stopped.</summary>
public enum TrainingStopReason
{
    /// <summary>Every epoch up to <see cref="FitOptions.Epochs"/> ran (or training has not ended yet).</summary>
    Completed,

    /// <summary>A callback (early stopping, <see cref="TrainingContext.RequestStop"/>) ended training before the last epoch.</summary>
    StopRequested,

    /// <summary>The cancellation token fired between two batches (<see cref="TrainingCanceledException"/>).</summary>
    Cancelled,

    /// <summary>A loss, gradient or parameter became NaN or ∞ (<see cref="TrainingDivergedException"/>, or <see cref="TerminateOnNaN"/>).</summary>
    Diverged,
}

/// <summary>
/// The result of <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/>: returned
/// when training ends normally, and carried by <see cref="TrainingCanceledException.History"/> and
/// <see cref="TrainingDivergedException.History"/> when it does not, so the epochs done are never lost.
/// </summary>
public sealed class TrainingHistory
{
    private readonly List<EpochReport> _epochs = [];

    /// <summary>Every completed epoch in order (a resumed run lists only the epochs it ran, numbered on from the checkpoint).</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>The mean training loss of each epoch.</summary>
    public IReadOnlyList<double> Loss => _epochs.Select(e => e.Train.Loss).ToArray();

    /// <summary>The validation loss of each epoch (empty without validation data).</summary>
    public IReadOnlyList<double> ValidationLoss => _epochs.Where(e => e.Validation is not null).Select(e => e.Validation!.Loss).ToArray();

    /// <summary>The epoch (from 1) whose monitored loss (validation loss if any, else training loss) was lowest; 0 before the first epoch.</summary>
    public int BestEpoch { get; internal set; }

    /// <summary>The number of epochs a resumed run started after (<see cref="TrainingCheckpoint.Epoch"/>); 0 for a fresh run.</summary>
    public int InitialEpoch { get; internal set; }

    /// <summary>Why training stopped.</summary>
    public TrainingStopReason StopReason { get; internal set; }

    /// <summary>Who stopped training and why, e.g. "EarlyStopping: val_loss did not improve for 3 epochs"; null when it completed.</summary>
    public string? StopMessage { get; internal set; }

    /// <summary>With <see cref="TerminateOnNaN"/>, the divergence that ended training gracefully; otherwise null.</summary>
    public TrainingDivergedException? Divergence { get; internal set; }

    /// <summary>Whether a callback (such as early stopping) ended training before the last epoch.</summary>
    public bool StoppedEarly => StopReason == TrainingStopReason.StopRequested;

    /// <summary>Whether early stopping restored the parameters of its best epoch, which was not the last one, at the end.</summary>
    public bool RestoredBest { get; internal set; }

    /// <summary>Total wall time.</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>The fused-update steps whose overflow bound did not clear them, so their start was copied (for tests and benchmarks).</summary>
    internal long GuardedSteps { get; set; }

    /// <summary>The copies made for steps that only the next pass could overflow (one every few steps, replayed from; for tests and benchmarks).</summary>
    internal long ReplayCopies { get; set; }

    internal void Add(EpochReport report) => _epochs.Add(report);
}
