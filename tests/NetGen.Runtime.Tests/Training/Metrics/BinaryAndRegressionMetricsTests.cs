namespace NetGen.Runtime.Tests.Training;

/// <summary>ROC-AUC, log-loss, binary precision/recall/F1 and the regression metrics against values derived by hand.</summary>
public sealed class BinaryAndRegressionMetricsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Roc_auc_is_the_area_under_the_curve_of_the_sklearn_documentation()
    {
        // sklearn's roc_curve example: positives {0.35, 0.8}, negatives {0.1, 0.4}; 3 of the 4 pairs are ordered.
        Assert.Equal(0.75, BinaryReport.RocAucOf<double>([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), Tolerance);
    }

    [Fact]
    public void Roc_auc_counts_tied_scores_as_half()
    {
        // Positives {0.35, 0.8, 0.4}, negatives {0.1, 0.4, 0.4}. Pairs won: 0.35 beats 0.1 (1); 0.8 beats all (3);
        // 0.4 beats 0.1 and ties both 0.4s (1 + ½ + ½). 6 of 9. As the trapezoid: the tied group moves (FP, TP)
        // from (0, 1) to (2, 2) in one diagonal step, area 2·(1 + 2)/2 = 3, plus the last step 1·3 = 3.
        Assert.Equal(6.0 / 9, BinaryReport.RocAucOf<double>([0.1, 0.4, 0.35, 0.8, 0.4, 0.4], [0, 0, 1, 1, 0, 1]), Tolerance);
        // All scores tied: the diagonal, ½.
        Assert.Equal(0.5, BinaryReport.RocAucOf<float>([0.3f, 0.3f, 0.3f, 0.3f], [0, 1, 1, 0]), Tolerance);
        // Perfect and reversed rankings.
        Assert.Equal(1.0, BinaryReport.RocAucOf<double>([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), Tolerance);
        Assert.Equal(0.0, BinaryReport.RocAucOf<double>([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), Tolerance);
    }

    [Fact]
    public void Roc_auc_equals_the_pair_count_on_random_scores_with_ties()
    {
        var rng = new Random(4);
        int n = 500;
        double[] scores = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble(), 1)).ToArray(); // many ties
        int[] labels = Enumerable.Range(0, n).Select(i => rng.NextDouble() < scores[i] ? 1 : 0).ToArray();
        double won = 0;
        long pairs = 0;
        for (int p = 0; p < n; p++)
        {
            for (int q = 0; q < n; q++)
            {
                if (labels[p] == 1 && labels[q] == 0)
                {
                    pairs++;
                    won += scores[p] > scores[q] ? 1 : scores[p] == scores[q] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(won / pairs, BinaryReport.RocAucOf<double>(scores, labels), Tolerance);
    }

    [Fact]
    public void Roc_auc_is_undefined_with_one_class()
    {
        Assert.True(double.IsNaN(BinaryReport.RocAucOf<double>([0.1, 0.9], [1, 1])));
        Assert.True(double.IsNaN(BinaryReport.RocAucOf<double>([0.1, 0.9], [0, 0])));
        Assert.Throws<ArgumentException>(() => BinaryReport.RocAucOf<double>([0.1, double.NaN], [0, 1]));
        Assert.Throws<ArgumentException>(() => BinaryReport.RocAucOf<double>([0.1, 0.2], [0, 2]));
    }

    [Fact]
    public void Log_loss_matches_the_sklearn_documentation()
    {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) = 0.21616 (ham = 0, spam = 1).
        double expected = -(Math.Log(0.9) + Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.65)) / 4;
        double loss = BinaryReport.LogLossOf<double>([0.9, 0.1, 0.2, 0.65], [1, 0, 0, 1]);
        Assert.Equal(expected, loss, Tolerance);
        Assert.Equal(0.21616, loss, 5);
    }

    [Fact]
    public void Log_loss_clips_to_the_machine_epsilon_of_the_precision()
    {
        // p = 0 for a positive row and p = 1 for a negative one: −ln ε each; the other two rows −ln(1 − ε).
        double doubleEps = Math.Pow(2, -52), floatEps = Math.Pow(2, -23);
        Assert.Equal((-2 * Math.Log(doubleEps) - 2 * Math.Log(1 - doubleEps)) / 4,
            BinaryReport.LogLossOf<double>([0.0, 1.0, 1.0, 0.0], [1, 0, 1, 0]), 1e-9);
        Assert.Equal((-2 * Math.Log(floatEps) - 2 * Math.Log(1 - floatEps)) / 4,
            BinaryReport.LogLossOf<float>([0f, 1f, 1f, 0f], [1, 0, 1, 0]), 1e-9);
        Assert.Throws<ArgumentException>(() => BinaryReport.LogLossOf<double>([1.5], [1]));
        Assert.Throws<ArgumentException>(() => BinaryReport.LogLossOf<double>([double.NaN], [1]));
    }

    [Fact]
    public void Binary_report_counts_at_the_threshold()
    {
        // p ≥ 0.5 is positive: predicted [1, 1, 0, 0, 1] for true [1, 0, 1, 0, 0]: TP 1, FP 2, FN 1, TN 1.
        double[] p = [0.9, 0.6, 0.4, 0.2, 0.5];
        int[] y = [1, 0, 1, 0, 0];
        BinaryReport r = BinaryReport.FromProbabilities<double>(p, y);
        Assert.Equal(new long[,] { { 1, 2 }, { 1, 1 } }, r.ConfusionMatrix.ToArray());
        Assert.Equal(1.0 / 3, r.Precision, Tolerance);
        Assert.Equal(1.0 / 2, r.Recall, Tolerance);
        Assert.Equal(2.0 / 5, r.F1, Tolerance);
        Assert.Equal(2.0 / 5, r.Accuracy, Tolerance);
        Assert.Equal(2, r.Positives);
        Assert.Equal(3, r.Negatives);
        // Positives {0.9, 0.4} against negatives {0.6, 0.2, 0.5}: 3 + 1 of 6 pairs.
        Assert.Equal(4.0 / 6, r.RocAuc, Tolerance);
        Assert.Equal(-(Math.Log(0.9) + Math.Log(0.4) + Math.Log(0.4) + Math.Log(0.8) + Math.Log(0.5)) / 5, r.LogLoss, Tolerance);

        // A higher threshold: only 0.9 is positive: TP 1, FP 0, FN 1.
        BinaryReport strict = BinaryReport.FromProbabilities<double>(p, y, threshold: 0.7);
        Assert.Equal(1.0, strict.Precision, Tolerance);
        Assert.Equal(0.5, strict.Recall, Tolerance);
        Assert.Equal(r.RocAuc, strict.RocAuc);

        // Nothing predicted positive: precision is zero_division, F1 = 2·0/(0 + 0 + 2) = 0.
        BinaryReport none = BinaryReport.FromProbabilities<double>(p, y, threshold: 0.95, zeroDivision: 1);
        Assert.Equal(1.0, none.Precision);
        Assert.Equal(0.0, none.Recall);
        Assert.Equal(0.0, none.F1);
        Assert.Contains("roc-auc   0.6667", r.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_report_of_a_sigmoid_and_of_a_two_class_softmax_network()
    {
        Dataset<double> classes = ClassificationMetricsTests.RandomClasses(400, 3, 2, seed: 5);
        var sigmoid = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(6, Activation.Tanh).Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy), seed: 2);
        var binary = new Dataset<double>(classes.Features, classes.Labels!.Select(l => (double)l).ToArray(), 3, 1); // labels from the 0/1 targets
        BinaryReport r1 = BinaryReport.Compute(sigmoid, binary);
        double[] p1 = sigmoid.Predict(binary);
        Assert.Equal(BinaryReport.RocAucOf<double>(p1, classes.Labels), r1.RocAuc);
        Assert.Equal(BinaryReport.LogLossOf<double>(p1, classes.Labels), r1.LogLoss);
        Assert.Equal(sigmoid.Evaluate(new Dataset<double>(classes.Features, binary.Targets, 3, 1, classes.Labels)).Accuracy!.Value, r1.Accuracy, Tolerance);
        // Log-loss is the mean binary cross-entropy, the network's own loss (no row is near 0 or 1 here).
        Assert.Equal(sigmoid.Evaluate(binary).Loss, r1.LogLoss, 1e-9);

        var softmax = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(6, Activation.Tanh).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy), seed: 2);
        BinaryReport r2 = BinaryReport.Compute(softmax, classes);
        double[] outputs = softmax.Predict(classes);
        double[] p2 = Enumerable.Range(0, classes.Count).Select(i => outputs[2 * i + 1]).ToArray();
        Assert.Equal(BinaryReport.RocAucOf<double>(p2, classes.Labels), r2.RocAuc);
        Assert.Equal(softmax.Evaluate(classes).Loss, r2.LogLoss, 1e-9);
        Assert.Equal(softmax.Evaluate(classes).Accuracy!.Value, r2.Accuracy, Tolerance);

        var three = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy));
        Assert.Contains("one sigmoid output or two softmax outputs",
            Assert.Throws<ArgumentException>(() => BinaryReport.Compute(three, ClassificationMetricsTests.RandomClasses(4, 3, 3, 1))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regression_metrics_match_the_sklearn_documentation_examples()
    {
        // y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 8]: e = [−0.5, 0.5, 0, 1]; Σe² = 1.5, Σ|e| = 2; ȳ = 2.875, Σ(y − ȳ)² = 29.1875.
        RegressionReport r = RegressionReport.FromPredictions<double>([2.5, 0.0, 2, 8], [3, -0.5, 2, 7]);
        Assert.Equal(0.375, r.MeanSquaredError, Tolerance);
        Assert.Equal(Math.Sqrt(0.375), r.RootMeanSquaredError, Tolerance);
        Assert.Equal(0.5, r.MeanAbsoluteError, Tolerance);
        Assert.Equal(1 - 1.5 / 29.1875, r.R2, Tolerance);
        Assert.Equal(0.948608137, r.R2, 9); // sklearn's r2_score documentation

        // Two outputs, uniform_average: y = [[0.5, 1], [−1, 1], [7, −6]], ŷ = [[0, 2], [−1, 2], [8, −5]].
        // Output 0: e = [−0.5, 0, 1], Σe² = 1.25, Σ|e| = 1.5, Σ(y − ȳ)² = 108.5/3.  Output 1: e = [1, 1, 1], Σe² = 3, Σ|e| = 3, Σ(y − ȳ)² = 98/3.
        RegressionReport two = RegressionReport.FromPredictions<double>([0, 2, -1, 2, 8, -5], [0.5, 1, -1, 1, 7, -6], outputCount: 2);
        Assert.Equal((1.25 / 3 + 1) / 2, two.MeanSquaredError, Tolerance);                 // 0.708…
        Assert.Equal((Math.Sqrt(1.25 / 3) + 1) / 2, two.RootMeanSquaredError, Tolerance);  // 0.822…, not √0.708
        Assert.Equal((0.5 + 1) / 2, two.MeanAbsoluteError, Tolerance);
        Assert.Equal((1 - 3.75 / 108.5 + 1 - 9.0 / 98) / 2, two.R2, Tolerance);            // 0.936…
        Assert.Equal(1.25 / 3, two.MeanSquaredErrors[0], Tolerance);
        Assert.Equal(1.0, two.MeanSquaredErrors[1], Tolerance);
        Assert.Equal(1 - 9.0 / 98, two.R2s[1], Tolerance);
        Assert.Equal(2, two.OutputCount);
    }

    [Fact]
    public void R2_of_constant_targets_and_of_one_row_follows_sklearn()
    {
        Assert.Equal(1.0, RegressionReport.FromPredictions<double>([2, 2, 2], [2, 2, 2]).R2);
        Assert.Equal(0.0, RegressionReport.FromPredictions<double>([2, 2, 3], [2, 2, 2]).R2);
        Assert.True(double.IsNaN(RegressionReport.FromPredictions<double>([1], [2]).R2));
        // Welford's sum keeps R² exact under a large offset, where Σy² − (Σy)²/n loses every digit.
        RegressionReport shifted = RegressionReport.FromPredictions<double>([1e9 + 2.5, 1e9 + 0.0, 1e9 + 2, 1e9 + 8], [1e9 + 3, 1e9 - 0.5, 1e9 + 2, 1e9 + 7]);
        Assert.Equal(1 - 1.5 / 29.1875, shifted.R2, 1e-9);
        Assert.Throws<ArgumentException>(() => RegressionReport.FromPredictions<double>([1, 2, 3], [1, 2]));
        Assert.Throws<ArgumentException>(() => RegressionReport.FromPredictions<double>([1, 2, 3], [1, 2, 3], outputCount: 2));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(600)]
    public void Regression_report_of_a_network_agrees_with_evaluate(int rows)
    {
        var rng = new Random(rows);
        var network = new GenericNetwork<double>(NetworkSpec.Input(2).Dense(5, Activation.Tanh).Dense(2, Activation.Identity).Build(Loss.MeanSquaredError), seed: 4);
        double[] x = Enumerable.Range(0, rows * 2).Select(_ => rng.NextDouble()).ToArray();
        double[] y = Enumerable.Range(0, rows * 2).Select(_ => rng.NextDouble() * 3).ToArray();
        var data = new Dataset<double>(x, y, 2, 2);
        RegressionReport r = RegressionReport.Compute(network, data);
        Metrics m = network.Evaluate(data);
        Assert.Equal(m.MeanSquaredError!.Value, r.MeanSquaredError, 1e-12);
        Assert.Equal(m.R2!.Value, r.R2, 1e-9);
        RegressionReport raw = RegressionReport.FromPredictions<double>(network.Predict(data), y, 2);
        Assert.Equal(raw.MeanAbsoluteError, r.MeanAbsoluteError, Tolerance);
        Assert.Equal(raw.RootMeanSquaredError, r.RootMeanSquaredError, Tolerance);
        Assert.Equal(rows, r.Count);
    }
}
