using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using NetGen.Cli.Reporting;

namespace NetGen.Cli;

/// <summary>What training and evaluation share: test metrics, the confusion matrix (the runtime's <see cref="ConfusionMatrix"/>), the summary's parts and the result lines.</summary>
internal static class RunParts
{
    /// <summary>Evaluates the test rows: loss, accuracy or MSE/R²/RMSE (original units), and the confusion matrix.</summary>
    public static TestSummary Test(INetwork<float> network, PreparedData data)
    {
        var clock = Stopwatch.StartNew();
        Metrics metrics = network.Evaluate(data.Test);
        int[][]? confusion = null;
        double? rmse = null;
        if (data.Info.Task == TaskKind.Classification)
        {
            ConfusionMatrix matrix = ConfusionMatrix.Compute(network, data.Test);
            confusion = new int[matrix.ClassCount][];
            for (int t = 0; t < matrix.ClassCount; t++)
            {
                confusion[t] = new int[matrix.ClassCount];
                for (int p = 0; p < matrix.ClassCount; p++)
                {
                    confusion[t][p] = checked((int)matrix[t, p]);
                }
            }
        }
        else if (metrics.MeanSquaredError is double mse && data.Preprocessing.TargetStandardDeviations is { Length: 1 } sigma)
        {
            // The network learned standardized targets: an error e in those units is e·σ in the original ones.
            rmse = Math.Sqrt(mse) * sigma[0];
        }

        return new TestSummary(data.Test.Count, metrics.Loss, metrics.Accuracy, metrics.MeanSquaredError, metrics.R2, rmse, confusion, clock.Elapsed.TotalSeconds);
    }

    public static int[,] ToGrid(int[][] rows)
    {
        var grid = new int[rows.Length, rows.Length == 0 ? 0 : rows[0].Length];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < rows[r].Length; c++)
            {
                grid[r, c] = rows[r][c];
            }
        }

        return grid;
    }

    public static MachineSummary Machine() => new(
        Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, Vector<float>.Count * 32);

    public static DatasetSummary Dataset(PreparedData data)
    {
        Preprocessing p = data.Preprocessing;
        string? targets = p.TargetMeans is { } means && p.TargetStandardDeviations is { } deviations
            ? string.Create(CultureInfo.InvariantCulture, $"standardized with the training rows' mean {means[0]:G6} and σ {deviations[0]:G6}")
            : p.BinaryTarget ? $"one 0/1 target: {data.ClassNames[1]} = 1" : null;
        return new DatasetSummary(
            data.Info.Name, data.Info.Task, data.Source, data.Train.FeatureCount, data.ClassNames,
            data.Train.Count, data.Validation?.Count ?? 0, data.Test.Count, data.SplitDescription,
            DatasetCatalog.DescribeScaling(p.InputScaling), targets);
    }

    public static NetworkSummary Network(ChosenNetwork chosen)
    {
        NetworkSpec spec = chosen.Network.Spec;
        return new NetworkSummary(chosen.Name, chosen.Generated ? "generated" : "generic", chosen.TypeName, chosen.Sizes, spec.ToString(), chosen.Network.ParameterCount, spec.Loss.ToString());
    }

    /// <summary>The description of a network for the header line.</summary>
    public static string Describe(ChosenNetwork chosen) => chosen.Generated
        ? string.Create(CultureInfo.InvariantCulture, $"{chosen.Name} (generated {chosen.TypeName.Split('.')[^1]}, {chosen.Network.ParameterCount:N0} parameters)")
        : string.Create(CultureInfo.InvariantCulture, $"{chosen.Sizes} (GenericNetwork<float>, {chosen.Network.ParameterCount:N0} parameters)");

    /// <summary>The result lines; for classes also the confusion matrix and per-class precision, recall and F1 (not with --quiet).</summary>
    public static void PrintTest(Reporter reporter, TestSummary test, TaskKind task, IReadOnlyList<string> classNames)
    {
        if (task == TaskKind.Classification)
        {
            reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {test.Accuracy:P2} ({Correct(test)}/{test.Rows} rows)"));
            reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Test loss:     {test.Loss:F4}"));
            if (test.ConfusionMatrix is { } rows)
            {
                ConfusionMatrix matrix = ConfusionMatrix.FromCounts(
                    rows.Select(row => (IReadOnlyList<long>)row.Select(n => (long)n).ToArray()).ToArray(), classNames.Count == rows.Length ? classNames : null);
                reporter.Line();
                reporter.Line("Confusion matrix of the test rows (row: true class, column: predicted):");
                reporter.Line(matrix.ToString());
                reporter.Line();
                reporter.Line(ClassificationReport.FromConfusionMatrix(matrix).ToString());
                reporter.Line();
            }
        }
        else
        {
            reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Test R²:       {test.R2:F4} ({test.Rows} rows)"));
            reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Test RMSE:     {test.RootMeanSquaredError:G4} (original units); MSE {test.MeanSquaredError:F4} (standardized)"));
            reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Test loss:     {test.Loss:F4}"));
        }
    }

    private static int Correct(TestSummary test) => test.ConfusionMatrix is { } m ? Enumerable.Range(0, m.Length).Sum(i => m[i][i]) : 0;
}
