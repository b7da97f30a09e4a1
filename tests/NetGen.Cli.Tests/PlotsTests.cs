using NetGen.Cli.Reporting;

namespace NetGen.Cli.Tests;

/// <summary>The reusable pictures, drawn headless into PNG files.</summary>
public sealed class PlotsTests
{
    [Fact]
    public void Heatmap_draws_an_eta_by_lambda_grid_with_a_missing_cell()
    {
        using var folder = new TempFolder();
        double[,] accuracy =
        {
            { 0.912, 0.925, 0.931, double.NaN },
            { 0.951, 0.962, 0.958, 0.944 },
            { 0.973, 0.969, 0.955, 0.921 },
        };
        Plots.Heatmap(accuracy, ["η = 0.001", "η = 0.01", "η = 0.1"], ["λ = 0", "λ = 1e-4", "λ = 1e-3", "λ = 1e-2"],
            "Validation accuracy over η × λ", folder["grid.png"], "learning rate η", "L2 λ");
        Files.AssertPng(folder["grid.png"]);
    }

    [Fact]
    public void Heatmap_handles_one_cell_and_equal_values()
    {
        using var folder = new TempFolder();
        Plots.Heatmap(new double[,] { { 0.5 } }, ["a"], ["b"], "one cell", folder["one.png"]);
        Plots.Heatmap(new double[,] { { 1, 1 }, { 1, 1 } }, ["r0", "r1"], ["c0", "c1"], "flat", folder["flat.png"], valueFormat: "P0");
        Files.AssertPng(folder["one.png"]);
        Files.AssertPng(folder["flat.png"]);
    }

    [Fact]
    public void Heatmap_label_counts_must_match_the_grid()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ArgumentException>(() => Plots.Heatmap(new double[2, 3], ["a", "b"], ["x", "y"], "bad", folder["bad.png"]));
        Assert.Contains("2 × 3 grid needs 2 row labels and 3 column labels", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(folder["bad.png"]));
    }

    [Fact]
    public void Curves_skip_missing_points()
    {
        using var folder = new TempFolder();
        Plots.Curves(folder["curves.png"], "loss", "loss",
            [new CurveSeries("training", [1.0, 0.5, 0.1, 0.01]), new CurveSeries("validation", [null, 0.6, double.NaN, 0.2])], logScale: true);
        Files.AssertPng(folder["curves.png"]);
    }
}
