using System;
using System.Collections.Generic;
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
    /// When no validation set is passed, the fraction of the training rows held out for validation, chosen as
    /// <see cref="ValidationSplit"/> says (by default a stratified, seeded shuffle for classification); 0 (none) by default.
    /// The number held out is the fraction of the rows rounded half away from zero.
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>
    /// How <see cref="ValidationFraction"/> picks the validation rows; <see cref="ValidationSplitMode.Auto"/> by default:
    /// stratified for classification, shuffled otherwise, both seeded by <see cref="Seed"/>. Keras takes the last rows
    /// (<see cref="ValidationSplitMode.LastRows"/>), which holds out a single class of data sorted by class.
    /// </summary>
    public ValidationSplitMode ValidationSplit { get; init; }

    /// <summary>
    /// A weight ≥ 0 per training row (Keras's <c>sample_weight</c>): each row's loss is multiplied by its weight and the
    /// batch's weighted losses are summed and divided by the batch size, so the gradient is Σ wᵢ ∂Cᵢ/∂θ / B and a weight
    /// of 2 counts a row twice. Aligned with the rows passed to Fit (a held-out validation part takes its weights
    /// along, and validation metrics are unweighted). Null for none. Not together with <see cref="ClassWeights"/>.
    /// </summary>
    /// <remarks>
    /// Rows of different weights are back-propagated in groups, so a network with batch normalization, whose batch
    /// statistics would change, accepts only weights that are equal within every batch (else ArgumentException).
    /// </remarks>
    public IReadOnlyList<double>? SampleWeights { get; init; }

    /// <summary>
    /// A weight ≥ 0 per class (Keras's <c>class_weight</c>): every training row of class c gets weight
    /// <c>ClassWeights[c]</c> (1 for classes not listed), then as <see cref="SampleWeights"/>. Needs class labels: the
    /// dataset's, or the argmax of one-hot targets (threshold 0.5 for one sigmoid output). Null for none.
    /// </summary>
    public IReadOnlyDictionary<int, double>? ClassWeights { get; init; }

    /// <summary>Callbacks (Keras's model): called when training begins and ends, at every epoch's start and end and after every batch; in this order.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = [];

    /// <summary>
    /// A checkpoint to continue from (<see cref="ModelCheckpoint"/>, <see cref="TrainingCheckpoint.Load(string)"/>):
    /// the network, the optimizer's state, the schedule position, the random states and the epoch are restored, and
    /// training runs epochs <c>checkpoint.Epoch + 1</c> to <see cref="Epochs"/>. The other options and the data must be
    /// those of the interrupted run; <see cref="LearningRate"/> is ignored (the checkpoint's rate is used).
    /// </summary>
    public TrainingCheckpoint? ResumeFrom { get; init; }

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

    /// <summary>
    /// Stops after this many epochs without improvement of the validation loss (the training loss without validation
    /// data), with Keras's patience semantics: an <see cref="EarlyStopping"/> callback with this patience,
    /// <see cref="EarlyStoppingMinDelta"/> and <see cref="RestoreBestParameters"/>, run after <see cref="Callbacks"/>.
    /// Null for no early stopping.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The smallest decrease of the monitored loss that counts as an improvement; 0 by default.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>With early stopping, whether the parameters of the best epoch are restored at the end; true by default.</summary>
    public bool RestoreBestParameters { get; init; } = true;

    /// <summary>
    /// Whether each epoch reports training metrics (accuracy for classification data, MSE and R² for regression) beside
    /// the training loss; true by default. How they are measured: <see cref="TrainingMetricsPass"/>.
    /// </summary>
    public bool TrainingMetrics { get; init; } = true;

    /// <summary>
    /// How the training metrics are measured. Null (the default): accumulated during the training pass from the outputs
    /// its forward pass computed, as Keras reports them (each batch at the parameters before its step), when the network
    /// exposes those outputs (<see cref="GenericNetwork{T}"/>; not with sample or class weights), else with an inference
    /// pass over the training rows after the epoch. True: always that inference pass (the metrics of the epoch's final
    /// parameters; the behaviour before issue 12). False: only during the training pass — never a second pass; a network
    /// that does not expose its training outputs then reports the loss alone.
    /// </summary>
    public bool? TrainingMetricsPass { get; init; }

    /// <summary>
    /// Whether a built-in optimizer updates the parameters in one pass that also averages the gradient over the batch,
    /// adds the L1/L2 penalty, clips by value and checks that everything it wrote is finite, with no copy of the
    /// parameters per step; true by default. False takes the separate passes (average, penalty, finiteness scan, a
    /// copy of every parameter, the optimizer's <see cref="IOptimizer{T}.Step"/>), kept for comparison; custom
    /// optimizers, <see cref="ClipNorm"/> and <see cref="LayerDiagnostics"/> always take them.
    /// </summary>
    public bool FusedUpdate { get; init; } = true;

    /// <summary>
    /// Whether the fused update forms the first layer's ∂C/∂W1 and ∂C/∂b1 inside its own pass over W1, so that W1's
    /// gradient is never written, cleared or read back (generated networks whose first layer is a plain dense layer;
    /// others ignore it). The parameters are the same bit for bit either way. Off by default: on a 2-core Zen 3 machine
    /// it tied with the gradient buffer in whole Fit epochs (bench/README.md, 2026-12-07, fifth session); measure it on
    /// yours with <c>bench --fit --part fashion</c>.
    /// </summary>
    public bool UpdateInsideInputLayer { get; init; }

    /// <summary>
    /// For <c>bench --fit --part foldmax</c> only: the fused step reads ∂C/∂θ once more for max |Σ ∂C/∂θ| instead of
    /// taking the maximum the two cores' fold found (the behaviour before 2026-12-07's sixth session). Same parameters.
    /// </summary>
    internal bool ScanAfterFold { get; init; }

    /// <summary>Whether each epoch reports per-layer diagnostics: gradient norms, dead ReLU units, saturated sigmoid/tanh units.</summary>
    public bool LayerDiagnostics { get; init; }

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<EpochReport>? Progress { get; init; }

    /// <summary>
    /// Receives the number of samples done so far in the current epoch after every batch (for progress bars). It reports;
    /// it must not change the network or the data: should training diverge, Fit may take the steps since its last copy
    /// again to give the last good parameters back (a callback of your own can change them: Fit then copies every step).
    /// </summary>
    public IProgress<BatchProgress>? BatchProgress { get; init; }

    /// <summary>
    /// Stops training between batches: Fit throws <see cref="TrainingCanceledException"/> (an
    /// <see cref="OperationCanceledException"/>) whose <see cref="TrainingCanceledException.History"/> holds the epochs
    /// completed; the network keeps the parameters of the last completed step.
    /// </summary>
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

        if (!double.IsFinite(EarlyStoppingMinDelta))
        {
            throw new ArgumentException($"EarlyStoppingMinDelta must be finite, not {EarlyStoppingMinDelta}.", nameof(EarlyStoppingMinDelta));
        }

        if (!Enum.IsDefined(ValidationSplit))
        {
            throw new ArgumentException($"ValidationSplit {(int)ValidationSplit} is not a ValidationSplitMode.", nameof(ValidationSplit));
        }

        if (SampleWeights is not null && ClassWeights is not null)
        {
            throw new ArgumentException("Pass SampleWeights or ClassWeights, not both (as Keras).", nameof(ClassWeights));
        }

        if (SampleWeights is not null)
        {
            for (int i = 0; i < SampleWeights.Count; i++)
            {
                if (!(SampleWeights[i] >= 0) || !double.IsFinite(SampleWeights[i]))
                {
                    throw new ArgumentException($"SampleWeights[{i}] is {SampleWeights[i]}; every weight must be a finite number ≥ 0.", nameof(SampleWeights));
                }
            }
        }

        if (ClassWeights is not null)
        {
            foreach ((int label, double weight) in ClassWeights)
            {
                if (label < 0 || !(weight >= 0) || !double.IsFinite(weight))
                {
                    throw new ArgumentException($"ClassWeights[{label}] = {weight}; classes are ≥ 0 and weights finite numbers ≥ 0.", nameof(ClassWeights));
                }
            }
        }

        if (Callbacks is null)
        {
            throw new ArgumentException("Callbacks must not be null (leave it empty).", nameof(Callbacks));
        }

        for (int i = 0; i < Callbacks.Count; i++)
        {
            if (Callbacks[i] is null)
            {
                throw new ArgumentException($"Callbacks[{i}] is null.", nameof(Callbacks));
            }
        }
    }
}

