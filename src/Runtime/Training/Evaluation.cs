using System;
using System.Numerics;

namespace NetGen;

/// <summary>Predictions and metrics of a network on a dataset, in inference mode.</summary>
public static class Evaluation
{
    private const int ChunkRows = 256;

    /// <summary>The outputs a^L of every row, row-major [Count × OutputSize].</summary>
    public static T[] Predict<T>(this INetwork<T> network, ReadOnlySpan<T> inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        int count = Shapes.BatchCount(inputs.Length, network.InputSize, 0, 0, "outputs");
        var outputs = new T[count * network.OutputSize];
        network.ForwardBatch(inputs, outputs);
        return outputs;
    }

    /// <summary>The outputs a^L of every row of a dataset, row-major [Count × OutputSize].</summary>
    public static T[] Predict<T>(this INetwork<T> network, Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireShape(network, data, nameof(data));
        return network.Predict(data.Features);
    }

    /// <summary>The predicted class of every row: argmax of the outputs, or output ≥ 0.5 for a single sigmoid output.</summary>
    public static int[] PredictClasses<T>(this INetwork<T> network, ReadOnlySpan<T> inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] outputs = network.Predict(inputs);
        int n = network.OutputSize;
        var classes = new int[outputs.Length / n];
        for (int s = 0; s < classes.Length; s++)
        {
            classes[s] = ClassOf(outputs.AsSpan(s * n, n));
        }

        return classes;
    }

    /// <summary>Loss (mean per sample), and accuracy for classification data or MSE and R² for regression data.</summary>
    public static Metrics Evaluate<T>(this INetwork<T> network, Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        RequireShape(network, data, nameof(data));
        return Evaluate(network, data, new T[Math.Min(ChunkRows, Math.Max(1, data.Count)) * network.OutputSize], includeLoss: true);
    }

    internal static Metrics Evaluate<T>(INetwork<T> network, Dataset<T> data, T[] buffer, bool includeLoss, double? knownLoss = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = network.OutputSize;
        int rowsPerChunk = buffer.Length / n;
        Loss loss = network.Spec.Loss;
        double lossSum = 0, squaredError = 0;
        long correct = 0;
        var sumY = new double[n];
        var sumY2 = new double[n];
        var residual = new double[n];
        bool classification = data.Labels is not null;
        for (int first = 0; first < data.Count; first += rowsPerChunk)
        {
            int rows = Math.Min(rowsPerChunk, data.Count - first);
            Span<T> outputs = buffer.AsSpan(0, rows * n);
            network.ForwardBatch(data.Features.AsSpan(first * data.FeatureCount, rows * data.FeatureCount), outputs);
            for (int s = 0; s < rows; s++)
            {
                ReadOnlySpan<T> a = outputs.Slice(s * n, n);
                ReadOnlySpan<T> y = data.TargetRow(first + s);
                if (includeLoss)
                {
                    lossSum += double.CreateChecked(LossMath.CostFromOutput(loss, a, y, network.Spec.LossFunction));
                }

                if (classification)
                {
                    if (ClassOf(a) == data.Labels![first + s])
                    {
                        correct++;
                    }
                }
                else
                {
                    for (int j = 0; j < n; j++)
                    {
                        double yj = double.CreateChecked(y[j]), e = double.CreateChecked(a[j]) - yj;
                        squaredError += e * e;
                        residual[j] += e * e;
                        sumY[j] += yj;
                        sumY2[j] += yj * yj;
                    }
                }
            }
        }

        int count = Math.Max(1, data.Count);
        double meanLoss = knownLoss ?? lossSum / count;
        if (classification)
        {
            return new Metrics(meanLoss, Accuracy: (double)correct / count);
        }

        double r2 = 0;
        for (int j = 0; j < n; j++)
        {
            double total = sumY2[j] - sumY[j] * sumY[j] / count;
            r2 += total > 0 ? 1 - residual[j] / total : (residual[j] == 0 ? 1 : 0);
        }

        return new Metrics(meanLoss, MeanSquaredError: squaredError / ((double)count * n), R2: r2 / n);
    }

    /// <summary>The class of one output row: the index of the largest value, or (a ≥ 0.5) for a single output.</summary>
    public static int ClassOf<T>(ReadOnlySpan<T> output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (output.Length == 1)
        {
            return output[0] >= T.CreateChecked(0.5) ? 1 : 0;
        }

        int best = 0;
        for (int j = 1; j < output.Length; j++)
        {
            if (output[j] > output[best])
            {
                best = j;
            }
        }

        return best;
    }

    internal static void RequireShape<T>(INetwork<T> network, Dataset<T> data, string parameter) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.FeatureCount != network.InputSize)
        {
            throw new ArgumentException($"The data has {data.FeatureCount} features per row, but the network takes {network.InputSize} inputs ({network.Spec}).", parameter);
        }

        if (data.TargetCount != network.OutputSize)
        {
            throw new ArgumentException($"The data has {data.TargetCount} targets per row, but the network has {network.OutputSize} outputs ({network.Spec}).", parameter);
        }
    }
}
