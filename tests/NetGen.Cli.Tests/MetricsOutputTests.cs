using System.Globalization;
using System.Text.Json;

namespace NetGen.Cli.Tests;

/// <summary>The tool prints the test rows' confusion matrix and per-class precision, recall and F1 (from the runtime's metrics).</summary>
public sealed class MetricsOutputTests
{
    [Fact]
    public void Classification_prints_the_confusion_matrix_and_per_class_metrics_of_the_summary()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Start("-d", "iris", "--epochs", "3", "--output", folder.Path, "--plain").Succeeded();
        JsonElement summary = Files.ReadJson(folder["summary.json"]);
        int[][] m = summary.GetProperty("test").GetProperty("confusionMatrix").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        string[] names = summary.GetProperty("dataset").GetProperty("classes").EnumerateArray().Select(n => n.GetString()!).ToArray();
        string[] lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        // The matrix: a header of the predicted classes, then one line per true class with its counts.
        int header = Array.FindIndex(lines, l => l.StartsWith("true \\ predicted", StringComparison.Ordinal));
        Assert.True(header >= 0, run.Output);
        for (int t = 0; t < names.Length; t++)
        {
            string[] cells = lines[header + 1 + t].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([names[t], .. m[t].Select(n => n.ToString(CultureInfo.InvariantCulture))], cells);
        }

        // The report: precision = C[c,c] / column sum, recall = C[c,c] / row sum, F1 = 2·C[c,c] / (row + column sums).
        for (int c = 0; c < names.Length; c++)
        {
            int tp = m[c][c], support = m[c].Sum(), predicted = m.Sum(r => r[c]);
            string line = lines.Last(l => l.TrimStart().StartsWith(names[c] + " ", StringComparison.Ordinal));
            string[] cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Format(predicted == 0 ? 0 : (double)tp / predicted), cells[1]);
            Assert.Equal(Format(support == 0 ? 0 : (double)tp / support), cells[2]);
            Assert.Equal(Format(support + predicted == 0 ? 0 : 2.0 * tp / (support + predicted)), cells[3]);
            Assert.Equal(support.ToString(CultureInfo.InvariantCulture), cells[4]);
        }

        Assert.Contains(lines, l => l.TrimStart().StartsWith("macro avg", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("weighted avg", StringComparison.Ordinal));
    }

    [Fact]
    public void Quiet_prints_only_the_result_lines()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Start("-d", "iris", "--epochs", "1", "--output", folder.Path, "--quiet").Succeeded();
        Assert.Contains("Test accuracy:", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("true \\ predicted", run.Output, StringComparison.Ordinal);
    }

    private static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
