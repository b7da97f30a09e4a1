namespace NetGen.Runtime.Tests.Training;

/// <summary>The training loop: determinism, validation, early stopping, divergence, cancellation, diagnostics, allocations.</summary>
public sealed class TrainerTests
{
    private static Dataset<float> Blobs(int count, int seed, double noise = 0.6)
    {
        // Three Gaussian blobs in 4-D, one-hot targets.
        var rng = new SplitMix64((ulong)seed);
        var x = new float[count * 4];
        var y = new float[count * 3];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            int c = s % 3;
            labels[s] = c;
            y[s * 3 + c] = 1;
            for (int f = 0; f < 4; f++)
            {
                x[s * 4 + f] = (float)((f == c ? 2.0 : 0.0) + noise * rng.NextGaussian());
            }
        }

        return new Dataset<float>(x, y, 4, 3, labels);
    }

    private static NetworkSpec Classifier => NetworkSpec.Input(4).Dense(16, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);

    [Fact]
    public void Same_seed_gives_the_same_history_and_weights_bit_for_bit()
    {
        Dataset<float> data = Blobs(150, 1);
        NetworkSpec spec = NetworkSpec.Input(4).Dense(16, Activation.ReLU).Dropout(0.3).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);
        var options = new FitOptions { Epochs = 5, BatchSize = 16, Seed = 42, ValidationFraction = 0.2 };

        (TrainingHistory h1, float[] w1) = Train(new GenericNetwork<float>(spec, seed: 7));
        (TrainingHistory h2, float[] w2) = Train(new GenericNetwork<float>(spec, seed: 7));
        (TrainingHistory h3, float[] w3) = Train(new GenericNetwork<float>(spec, seed: 7), seed: 43);

        Assert.Equal(h1.Loss, h2.Loss);
        Assert.Equal(h1.ValidationLoss, h2.ValidationLoss);
        Assert.Equal(w1, w2);
        Assert.NotEqual(w1, w3);

        (TrainingHistory, float[]) Train(GenericNetwork<float> net, int? seed = null)
        {
            TrainingHistory history = net.Fit(data, new Adam<float>(0.01), options with { Seed = seed ?? options.Seed });
            return (history, net.Parameters.ToArray());
        }
    }

    [Fact]
    public void Generated_and_generic_networks_train_identically_up_to_rounding()
    {
        // The trainer only knows INetwork<T>: the digits network, generated and generic, from the same seed.
        var rng = new SplitMix64(5);
        var x = new float[200 * 64];
        var y = new float[200 * 10];
        var labels = new int[200];
        for (int s = 0; s < 200; s++)
        {
            labels[s] = s % 10;
            y[s * 10 + labels[s]] = 1;
            for (int f = 0; f < 64; f++)
            {
                x[s * 64 + f] = (float)(rng.NextGaussian() + (f % 10 == labels[s] ? 1.5 : 0));
            }
        }

        var data = new Dataset<float>(x, y, 64, 10, labels);
        var generated = new DigitsNet(seed: 3);
        var generic = new GenericNetwork<float>(generated.Spec, seed: 3);
        var options = new FitOptions { Epochs = 3, BatchSize = 32, Seed = 1 };
        TrainingHistory a = generated.Fit(data, new Adam<float>(1e-3), options);
        TrainingHistory b = generic.Fit(data, new Adam<float>(1e-3), options);
        for (int e = 0; e < 3; e++)
        {
            Assert.True(Compare.Relative(a.Loss[e], b.Loss[e]) < 1e-4, $"epoch {e + 1}: {a.Loss[e]} vs {b.Loss[e]}");
        }

        Assert.True(Compare.ScaledError(generated.Parameters, generic.Parameters) < 1e-4);
    }

    [Fact]
    public void Classification_reaches_high_accuracy_and_reports_metrics()
    {
        Dataset<float> data = Blobs(300, 2);
        var net = new GenericNetwork<float>(Classifier, seed: 1);
        var reports = new List<EpochReport>();
        TrainingHistory history = net.Fit(data, new Adam<float>(0.01), new FitOptions
        {
            Epochs = 20, BatchSize = 32, ValidationFraction = 0.2, Progress = new SyncProgress<EpochReport>(reports.Add), LayerDiagnostics = true,
        });

        Assert.Equal(20, reports.Count);
        EpochReport last = history.Epochs[^1];
        Assert.True(last.Train.Accuracy > 0.9, $"train accuracy {last.Train.Accuracy}");
        Assert.True(last.Validation!.Accuracy > 0.9, $"validation accuracy {last.Validation.Accuracy}");
        Assert.True(history.Loss[^1] < history.Loss[0]);
        Assert.Equal(2, last.Layers.Count);
        Assert.NotNull(last.Layers[0].DeadFraction);
        Assert.InRange(last.Layers[0].DeadFraction!.Value, 0, 1);
        Assert.True(last.Layers[0].GradientNorm > 0);
        Assert.True(last.SamplesPerSecond > 0);
    }

    [Fact]
    public void Regression_reports_mse_and_r2()
    {
        var rng = new SplitMix64(3);
        var x = new double[400 * 2];
        var y = new double[400];
        for (int s = 0; s < 400; s++)
        {
            double a = rng.NextDouble() * 2 - 1, b = rng.NextDouble() * 2 - 1;
            x[2 * s] = a;
            x[2 * s + 1] = b;
            y[s] = Math.Sin(2 * a) + b * b;
        }

        var data = new Dataset<double>(x, y, 2, 1);
        var net = new GenericNetwork<double>(NetworkSpec.Input(2).Dense(32, Activation.Tanh).Dense(1).Build(Loss.MeanSquaredError, Precision.Double), seed: 1);
        TrainingHistory history = net.Fit(data, new Adam<double>(0.01), new FitOptions { Epochs = 60, BatchSize = 32, ValidationFraction = 0.25 });
        Metrics validation = history.Epochs[^1].Validation!;
        Assert.True(validation.R2 > 0.95, $"R² {validation.R2}");
        Assert.True(validation.MeanSquaredError < 0.02, $"MSE {validation.MeanSquaredError}");

        // MSE is the mean of (a − y)² while the loss is ½ Σ (a − y)² per sample: for one output, loss = MSE / 2.
        Metrics again = net.Evaluate(data);
        Assert.Equal(again.MeanSquaredError!.Value / 2, again.Loss, 10);
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch()
    {
        // A tiny training set and a validation set from another distribution: validation loss soon rises.
        Dataset<float> train = Blobs(12, 3, noise: 0.2);
        Dataset<float> validation = Blobs(60, 4, noise: 2.5);
        var net = new GenericNetwork<float>(NetworkSpec.Input(4).Dense(64, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy), seed: 2);
        float[]? bestWeights = null;
        int epoch = 0;
        TrainingHistory history = net.Fit(train, new Adam<float>(0.05), new FitOptions
        {
            Epochs = 200, BatchSize = 4, EarlyStoppingPatience = 3,
            Progress = new SyncProgress<EpochReport>(r => { epoch = r.Epoch; }),
        }, validation);

        Assert.True(history.StoppedEarly, "training should stop early");
        Assert.True(history.Epochs.Count < 200);
        Assert.Equal(history.BestEpoch + 3, history.Epochs.Count);   // Keras: stop when `patience` epochs pass without improvement
        double best = history.ValidationLoss.Min();
        Assert.Equal(best, history.ValidationLoss[history.BestEpoch - 1]);
        Assert.True(history.RestoredBest);

        // The restored parameters give the best epoch's validation loss.
        Metrics restored = net.Evaluate(validation);
        Assert.Equal(best, restored.Loss, 5);
        bestWeights = net.Parameters.ToArray();
        Assert.NotNull(bestWeights);
    }

    [Fact]
    public void Divergence_names_epoch_step_and_layer_and_keeps_the_last_good_parameters()
    {
        // The lecture's exploding gradients: a deep sigmoid-free linear stack with a huge learning rate.
        var rng = new SplitMix64(9);
        var x = new float[64 * 3];
        var y = new float[64];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(10 * rng.NextGaussian());
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(100 * rng.NextGaussian());
        }

        var data = new Dataset<float>(x, y, 3, 1);
        var net = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(8).Dense(8).Dense(1).Build(Loss.MeanSquaredError), seed: 1);
        float[]? lastFinite = null;
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() =>
            net.Fit(data, new Sgd<float>(0.5), new FitOptions { Epochs = 50, BatchSize = 8 }));
        Assert.InRange(error.Epoch, 1, 50);
        Assert.True(error.Step >= 1);
        Assert.InRange(error.Layer, -1, 3);
        Assert.Contains($"epoch {error.Epoch}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"step {error.Step}", error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.Where));

        // The network holds finite parameters whose loss is finite.
        lastFinite = net.Parameters.ToArray();
        Assert.All(lastFinite, v => Assert.True(float.IsFinite(v)));
        net.ZeroGradients();
        Assert.True(float.IsFinite(net.BackwardBatch(x.AsSpan(0, 24), y.AsSpan(0, 8))));
    }

    [Fact]
    public void Plain_sgd_uses_the_fused_step_of_generated_networks_with_the_same_result()
    {
        (double[] x, double[] y) = CourseExampleTests.Quadratic(100, seed: 2);
        var fused = new QuadraticFitWide(seed: 1);
        var generic = new GenericNetwork<double>(fused.Spec, seed: 1);
        var options = new FitOptions { Epochs = 20, BatchSize = 10, Seed = 3, TrainingMetrics = false };
        TrainingHistory a = fused.Fit(new Dataset<double>(x, y, 2, 1), new Sgd<double>(0.1), options);
        TrainingHistory b = generic.Fit(new Dataset<double>(x, y, 2, 1), new Sgd<double>(0.1), options);
        for (int e = 0; e < 20; e++)
        {
            Assert.True(Compare.Relative(a.Loss[e], b.Loss[e]) < 1e-12, $"epoch {e + 1}: {a.Loss[e]} vs {b.Loss[e]}");
        }

        Assert.True(Compare.ScaledError(fused.Parameters, generic.Parameters) < 1e-12);
    }

    [Fact]
    public void Divergence_in_the_fused_step_keeps_the_last_good_parameters()
    {
        (double[] x, double[] y) = CourseExampleTests.Quadratic(100, seed: 2);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] *= 1e6;
        }

        var net = new QuadraticFitWide(seed: 1);
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() =>
            net.Fit(new Dataset<double>(x, y, 2, 1), new Sgd<double>(10), new FitOptions { Epochs = 100, BatchSize = 10 }));
        Assert.True(error.Step >= 1);
        Assert.All(net.Parameters.ToArray(), v => Assert.True(double.IsFinite(v)));
        net.ZeroGradients();
        Assert.True(double.IsFinite(net.BackwardBatch(x.AsSpan(0, 20), y.AsSpan(0, 10))));
    }

    [Fact]
    public void Non_finite_inputs_are_rejected_before_training_with_their_position()
    {
        var x = new float[] { 1, 2, float.NaN, 4 };
        var data = new Dataset<float>(x, [1f, 2f], 2, 1);
        var net = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(1).Build(Loss.MeanSquaredError));
        float[] before = net.Parameters.ToArray();
        ArgumentException error = Assert.Throws<ArgumentException>(() => net.Fit(data, new Sgd<float>(), new FitOptions { Epochs = 1 }));
        Assert.Contains("row 1, feature 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void Shape_mismatch_is_a_clear_error()
    {
        Dataset<float> data = Blobs(30, 1);
        var net = new GenericNetwork<float>(NetworkSpec.Input(5).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy));
        ArgumentException error = Assert.Throws<ArgumentException>(() => net.Fit(data, new Sgd<float>()));
        Assert.Contains("4 features per row", error.Message, StringComparison.Ordinal);
        Assert.Contains("5 inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_between_batches()
    {
        Dataset<float> data = Blobs(300, 1);
        var net = new GenericNetwork<float>(Classifier);
        using var cts = new CancellationTokenSource();
        int batches = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => net.Fit(data, new Sgd<float>(), new FitOptions
        {
            Epochs = 100,
            CancellationToken = cts.Token,
            BatchProgress = new SyncProgress<BatchProgress>(_ =>
            {
                if (++batches == 5)
                {
                    cts.Cancel();
                }
            }),
        }));
        Assert.Equal(5, batches);
    }

    [Fact]
    public void Schedules_penalties_and_clipping_apply()
    {
        Dataset<float> data = Blobs(90, 1);
        var net = new GenericNetwork<float>(Classifier, seed: 1);
        var rates = new List<double>();
        TrainingHistory history = net.Fit(data, new Sgd<float>(0.1), new FitOptions
        {
            Epochs = 3, BatchSize = 30, Schedule = new StepDecay(1, 0.5), L2 = 1e-3, ClipNorm = 1.0,
            Progress = new SyncProgress<EpochReport>(r => rates.Add(r.LearningRate)),
        });
        Assert.Equal([0.1, 0.05, 0.025], rates);

        // The reported loss includes the L2 penalty: it exceeds the unpenalized loss of the same parameters.
        var plain = new GenericNetwork<float>(Classifier, seed: 1);
        TrainingHistory unpenalized = plain.Fit(data, new Sgd<float>(0.1), new FitOptions { Epochs = 1, BatchSize = 30, Schedule = new StepDecay(1, 0.5), ClipNorm = 1.0 });
        Assert.True(history.Loss[0] > unpenalized.Loss[0]);
    }

    [Fact]
    public void A_training_step_allocates_nothing()
    {
        // Generated and generic networks, BackwardBatch + optimizer step, after warm-up.
        var generated = new DigitsNet(seed: 1);
        var generic = new GenericNetwork<float>(generated.Spec, seed: 1);
        var x = new float[32 * 64];
        var y = new float[32 * 10];
        for (int s = 0; s < 32; s++)
        {
            y[s * 10 + s % 10] = 1;
            x[s * 64 + s] = 1;
        }

        foreach (INetwork<float> net in new INetwork<float>[] { generated, generic })
        {
            var adam = new Adam<float>();
            adam.Bind(net.Spec);
            var output = new float[32 * 10];
            for (int i = 0; i < 3; i++)
            {
                net.ZeroGradients();
                net.BackwardBatch(x, y);
                adam.Step(net.Parameters, net.Gradients);
                net.ForwardBatch(x, output);
                net.Forward(x.AsSpan(0, 64), output.AsSpan(0, 10));
                net.Backward(x.AsSpan(0, 64), y.AsSpan(0, 10));
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                net.ZeroGradients();
                net.BackwardBatch(x, y);
                adam.Step(net.Parameters, net.Gradients);
                net.ForwardBatch(x, output);
                net.Forward(x.AsSpan(0, 64), output.AsSpan(0, 10));
                net.Backward(x.AsSpan(0, 64), y.AsSpan(0, 10));
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>An IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
