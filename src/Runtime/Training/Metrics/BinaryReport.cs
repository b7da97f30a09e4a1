using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;

namespace NetGen;

/// <summary>
/// The metrics of a two-class task with a probability per row: the confusion matrix at a threshold, accuracy,
/// precision, recall and F1 of the positive class (1), ROC-AUC and log-loss, with scikit-learn's definitions.
/// </summary>
/// <remarks>
/// <para>
/// <b>Scores.</b> A network with one sigmoid output gives p = a^L_0; one with two softmax outputs gives p = a^L_1, the
/// probability of class 1. A row is predicted positive when p ≥ <see cref="Threshold"/> (0.5 by default, the rule of
/// <see cref="Evaluation.ClassOf{T}"/>).
/// </para>
/// <para>
/// <b>Precision, recall, F1</b> are scikit-learn's <c>precision_score</c>, <c>recall_score</c>, <c>f1_score</c> with
/// <c>average="binary"</c>, <c>pos_label=1</c>; a zero denominator gives <see cref="ZeroDivision"/> (see
/// <see cref="ClassificationReport"/>).
/// </para>
/// <para>
/// <b>ROC-AUC</b> is <c>roc_auc_score(y_true, p)</c>: the trapezoidal area under the ROC curve, whose points are the
/// distinct scores taken as thresholds, so tied scores form one step and a positive–negative pair with equal scores
/// counts ½ (the Mann–Whitney U statistic / (P·N)). With no positive or no negative row it is undefined:
/// <see cref="double.NaN"/> (scikit-learn raises there).
/// </para>
/// <para>
/// <b>Log-loss</b> is <c>log_loss(y_true, p)</c>: the mean of −[y ln p + (1 − y) ln(1 − p)] with the probability of the
/// true class clipped to [ε, 1 − ε], ε the machine epsilon of the precision of the probabilities as numpy's
/// <c>finfo(dtype).eps</c> (2⁻²³ for float, 2⁻⁵² for double), without renormalization (scikit-learn 1.5 and later).
/// </para>
/// </remarks>
public sealed class BinaryReport
{
    private BinaryReport(ConfusionMatrix matrix, double rocAuc, double logLoss, double threshold, double zeroDivision)
    {
        ConfusionMatrix = matrix;
        RocAuc = rocAuc;
        LogLoss = logLoss;
        Threshold = threshold;
        ZeroDivision = zeroDivision;
        long tp = matrix[1, 1], fp = matrix[0, 1], fn = matrix[1, 0];
        Precision = tp + fp == 0 ? zeroDivision : (double)tp / (tp + fp);
        Recall = tp + fn == 0 ? zeroDivision : (double)tp / (tp + fn);
        F1 = 2 * tp + fp + fn == 0 ? zeroDivision : 2.0 * tp / (2 * tp + fp + fn);
    }

    /// <summary>The 2 × 2 counts at <see cref="Threshold"/> (row = true class, column = predicted; class 1 is positive).</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>The number of rows.</summary>
    public long Count => ConfusionMatrix.Total;

    /// <summary>The rows of class 1 (P).</summary>
    public long Positives => ConfusionMatrix.Support(1);

    /// <summary>The rows of class 0 (N).</summary>
    public long Negatives => ConfusionMatrix.Support(0);

    /// <summary>The share of rows classified correctly at <see cref="Threshold"/>.</summary>
    public double Accuracy => ConfusionMatrix.Accuracy;

    /// <summary>TP / (TP + FP) of class 1.</summary>
    public double Precision { get; }

    /// <summary>TP / (TP + FN) of class 1 (the true positive rate, sensitivity).</summary>
    public double Recall { get; }

    /// <summary>2·TP / (2·TP + FP + FN) of class 1.</summary>
    public double F1 { get; }

    /// <summary>The area under the ROC curve (independent of the threshold); NaN when one class is absent.</summary>
    public double RocAuc { get; }

    /// <summary>The mean binary cross-entropy of the probabilities, clipped as scikit-learn clips them.</summary>
    public double LogLoss { get; }

    /// <summary>The probability from which a row is predicted positive.</summary>
    public double Threshold { get; }

    /// <summary>The value of a ratio whose denominator is 0 (0, 1 or NaN).</summary>
    public double ZeroDivision { get; }

    /// <summary>The report of a binary classifier on a labelled data set (inference mode, in chunks).</summary>
    /// <param name="network">One sigmoid output, or two softmax outputs.</param>
    /// <param name="data">Rows with labels 0 and 1 (<see cref="Dataset{T}.Labels"/>, or a single 0/1 target per row).</param>
    /// <param name="threshold">A row is predicted positive when its probability is at least this.</param>
    /// <param name="zeroDivision">0, 1 or NaN (see <see cref="ClassificationReport"/>).</param>
    /// <exception cref="ArgumentException">The network is not a binary classifier, the data do not fit it, a label is not 0 or 1, or an output is not a probability.</exception>
    public static BinaryReport Compute<T>(INetwork<T> network, Dataset<T> data, double threshold = 0.5, double zeroDivision = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MetricPass.RequireShape(network, data, nameof(data));
        Activation output = network.Spec.Stages[^1].Activation;
        int column = (network.OutputSize, output) switch
        {
            (1, Activation.Sigmoid) => 0,
            (2, Activation.Softmax) => 1,
            _ => throw new ArgumentException(
                $"Binary metrics need one sigmoid output or two softmax outputs, but the network ends with {network.OutputSize} {output} output(s) ({network.Spec}).", nameof(network)),
        };

        int[] labels = BinaryLabels(data);
        var probabilities = new T[data.Count];
        var pass = new MetricPass<T>(network, data);
        while (pass.Next(out int first, out int rows, out ReadOnlySpan<T> outputs))
        {
            for (int s = 0; s < rows; s++)
            {
                probabilities[first + s] = outputs[s * pass.OutputSize + column];
            }
        }

        return FromProbabilities<T>(probabilities, labels, threshold, zeroDivision);
    }

