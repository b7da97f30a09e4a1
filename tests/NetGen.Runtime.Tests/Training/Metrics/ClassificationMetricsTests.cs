namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// The confusion matrix and the classification report against values derived by hand from scikit-learn's
/// definitions (precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN), macro and weighted means, zero_division).
/// </summary>
public sealed class ClassificationMetricsTests
{
    private const double Tolerance = 1e-12;

    // Ten rows, three classes. Row = true class, column = predicted:
    //   true 0: [2 1 1]   (support 4)
    //   true 1: [1 2 0]   (support 3)
    //   true 2: [0 0 3]   (support 3)
    // column sums (predicted counts) 3, 3, 4.
    private static readonly int[] Actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    private static readonly int[] Predicted = [0, 0, 1, 2, 1, 1, 0, 2, 2, 2];

    [Fact]
    public void Confusion_matrix_has_true_classes_in_rows_and_predictions_in_columns()
    {
        ConfusionMatrix m = ConfusionMatrix.FromLabels(Actual, Predicted, 3, ["a", "b", "c"]);
        long[,] expected = { { 2, 1, 1 }, { 1, 2, 0 }, { 0, 0, 3 } };
        Assert.Equal(expected, m.ToArray());
        Assert.Equal(10, m.Total);
        Assert.Equal(7, m.Correct);
        Assert.Equal(0.7, m.Accuracy, Tolerance);
        Assert.Equal([4L, 3, 3], Enumerable.Range(0, 3).Select(m.Support));
        Assert.Equal([3L, 3, 4], Enumerable.Range(0, 3).Select(m.PredictedCount));
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(0, m[1, 2]);
    }

