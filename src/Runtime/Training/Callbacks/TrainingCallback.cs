using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Watches and steers <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/>,
/// in Keras's model (<c>keras.callbacks.Callback</c>): called when training begins, at the start and end of every epoch,
/// after every batch, and when training ends. Pass callbacks in <see cref="FitOptions.Callbacks"/>; they run in that order.
/// </summary>
/// <remarks>
/// A callback stops training gracefully with <see cref="TrainingContext.RequestStop"/> (as Keras's <c>model.stop_training = True</c>): asked in <see cref="OnBatchEnd"/>, the epoch ends after that batch (its report covers the rows done); asked in <see cref="OnEpochEnd"/>, no further epoch starts; then
/// <see cref="OnTrainEnd"/> runs, and Fit returns the history with <see cref="TrainingStopReason.StopRequested"/>.
/// <see cref="OnTrainEnd"/> runs only when training ends normally (completed, or stopped by a callback); when Fit
/// throws (cancellation, divergence) the history is on the exception instead. An exception thrown by a callback
/// propagates out of Fit. Derive from <see cref="TrainingCallback"/> to override only what you need.
/// </remarks>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch (after a checkpoint was restored, when resuming).</summary>
    void OnTrainBegin(TrainingContext context);

    /// <summary>Before epoch <paramref name="epoch"/> (from 1; a resumed run continues the numbering).</summary>
    void OnEpochBegin(TrainingContext context, int epoch);

    /// <summary>After every optimizer step, with the progress of the epoch and the batch's loss.</summary>
    void OnBatchEnd(TrainingContext context, BatchProgress batch);

    /// <summary>After every epoch, with its metrics (the report is already in <see cref="TrainingContext.History"/>).</summary>
    void OnEpochEnd(TrainingContext context, EpochReport report);

    /// <summary>After the last epoch, or after a requested stop.</summary>
    void OnTrainEnd(TrainingContext context, TrainingHistory history);
}

/// <summary>An <see cref="ITrainingCallback"/> whose methods do nothing: override the ones you need.</summary>
public abstract class TrainingCallback : ITrainingCallback
{
    /// <inheritdoc />
    public virtual void OnTrainBegin(TrainingContext context)
    {
    }

    /// <inheritdoc />
    public virtual void OnEpochBegin(TrainingContext context, int epoch)
    {
    }

    /// <inheritdoc />
    public virtual void OnBatchEnd(TrainingContext context, BatchProgress batch)
    {
    }

    /// <inheritdoc />
    public virtual void OnEpochEnd(TrainingContext context, EpochReport report)
    {
    }

    /// <inheritdoc />
    public virtual void OnTrainEnd(TrainingContext context, TrainingHistory history)
    {
    }
}

/// <summary>
/// What a callback sees of a running Fit and what it may change: the history so far, the learning rate, a stop
/// request, snapshots of the parameters, checkpoints. Created by the trainer; valid during the Fit call only.
/// </summary>
public abstract class TrainingContext
{
    private protected TrainingContext(TrainingHistory history, int initialEpoch, int epochs, bool hasValidation)
    {
        History = history;
        InitialEpoch = initialEpoch;
        Epochs = epochs;
        HasValidation = hasValidation;
    }

    /// <summary>The topology of the network being trained.</summary>
    public abstract NetworkSpec Spec { get; }

    /// <summary>The network being trained, an <see cref="INetwork{T}"/> of float or double.</summary>
    public abstract object Network { get; }

    /// <summary>The epochs already done before this Fit call (from a checkpoint); 0 for a fresh run.</summary>
    public int InitialEpoch { get; }

    /// <summary>The last epoch this Fit call runs to (<see cref="FitOptions.Epochs"/>).</summary>
    public int Epochs { get; }

    /// <summary>Whether there are validation data (so that <c>val_loss</c> and the other <c>val_</c> monitors exist).</summary>
    public bool HasValidation { get; }

    /// <summary>The epochs completed so far.</summary>
    public TrainingHistory History { get; }

    /// <summary>
    /// The base learning rate η₀: the optimizer's rate when there is no schedule, the rate the schedule scales when
    /// there is one. Setting it (as <see cref="ReduceLearningRateOnPlateau"/> does) applies from the next step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public abstract double LearningRate { get; set; }

    /// <summary>The optimizer steps taken so far, over the whole run (a resumed run counts on from the checkpoint).</summary>
    public abstract long Steps { get; }

    /// <summary>Whether a callback asked training to stop.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Why training was asked to stop (the first request's reason), or null.</summary>
    public string? StopMessage { get; private set; }

    /// <summary>Asks training to stop (Keras's <c>model.stop_training = True</c>): after this batch when called in OnBatchEnd, before the next epoch otherwise.</summary>
    /// <param name="reason">Who asks and why; it becomes <see cref="TrainingHistory.StopMessage"/>.</param>
    public void RequestStop(string reason)
    {
        StopMessage ??= reason;
        StopRequested = true;
    }

