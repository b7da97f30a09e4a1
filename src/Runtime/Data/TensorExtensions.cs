using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>
/// <see cref="Tensor{T}"/>, <see cref="TensorSpan{T}"/> and <see cref="ReadOnlyTensorSpan{T}"/> (System.Numerics.Tensors)
/// for inference: a batch is a rank-2 tensor <c>[n, InputSize]</c>, its outputs <c>[n, OutputSize]</c>.
/// </summary>
/// <remarks>
/// A row-major contiguous tensor (the layout <see cref="Tensor.Create{T}(T[], ReadOnlySpan{nint})"/> makes) is read
/// and written in place; any other layout (a transposed view, a slice with gaps, a broadcast) is copied through a
/// temporary row-major buffer, which allocates.
/// </remarks>
public static class TensorExtensions
{
    /// <summary>Computes the outputs of a batch (inference mode): row i of <paramref name="inputs"/> gives row i of <paramref name="outputs"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network.</param>
    /// <param name="inputs">A rank-2 tensor <c>[n, InputSize]</c>.</param>
    /// <param name="outputs">A rank-2 tensor <c>[n, OutputSize]</c>, overwritten.</param>
    /// <exception cref="ArgumentException">A shape does not fit; the message names the tensor, its shape and the one needed.</exception>
    public static void ForwardBatch<T>(this INetwork<T> network, scoped in ReadOnlyTensorSpan<T> inputs, scoped in TensorSpan<T> outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        int rows = RequireMatrix(inputs.Lengths, network.InputSize, nameof(inputs), "features");
        int outputRows = RequireMatrix(outputs.Lengths, network.OutputSize, nameof(outputs), "outputs");
        if (outputRows != rows)
        {
            throw new ArgumentException($"The outputs have {outputRows} rows, but the inputs have {rows}: the outputs must be [{rows}, {network.OutputSize}].", nameof(outputs));
        }

        if (rows == 0)
        {
            return;
        }

        ReadOnlySpan<nint> origin = stackalloc nint[2];
        int inputLength = rows * network.InputSize, outputLength = rows * network.OutputSize;
        ReadOnlySpan<T> x = IsRowMajor(inputs.Lengths, inputs.Strides) && inputs.TryGetSpan(origin, inputLength, out ReadOnlySpan<T> contiguous)
            ? contiguous
            : Flatten(inputs, inputLength);
        if (IsRowMajor(outputs.Lengths, outputs.Strides) && outputs.TryGetSpan(origin, outputLength, out Span<T> y))
        {
            network.ForwardBatch(x, y);
            return;
        }

        var buffer = new T[outputLength];
        network.ForwardBatch(x, buffer);
        new ReadOnlyTensorSpan<T>(buffer, [rows, network.OutputSize]).CopyTo(outputs);
    }

    /// <summary>The outputs of a batch as a new tensor <c>[n, OutputSize]</c> (inference mode).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network.</param>
    /// <param name="inputs">A rank-2 tensor <c>[n, InputSize]</c>.</param>
    public static Tensor<T> Predict<T>(this INetwork<T> network, scoped in ReadOnlyTensorSpan<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        int rows = RequireMatrix(inputs.Lengths, network.InputSize, nameof(inputs), "features");
        Tensor<T> outputs = Tensor.Create(new T[rows * network.OutputSize], [rows, network.OutputSize]);
        network.ForwardBatch(inputs, outputs.AsTensorSpan());
        return outputs;
    }

    /// <summary>The rows of a rank-2 tensor, after checking that it is <c>[n, <paramref name="width"/>]</c>.</summary>
    internal static int RequireMatrix(ReadOnlySpan<nint> lengths, int width, string parameter, string what)
    {
        if (lengths.Length != 2 || lengths[1] != width)
        {
            throw new ArgumentException(
                $"The {parameter} tensor must have the shape [n, {width}] (n rows of {width} {what}), but its shape is [{string.Join(", ", lengths.ToArray())}].",
                parameter);
        }

        if (lengths[0] * width > Array.MaxLength)
        {
            throw new ArgumentException($"The {parameter} tensor [{lengths[0]}, {width}] holds more values than one array can.", parameter);
        }

        return (int)lengths[0];
    }

    /// <summary>Whether a rank-2 view is laid out row after row with no gap (a single row or an empty tensor always is).</summary>
    internal static bool IsRowMajor(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides) =>
        lengths[0] <= 1 ? lengths[1] <= 1 || strides[1] == 1 : strides[1] == 1 && strides[0] == lengths[1];

    internal static T[] Flatten<T>(scoped in ReadOnlyTensorSpan<T> tensor, int length)
    {
        var values = new T[length];
        tensor.FlattenTo(values);
        return values;
    }
}
