using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NetGen;

/// <summary>Precision, recall and F1 of one class (one-vs-rest), with its support.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Precision">TP / (TP + FP): of the rows predicted as this class, the share that are.</param>
/// <param name="Recall">TP / (TP + FN): of the rows of this class, the share found.</param>
/// <param name="F1">2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall.</param>
/// <param name="Support">The rows whose true class this is (TP + FN).</param>
/// <param name="Predicted">The rows predicted as this class (TP + FP).</param>
public readonly record struct ClassMetrics(string Name, double Precision, double Recall, double F1, long Support, long Predicted)
{
    /// <summary>Whether the class occurs among the true or the predicted classes (scikit-learn lists only those by default).</summary>
    public bool Present => Support > 0 || Predicted > 0;
}

/// <summary>An average of per-class precision, recall and F1.</summary>
/// <param name="Precision">The averaged precision.</param>
/// <param name="Recall">The averaged recall.</param>
/// <param name="F1">The averaged F1 (the average of the per-class F1, not the F1 of the averages).</param>
/// <param name="Support">The rows of the classes averaged over.</param>
public readonly record struct AveragedMetrics(double Precision, double Recall, double F1, long Support);

/// <summary>
/// scikit-learn's <c>classification_report</c> as an object: per class precision, recall, F1 and support, the accuracy,
/// and the macro and weighted averages, with the <see cref="ConfusionMatrix"/> they come from.
/// </summary>
/// <remarks>
/// <para>
/// The definitions are scikit-learn's (<c>precision_recall_fscore_support</c>, 1.4 and later), class by class,
/// one-vs-rest, from the confusion matrix C (row = true class): TP = C[c, c], TP + FP = column sum, TP + FN = row sum;
/// precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·TP / (2·TP + FP + FN).
/// </para>
/// <para>
/// <b>zero_division.</b> A ratio whose denominator is 0 (precision of a class never predicted, recall of a class that
/// never occurs, F1 of a class that neither occurs nor is predicted) is <see cref="ZeroDivision"/>: 0 (scikit-learn's
/// default <c>"warn"</c>, which also returns 0, minus the warning), 1, or <see cref="double.NaN"/>. Note that F1 is
/// defined whenever the class occurs or is predicted: a class that occurs but is never predicted has precision
/// <see cref="ZeroDivision"/> yet F1 = 0, as in scikit-learn.
/// </para>
/// <para>
/// <b>Averages.</b> Macro = the plain mean over the classes, weighted = the mean weighted by support. NaN values (only
/// with <see cref="ZeroDivision"/> = NaN) are left out, as scikit-learn's <c>_nanaverage</c> does; when every weight is
/// 0 the weighted average is the plain one. The classes averaged over are, by default, scikit-learn's
/// <c>labels=None</c>: those that occur among the true or the predicted classes (<see cref="ClassMetrics.Present"/>);
/// with <c>averageOverAllClasses</c> all k classes, as <c>labels=range(k)</c> gives. Micro-averaged precision, recall
/// and F1 of single-label data all equal <see cref="Accuracy"/>.
/// </para>
/// </remarks>
public sealed class ClassificationReport
{
    private readonly ClassMetrics[] _classes;

    private ClassificationReport(ConfusionMatrix matrix, double zeroDivision, bool averageOverAllClasses)
    {
        ConfusionMatrix = matrix;
        ZeroDivision = zeroDivision;
        AverageOverAllClasses = averageOverAllClasses;
        int k = matrix.ClassCount;
        _classes = new ClassMetrics[k];
        for (int c = 0; c < k; c++)
        {
            long tp = matrix[c, c];
            long support = matrix.Support(c);
            long predicted = matrix.PredictedCount(c);
            _classes[c] = new ClassMetrics(
                matrix.ClassNames[c],
                Divide(tp, predicted, zeroDivision),
                Divide(tp, support, zeroDivision),
                Divide(2 * tp, support + predicted, zeroDivision),
                support,
                predicted);
        }

        MacroAverage = Average(weighted: false);
        WeightedAverage = Average(weighted: true);
    }

    /// <summary>The counts everything else is computed from.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>The metrics of every class, in index order (also classes that neither occur nor are predicted).</summary>
    public IReadOnlyList<ClassMetrics> Classes => _classes;

    /// <summary>The share of rows classified correctly (scikit-learn's <c>accuracy_score</c>); NaN for no rows.</summary>
    public double Accuracy => ConfusionMatrix.Accuracy;

    /// <summary>The number of rows.</summary>
    public long Count => ConfusionMatrix.Total;

    /// <summary>The unweighted mean of the per-class metrics (scikit-learn's <c>average="macro"</c>).</summary>
    public AveragedMetrics MacroAverage { get; }

    /// <summary>The per-class metrics weighted by support (scikit-learn's <c>average="weighted"</c>).</summary>
    public AveragedMetrics WeightedAverage { get; }

    /// <summary>The value of a ratio whose denominator is 0: 0, 1 or NaN (scikit-learn's <c>zero_division</c>).</summary>
    public double ZeroDivision { get; }

    /// <summary>Whether the averages include classes that neither occur nor are predicted.</summary>
    public bool AverageOverAllClasses { get; }