    /// <summary>The report of probabilities of class 1 and true labels.</summary>
    /// <param name="probabilities">p per row, in [0, 1].</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <param name="threshold">A row is predicted positive when p ≥ this.</param>
    /// <param name="zeroDivision">0, 1 or NaN (see <see cref="ClassificationReport"/>).</param>
    /// <exception cref="ArgumentException">The lengths differ, a label is not 0 or 1, or a probability is NaN or outside [0, 1] (the message names the row).</exception>
    public static BinaryReport FromProbabilities<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> labels, double threshold = 0.5, double zeroDivision = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ClassificationReport.CheckZeroDivision(zeroDivision);
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite probability, e.g. 0.5.");
        }

        double loss = LogLossOf(probabilities, labels);
        var matrix = new ConfusionMatrix(2);
        for (int i = 0; i < labels.Length; i++)
        {
            matrix.Add(labels[i], double.CreateChecked(probabilities[i]) >= threshold ? 1 : 0);
        }

        return new BinaryReport(matrix, RocAucOf(probabilities, labels), loss, threshold, zeroDivision);
    }

    /// <summary>
    /// scikit-learn's <c>roc_auc_score(labels, scores)</c>: the trapezoidal area under the ROC curve, ties averaged;
    /// NaN when all labels are equal.
    /// </summary>
    /// <param name="scores">Any real score per row, higher meaning "more likely 1"; not NaN.</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <exception cref="ArgumentException">The lengths differ, a label is not 0 or 1, or a score is NaN.</exception>
    public static double RocAucOf<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(scores.Length, labels);
        var keys = new double[scores.Length];
        var items = labels.ToArray();
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = double.CreateChecked(scores[i]);
            if (double.IsNaN(keys[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The score of row {i} is NaN."), nameof(scores));
            }
        }

        Array.Sort(keys, items);

        // Thresholds from the highest score down: each distinct score adds its rows at once, a step from
        // (FP, TP) to (FP', TP'); the trapezoid under it has twice the area (FP' − FP)(TP + TP'). Summed exactly in integers.
        long tp = 0, fp = 0, twiceArea = 0;
        for (int end = keys.Length; end > 0;)
        {
            int start = end - 1;
            while (start > 0 && keys[start - 1] == keys[end - 1])
            {
                start--;
            }

            long newTp = tp, newFp = fp;
            for (int i = start; i < end; i++)
            {
                if (items[i] == 1)
                {
                    newTp++;
                }
                else
                {
                    newFp++;
                }
            }

            twiceArea += (newFp - fp) * (newTp + tp);
            tp = newTp;
            fp = newFp;
            end = start;
        }

        return tp == 0 || fp == 0 ? double.NaN : twiceArea / (2.0 * tp * fp);
    }

    /// <summary>
    /// scikit-learn's <c>log_loss(labels, probabilities)</c>: the mean of −ln of the probability given to the true
    /// class, clipped to [ε, 1 − ε] with ε the machine epsilon of <typeparamref name="T"/>; NaN for no rows.
    /// </summary>
    /// <param name="probabilities">p = P(class 1) per row, in [0, 1].</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <exception cref="ArgumentException">The lengths differ, a label is not 0 or 1, or a probability is NaN or outside [0, 1].</exception>
    public static double LogLossOf<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(probabilities.Length, labels);
        T epsilon = T.BitIncrement(T.One) - T.One;
        T high = T.One - epsilon;
        double sum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            T p = probabilities[i];
            if (!(p >= T.Zero && p <= T.One))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The probability of row {i} is {double.CreateChecked(p)}, not in [0, 1]."), nameof(probabilities));
            }

            // The probability of the true class, computed in T as numpy computes 1 − p in the array's dtype, then clipped.
            T q = T.Clamp(labels[i] == 1 ? p : T.One - p, epsilon, high);
            sum -= Math.Log(double.CreateChecked(q));
        }

        return probabilities.Length == 0 ? double.NaN : sum / probabilities.Length;
    }

    /// <summary>Several lines: counts, accuracy, precision, recall, F1, ROC-AUC, log-loss, then the confusion matrix.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"""
        rows {Count} ({Positives} positive, {Negatives} negative), threshold {Threshold:G4}
        accuracy  {Accuracy:F4}
        precision {Precision:F4}
        recall    {Recall:F4}
        f1        {F1:F4}
        roc-auc   {RocAuc:F4}
        log-loss  {LogLoss:F4}
        {ConfusionMatrix}
        """);

    /// <summary>The 0/1 label of every row: the data's labels, or its single 0/1 target.</summary>
    private static int[] BinaryLabels<T>(Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.Labels is { } labels)
        {
            return labels;
        }

        if (data.TargetCount != 1)
        {
            throw new ArgumentException("The data have no class labels: binary metrics need Dataset.Labels or one 0/1 target per row.", nameof(data));
        }

        var derived = new int[data.Count];
        for (int i = 0; i < derived.Length; i++)
        {
            T y = data.Targets[i];
            derived[i] = y == T.Zero ? 0 : y == T.One ? 1
                : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The target of row {i} is {double.CreateChecked(y)}, not 0 or 1."), nameof(data));
        }

        return derived;
    }

    private static void CheckLengths(int rows, ReadOnlySpan<int> labels)
    {
        if (rows != labels.Length)
        {
            throw new ArgumentException($"{rows} scores but {labels.Length} labels: give one of each per row.", nameof(labels));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The label of row {i} is {labels[i]}, not 0 or 1."), nameof(labels));
            }
        }
    }
}
