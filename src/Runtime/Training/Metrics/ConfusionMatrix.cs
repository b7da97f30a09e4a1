using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NetGen;

/// <summary>
/// Counts of (true class, predicted class) pairs: row = true class, column = predicted class, as scikit-learn's
/// <c>confusion_matrix(y_true, y_pred, labels=range(k))</c> lays them out. C[i, j] is the number of rows whose true
/// class is i and whose predicted class is j; the diagonal holds the correct predictions.
/// </summary>
/// <remarks>
/// Unlike scikit-learn's default (the labels seen in <c>y_true</c> or <c>y_pred</c>), the matrix always has a row and
/// a column for every one of the <see cref="ClassCount"/> classes, so that it can be read with the data's class names
/// even when a class is missing from a test set. <see cref="ClassificationReport"/> decides which classes enter the averages.
/// </remarks>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;
    private readonly string[] _names;

    /// <summary>An empty matrix of <paramref name="classCount"/> × <paramref name="classCount"/> zeros.</summary>
    /// <param name="classCount">The number of classes, at least 1.</param>
    /// <param name="classNames">A name per class (null: "0", "1", …).</param>
    public ConfusionMatrix(int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"{classNames.Count} class names were given for {classCount} classes.", nameof(classNames));
        }

        ClassCount = classCount;
        _counts = new long[(long)classCount * classCount];
        _names = new string[classCount];
        for (int c = 0; c < classCount; c++)
        {
            _names[c] = classNames?[c] ?? c.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The number of classes k (the matrix is k × k).</summary>
    public int ClassCount { get; }

    /// <summary>The name of every class, in index order.</summary>
    public IReadOnlyList<string> ClassNames => _names;

    /// <summary>The number of rows whose true class is <paramref name="actual"/> and whose predicted class is <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return _counts[actual * ClassCount + predicted];
        }
    }

    /// <summary>The number of rows counted (the sum of all cells).</summary>
    public long Total { get; private set; }

    /// <summary>The number of correct predictions (the trace).</summary>
    public long Correct
    {
        get
        {
            long sum = 0;
            for (int c = 0; c < ClassCount; c++)
            {
                sum += _counts[c * ClassCount + c];
            }

            return sum;
        }
    }

    /// <summary>Correct / Total, scikit-learn's <c>accuracy_score</c>; NaN when nothing was counted.</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    /// <summary>The rows whose true class is <paramref name="c"/> (the row sum, scikit-learn's "support").</summary>
    public long Support(int c)
    {
        CheckClass(c, nameof(c));
        long sum = 0;
        for (int j = 0; j < ClassCount; j++)
        {
            sum += _counts[c * ClassCount + j];
        }

        return sum;
    }

    /// <summary>The rows predicted as class <paramref name="c"/> (the column sum).</summary>
    public long PredictedCount(int c)
    {
        CheckClass(c, nameof(c));
        long sum = 0;
        for (int i = 0; i < ClassCount; i++)
        {
            sum += _counts[i * ClassCount + c];
        }

        return sum;
    }

    /// <summary>Counts one row with true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class index is not in [0, <see cref="ClassCount"/>).</exception>
    public void Add(int actual, int predicted)
    {
        CheckClass(actual, nameof(actual));
        CheckClass(predicted, nameof(predicted));
        _counts[actual * ClassCount + predicted]++;
        Total++;
    }

    /// <summary>The matrix of pairs of true and predicted class indices (scikit-learn's <c>confusion_matrix(y_true, y_pred, labels=range(k))</c>).</summary>
    /// <param name="actual">The true class of every row.</param>
    /// <param name="predicted">The predicted class of every row, as many as <paramref name="actual"/>.</param>
    /// <param name="classCount">The number of classes k; every index must be in [0, k).</param>
    /// <param name="classNames">A name per class, or null.</param>
    /// <exception cref="ArgumentException">The spans differ in length, or a class index is out of range (the message names the row).</exception>
    public static ConfusionMatrix FromLabels(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount, IReadOnlyList<string>? classNames = null)
    {
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"{actual.Length} true labels but {predicted.Length} predicted labels: give one of each per row.", nameof(predicted));
        }

        var matrix = new ConfusionMatrix(classCount, classNames);
        for (int i = 0; i < actual.Length; i++)
        {
            matrix.Add(CheckLabel(actual[i], classCount, i, nameof(actual)), CheckLabel(predicted[i], classCount, i, nameof(predicted)));
        }

        return matrix;
    }

    /// <summary>
    /// The matrix of a network's predictions on a labelled data set (inference mode, in chunks, without a per-row
    /// allocation). The predicted class is <see cref="Evaluation.ClassOf{T}"/>: the argmax of the outputs, or
    /// a ≥ 0.5 for a single sigmoid output (then there are two classes).
    /// </summary>
    /// <exception cref="ArgumentException">The data have no labels, do not fit the network, or a label is out of range.</exception>
    public static ConfusionMatrix Compute<T>(INetwork<T> network, Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] labels = MetricPass.RequireLabels(network, data, nameof(data));
        int classes = MetricPass.ClassCount(network);
        var matrix = new ConfusionMatrix(classes, MetricPass.ClassNames(data, classes));
        var pass = new MetricPass<T>(network, data);
        while (pass.Next(out int first, out int rows, out ReadOnlySpan<T> outputs))
        {
            for (int s = 0; s < rows; s++)
            {
                int label = CheckLabel(labels[first + s], classes, first + s, nameof(data));
                matrix.Add(label, Evaluation.ClassOf(outputs.Slice(s * pass.OutputSize, pass.OutputSize)));
            }
        }

        return matrix;
    }

    /// <summary>A matrix from counts: <paramref name="counts"/>[i][j] rows of true class i predicted as j.</summary>
    /// <exception cref="ArgumentException">The counts are not square, or a count is negative.</exception>
    public static ConfusionMatrix FromCounts(IReadOnlyList<IReadOnlyList<long>> counts, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var matrix = new ConfusionMatrix(counts.Count, classNames);
        for (int i = 0; i < counts.Count; i++)
        {
            if (counts[i] is null || counts[i].Count != counts.Count)
            {
                throw new ArgumentException($"Row {i} of the counts has {counts[i]?.Count ?? 0} columns; a confusion matrix of {counts.Count} classes needs {counts.Count}.", nameof(counts));
            }

            for (int j = 0; j < counts.Count; j++)
            {
                long n = counts[i][j];
                if (n < 0)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The count at row {i}, column {j} is negative ({n})."), nameof(counts));
                }

                matrix._counts[i * matrix.ClassCount + j] = n;
                matrix.Total += n;
            }
        }

        return matrix;
    }

    /// <summary>A copy of the counts, [true class, predicted class].</summary>
    public long[,] ToArray()
    {
        var result = new long[ClassCount, ClassCount];
        for (int i = 0; i < ClassCount; i++)
        {
            for (int j = 0; j < ClassCount; j++)
            {
                result[i, j] = _counts[i * ClassCount + j];
            }
        }

        return result;
    }

    /// <summary>
    /// The matrix as a table: a header of predicted class names, then one line per true class, columns right-aligned;
    /// e.g. <c>true \ predicted</c> over the rows.
    /// </summary>
    public override string ToString()
    {
        const string Corner = "true \\ predicted";
        int nameWidth = Corner.Length;
        int cellWidth = 1;
        for (int c = 0; c < ClassCount; c++)
        {
            nameWidth = Math.Max(nameWidth, _names[c].Length);
            cellWidth = Math.Max(cellWidth, _names[c].Length);
        }

        foreach (long n in _counts)
        {
            cellWidth = Math.Max(cellWidth, n.ToString(CultureInfo.InvariantCulture).Length);
        }

        var text = new StringBuilder();
        text.Append(Corner.PadRight(nameWidth));
        for (int j = 0; j < ClassCount; j++)
        {
            text.Append("  ").Append(_names[j].PadLeft(cellWidth));
        }

        for (int i = 0; i < ClassCount; i++)
        {
            text.AppendLine().Append(_names[i].PadRight(nameWidth));
            for (int j = 0; j < ClassCount; j++)
            {
                text.Append("  ").Append(_counts[i * ClassCount + j].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
            }
        }

        return text.ToString();
    }

    internal static int CheckLabel(int label, int classCount, int row, string parameter)
    {
        if ((uint)label >= (uint)classCount)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Row {row} has class {label}, outside [0, {classCount})."), parameter);
        }

        return label;
    }

    private void CheckClass(int c, string parameter)
    {
        if ((uint)c >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(parameter, c, string.Create(CultureInfo.InvariantCulture, $"A class index must be in [0, {ClassCount})."));
        }
    }
}
