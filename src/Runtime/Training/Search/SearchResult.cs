using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen;

/// <summary>One training run of a candidate: on the validation set, or on one fold of k-fold cross-validation.</summary>
/// <param name="Fold">The fold, from 1 (always 1 with a validation set).</param>
/// <param name="Score">The metric on the validation rows; NaN when the run diverged.</param>
/// <param name="Validation">All the validation metrics, or null when the run diverged.</param>
/// <param name="TrainLoss">The mean training loss of the last epoch (with the L1/L2 penalty); NaN when the run diverged.</param>
/// <param name="EpochsRun">Completed epochs (fewer than asked with early stopping), or the epoch that diverged.</param>
/// <param name="Diverged">Whether training threw <see cref="TrainingDivergedException"/>.</param>
/// <param name="Message">The divergence message, else null.</param>
/// <param name="Duration">Wall time of the run.</param>
public sealed record FoldResult(int Fold, double Score, Metrics? Validation, double TrainLoss, int EpochsRun, bool Diverged, string? Message, TimeSpan Duration);

/// <summary>
/// The outcome of one candidate. With k-fold cross-validation the score is the mean over the folds and
/// <see cref="ScoreStandardDeviation"/> their population standard deviation (as scikit-learn's <c>std_test_score</c>).
/// </summary>
/// <param name="Index">The candidate's position in the list given to the search, from 0.</param>
/// <param name="Rank">1 for the best candidate; diverged candidates come last (see <see cref="SearchResult"/> for the order).</param>
/// <param name="Parameters">The candidate's named values.</param>
/// <param name="Seed">The seed of its runs (network initialization and <see cref="FitOptions.Seed"/>).</param>
/// <param name="Score">The mean of the fold scores; NaN when any run diverged.</param>
/// <param name="ScoreStandardDeviation">The population standard deviation of the fold scores (0 with one fold); NaN when any run diverged.</param>
/// <param name="Folds">Every run, in fold order.</param>
/// <param name="TrainLoss">The mean over folds of the last epoch's training loss; NaN when any run diverged.</param>
/// <param name="ValidationLoss">The mean over folds of the validation loss; NaN when any run diverged.</param>
/// <param name="EpochsRun">The mean over folds of <see cref="FoldResult.EpochsRun"/>.</param>
/// <param name="Diverged">Whether any run threw <see cref="TrainingDivergedException"/>; such a candidate is ranked last.</param>
/// <param name="DivergenceMessage">The message of the first diverged run, prefixed with its fold under k-fold; else null.</param>
/// <param name="Duration">The summed wall time of its runs.</param>
public sealed record CandidateResult(
    int Index,
    int Rank,
    Hyperparameters Parameters,
    int Seed,
    double Score,
    double ScoreStandardDeviation,
    IReadOnlyList<FoldResult> Folds,
    double TrainLoss,
    double ValidationLoss,
    double EpochsRun,
    bool Diverged,
    string? DivergenceMessage,
    TimeSpan Duration)
{
    /// <summary>The score of each fold, in fold order.</summary>
    public IReadOnlyList<double> FoldScores => Folds.Select(f => f.Score).ToArray();
}

/// <summary>
/// The ranked results of a search. The ranking puts finite scores first, best first (highest accuracy or R², lowest
/// loss or MSE, see <see cref="HigherIsBetter"/>), equal scores by the lower validation loss and then in candidate
/// order; then non-finite scores; then diverged candidates, in candidate order.
/// </summary>
public sealed class SearchResult
{
    internal SearchResult(IReadOnlyList<CandidateResult> ranked, SearchMetric metric, int foldCount, TimeSpan duration)
    {
        Ranked = ranked;
        Candidates = ranked.OrderBy(r => r.Index).ToArray();
        Metric = metric;
        FoldCount = foldCount;
        Duration = duration;
        var names = new List<string>();
        foreach (CandidateResult result in Candidates)
        {
            foreach (string name in result.Parameters.Names)
            {
                if (!names.Contains(name, StringComparer.Ordinal))
                {
                    names.Add(name);
                }
            }
        }

        ParameterNames = names;
    }

    /// <summary>Every candidate, best first.</summary>
    public IReadOnlyList<CandidateResult> Ranked { get; }

    /// <summary>Every candidate in the order it was given.</summary>
    public IReadOnlyList<CandidateResult> Candidates { get; }

    /// <summary>The best candidate (check <see cref="CandidateResult.Diverged"/>: when every candidate diverged, this one did too).</summary>
    public CandidateResult Best => Ranked[0];

    /// <summary>The metric the candidates were ranked by (never <see cref="SearchMetric.Auto"/>).</summary>
    public SearchMetric Metric { get; }

    /// <summary>Whether a higher score is better: true for accuracy and R², false for loss and MSE.</summary>
    public bool HigherIsBetter => Metric.HigherIsBetter();

