using System;

namespace NetGen;

/// <summary>
/// Training produced NaN or ∞ in a loss or a gradient (the exploding-gradient failure made visible). The network
/// keeps the last parameters for which the loss and the gradients were finite.
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

    /// <summary>What was non-finite, e.g. "z2 (pre-activation)", "∂C/∂W3", "input row 5, feature 2".</summary>
    public string Where { get; }
}
