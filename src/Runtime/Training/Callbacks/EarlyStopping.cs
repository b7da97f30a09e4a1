using System;

namespace NetGen;

/// <summary>
/// Stops training when a monitored quantity has stopped improving, with exactly Keras's semantics
/// (<c>keras.callbacks.EarlyStopping</c>): an epoch improves when its value beats the best so far by more than
/// <see cref="MinDelta"/> (value &lt; best − δ, or value &gt; best + δ when maximizing); every other epoch counts one
/// more epoch of waiting, and training stops at the end of the epoch where <see cref="Patience"/> epochs have passed
/// without improvement — the best epoch + patience (+ 1 for patience 0), never the first epoch.
/// </summary>
/// <remarks>
/// With <see cref="RestoreBestWeights"/>, the parameters (and batch-normalization and dropout state) of the best epoch
/// are put back when training ends — whether it stopped early or ran every epoch, as Keras 3 does — and
/// <see cref="TrainingHistory.RestoredBest"/> tells whether that changed anything. The state of the callback starts
/// afresh in every Fit call, a resumed one included.
/// </remarks>
public sealed class EarlyStopping : TrainingCallback
{
    private ParameterSnapshot? _bestWeights;
    private bool _maximize;
    private int _wait;

    /// <summary>Creates the callback (Keras's defaults).</summary>
    /// <param name="monitor">The quantity to watch (see <see cref="TrainingMonitor.Names"/>); <c>val_loss</c> by default.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement (its magnitude is used); 0 by default.</param>
    /// <param name="patience">The number of epochs without improvement after which training stops; 0 by default.</param>
    /// <param name="mode">Whether the quantity should fall or rise; <see cref="MonitorMode.Auto"/> by default.</param>
    /// <param name="restoreBestWeights">Whether to restore the parameters of the best epoch when training ends; false by default.</param>
    /// <param name="baseline">A value the quantity must beat for the waiting to restart, or null.</param>
    /// <param name="startFromEpoch">The number of epochs (of this Fit call) to wait before monitoring starts; 0 by default.</param>
    /// <exception cref="ArgumentException">The monitor is unknown, or a number is out of range.</exception>
    public EarlyStopping(
        string monitor = "val_loss", double minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto,
        bool restoreBestWeights = false, double? baseline = null, int startFromEpoch = 0)
    {
        _maximize = TrainingMonitor.Maximizes(monitor, mode);
        if (!double.IsFinite(minDelta))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "min_delta must be a finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(startFromEpoch);
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        Mode = mode;
        RestoreBestWeights = restoreBestWeights;
        Baseline = baseline;
        StartFromEpoch = startFromEpoch;
    }

    /// <summary>The monitored quantity.</summary>
    public string Monitor { get; }

    /// <summary>δ ≥ 0, the smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The number of epochs without improvement after which training stops.</summary>
    public int Patience { get; }

    /// <summary>Whether the quantity should fall or rise.</summary>
    public MonitorMode Mode { get; }

    /// <summary>Whether the best epoch's parameters are restored when training ends.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>The value the quantity must beat for the waiting to restart, or null.</summary>
    public double? Baseline { get; }

    /// <summary>Epochs of each Fit call during which nothing is monitored.</summary>
    public int StartFromEpoch { get; }

    /// <summary>The best value seen in the last Fit call (±∞ before any).</summary>
    public double Best { get; private set; }

    /// <summary>The epoch (from 1) of <see cref="Best"/>, 0 before any.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The epoch at whose end this callback stopped training, 0 if it did not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        TrainingMonitor.Require(context, Monitor, nameof(EarlyStopping));
        _maximize = TrainingMonitor.Maximizes(Monitor, Mode);
        _wait = 0;
        _bestWeights = null;
        StoppedEpoch = 0;
        BestEpoch = 0;
        Best = _maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        double? value = TrainingMonitor.Value(report, Monitor);
        int epochOfThisRun = report.Epoch - context.InitialEpoch - 1;   // Keras's 0-based epoch of this fit
        if (value is not { } current || epochOfThisRun < StartFromEpoch)
        {
            return;
        }

        if (RestoreBestWeights && _bestWeights is null)
        {
            // If no epoch ever improves, the first monitored one counts as the best.
            _bestWeights = context.TakeSnapshot();
            BestEpoch = report.Epoch;
        }

        _wait++;
        if (IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = report.Epoch;
            if (RestoreBestWeights)
            {
                _bestWeights = context.TakeSnapshot(_bestWeights);
            }

            if (Baseline is not { } baseline || IsImprovement(current, baseline))
            {
                _wait = 0;
            }

            return;
        }

        if (_wait >= Patience && epochOfThisRun > 0)
        {
            StoppedEpoch = report.Epoch;
            context.RequestStop(
                $"EarlyStopping: {Monitor} did not improve by more than {TrainingMonitor.Format(MinDelta)} for {_wait} epoch(s) " +
                $"(best {TrainingMonitor.Format(Best)} in epoch {BestEpoch}).");
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(history);
        if (RestoreBestWeights && _bestWeights is not null)
        {
            context.Restore(_bestWeights);
            if (history.Epochs.Count > 0 && BestEpoch != history.Epochs[^1].Epoch)
            {
                history.RestoredBest = true;
            }
        }
    }

    private bool IsImprovement(double value, double reference) =>
        _maximize ? value - MinDelta > reference : value + MinDelta < reference;
}
