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

/// <summary>The result of <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/>.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochReport> _epochs = [];

    /// <summary>Every completed epoch in order.</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>The mean training loss of each epoch.</summary>
    public IReadOnlyList<double> Loss => _epochs.Select(e => e.Train.Loss).ToArray();

    /// <summary>The validation loss of each epoch (empty without validation data).</summary>
    public IReadOnlyList<double> ValidationLoss => _epochs.Where(e => e.Validation is not null).Select(e => e.Validation!.Loss).ToArray();

    /// <summary>The epoch (from 1) whose monitored loss was lowest.</summary>
    public int BestEpoch { get; internal set; }

    /// <summary>Whether early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>Whether the parameters of <see cref="BestEpoch"/> were restored at the end.</summary>
    public bool RestoredBest { get; internal set; }

    /// <summary>Total wall time.</summary>
    public TimeSpan Duration { get; internal set; }

    internal void Add(EpochReport report) => _epochs.Add(report);
}