    /// <summary>
    /// Copies the parameters, the batch-normalization state and the dropout generator state, into
    /// <paramref name="reuse"/> when it came from the same network (no allocation), else into a new snapshot.
    /// </summary>
    public abstract ParameterSnapshot TakeSnapshot(ParameterSnapshot? reuse = null);

    /// <summary>Puts a snapshot of this network back (parameters, state, dropout generator state).</summary>
    /// <exception cref="ArgumentException">The snapshot belongs to a network of another topology or precision.</exception>
    public abstract void Restore(ParameterSnapshot snapshot);

    /// <summary>
    /// Everything needed to resume this run bit for bit: parameters, state, optimizer state, schedule position,
    /// shuffling and dropout generator states, and the epoch. Only at the end of an epoch (in <see cref="ITrainingCallback.OnEpochEnd"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside <see cref="ITrainingCallback.OnEpochEnd"/>.</exception>
    /// <exception cref="NotSupportedException">The optimizer does not implement <see cref="IResumableOptimizer{T}"/>.</exception>
    public abstract TrainingCheckpoint CreateCheckpoint();

    /// <summary>Saves the network as a model file (<see cref="ModelFile"/>), atomically.</summary>
    public abstract void SaveModel(string path);
}

/// <summary>A copy of a network's parameters, state and dropout generator state, from <see cref="TrainingContext.TakeSnapshot"/>.</summary>
public abstract class ParameterSnapshot
{
    private protected ParameterSnapshot()
    {
    }

    /// <summary>The epoch the snapshot was taken in, as set by whoever took it (0 when not set).</summary>
    public int Epoch { get; set; }
}

/// <summary>Whether a monitored quantity should fall or rise (Keras's <c>mode</c>).</summary>
public enum MonitorMode
{
    /// <summary>Rise for accuracies and R² (names containing "acc" or "r2"), fall for everything else (losses, errors).</summary>
    Auto,

    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>The quantities callbacks can monitor, by their Keras names.</summary>
public static class TrainingMonitor
{
    /// <summary>
    /// The names <see cref="Value"/> knows: <c>loss</c>, <c>accuracy</c> (or <c>acc</c>), <c>mse</c>, <c>r2</c>, each also
    /// with the prefix <c>val_</c> for the validation data, and <c>learning_rate</c>.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } =
        ["loss", "accuracy", "mse", "r2", "val_loss", "val_accuracy", "val_mse", "val_r2", "learning_rate"];

    /// <summary>The value of <paramref name="monitor"/> in an epoch's report, or null when the epoch has none (e.g. accuracy of a regression).</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static double? Value(EpochReport report, string monitor)
    {
        ArgumentNullException.ThrowIfNull(report);
        (bool validation, string name) = Parse(monitor);
        if (name == "learning_rate")
        {
            return report.LearningRate;
        }

        Metrics? metrics = validation ? report.Validation : report.Train;
        return metrics is null ? null : name switch
        {
            "loss" => metrics.Loss,
            "accuracy" => metrics.Accuracy,
            "mse" => metrics.MeanSquaredError,
            _ => metrics.R2,
        };
    }

    /// <summary>Whether higher values of <paramref name="monitor"/> are better under <paramref name="mode"/>.</summary>
    public static bool Maximizes(string monitor, MonitorMode mode)
    {
        (_, string name) = Parse(monitor);
        return mode switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => name is "accuracy" or "r2",
        };
    }

    /// <summary>Checks at the start of training that the monitor exists for this run.</summary>
    internal static void Require(TrainingContext context, string monitor, string who)
    {
        (bool validation, _) = Parse(monitor);
        if (validation && !context.HasValidation)
        {
            throw new InvalidOperationException(
                $"{who} monitors '{monitor}', but Fit has no validation data: pass validation rows or FitOptions.ValidationFraction, or monitor '{monitor[4..]}'.");
        }
    }

    private static (bool Validation, string Name) Parse(string monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        string m = monitor.Trim().ToLowerInvariant();
        bool validation = m.StartsWith("val_", StringComparison.Ordinal);
        string name = validation ? m[4..] : m;
        name = name switch
        {
            "acc" => "accuracy",
            "mean_squared_error" => "mse",
            "lr" => "learning_rate",
            _ => name,
        };
        if (name is not ("loss" or "accuracy" or "mse" or "r2") && !(name == "learning_rate" && !validation))
        {
            throw new ArgumentException($"Unknown monitor '{monitor}'. Valid names: {string.Join(", ", Names)}.", nameof(monitor));
        }

        return (validation, name);
    }

    /// <summary>Formats a monitored value for messages.</summary>
    internal static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>The snapshot of a network of element type <typeparamref name="T"/>.</summary>
internal sealed class Snapshot<T>(NetworkSpec spec, T[] parameters, T[] state) : ParameterSnapshot where T : unmanaged
{
    public NetworkSpec Spec { get; } = spec;

    public T[] Parameters { get; } = parameters;

    public T[] State { get; } = state;

    public ulong RandomState { get; set; }
}