    [Fact]
    public void Confusion_matrix_prints_a_table_with_the_class_names()
    {
        ConfusionMatrix m = ConfusionMatrix.FromLabels(Actual, Predicted, 3, ["setosa", "versicolor", "virginica"]);
        string[] lines = m.ToString().Split(Environment.NewLine);
        Assert.Equal(4, lines.Length);
        Assert.Equal(["true \\ predicted", "setosa", "versicolor", "virginica"], lines[0].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(["versicolor", "1", "2", "0"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // Right-aligned columns: every line has the same length.
        Assert.All(lines, line => Assert.Equal(lines[0].Length, line.Length));
    }

    [Fact]
    public void Per_class_and_averaged_metrics_match_the_definitions()
    {
        ClassificationReport r = ClassificationReport.FromLabels(Actual, Predicted, 3);

        // Class 0: TP 2, predicted 3, support 4.  Class 1: TP 2, 3, 3.  Class 2: TP 3, 4, 3.
        double[] precision = [2.0 / 3, 2.0 / 3, 3.0 / 4];
        double[] recall = [2.0 / 4, 2.0 / 3, 3.0 / 3];
        double[] f1 = [4.0 / 7, 4.0 / 6, 6.0 / 7];
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(precision[c], r.Classes[c].Precision, Tolerance);
            Assert.Equal(recall[c], r.Classes[c].Recall, Tolerance);
            Assert.Equal(f1[c], r.Classes[c].F1, Tolerance);
            // F1 is the harmonic mean of precision and recall whenever both are defined.
            Assert.Equal(2 * precision[c] * recall[c] / (precision[c] + recall[c]), r.Classes[c].F1, Tolerance);
        }

        Assert.Equal([4L, 3, 3], r.Classes.Select(c => c.Support));
        Assert.Equal(0.7, r.Accuracy, Tolerance);
        Assert.Equal(25.0 / 36, r.MacroAverage.Precision, Tolerance);
        Assert.Equal(13.0 / 18, r.MacroAverage.Recall, Tolerance);
        Assert.Equal(44.0 / 63, r.MacroAverage.F1, Tolerance);
        Assert.Equal(83.0 / 120, r.WeightedAverage.Precision, Tolerance);
        Assert.Equal(0.7, r.WeightedAverage.Recall, Tolerance); // the support-weighted recall is the accuracy
        Assert.Equal(24.0 / 35, r.WeightedAverage.F1, Tolerance);
        Assert.Equal(10, r.MacroAverage.Support);
        Assert.Equal(10, r.WeightedAverage.Support);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Zero_division_sets_undefined_ratios_and_the_averages_follow_sklearn(double zd)
    {
        // Three classes; class 1 occurs but is never predicted, class 2 neither occurs nor is predicted.
        //   true 0: [2 0 0]; true 1: [2 0 0]; true 2: [0 0 0].
        ClassificationReport r = ClassificationReport.FromLabels([0, 0, 1, 1], [0, 0, 0, 0], 3, zd);
        Assert.Equal(0.5, r.Classes[0].Precision, Tolerance);
        Assert.Equal(1.0, r.Classes[0].Recall, Tolerance);
        Assert.Equal(4.0 / 6, r.Classes[0].F1, Tolerance);
        Assert.Equal(zd, r.Classes[1].Precision);      // TP + FP = 0
        Assert.Equal(0.0, r.Classes[1].Recall);        // 0 / 2
        Assert.Equal(0.0, r.Classes[1].F1);            // 0 / (2 + 0): defined, so not zero_division
        Assert.Equal(zd, r.Classes[2].Precision);
        Assert.Equal(zd, r.Classes[2].Recall);
        Assert.Equal(zd, r.Classes[2].F1);
        Assert.False(r.Classes[2].Present);
        Assert.Equal(0.5, r.Accuracy, Tolerance);

        // sklearn's labels=None: the averages are over classes 0 and 1; NaN entries are dropped (_nanaverage).
        double macroPrecision = double.IsNaN(zd) ? 0.5 : (0.5 + zd) / 2;
        Assert.Equal(macroPrecision, r.MacroAverage.Precision, Tolerance);
        Assert.Equal(0.5, r.MacroAverage.Recall, Tolerance);
        Assert.Equal(1.0 / 3, r.MacroAverage.F1, Tolerance);
        Assert.Equal(macroPrecision, r.WeightedAverage.Precision, Tolerance); // supports 2 and 2
        Assert.Equal(4, r.MacroAverage.Support);

        // labels=range(3): class 2 joins the averages with its zero_division values (weight 0 in the weighted one).
        ClassificationReport all = ClassificationReport.FromLabels([0, 0, 1, 1], [0, 0, 0, 0], 3, zd, averageOverAllClasses: true);
        double allPrecision = double.IsNaN(zd) ? 0.5 : (0.5 + 2 * zd) / 3;
        double allRecall = double.IsNaN(zd) ? 0.5 : (1.0 + zd) / 3;
        Assert.Equal(allPrecision, all.MacroAverage.Precision, Tolerance);
        Assert.Equal(allRecall, all.MacroAverage.Recall, Tolerance);
        Assert.Equal(macroPrecision, all.WeightedAverage.Precision, Tolerance);
    }

    [Fact]
    public void Report_prints_like_sklearn_and_skips_absent_classes()
    {
        ClassificationReport r = ClassificationReport.FromLabels(Actual, Predicted, 3, classNames: ["cat", "dog", "absent-never"]);
        string text = r.ToString();
        string[] lines = text.Split(Environment.NewLine);
        Assert.Contains("precision", lines[0], StringComparison.Ordinal);
        Assert.Equal(["cat", "0.6667", "0.5000", "0.5714", "4"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["accuracy", "0.7000", "10"]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("macro avg", StringComparison.Ordinal) && l.Contains("0.6944", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("weighted avg", StringComparison.Ordinal) && l.Contains("0.6917", StringComparison.Ordinal));

        ClassificationReport missing = ClassificationReport.FromLabels([0, 1], [0, 1], 3, classNames: ["a", "b", "never-seen"]);
        Assert.DoesNotContain("never-seen", missing.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_is_refused_with_the_row()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromLabels([0, 1, 3], [0, 1, 1], 3));
        Assert.Contains("Row 2 has class 3", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromLabels([0, 1], [0], 2));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromLabels([0, -1], [0, 0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationReport.FromLabels([0], [0], 2, zeroDivision: 0.5));
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix(2, ["only one"]));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromCounts([[1L, 2], [3L]]));
    }

    [Fact]
    public void From_counts_round_trips()
    {
        ConfusionMatrix m = ConfusionMatrix.FromLabels(Actual, Predicted, 3);
        long[,] grid = m.ToArray();
        ConfusionMatrix copy = ConfusionMatrix.FromCounts(
            Enumerable.Range(0, 3).Select(i => (IReadOnlyList<long>)Enumerable.Range(0, 3).Select(j => grid[i, j]).ToArray()).ToArray());
        Assert.Equal(grid, copy.ToArray());
        Assert.Equal(m.Total, copy.Total);
        Assert.Equal(ClassificationReport.FromConfusionMatrix(m).MacroAverage, ClassificationReport.FromConfusionMatrix(copy).MacroAverage);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(700)] // more than one chunk of 256 rows
    public void Network_report_equals_the_report_of_its_predicted_classes(int rows)
    {
        NetworkSpec spec = NetworkSpec.Input(3).Dense(8, Activation.Tanh).Dense(4, Activation.Softmax).Build(Loss.CrossEntropy);
        var network = new GenericNetwork<double>(spec, seed: 3);
        Dataset<double> data = RandomClasses(rows, 3, 4, seed: rows);

        ClassificationReport report = ClassificationReport.Compute(network, data);
        int[] predicted = network.PredictClasses(data.Features);
        ClassificationReport expected = ClassificationReport.FromLabels(data.Labels!, predicted, 4);
        Assert.Equal(expected.ConfusionMatrix.ToArray(), report.ConfusionMatrix.ToArray());
        Assert.Equal(expected.MacroAverage, report.MacroAverage);
        Assert.Equal(network.Evaluate(data).Accuracy!.Value, report.Accuracy, Tolerance);
        Assert.Equal(data.ClassNames, report.ConfusionMatrix.ClassNames);
        Assert.Equal(rows, report.Count);
    }

    [Fact]
    public void A_single_sigmoid_output_gives_two_classes()
    {
        NetworkSpec spec = NetworkSpec.Input(3).Dense(5, Activation.ReLU).Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy);
        var network = new GenericNetwork<float>(spec, seed: 1);
        Dataset<double> classes = RandomClasses(300, 3, 2, seed: 9);
        var data = new Dataset<float>(
            classes.Features.Select(v => (float)v).ToArray(), classes.Labels!.Select(l => (float)l).ToArray(), 3, 1, classes.Labels);
        ConfusionMatrix m = ConfusionMatrix.Compute(network, data);
        Assert.Equal(2, m.ClassCount);
        Assert.Equal(network.Evaluate(data).Accuracy!.Value, m.Accuracy, Tolerance);
    }

    [Fact]
    public void Regression_data_or_a_wrong_shape_is_refused()
    {
        NetworkSpec spec = NetworkSpec.Input(3).Dense(4, Activation.Softmax).Build(Loss.CrossEntropy);
        var network = new GenericNetwork<double>(spec);
        var unlabelled = new Dataset<double>(new double[6], new double[8], 3, 4);
        Assert.Contains("no class labels", Assert.Throws<ArgumentException>(() => ClassificationReport.Compute(network, unlabelled)).Message, StringComparison.Ordinal);
        Dataset<double> narrow = RandomClasses(5, 2, 4, seed: 1);
        Assert.Throws<ArgumentException>(() => ClassificationReport.Compute(network, narrow));
    }

    [Fact]
    public void Computing_from_a_network_allocates_nothing_per_row()
    {
        NetworkSpec spec = NetworkSpec.Input(3).Dense(8, Activation.Tanh).Dense(4, Activation.Softmax).Build(Loss.CrossEntropy);
        var network = new GenericNetwork<double>(spec, seed: 3);
        Dataset<double> small = RandomClasses(600, 3, 4, seed: 1);
        Dataset<double> large = RandomClasses(6000, 3, 4, seed: 2);
        ClassificationReport.Compute(network, small);
        ClassificationReport.Compute(network, large);
        RegressionReport.Compute(network, small);
        RegressionReport.Compute(network, large);

        long Bytes(Action action)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long classificationSmall = Bytes(() => ClassificationReport.Compute(network, small));
        long classificationLarge = Bytes(() => ClassificationReport.Compute(network, large));
        long regressionSmall = Bytes(() => RegressionReport.Compute(network, small));
        long regressionLarge = Bytes(() => RegressionReport.Compute(network, large));
        // Ten times the rows, (almost) the same allocations: buffers are per chunk, not per row.
        Assert.True(classificationLarge - classificationSmall < 1024, $"{classificationSmall} B for 600 rows, {classificationLarge} B for 6000");
        Assert.True(regressionLarge - regressionSmall < 1024, $"{regressionSmall} B for 600 rows, {regressionLarge} B for 6000");
    }

    [Fact]
    public void No_rows_give_NaN_not_an_exception()
    {
        var network = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy));
        var empty = new Dataset<double>([], [], 3, 2, []);
        ClassificationReport c = ClassificationReport.Compute(network, empty);
        Assert.Equal(0, c.Count);
        Assert.True(double.IsNaN(c.Accuracy));
        Assert.True(double.IsNaN(c.MacroAverage.F1));
        BinaryReport b = BinaryReport.Compute(network, empty);
        Assert.True(double.IsNaN(b.RocAuc) && double.IsNaN(b.LogLoss));
        RegressionReport r = RegressionReport.Compute(network, empty);
        Assert.True(double.IsNaN(r.MeanSquaredError) && double.IsNaN(r.R2));
    }

    internal static Dataset<double> RandomClasses(int rows, int features, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = new double[rows * features];
        var y = new double[rows * classes];
        var labels = new int[rows];
        for (int s = 0; s < rows; s++)
        {
            labels[s] = rng.Next(classes);
            y[s * classes + labels[s]] = 1;
            for (int f = 0; f < features; f++)
            {
                x[s * features + f] = rng.NextDouble() * 4 - 2 + (f == labels[s] % features ? 1 : 0);
            }
        }

        return new Dataset<double>(x, y, features, classes, labels, Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray());
    }
}