    /// <summary>The number of runs per candidate: k with k-fold cross-validation, 1 with a validation set.</summary>
    public int FoldCount { get; }

    /// <summary>The wall time of the whole search.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The names of the hyperparameters, in the order they first appear (the table's columns).</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// The ranked table as aligned text: rank, the hyperparameters, the score (mean ± std with k folds), the training
    /// and validation losses, epochs, seconds, and the divergence message for diverged candidates.
    /// </summary>
    /// <param name="top">Print only the best <paramref name="top"/> rows; null for all.</param>
    public string ToTable(int? top = null)
    {
        if (top is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, "Print at least one row.");
        }

        var header = new List<string> { "rank" };
        header.AddRange(ParameterNames);
        header.Add(Metric.Title());
        if (FoldCount > 1)
        {
            header.Add("std");
        }

        header.AddRange(["train loss", "val loss", "epochs", "seconds", "status"]);
        var table = new TextTable(header, numeric: index => index == 0 || index > ParameterNames.Count && index < header.Count - 1);
        foreach (CandidateResult r in Ranked.Take(top ?? int.MaxValue))
        {
            var row = new List<string> { r.Rank.ToString(CultureInfo.InvariantCulture) };
            foreach (string name in ParameterNames)
            {
                row.Add(r.Parameters.TryGetValue(name, out object? value) ? Hyperparameters.Format(value) : "");
            }

            row.Add(FormatScore(Metric, r.Score));
            if (FoldCount > 1)
            {
                row.Add(FormatScore(Metric, r.ScoreStandardDeviation));
            }

            row.Add(FormatLoss(r.TrainLoss));
            row.Add(FormatLoss(r.ValidationLoss));
            row.Add(r.EpochsRun.ToString("0.#", CultureInfo.InvariantCulture));
            row.Add(r.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
            row.Add(r.Diverged ? "diverged: " + r.DivergenceMessage : double.IsFinite(r.Score) ? "ok" : "non-finite score");
            table.Add(row);
        }

        return table.ToString();
    }

    /// <summary>
    /// The score over two axes, for a heatmap such as η × λ: rows are the distinct values of <paramref name="rowAxis"/>,
    /// columns those of <paramref name="columnAxis"/>, each ascending when all its values are numbers and in order of
    /// first appearance otherwise. A cell holds the best score of the candidates with that pair of values (the best over
    /// any other axes), NaN when none has a finite score.
    /// </summary>
    /// <exception cref="ArgumentException">An axis name is unknown or both are the same.</exception>
    public ScoreMatrix ScoreMatrix(string rowAxis, string columnAxis)
    {
        ArgumentNullException.ThrowIfNull(rowAxis);
        ArgumentNullException.ThrowIfNull(columnAxis);
        foreach (string axis in new[] { rowAxis, columnAxis })
        {
            if (!ParameterNames.Contains(axis, StringComparer.Ordinal))
            {
                throw new ArgumentException($"No axis '{axis}'; the axes are: {(ParameterNames.Count == 0 ? "none" : string.Join(", ", ParameterNames))}.", axis == rowAxis ? nameof(rowAxis) : nameof(columnAxis));
            }
        }

        if (string.Equals(rowAxis, columnAxis, StringComparison.Ordinal))
        {
            throw new ArgumentException("The row and column axes must differ.", nameof(columnAxis));
        }

        CandidateResult[] both = Candidates.Where(r => r.Parameters.Contains(rowAxis) && r.Parameters.Contains(columnAxis)).ToArray();
        object?[] rows = DistinctValues(both.Select(r => r.Parameters[rowAxis]));
        object?[] columns = DistinctValues(both.Select(r => r.Parameters[columnAxis]));
        var scores = new double[rows.Length, columns.Length];
        var counts = new int[rows.Length, columns.Length];
        var diverged = new int[rows.Length, columns.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < columns.Length; j++)
            {
                scores[i, j] = double.NaN;
            }
        }

        bool higher = HigherIsBetter;
        foreach (CandidateResult r in both)
        {
            int i = Array.FindIndex(rows, v => Equals(v, r.Parameters[rowAxis]));
            int j = Array.FindIndex(columns, v => Equals(v, r.Parameters[columnAxis]));
            counts[i, j]++;
            diverged[i, j] += r.Diverged ? 1 : 0;
            if (double.IsFinite(r.Score) && (double.IsNaN(scores[i, j]) || (higher ? r.Score > scores[i, j] : r.Score < scores[i, j])))
            {
                scores[i, j] = r.Score;
            }
        }

