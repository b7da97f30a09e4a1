using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>What the first non-blank line of a CSV file is.</summary>
public enum CsvHeader
{
    /// <summary>
    /// Decide from the line itself. It is a header of column names when every cell is text (not a number). It is
    /// scikit-learn's header when its first two cells are non-negative integers and every other cell is text (e.g.
    /// <c>150,4,setosa,versicolor,virginica</c>; the counts are then checked against the data), or when every cell is
    /// a number, the second equals the number of feature columns and the line has another number of cells than the
    /// rows (e.g. <c>150,4</c>; the sample count is then checked). When such an all-number line has as many cells as
    /// the rows and both counts match the data, it could be either, and loading fails asking for
    /// <see cref="ScikitLearn"/> or <see cref="None"/>. Any other line is data, so a typo in the first row is reported rather than silently dropped.
    /// </summary>
    Auto,

    /// <summary>There is no header: the first line is data.</summary>
    None,

    /// <summary>The first line holds column names; it is skipped.</summary>
    ColumnNames,

    /// <summary>
    /// scikit-learn's header: <c>n_samples,n_features[,class names…]</c>. The counts are checked against the data; in
    /// classification the names, when present, are the class names in label order.
    /// </summary>
    ScikitLearn,
}

/// <summary>What the target columns of a CSV file hold.</summary>
public enum CsvTargetKind
{
    /// <summary>One column of integer class labels 0, 1, …, turned into one-hot targets; <see cref="Dataset{T}.Labels"/> is filled.</summary>
    Classification,

    /// <summary>One or more columns of real values, used as targets as they are.</summary>
    Regression,
}

/// <summary>How <see cref="Csv"/> reads a file. The defaults read a comma-separated classification file whose last column is the label.</summary>
public sealed record CsvOptions
{
    /// <summary>Comma-separated classification with the label in the last column and an auto-detected header.</summary>
    public static CsvOptions Default { get; } = new();

    /// <summary>
    /// The cell separator; null splits on runs of spaces and tabs (as in the diabetes files), ignoring leading and
    /// trailing whitespace. With a character separator, cells may be quoted with <c>"</c> (<c>""</c> inside for a quote)
    /// and spaces around cells are ignored.
    /// </summary>
    public char? Separator { get; init; } = ',';

    /// <summary>What the first non-blank line is (default <see cref="CsvHeader.Auto"/>).</summary>
    public CsvHeader Header { get; init; } = CsvHeader.Auto;

    /// <summary>Classification (default) or regression.</summary>
    public CsvTargetKind Kind { get; init; } = CsvTargetKind.Classification;

    /// <summary>
    /// The 0-based index of the first target column; negative counts from the end (−1, the default, is the last
    /// column). The targets are the <see cref="TargetCount"/> columns starting there; every other column is a feature.
    /// Not used by <see cref="Csv.LoadWithSeparateTargets{T}(string, string, CsvOptions?)"/>.
    /// </summary>
    public int TargetColumn { get; init; } = -1;

    /// <summary>The number of consecutive target columns (default 1; classification needs exactly 1).</summary>
    public int TargetCount { get; init; } = 1;

    /// <summary>
    /// The number of classes in classification. When null it is the number of <see cref="ClassNames"/>, else the
    /// number of class names in a scikit-learn header, else the largest label + 1.
    /// </summary>
    public int? ClassCount { get; init; }

    /// <summary>The class names in label order; when null, those of a scikit-learn header are used, if any.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the options contradict each other.</summary>
    public void Validate()
    {
        if (Separator is char c && (c == '"' || c == '\n' || c == '\r'))
        {
            throw new ArgumentException($"The separator cannot be {(c == '"' ? "a double quote" : "a line break")}.", nameof(Separator));
        }

        if (!Enum.IsDefined(Header))
        {
            throw new ArgumentException($"Unknown header mode {(int)Header}.", nameof(Header));
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Unknown target kind {(int)Kind}.", nameof(Kind));
        }

        if (TargetCount < 1)
        {
            throw new ArgumentException($"TargetCount must be at least 1, but it is {TargetCount}.", nameof(TargetCount));
        }

        if (Kind == CsvTargetKind.Classification && TargetCount != 1)
        {
            throw new ArgumentException($"Classification reads one label column, but TargetCount is {TargetCount}.", nameof(TargetCount));
        }

        if (ClassCount is int count && count < 1)
        {
            throw new ArgumentException($"ClassCount must be at least 1, but it is {count}.", nameof(ClassCount));
        }

        if (ClassNames is not null)
        {
            if (ClassNames.Count == 0)
            {
                throw new ArgumentException("ClassNames is empty; pass null to take the names from the file.", nameof(ClassNames));
            }

            if (ClassCount is int n && n != ClassNames.Count)
            {
                throw new ArgumentException($"ClassCount is {n} but {ClassNames.Count} ClassNames are given.", nameof(ClassNames));
            }

            for (int i = 0; i < ClassNames.Count; i++)
            {
                if (ClassNames[i] is null)
                {
                    throw new ArgumentException($"ClassNames[{i}] is null.", nameof(ClassNames));
                }
            }
        }
    }
}