    /// <summary>The report of a network on a labelled data set (inference mode, in chunks, nothing allocated per row).</summary>
    /// <param name="network">A classifier: softmax outputs (one per class), or one sigmoid output for two classes.</param>
    /// <param name="data">Rows with <see cref="Dataset{T}.Labels"/>; their class names name the classes when there is one per class.</param>
    /// <param name="zeroDivision">0, 1 or <see cref="double.NaN"/>: see the remarks.</param>
    /// <param name="averageOverAllClasses">Average over all classes rather than those that occur or are predicted.</param>
    /// <exception cref="ArgumentException">The data have no labels or do not fit the network; a label is out of range; <paramref name="zeroDivision"/> is not 0, 1 or NaN.</exception>
    public static ClassificationReport Compute<T>(INetwork<T> network, Dataset<T> data, double zeroDivision = 0, bool averageOverAllClasses = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckZeroDivision(zeroDivision);
        return new ClassificationReport(ConfusionMatrix.Compute(network, data), zeroDivision, averageOverAllClasses);
    }

    /// <summary>The report of true and predicted class indices (scikit-learn's <c>classification_report(y_true, y_pred)</c>).</summary>
    /// <param name="actual">The true class of every row.</param>
    /// <param name="predicted">The predicted class of every row.</param>
    /// <param name="classCount">The number of classes k; every index must be in [0, k).</param>
    /// <param name="zeroDivision">0, 1 or <see cref="double.NaN"/>: see the remarks.</param>
    /// <param name="classNames">A name per class, or null.</param>
    /// <param name="averageOverAllClasses">Average over all k classes rather than those that occur or are predicted.</param>
    public static ClassificationReport FromLabels(
        ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount, double zeroDivision = 0, IReadOnlyList<string>? classNames = null, bool averageOverAllClasses = false)
    {
        CheckZeroDivision(zeroDivision);
        return new ClassificationReport(ConfusionMatrix.FromLabels(actual, predicted, classCount, classNames), zeroDivision, averageOverAllClasses);
    }

    /// <summary>The report of a confusion matrix.</summary>
    public static ClassificationReport FromConfusionMatrix(ConfusionMatrix matrix, double zeroDivision = 0, bool averageOverAllClasses = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        CheckZeroDivision(zeroDivision);
        return new ClassificationReport(matrix, zeroDivision, averageOverAllClasses);
    }

    /// <summary>
    /// The report as scikit-learn prints it (with 4 digits): a line per class with precision, recall, f1-score and
    /// support, then accuracy, macro avg and weighted avg. Classes left out of the averages are not listed.
    /// </summary>
    public override string ToString()
    {
        const string Weighted = "weighted avg";
        int width = Weighted.Length;
        foreach (ClassMetrics c in _classes)
        {
            width = Math.Max(width, c.Name.Length);
        }

        var text = new StringBuilder();
        text.Append(new string(' ', width)).Append("  precision     recall   f1-score    support").AppendLine().AppendLine();
        foreach (ClassMetrics c in _classes)
        {
            if (Included(c))
            {
                Row(text, c.Name, c.Precision, c.Recall, c.F1, c.Support);
            }
        }

        text.AppendLine();
        text.Append("accuracy".PadLeft(width)).Append(' ', 2 + 11 + 11).Append(Cell(Accuracy)).Append(Count.ToString(CultureInfo.InvariantCulture).PadLeft(11)).AppendLine();
        Row(text, "macro avg", MacroAverage.Precision, MacroAverage.Recall, MacroAverage.F1, MacroAverage.Support);
        Row(text, Weighted, WeightedAverage.Precision, WeightedAverage.Recall, WeightedAverage.F1, WeightedAverage.Support);
        return text.ToString().TrimEnd();

        void Row(StringBuilder line, string name, double precision, double recall, double f1, long support) =>
            line.Append(name.PadLeft(width)).Append("  ").Append(Cell(precision)).Append(Cell(recall)).Append(Cell(f1))
                .Append(support.ToString(CultureInfo.InvariantCulture).PadLeft(11)).AppendLine();

        static string Cell(double value) => value.ToString("F4", CultureInfo.InvariantCulture).PadLeft(9) + "  ";
    }

    private bool Included(ClassMetrics c) => AverageOverAllClasses || c.Present;

    private AveragedMetrics Average(bool weighted)
    {
        long support = 0;
        foreach (ClassMetrics c in _classes)
        {
            if (Included(c))
            {
                support += c.Support;
            }
        }

        return new AveragedMetrics(Mean(m => m.Precision), Mean(m => m.Recall), Mean(m => m.F1), support);

        // scikit-learn's _nanaverage: NaN entries dropped; all weights 0 → the plain mean; nothing left → NaN.
        double Mean(Func<ClassMetrics, double> value)
        {
            double sum = 0, weightedSum = 0;
            long count = 0, weights = 0;
            foreach (ClassMetrics c in _classes)
            {
                double v = value(c);
                if (Included(c) && !double.IsNaN(v))
                {
                    sum += v;
                    count++;
                    weightedSum += v * c.Support;
                    weights += c.Support;
                }
            }

            if (count == 0)
            {
                return double.NaN;
            }

            return weighted && weights > 0 ? weightedSum / weights : sum / count;
        }
    }

    private static double Divide(long numerator, long denominator, double zeroDivision) =>
        denominator == 0 ? zeroDivision : (double)numerator / denominator;

    internal static void CheckZeroDivision(double zeroDivision)
    {
        if (!(zeroDivision is 0 or 1 || double.IsNaN(zeroDivision)))
        {
            throw new ArgumentOutOfRangeException(nameof(zeroDivision), zeroDivision,
                "zeroDivision must be 0, 1 or double.NaN (scikit-learn's zero_division): the value of a precision, recall or F1 whose denominator is 0.");
        }
    }
}
