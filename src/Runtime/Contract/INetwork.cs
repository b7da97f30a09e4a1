using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// A feed-forward network with one flat parameter buffer and one flat gradient buffer, implemented by every
/// generated network and by <see cref="GenericNetwork{T}"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Parameter layout, for the dense layers l = 1..L in order: W^l, b^l, and γ^l, β^l when layer l has batch
/// normalization. W^l is stored input-major, <c>[in, out]</c> as Keras stores it: the weight w^l_{jk} from input k
/// to output j is at offset <c>k·out + j</c> within W^l. <see cref="NetworkSpec.Layout"/> lists every block.
/// </para>
/// <para>
/// <see cref="Forward"/> and <see cref="ForwardBatch"/> run in inference mode (dropout off, batch normalization with
/// running statistics). <see cref="Backward"/> and <see cref="BackwardBatch"/> run in training mode (dropout masks
/// drawn from <see cref="RandomState"/>, batch normalization with the batch's statistics, running statistics updated).
/// Batches are row-major: sample s occupies <c>[s·InputSize, (s + 1)·InputSize)</c>.
/// </para>
/// </remarks>
public interface INetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The topology as data.</summary>
    NetworkSpec Spec { get; }

    /// <summary>The number of input features per sample.</summary>
    int InputSize { get; }

    /// <summary>The number of outputs per sample.</summary>
    int OutputSize { get; }

    /// <summary>The number of trainable parameters: the length of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    int ParameterCount { get; }

    /// <summary>All trainable parameters in one flat buffer (see the remarks for the layout).</summary>
    Span<T> Parameters { get; }

    /// <summary>∂C/∂θ accumulated by <see cref="Backward"/> and <see cref="BackwardBatch"/>, in the layout of <see cref="Parameters"/>.</summary>
    Span<T> Gradients { get; }

    /// <summary>
    /// Non-trainable state: the running mean and variance of every batch-normalization layer, in layer order
    /// (mean then variance). Empty when the network has no batch normalization.
    /// </summary>
    Span<T> State { get; }

    /// <summary>The state of the generator that dropout masks are drawn from. Save and restore it to replay the same masks.</summary>
    ulong RandomState { get; set; }

    /// <summary>Computes the output a^L of one sample (inference mode).</summary>
    /// <param name="input">InputSize values.</param>
    /// <param name="output">OutputSize values, overwritten.</param>
    void Forward(ReadOnlySpan<T> input, Span<T> output);

    /// <summary>Computes the outputs of a row-major batch (inference mode); count = inputs.Length / InputSize.</summary>
    /// <param name="inputs">count·InputSize values.</param>
    /// <param name="outputs">count·OutputSize values, overwritten.</param>
    void ForwardBatch(ReadOnlySpan<T> inputs, Span<T> outputs);

    /// <summary>
    /// Forward (training mode), then back-propagation: ADDS ∂C/∂θ of this sample to <see cref="Gradients"/>.
    /// </summary>
    /// <returns>The sample's loss C.</returns>
    T Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> target);

    /// <summary>
    /// The same as <see cref="Backward"/> for a row-major batch: ADDS the sum of the per-sample gradients to
    /// <see cref="Gradients"/> and returns the sum of the losses. Batch normalization uses this batch's statistics.
    /// </summary>
    T BackwardBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets);

    /// <summary>Sets every gradient to zero.</summary>
    void ZeroGradients();
}
