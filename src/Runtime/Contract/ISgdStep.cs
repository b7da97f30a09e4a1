using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// A network that can take a plain-SGD step in one pass: θ ← θ − (η/B) Σ_samples ∂C/∂θ. Generated networks implement
/// it; <see cref="Trainer"/> uses it for <see cref="Sgd{T}"/> without penalties, clipping or diagnostics.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ISgdStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The same update as <c>ZeroGradients(); BackwardBatch(inputs, targets);</c> followed by θ −= (η/B)·Gradients, in
    /// training mode (dropout masks, batch statistics). <see cref="INetwork{T}.Gradients"/> is unspecified afterwards.
    /// </summary>
    /// <param name="inputs">A row-major batch of B samples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="learningRate">η.</param>
    /// <returns>The summed loss of the batch, at the parameters before the step.</returns>
    T TrainStep(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, T learningRate);
}
