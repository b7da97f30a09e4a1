using System;

namespace NetGen;

/// <summary>
/// A network that can keep the outputs a^L its training calls compute, so that the trainer reports training metrics
/// (accuracy, R²) from the training pass itself, as Keras does, instead of a second forward pass over the training rows.
/// Generated networks implement it explicitly (it reserves no member name in your class), and so does
/// <see cref="GenericNetwork{T}"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ITrainingOutputs<T>
{
    /// <summary>Whether the training calls keep a^L (off by default: keeping costs one copy of the outputs per call).</summary>
    bool KeepTrainingOutputs { get; set; }

    /// <summary>
    /// a^L of every row of the last <see cref="INetwork{T}.Backward"/>, <see cref="INetwork{T}.BackwardBatch"/> or
    /// <see cref="ISgdStep{T}.TrainStep"/> call while <see cref="KeepTrainingOutputs"/> was on, row-major: computed in
    /// training mode (dropout masks, batch statistics) with the parameters before the step. Empty otherwise.
    /// </summary>
    ReadOnlySpan<T> TrainingOutputs { get; }
}
