using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// One inference pass of a network over a data set in chunks of rows: <see cref="INetwork{T}.ForwardBatch"/> into
/// one buffer allocated up front, so the metrics allocate nothing per row.
/// </summary>
internal sealed class MetricPass<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int ChunkRows = 256;
    private readonly INetwork<T> _network;
    private readonly Dataset<T> _data;
    private readonly T[] _buffer;
    private int _next;

    public MetricPass(INetwork<T> network, Dataset<T> data)
    {
        _network = network;
        _data = data;
        OutputSize = network.OutputSize;
        _buffer = new T[Math.Min(ChunkRows, Math.Max(1, data.Count)) * OutputSize];
    }

    /// <summary>The outputs per row.</summary>
    public int OutputSize { get; }

    /// <summary>Runs the next chunk; false when every row has been seen.</summary>
    /// <param name="first">The index of the chunk's first row.</param>
    /// <param name="rows">The rows in the chunk.</param>
    /// <param name="outputs">Their outputs a^L, row-major [rows × OutputSize]; valid until the next call.</param>
    public bool Next(out int first, out int rows, out ReadOnlySpan<T> outputs)
    {
        first = _next;
        rows = Math.Min(_buffer.Length / OutputSize, _data.Count - first);
        if (rows <= 0)
        {
            outputs = default;
            return false;
        }

        Span<T> chunk = _buffer.AsSpan(0, rows * OutputSize);
        _network.ForwardBatch(_data.Features.AsSpan(first * _data.FeatureCount, rows * _data.FeatureCount), chunk);
        outputs = chunk;
        _next += rows;
        return true;
    }
}

/// <summary>The checks the metrics share.</summary>
internal static class MetricPass
{
    /// <summary>The classes a classifier distinguishes: its outputs, or 2 for a single (sigmoid) output.</summary>
    public static int ClassCount<T>(INetwork<T> network) where T : unmanaged, IFloatingPointIeee754<T> =>
        network.OutputSize == 1 ? 2 : network.OutputSize;

    /// <summary>The data's class names when there is one per class, else null.</summary>
    public static string[]? ClassNames<T>(Dataset<T> data, int classes) where T : unmanaged, IFloatingPointIeee754<T> =>
        data.ClassNames is { } names && names.Length == classes ? names : null;

    /// <summary>Checks that the network and the data fit each other and returns the data's labels.</summary>
    /// <exception cref="ArgumentException">The shapes differ, or the data carry no class labels.</exception>
    public static int[] RequireLabels<T>(INetwork<T> network, Dataset<T> data, string parameter) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireShape(network, data, parameter);
        return data.Labels ?? throw new ArgumentException("The data have no class labels (a regression data set?): classification metrics need Dataset.Labels.", parameter);
    }

    /// <summary>Checks that the network and the data fit each other.</summary>
    public static void RequireShape<T>(INetwork<T> network, Dataset<T> data, string parameter) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data, parameter);
        Evaluation.RequireShape(network, data, parameter);
    }
}