        var allDiverged = new bool[rows.Length, columns.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < columns.Length; j++)
            {
                allDiverged[i, j] = counts[i, j] > 0 && diverged[i, j] == counts[i, j];
            }
        }

        return new ScoreMatrix(rowAxis, columnAxis, rows, columns, scores, allDiverged, Metric);
    }

    /// <summary>The ranked table (<see cref="ToTable"/>).</summary>
    public override string ToString() => ToTable();

    internal static string FormatScore(SearchMetric metric, double value) =>
        double.IsNaN(value) ? "NaN" : metric.HigherIsBetter() ? value.ToString("F4", CultureInfo.InvariantCulture) : FormatLoss(value);

    internal static string FormatLoss(double value) => double.IsNaN(value) ? "NaN" : value.ToString("g5", CultureInfo.InvariantCulture);

    private static object?[] DistinctValues(IEnumerable<object?> values)
    {
        var distinct = new List<object?>();
        foreach (object? value in values)
        {
            if (!distinct.Contains(value))
            {
                distinct.Add(value);
            }
        }

        if (distinct.Count > 0 && distinct.TrueForAll(v => v is double or float or int or long or short or byte or decimal))
        {
            distinct.Sort((a, b) => System.Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(System.Convert.ToDouble(b, CultureInfo.InvariantCulture)));
        }

        return [.. distinct];
    }
}

/// <summary>A score per pair of values of two axes (see <see cref="SearchResult.ScoreMatrix"/>), e.g. the course's η × λ accuracy grid.</summary>
public sealed class ScoreMatrix
{
    private readonly double[,] _scores;
    private readonly bool[,] _diverged;

    internal ScoreMatrix(string rowAxis, string columnAxis, object?[] rowValues, object?[] columnValues, double[,] scores, bool[,] diverged, SearchMetric metric)
    {
        RowAxis = rowAxis;
        ColumnAxis = columnAxis;
        RowValues = rowValues;
        ColumnValues = columnValues;
        _scores = scores;
        _diverged = diverged;
        Metric = metric;
    }

    /// <summary>The axis along the rows.</summary>
    public string RowAxis { get; }

    /// <summary>The axis along the columns.</summary>
    public string ColumnAxis { get; }

    /// <summary>The row values, in row order.</summary>
    public IReadOnlyList<object?> RowValues { get; }

    /// <summary>The column values, in column order.</summary>
    public IReadOnlyList<object?> ColumnValues { get; }

    /// <summary>The metric of the scores.</summary>
    public SearchMetric Metric { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => RowValues.Count;

    /// <summary>The number of columns.</summary>
    public int Columns => ColumnValues.Count;

    /// <summary>The best score of the cell; NaN when no candidate of the cell has a finite score.</summary>
    public double this[int row, int column] => _scores[row, column];

    /// <summary>Whether every candidate of the cell diverged.</summary>
    public bool IsDiverged(int row, int column) => _diverged[row, column];

    /// <summary>A copy of the scores, [row, column].</summary>
    public double[,] ToArray() => (double[,])_scores.Clone();

    /// <summary>
    /// The matrix as aligned text: a corner <c>row\column</c>, the column values across, one line per row value;
    /// <c>div</c> marks a cell whose candidates all diverged, <c>-</c> a cell without a finite score.
    /// </summary>
    public override string ToString()
    {
        var header = new List<string> { RowAxis + " \\ " + ColumnAxis };
        header.AddRange(ColumnValues.Select(v => Hyperparameters.Format(v)));
        var table = new TextTable(header, numeric: index => index > 0);
        for (int i = 0; i < Rows; i++)
        {
            var row = new List<string> { Hyperparameters.Format(RowValues[i]) };
            for (int j = 0; j < Columns; j++)
            {
                row.Add(_diverged[i, j] ? "div" : double.IsNaN(_scores[i, j]) ? "-" : SearchResult.FormatScore(Metric, _scores[i, j]));
            }

            table.Add(row);
        }

        return table.ToString();
    }
}

/// <summary>Columns padded to their widest cell; numbers right-aligned, text left-aligned; a dashed line under the header.</summary>
internal sealed class TextTable(IReadOnlyList<string> header, Func<int, bool> numeric)
{
    private readonly List<IReadOnlyList<string>> _rows = [];

    public void Add(IReadOnlyList<string> row) => _rows.Add(row);

    public override string ToString()
    {
        var widths = new int[header.Count];
        foreach (IReadOnlyList<string> row in _rows.Prepend(header))
        {
            for (int c = 0; c < widths.Length; c++)
            {
                widths[c] = Math.Max(widths[c], c < row.Count ? row[c].Length : 0);
            }
        }

        var text = new System.Text.StringBuilder();
        Line(header);

        // The rule spans the header, not a long last column (divergence messages).
        text.Append(new string('-', text.Length - 1)).Append('\n');
        foreach (IReadOnlyList<string> row in _rows)
        {
            Line(row);
        }

        return text.ToString();

        void Line(IReadOnlyList<string> row)
        {
            var line = new System.Text.StringBuilder();
            for (int c = 0; c < widths.Length; c++)
            {
                string cell = c < row.Count ? row[c] : "";
                if (c > 0)
                {
                    line.Append("  ");
                }

                line.Append(numeric(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
