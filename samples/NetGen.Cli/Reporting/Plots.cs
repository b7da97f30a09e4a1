using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;

namespace NetGen.Cli.Reporting;

/// <summary>One line of a learning-curve plot: a label and one value per epoch (null where there is none).</summary>
/// <param name="Label">The legend text, e.g. <c>training</c>.</param>
/// <param name="Values">The value of each epoch, from epoch 1; null where not measured.</param>
public sealed record CurveSeries(string Label, IReadOnlyList<double?> Values);

/// <summary>
/// The tool's pictures, drawn with ScottPlot 5 into PNG files (headless: no display or window system is needed):
/// learning curves per epoch, and annotated heatmaps — the confusion matrix, and any grid of values such as the
/// accuracy over learning rate η × regularization λ of a hyperparameter search.
/// </summary>
public static class Plots
{
    private const int CurveWidth = 800, CurveHeight = 500;

    /// <summary>Draws one or more per-epoch curves (x = epoch from 1) into a PNG.</summary>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="title">The title above the plot.</param>
    /// <param name="yLabel">The label of the vertical axis.</param>
    /// <param name="series">The curves; points whose value is null or not finite are left out.</param>
    /// <param name="logScale">
    /// Whether to draw the values on a log10 axis when they are all positive and span at least 1.5 decades (a loss
    /// usually does); otherwise the axis stays linear.
    /// </param>
    /// <param name="legend">Where the legend goes (where the curves are not: upper right for a falling loss, lower right for a rising accuracy).</param>
    public static void Curves(string path, string title, string yLabel, IReadOnlyList<CurveSeries> series, bool logScale = false, Alignment legend = Alignment.UpperRight)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        double[] finite = series.SelectMany(s => s.Values).OfType<double>().Where(double.IsFinite).ToArray();
        bool log = logScale && finite.Length > 0 && finite.All(v => v > 0) && Math.Log10(finite.Max() / finite.Min()) >= 1.5;
        foreach (CurveSeries curve in series)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < curve.Values.Count; i++)
            {
                if (curve.Values[i] is double value && double.IsFinite(value))
                {
                    xs.Add(i + 1);
                    ys.Add(log ? Math.Log10(value) : value);
                }
            }

            if (xs.Count == 0)
            {
                continue;
            }

            var scatter = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            scatter.LegendText = curve.Label;
            scatter.LineWidth = 2;
            scatter.MarkerSize = xs.Count <= 60 ? 5 : 0;
        }

        if (log)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", CultureInfo.InvariantCulture),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
            };
        }

        int epochs = series.Count == 0 ? 1 : Math.Max(1, series.Max(s => s.Values.Count));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(log ? yLabel + " (log scale)" : yLabel);
        plot.Axes.SetLimitsX(epochs == 1 ? 0.5 : 1 - 0.02 * (epochs - 1), epochs == 1 ? 1.5 : epochs + 0.02 * (epochs - 1));
        plot.ShowLegend(legend);
        Save(plot, path, CurveWidth, CurveHeight);
    }

    /// <summary>
    /// Draws a grid of values as an annotated heatmap into a PNG: one cell per value, coloured on the Viridis scale
    /// from the smallest to the largest finite value (a colour bar shows the scale), with the value written in the
    /// cell. Row 0 is the top row, column 0 the left column. NaN cells are grey and left blank. Use it for the
    /// accuracy of a hyperparameter grid, e.g. rows = learning rates η, columns = L2 strengths λ.
    /// </summary>
    /// <param name="values">The values [row, column].</param>
    /// <param name="rowLabels">One label per row (shown on the left).</param>
    /// <param name="columnLabels">One label per column (shown below).</param>
    /// <param name="title">The title above the plot.</param>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="rowAxisLabel">The label of the vertical axis (what the rows are), e.g. <c>learning rate η</c>; null for none.</param>
    /// <param name="columnAxisLabel">The label of the horizontal axis (what the columns are), e.g. <c>L2 λ</c>; null for none.</param>
    /// <param name="valueFormat">The .NET format of the numbers written in the cells (invariant culture), e.g. <c>0.000</c> or <c>P1</c>.</param>
    /// <exception cref="ArgumentException">The grid is empty or the label counts do not match its shape.</exception>
    public static void Heatmap(
        double[,] values, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, string title, string path,
        string? rowAxisLabel = null, string? columnAxisLabel = null, string valueFormat = "0.000")
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentException.ThrowIfNullOrEmpty(path);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (rows == 0 || columns == 0)
        {
            throw new ArgumentException("The heatmap needs at least one row and one column.", nameof(values));
        }

        if (rowLabels.Count != rows || columnLabels.Count != columns)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A {rows} × {columns} grid needs {rows} row labels and {columns} column labels, not {rowLabels.Count} and {columnLabels.Count}."), nameof(rowLabels));
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double value in values)
        {
            if (double.IsFinite(value))
            {
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }
        }

        if (min > max)
        {
            (min, max) = (0, 1);
        }
        else if (min == max)
        {
            (min, max) = (min - 0.5, max + 0.5);
        }

        var plot = new Plot();
        var colormap = new ScottPlot.Colormaps.Viridis();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = colormap;
        heatmap.ManualRange = new ScottPlot.Range(min, max);
        heatmap.NaNCellColor = Colors.LightGray;

        // ScottPlot's default placement: cell (r, c) centred on x = c, y = rows − 1 − r (row 0 on top), one unit square.
        float fontSize = Math.Clamp(220f / Math.Max(rows, columns), 9f, 18f);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double value = values[r, c];
                if (!double.IsFinite(value))
                {
                    continue;
                }

                Color cell = colormap.GetColor((value - min) / (max - min));
                var text = plot.Add.Text(value.ToString(valueFormat, CultureInfo.InvariantCulture), c, rows - 1 - r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = Luminance(cell) > 0.5 ? Colors.Black : Colors.White;
            }
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columns).Select(c => (double)c).ToArray(), columnLabels.ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r)).ToArray(), rowLabels.ToArray());
        if (columnLabels.Any(l => l.Length > 4))
        {
            // Rotated labels need room below the axis that the automatic layout does not reserve.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 30 + 4f * columnLabels.Max(l => l.Length);
        }

        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.HideGrid();
        plot.Add.ColorBar(heatmap);
        plot.Title(title);
        if (rowAxisLabel is not null)
        {
            plot.YLabel(rowAxisLabel);
        }

        if (columnAxisLabel is not null)
        {
            plot.XLabel(columnAxisLabel);
        }

        int longestRowLabel = rowLabels.Max(l => l.Length);
        int width = Math.Clamp(260 + 60 * columns + 7 * longestRowLabel, 520, 1400);
        int height = Math.Clamp(200 + 50 * rows, 420, 1200);
        Save(plot, path, width, height);
    }

    /// <summary>Draws a confusion matrix (rows = true class, columns = predicted class, counts in the cells) into a PNG.</summary>
    /// <param name="counts">counts[t, p]: the test rows of class t predicted as p.</param>
    /// <param name="classNames">The class names in label order.</param>
    /// <param name="title">The title above the plot.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void ConfusionMatrix(int[,] counts, IReadOnlyList<string> classNames, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var values = new double[counts.GetLength(0), counts.GetLength(1)];
        for (int t = 0; t < counts.GetLength(0); t++)
        {
            for (int p = 0; p < counts.GetLength(1); p++)
            {
                values[t, p] = counts[t, p];
            }
        }

        Heatmap(values, classNames, classNames, title, path, "true class", "predicted class", "0");
    }

    /// <summary>The relative luminance of a colour, 0 (black) to 1 (white).</summary>
    private static double Luminance(Color color) => (0.2126 * color.R + 0.7152 * color.G + 0.0722 * color.B) / 255.0;

    private static void Save(Plot plot, string path, int width, int height)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        plot.SavePng(path, width, height);
    }
}
