using System;
using System.Threading;

namespace NetGen;

/// <summary>How <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/> trains.</summary>
/// <remarks>The defaults follow Keras's <c>model.fit</c>: 32 samples per batch, shuffled every epoch, the last partial batch kept.</remarks>
public sealed record FitOptions
{
    /// <summary>The number of passes over the training data; 10 by default.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch; 32 by default. The last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Whether the training rows are reshuffled every epoch (with <see cref="Seed"/>); true by default.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed of the shuffling and of the network's dropout masks: the same seed, network and data give the same history, bit for bit.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// When no validation set is passed, the fraction of the training rows (taken from the end, before any
    /// shuffling, as Keras does) held out for validation; 0 (none) by default.
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>The learning rate η each step starts from; null keeps the optimizer's own <see cref="IOptimizer{T}.LearningRate"/>.</summary>
    public double? LearningRate { get; init; }

    /// <summary>A schedule that sets the learning rate before every step from the base rate, the step and the epoch; null keeps it constant.</summary>
    public ILearningRateSchedule? Schedule { get; init; }

    /// <summary>L1 strength λ1 on the weights (never biases, γ or β); the penalty is included in the reported loss.</summary>
    public double L1 { get; init; }

    /// <summary>L2 strength λ2 on the weights (never biases, γ or β); the penalty is included in the reported loss.</summary>
    public double L2 { get; init; }

    /// <summary>Rescales the gradient whenever its global L2 norm exceeds this value; null for no clipping.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Clamps every gradient component to [−limit, limit]; null for no clipping.</summary>
    public double? ClipValue { get; init; }

    /// <summary>Stops after this many epochs without improvement of the monitored loss; null for no early stopping.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The smallest decrease of the monitored loss that counts as an improvement; 0 by default.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>With early stopping, whether the parameters of the best epoch are restored at the end; true by default.</summary>
    public bool RestoreBestParameters { get; init; } = true;

    /// <summary>Whether the training metrics (accuracy, MSE, R²) are measured after each epoch with an inference pass over the training rows; true by default.</summary>
    public bool TrainingMetrics { get; init; } = true;

    /// <summary>Whether each epoch reports per-layer diagnostics: gradient norms, dead ReLU units, saturated sigmoid/tanh units.</summary>
    public bool LayerDiagnostics { get; init; }

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<EpochReport>? Progress { get; init; }

    /// <summary>Receives the number of samples done so far in the current epoch after every batch (for progress bars).</summary>
    public IProgress<BatchProgress>? BatchProgress { get; init; }

    /// <summary>Stops training between batches; the history so far is kept and the exception is <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"Epochs must be at least 1, not {Epochs}.", nameof(Epochs));
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"BatchSize must be at least 1, not {BatchSize}.", nameof(BatchSize));
        }

        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
        {
            throw new ArgumentException($"ValidationFraction must be in [0, 1), not {ValidationFraction}.", nameof(ValidationFraction));
        }

        if (LearningRate is { } eta && !(eta >= 0 && double.IsFinite(eta)))
        {
            throw new ArgumentException($"LearningRate must be a finite number ≥ 0, not {eta}.", nameof(LearningRate));
        }

        if (!(L1 >= 0 && double.IsFinite(L1)) || !(L2 >= 0 && double.IsFinite(L2)))
        {
            throw new ArgumentException($"L1 and L2 must be finite and ≥ 0 (L1 = {L1}, L2 = {L2}).", nameof(L1));
        }

        if (ClipNorm is { } norm && !(norm > 0))
        {
            throw new ArgumentException($"ClipNorm must be > 0, not {norm}.", nameof(ClipNorm));
        }

        if (ClipValue is { } value && !(value > 0))
        {
            throw new ArgumentException($"ClipValue must be > 0, not {value}.", nameof(ClipValue));
        }

        if (EarlyStoppingPatience is { } patience && patience < 0)
        {
            throw new ArgumentException($"EarlyStoppingPatience must be ≥ 0, not {patience}.", nameof(EarlyStoppingPatience));
        }
    }
}

/// <summary>Progress within an epoch.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="SamplesDone">Training samples processed so far in this epoch.</param>
/// <param name="SamplesTotal">Training samples per epoch.</param>
/// <param name="RunningLoss">The mean loss of the batches so far.</param>
public readonly record struct BatchProgress(int Epoch, int SamplesDone, int SamplesTotal, double RunningLoss);