/// <summary>How <see cref="FitOptions.ValidationFraction"/> chooses the validation rows.</summary>
public enum ValidationSplitMode
{
    /// <summary><see cref="Stratified"/> for classification data (class labels, or one-hot / 0–1 targets of a softmax or sigmoid network), <see cref="Shuffled"/> otherwise.</summary>
    Auto,

    /// <summary>Every class split in proportion (DataSplit's stratified split, seeded by <see cref="FitOptions.Seed"/>): each class's validation count is within one of its share.</summary>
    Stratified,

    /// <summary>A seeded random sample of the rows, whatever their class.</summary>
    Shuffled,

    /// <summary>The last rows, before any shuffling, as Keras's <c>validation_split</c> does (beware of data sorted by class).</summary>
    LastRows,
}

/// <summary>Progress within an epoch.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="SamplesDone">Training samples processed so far in this epoch.</param>
/// <param name="SamplesTotal">Training samples per epoch.</param>
/// <param name="RunningLoss">The mean loss of the batches so far.</param>
/// <param name="Batch">The batch within the epoch, from 1.</param>
/// <param name="BatchLoss">The mean (weighted) loss of this batch, penalty included.</param>
public readonly record struct BatchProgress(int Epoch, int SamplesDone, int SamplesTotal, double RunningLoss, int Batch = 0, double BatchLoss = double.NaN);
