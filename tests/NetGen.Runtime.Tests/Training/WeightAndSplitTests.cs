namespace NetGen.Runtime.Tests.Training;

/// <summary>Issue 14: Keras's sample_weight / class_weight in Fit, and a stratified, seeded validation split by default.</summary>
public sealed class WeightAndSplitTests
{
    private static readonly NetworkSpec Regression = NetworkSpec.Input(3).Dense(5, Activation.Tanh).Dense(1).Build(Loss.MeanSquaredError, Precision.Double);

    private static Dataset<double> Rows(int count, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new double[count * 3];
        var y = new double[count];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int s = 0; s < count; s++)
        {
            y[s] = Math.Sin(x[3 * s]) + 0.5 * x[3 * s + 1] * x[3 * s + 2];
        }

        return new Dataset<double>(x, y, 3, 1);
    }

    [Fact]
    public void Weight_two_on_a_row_is_that_row_duplicated()
    {
        // Full-batch plain SGD. Keras divides the weighted loss by the batch size B, so weight 2 on row k over B rows is
        // the row duplicated over B + 1 rows with η scaled by B / (B + 1).
        const int n = 9, k = 4;
        Dataset<double> data = Rows(n, 1);
        int[] duplicated = [.. Enumerable.Range(0, n), k];
        Dataset<double> twice = data.Subset(duplicated);
        double[] weights = Enumerable.Repeat(1.0, n).ToArray();
        weights[k] = 2;

        var weighted = new GenericNetwork<double>(Regression, seed: 2);
        var copy = new GenericNetwork<double>(Regression, seed: 2);
        TrainingHistory a = weighted.Fit(data, new Sgd<double>(0.1 * n / (n + 1)), new FitOptions { Epochs = 20, BatchSize = n, SampleWeights = weights, Shuffle = false, TrainingMetrics = false });
        TrainingHistory b = copy.Fit(twice, new Sgd<double>(0.1), new FitOptions { Epochs = 20, BatchSize = n + 1, Shuffle = false, TrainingMetrics = false });
        Assert.True(Compare.ScaledError(weighted.Parameters, copy.Parameters) < 1e-13, $"{Compare.ScaledError(weighted.Parameters, copy.Parameters):E2}");

        // The reported loss is Σ wᵢ Cᵢ / B: (B + 1) / B times the duplicated data's mean loss.
        Assert.True(Compare.Relative(a.Loss[0], b.Loss[0] * (n + 1) / n) < 1e-13);

        // And the weights matter: unweighted training ends elsewhere.
        var plain = new GenericNetwork<double>(Regression, seed: 2);
        plain.Fit(data, new Sgd<double>(0.1 * n / (n + 1)), new FitOptions { Epochs = 20, BatchSize = n, Shuffle = false, TrainingMetrics = false });
        Assert.True(Compare.ScaledError(plain.Parameters, copy.Parameters) > 1e-6);
    }

    [Fact]
    public void Weight_zero_removes_a_row_and_mini_batches_with_dropout_stay_finite_and_deterministic()
    {
        const int n = 8;
        Dataset<double> data = Rows(n, 3);
        double[] weights = [1, 1, 0, 1, 1, 1, 1, 1];
        var weighted = new GenericNetwork<double>(Regression, seed: 2);
        var removed = new GenericNetwork<double>(Regression, seed: 2);
        weighted.Fit(data, new Sgd<double>(0.05 * n / (n - 1)), new FitOptions { Epochs = 10, BatchSize = n, SampleWeights = weights, Shuffle = false });
        removed.Fit(data.Subset([0, 1, 3, 4, 5, 6, 7]), new Sgd<double>(0.05), new FitOptions { Epochs = 10, BatchSize = n - 1, Shuffle = false });
        Assert.True(Compare.ScaledError(weighted.Parameters, removed.Parameters) < 1e-13);

        NetworkSpec dropout = NetworkSpec.Input(3).Dense(8, Activation.ReLU).Dropout(0.3).Dense(1).Build(Loss.MeanSquaredError, Precision.Double);
        Dataset<double> more = Rows(40, 4);
        double[] w = Enumerable.Range(0, 40).Select(i => 0.5 + i % 3).ToArray();
        double[] Train() { var net = new GenericNetwork<double>(dropout, seed: 1); net.Fit(more, new Adam<double>(0.01), new FitOptions { Epochs = 3, BatchSize = 8, SampleWeights = w, Seed = 2 }); return net.Parameters.ToArray(); }
        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void Class_weights_equal_the_sample_weights_of_each_rows_class()
    {
        Dataset<float> data = ResumeTests.Data(60, 2);
        NetworkSpec spec = NetworkSpec.Input(5).Dense(6, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);
        var classWeights = new Dictionary<int, double> { [0] = 2, [2] = 0.5 };   // class 1 not listed: weight 1
        double[] sample = data.Labels!.Select(c => c switch { 0 => 2.0, 2 => 0.5, _ => 1.0 }).ToArray();
        var byClass = new GenericNetwork<float>(spec, seed: 1);
        var bySample = new GenericNetwork<float>(spec, seed: 1);
        var options = new FitOptions { Epochs = 3, BatchSize = 16, Seed = 4, ValidationFraction = 0.2 };
        TrainingHistory a = byClass.Fit(data, new Adam<float>(0.01), options with { ClassWeights = classWeights });
        TrainingHistory b = bySample.Fit(data, new Adam<float>(0.01), options with { SampleWeights = sample });
        Assert.Equal(byClass.Parameters.ToArray(), bySample.Parameters.ToArray());
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(a.ValidationLoss, b.ValidationLoss);

        // Labels derived from one-hot targets when the dataset has none.
        var unlabeled = new Dataset<float>(data.Features, data.Targets, 5, 3);
        var derived = new GenericNetwork<float>(spec, seed: 1);
        derived.Fit(unlabeled, new Adam<float>(0.01), options with { ClassWeights = classWeights });
        Assert.Equal(byClass.Parameters.ToArray(), derived.Parameters.ToArray());
    }

    [Fact]
    public void Bad_weights_are_clear_errors()
    {
        Dataset<double> data = Rows(10, 1);
        var net = new GenericNetwork<double>(Regression);
        Assert.Contains("10 rows", Assert.Throws<ArgumentException>(() => net.Fit(data, new Sgd<double>(), new FitOptions { SampleWeights = [1, 2] })).Message, StringComparison.Ordinal);
        Assert.Contains("SampleWeights[1]", Assert.Throws<ArgumentException>(() => net.Fit(data, new Sgd<double>(), new FitOptions { SampleWeights = [1, -1, 1, 1, 1, 1, 1, 1, 1, 1] })).Message, StringComparison.Ordinal);
        Assert.Contains("class labels", Assert.Throws<ArgumentException>(() => net.Fit(data, new Sgd<double>(), new FitOptions { ClassWeights = new Dictionary<int, double> { [0] = 2 } })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => net.Fit(data, new Sgd<double>(), new FitOptions { SampleWeights = new double[10], ClassWeights = new Dictionary<int, double>() }));

        var batchNorm = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(4).BatchNorm().Dense(1).Build(Loss.MeanSquaredError, Precision.Double));
        double[] mixed = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1];
        Assert.Contains("batch normalization", Assert.Throws<ArgumentException>(() => batchNorm.Fit(data, new Sgd<double>(), new FitOptions { SampleWeights = mixed })).Message, StringComparison.Ordinal);
        batchNorm.Fit(data, new Sgd<double>(), new FitOptions { Epochs = 1, SampleWeights = Enumerable.Repeat(3.0, 10).ToArray() });
    }

    private static readonly Dataset<double> Iris = KnownDatasets.Iris<double>(KnownDatasets.FindDataDirectory());

    private static readonly NetworkSpec IrisSpec = NetworkSpec.Input(4).Dense(8, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double);

    [Fact]
    public void The_default_validation_split_of_the_sorted_iris_file_takes_every_class()
    {
        Assert.Equal(Enumerable.Range(0, 150).Select(i => i / 50), Iris.Labels!);   // the shipped file is sorted by class
        (Dataset<double> train, Dataset<double> validation, _) = Trainer.HoldOut(IrisSpec, Iris, null, new FitOptions { ValidationFraction = 0.2 });
        Assert.Equal(30, validation.Count);
        Assert.Equal([10, 10, 10], Enumerable.Range(0, 3).Select(c => validation.Labels!.Count(l => l == c)));
        Assert.Equal([40, 40, 40], Enumerable.Range(0, 3).Select(c => train.Labels!.Count(l => l == c)));

        // Keras's last rows: all virginica.
        (_, Dataset<double> last, _) = Trainer.HoldOut(IrisSpec, Iris, null, new FitOptions { ValidationFraction = 0.2, ValidationSplit = ValidationSplitMode.LastRows });
        Assert.All(last.Labels!, l => Assert.Equal(2, l));

        // Seeded: another seed picks other rows, the same seed the same ones.
        (_, Dataset<double> again, _) = Trainer.HoldOut(IrisSpec, Iris, null, new FitOptions { ValidationFraction = 0.2 });
        (_, Dataset<double> other, _) = Trainer.HoldOut(IrisSpec, Iris, null, new FitOptions { ValidationFraction = 0.2, Seed = 1 });
        Assert.Equal(validation.Features, again.Features);
        Assert.NotEqual(validation.Features, other.Features);

        // Through Fit: the validation accuracy is that of a three-class set (a single-class set would score 0 or 1 after a few epochs).
        var net = new GenericNetwork<double>(IrisSpec, seed: 1);
        TrainingHistory history = net.Fit(Iris, new Adam<double>(0.05), new FitOptions { Epochs = 30, BatchSize = 16, ValidationFraction = 0.2 });
        Assert.True(history.Epochs[^1].Validation!.Accuracy > 0.8, $"{history.Epochs[^1].Validation!.Accuracy}");
    }

    [Fact]
    public void Regression_splits_are_shuffled_by_default_and_stratified_needs_classes()
    {
        Dataset<double> data = Rows(50, 6);
        (_, Dataset<double> shuffled, _) = Trainer.HoldOut(Regression, data, null, new FitOptions { ValidationFraction = 0.2 });
        (_, Dataset<double> last, _) = Trainer.HoldOut(Regression, data, null, new FitOptions { ValidationFraction = 0.2, ValidationSplit = ValidationSplitMode.LastRows });
        Assert.Equal(data.Subset(Enumerable.Range(40, 10).ToArray()).Features, last.Features);
        Assert.NotEqual(last.Features, shuffled.Features);
        Assert.Contains("Stratified", Assert.Throws<ArgumentException>(() =>
            Trainer.HoldOut(Regression, data, null, new FitOptions { ValidationFraction = 0.2, ValidationSplit = ValidationSplitMode.Stratified })).Message, StringComparison.Ordinal);

        // Weights travel with their rows.
        double[] weights = Enumerable.Range(0, 50).Select(i => (double)i).ToArray();
        (Dataset<double> train, _, double[]? trainWeights) = Trainer.HoldOut(Regression, data, weights, new FitOptions { ValidationFraction = 0.2 });
        for (int i = 0; i < train.Count; i++)
        {
            int row = (int)trainWeights![i];
            Assert.Equal(data.FeatureRow(row).ToArray(), train.FeatureRow(i).ToArray());
        }
    }
}
