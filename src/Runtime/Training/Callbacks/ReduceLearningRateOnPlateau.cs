using System;

namespace NetGen;

/// <summary>
/// Multiplies the learning rate by <see cref="Factor"/> when a monitored quantity has not improved for
/// <see cref="Patience"/> epochs, with Keras's semantics (<c>keras.callbacks.ReduceLROnPlateau</c>): an epoch improves
/// when its value beats the best by more than <see cref="MinDelta"/>; after a reduction, <see cref="Cooldown"/> epochs
/// pass before waiting starts again; the rate never goes below <see cref="MinLearningRate"/>.
/// </summary>
/// <remarks>
/// It changes <see cref="TrainingContext.LearningRate"/>, the base rate η₀ (the rate a schedule scales, if there is
/// one). Its state starts afresh in every Fit call; the reduced rate itself is part of a <see cref="TrainingCheckpoint"/>.
/// </remarks>
public sealed class ReduceLearningRateOnPlateau : TrainingCallback
{
    private bool _maximize;
    private int _wait, _cooldownCounter;

    /// <summary>Creates the callback (Keras's defaults).</summary>
    /// <param name="monitor">The quantity to watch; <c>val_loss</c> by default.</param>
    /// <param name="factor">The factor in (0, 1) the rate is multiplied by; 0.1 by default.</param>
    /// <param name="patience">Epochs without improvement before the rate is reduced; 10 by default.</param>
    /// <param name="mode">Whether the quantity should fall or rise; <see cref="MonitorMode.Auto"/> by default.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement; 1e-4 by default.</param>
    /// <param name="cooldown">Epochs after a reduction during which waiting does not count; 0 by default.</param>
    /// <param name="minLearningRate">The lower bound of the rate; 0 by default.</param>
    /// <exception cref="ArgumentException">The monitor is unknown, or a number is out of range.</exception>
    public ReduceLearningRateOnPlateau(
        string monitor = "val_loss", double factor = 0.1, int patience = 10, MonitorMode mode = MonitorMode.Auto,
        double minDelta = 1e-4, int cooldown = 0, double minLearningRate = 0)
    {
        _maximize = TrainingMonitor.Maximizes(monitor, mode);
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLearningRateOnPlateau does not support a factor outside (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!(minDelta >= 0) || !double.IsFinite(minDelta))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "min_delta must be a finite number ≥ 0.");
        }

        if (!(minLearningRate >= 0) || !double.IsFinite(minLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "min_lr must be a finite number ≥ 0.");
        }

        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        Mode = mode;
        MinDelta = minDelta;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
    }

    /// <summary>The monitored quantity.</summary>
    public string Monitor { get; }

    /// <summary>The factor the rate is multiplied by.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary>Whether the quantity should fall or rise.</summary>
    public MonitorMode Mode { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs after a reduction during which waiting does not count.</summary>
    public int Cooldown { get; }

    /// <summary>The lower bound of the rate.</summary>
    public double MinLearningRate { get; }

    /// <summary>The best value seen in the last Fit call.</summary>
    public double Best { get; private set; }

    /// <summary>The number of reductions in the last Fit call.</summary>
    public int Reductions { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        TrainingMonitor.Require(context, Monitor, nameof(ReduceLearningRateOnPlateau));
        _maximize = TrainingMonitor.Maximizes(Monitor, Mode);
        Best = _maximize ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _cooldownCounter = 0;
        Reductions = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        if (TrainingMonitor.Value(report, Monitor) is not { } current)
        {
            return;
        }

        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _wait = 0;
        }

        if (_maximize ? current > Best + MinDelta : current < Best - MinDelta)
        {
            Best = current;
            _wait = 0;
        }
        else if (_cooldownCounter <= 0)
        {
            _wait++;
            if (_wait >= Patience)
            {
                double old = context.LearningRate;
                if (old > MinLearningRate)
                {
                    context.LearningRate = Math.Max(old * Factor, MinLearningRate);
                    Reductions++;
                    _cooldownCounter = Cooldown;
                    _wait = 0;
                }
            }
        }
    }
}
