using System;

namespace NetGen;

/// <summary>
/// Training produced NaN or ∞ in a loss, a gradient, the batch-normalization statistics, or the parameters an update
/// wrote (the exploding-gradient failure made visible, including a learning rate that is finite as a double but ∞ as
/// a float). The network is left at the last parameters whose loss and gradients were finite — those after
/// <see cref="KeptStep"/> optimizer steps — with the batch-normalization statistics and dropout generator state that
/// went with them, and no parameter is ever NaN or ∞. The optimizer's own state (moments, step count) is not rolled
/// back; resume from a <see cref="TrainingCheckpoint"/> to continue exactly.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int epoch, long step, int layer, string where, string message)
        : base(message)
    {
        Epoch = epoch;
        Step = step;
        Layer = layer;
        Where = where;
    }

    /// <summary>Creates the exception with the step the kept parameters belong to.</summary>
    public TrainingDivergedException(int epoch, long step, int layer, string where, long keptStep, string message)
        : this(epoch, step, layer, where, message)
    {
        KeptStep = keptStep;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
        Where = "";
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Where = "";
    }

    /// <summary>Creates an empty exception.</summary>
    public TrainingDivergedException()
    {
        Where = "";
    }

    /// <summary>The epoch (from 1).</summary>
    public int Epoch { get; }

    /// <summary>The step within the epoch (from 1).</summary>
    public long Step { get; }

    /// <summary>The first dense layer (from 1) where a non-finite value appeared; 0 for the input data, −1 for the loss alone.</summary>
    public int Layer { get; }

    /// <summary>What was non-finite, e.g. "z2 (the pre-activation of layer 2)", "∂C/∂W3 …", "W1 (layer 1) after the optimizer's update".</summary>
    public string Where { get; }

    /// <summary>
    /// The network holds the parameters after this many optimizer steps (counted over the whole run, from 0): the step
    /// before the failing one when the update overflowed, the one before that when the loss or gradient did.
    /// </summary>
    public long KeptStep { get; }

    /// <summary>The epochs completed before the failure (<see cref="TrainingHistory.StopReason"/> is <see cref="TrainingStopReason.Diverged"/>).</summary>
    public TrainingHistory? History { get; internal set; }
}
