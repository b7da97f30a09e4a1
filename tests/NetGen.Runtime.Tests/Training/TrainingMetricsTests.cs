namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// Issue 12: training metrics accumulated during the training pass (FitOptions.TrainingMetricsPass null or false), the
/// inference pass over the training rows only on request (true).
/// </summary>
public sealed class TrainingMetricsTests
{
    private static Dataset<double> Classes()
    {
        var rng = new SplitMix64(21);
        var x = new double[150 * 2];
        var labels = new int[150];
        for (int s = 0; s < 150; s++)
        {
            labels[s] = s % 3;
            x[2 * s] = labels[s] + 0.8 * rng.NextGaussian();
            x[2 * s + 1] = -labels[s] + 0.8 * rng.NextGaussian();
        }

        var y = new double[150 * 3];
        for (int s = 0; s < 150; s++)
        {
            y[s * 3 + labels[s]] = 1;
        }

        return new Dataset<double>(x, y, 2, 3, labels);
    }

    private static readonly NetworkSpec Classifier = NetworkSpec.Input(2).Dense(8, Activation.Tanh).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);

    [Fact]
    public void With_no_learning_the_accumulated_metrics_equal_those_of_the_inference_pass()
    {
        // η = 0: every batch sees the same parameters, so the training pass's outputs are the inference pass's.
        Dataset<double> data = Classes();
        var inPass = new GenericNetwork<double>(Classifier, seed: 2);
        var pass = new GenericNetwork<double>(Classifier, seed: 2);
        var options = new FitOptions { Epochs = 2, BatchSize = 16 };
        TrainingHistory a = inPass.Fit(data, new Sgd<double>(0), options);
        TrainingHistory b = pass.Fit(data, new Sgd<double>(0), options with { TrainingMetricsPass = true });
        Assert.NotNull(a.Epochs[0].Train.Accuracy);
        Assert.InRange(a.Epochs[0].Train.Accuracy!.Value, 0.05, 0.95);   // an untrained network: neither all right nor all wrong
        Assert.Equal(b.Epochs[0].Train.Accuracy, a.Epochs[0].Train.Accuracy);
        Assert.Equal(b.Epochs[1].Train.Accuracy, a.Epochs[1].Train.Accuracy);
    }

    [Fact]
    public void Regression_metrics_are_accumulated_too()
    {
        (double[] x, double[] y) = CourseExampleTests.Quadratic(90, seed: 4);
        var data = new Dataset<double>(x, y, 2, 1);
        var spec = NetworkSpec.Input(2).Dense(6, Activation.Tanh).Dense(1).Build(Loss.MeanSquaredError);
        var inPass = new GenericNetwork<double>(spec, seed: 1);
        var pass = new GenericNetwork<double>(spec, seed: 1);
        Metrics a = inPass.Fit(data, new Sgd<double>(0), new FitOptions { Epochs = 1, BatchSize = 10 }).Epochs[0].Train;
        Metrics b = pass.Fit(data, new Sgd<double>(0), new FitOptions { Epochs = 1, BatchSize = 10, TrainingMetricsPass = true }).Epochs[0].Train;
        Assert.Equal(b.MeanSquaredError!.Value, a.MeanSquaredError!.Value, 12);
        Assert.Equal(b.R2!.Value, a.R2!.Value, 12);
    }

    [Fact]
    public void While_learning_the_accumulated_accuracy_is_that_of_each_batch_before_its_step()
    {
        // One batch per epoch: the accumulated accuracy of epoch e is the accuracy at the parameters before step e,
        // which is the inference pass's accuracy of epoch e − 1.
        Dataset<double> data = Classes();
        var inPass = new GenericNetwork<double>(Classifier, seed: 2);
        var pass = new GenericNetwork<double>(Classifier, seed: 2);
        var options = new FitOptions { Epochs = 6, BatchSize = 150, Shuffle = false };
        TrainingHistory a = inPass.Fit(data, new Adam<double>(0.05), options);
        TrainingHistory b = pass.Fit(data, new Adam<double>(0.05), options with { TrainingMetricsPass = true });
        for (int e = 1; e < 6; e++)
        {
            Assert.Equal(b.Epochs[e - 1].Train.Accuracy, a.Epochs[e].Train.Accuracy);
        }

        Assert.NotEqual(a.Epochs[0].Train.Accuracy, a.Epochs[5].Train.Accuracy);
    }

    [Fact]
    public void A_generated_network_accumulates_its_metrics_in_the_pass_from_the_outputs_it_keeps()
    {
        // η = 0 again: the outputs the generated network keeps for each batch (ITrainingOutputs) are its inference outputs.
        (double[] x, double[] y) = CourseExampleTests.Quadratic(60, seed: 4);
        var data = new Dataset<double>(x, y, 2, 1);
        var inPass = new QuadraticFitWide(seed: 1);
        Metrics a = inPass.Fit(data, new Sgd<double>(0), new FitOptions { Epochs = 1, BatchSize = 7 }).Epochs[0].Train;
        Metrics b = new QuadraticFitWide(seed: 1).Fit(data, new Sgd<double>(0), new FitOptions { Epochs = 1, BatchSize = 7, TrainingMetricsPass = true }).Epochs[0].Train;
        Assert.NotNull(a.R2);
        // the same outputs up to the last bits (a batch of 7 runs on scalar lanes, the inference pass mostly on vectors)
        Assert.True(Math.Abs(a.MeanSquaredError!.Value - b.MeanSquaredError!.Value) <= 1e-12 * b.MeanSquaredError.Value, $"MSE {a.MeanSquaredError} vs {b.MeanSquaredError}");
        Assert.True(Math.Abs(a.R2!.Value - b.R2!.Value) <= 1e-12 * Math.Abs(b.R2!.Value), $"R² {a.R2} vs {b.R2}");
        Assert.False(((ITrainingOutputs<double>)inPass).KeepTrainingOutputs);   // Fit turned keeping on for its run only
    }

    [Fact]
    public void Without_training_metrics_nothing_is_accumulated()
    {
        (double[] x, double[] y) = CourseExampleTests.Quadratic(60, seed: 4);
        var data = new Dataset<double>(x, y, 2, 1);
        Metrics none = new QuadraticFitWide(seed: 1).Fit(data, new Adam<double>(0.01), new FitOptions { Epochs = 1, BatchSize = 10, TrainingMetrics = false }).Epochs[0].Train;
        Assert.Null(none.R2);
    }
}
