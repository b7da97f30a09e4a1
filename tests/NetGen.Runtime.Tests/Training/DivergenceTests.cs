namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// Issue 14: an update that overflows must never leave a non-finite parameter. Every optimizer, with and without
/// L1/L2/clipping, fused and unfused, including a learning rate that is finite in double but ∞ in float.
/// </summary>
public sealed class DivergenceTests
{
    /// <summary>4-8-1, 49 parameters, as measured in the issue; targets of 1000 make the gradients large.</summary>
    private static (Dataset<float> Data, NetworkSpec Spec) Problem()
    {
        var rng = new SplitMix64(11);
        var x = new float[32 * 4];
        var y = new float[32];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(1000 * rng.NextGaussian());
        }

        return (new Dataset<float>(x, y, 4, 1), NetworkSpec.Input(4).Dense(8, Activation.Tanh).Dense(1).Build(Loss.MeanSquaredError));
    }

    public static TheoryData<string, double, double, double, double?> Cases() => new()
    {
        // name, η, L1, L2, clip-norm
        { "sgd", 1e37, 0, 1e-3, null },        // the measurement: finite as float, the update overflows
        { "sgd", 1e39, 0, 1e-3, null },        // η itself is ∞ as a float
        { "sgd", 1e37, 1e-3, 0, null },
        { "sgd", 1e37, 0, 0, 1e6 },
        { "momentum", 1e37, 0, 0, null },      // the measurement
        { "momentum", 1e37, 0, 1e-3, null },
        { "nesterov", 1e37, 0, 0, null },
        { "adagrad", 1e39, 0, 0, null },
        { "rmsprop", 1e39, 0, 0, null },
        { "adam", 1e39, 0, 0, null },          // the measurement
        { "adam", 1e39, 0, 1e-3, 1e6 },
        { "adamw", 1e39, 0, 0, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_overflowing_update_throws_and_keeps_the_last_good_parameters(string optimizer, double eta, double l1, double l2, double? clip)
    {
        (Dataset<float> data, NetworkSpec spec) = Problem();
        var net = new GenericNetwork<float>(spec, seed: 3);
        float[] initial = net.Parameters.ToArray();

        // One full batch per epoch: the very first update overflows, so the last good parameters are the initial ones.
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() => net.Fit(
            data, NetGen.Optimizers.Create<float>(optimizer, eta), new FitOptions { Epochs = 3, BatchSize = 32, L1 = l1, L2 = l2, ClipNorm = clip }));

        Assert.All(net.Parameters.ToArray(), v => Assert.True(float.IsFinite(v), $"non-finite parameter {v}"));
        Assert.Equal(initial, net.Parameters.ToArray());
        Assert.Equal(1, error.Epoch);
        Assert.Equal(1, error.Step);
        Assert.InRange(error.Layer, 1, 2);
        Assert.Contains("update", error.Where, StringComparison.Ordinal);
        Assert.NotNull(error.History);
        Assert.Equal(TrainingStopReason.Diverged, error.History!.StopReason);
        Assert.Empty(error.History.Epochs);
    }

    [Theory]
    [InlineData("momentum", 1e12)]
    [InlineData("sgd", 1e14)]
    public void A_later_overflow_keeps_the_parameters_after_KeptStep_steps(string optimizer, double eta)
    {
        // Several batches per epoch: some steps succeed before training diverges; the network must equal a replay of
        // the same run stopped (by cancellation) after exactly KeptStep steps.
        (Dataset<float> data, NetworkSpec spec) = Problem();
        var net = new GenericNetwork<float>(spec, seed: 3);
        var options = new FitOptions { Epochs = 50, BatchSize = 4, Seed = 5 };
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() => net.Fit(data, NetGen.Optimizers.Create<float>(optimizer, eta), options));
        Assert.All(net.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.True(error.KeptStep >= 1, $"the first step already failed ({error.Message})");
        Assert.Contains($"after {error.KeptStep} step(s)", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Epoch - 1, error.History!.Epochs.Count);

        var replay = new GenericNetwork<float>(spec, seed: 3);
        using var cts = new CancellationTokenSource();
        long steps = 0;
        TrainingCanceledException cancelled = Assert.Throws<TrainingCanceledException>(() => replay.Fit(data, NetGen.Optimizers.Create<float>(optimizer, eta), options with
        {
            CancellationToken = cts.Token,
            BatchProgress = new SyncProgress<BatchProgress>(_ =>
            {
                if (++steps == error.KeptStep)
                {
                    cts.Cancel();
                }
            }),
        }));
        Assert.Equal(error.KeptStep, cancelled.Steps);
        Assert.Equal(replay.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(replay.RandomState, net.RandomState);
    }

    [Fact]
    public void The_fused_step_of_a_generated_float_network_keeps_the_last_good_parameters()
    {
        var rng = new SplitMix64(2);
        var x = new float[16 * 2];
        var y = new float[16];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = 1e4f;
        }

        var net = new QuadraticFit(seed: 1);
        float[] initial = net.Parameters.ToArray();
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() =>
            net.Fit(new Dataset<float>(x, y, 2, 1), new Sgd<float>(1e37), new FitOptions { Epochs = 2, BatchSize = 16 }));
        Assert.Equal(initial, net.Parameters.ToArray());
        Assert.Equal(1, error.Step);
        Assert.NotNull(error.History);
    }

    /// <summary>
    /// A user-written loss whose value overflows where its gradient does not (here ℓ = e^{10a} with a derivative that
    /// says −1, so descent drives a up): the pass bound cannot clear such a step, so the network must end at the last
    /// parameters whose loss was finite, not at those whose loss first overflowed.
    /// </summary>
    [Theory]
    [InlineData("sgd", 0.05)]
    [InlineData("adam", 0.05)]
    [InlineData("momentum", 0.02)]
    public void A_user_written_loss_that_overflows_keeps_the_last_parameters_whose_loss_was_finite(string optimizer, double eta)
    {
        var loss = new CustomLoss("runaway", (a, y) => Math.Exp(10 * a), (a, y) => -1, (a, y) => MathF.Exp(10 * a), (a, y) => -1);
        NetworkSpec spec = NetworkSpec.Input(2).Dense(4, Activation.Tanh).Dense(1).Build(loss);
        var rng = new SplitMix64(1);
        var x = new float[64 * 2];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        var data = new Dataset<float>(x, new float[64], 2, 1);
        foreach (bool fused in new[] { true, false })
        {
            var net = new GenericNetwork<float>(spec, seed: 2);
            TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() =>
                net.Fit(data, NetGen.Optimizers.Create<float>(optimizer, eta), new FitOptions { Epochs = 5000, BatchSize = 64, TrainingMetrics = false, FusedUpdate = fused }));
            Assert.Contains("the loss became NaN or infinite", error.Message, StringComparison.Ordinal);
            net.ZeroGradients();
            float kept = net.BackwardBatch(x, data.Targets);
            Assert.True(float.IsFinite(kept), $"fused = {fused}: the loss at the kept parameters is {kept} ({error.Message})");

            // and they are those the same training reaches after KeptStep steps
            var replay = new GenericNetwork<float>(spec, seed: 2);
            replay.Fit(data, NetGen.Optimizers.Create<float>(optimizer, eta), new FitOptions { Epochs = (int)error.KeptStep, BatchSize = 64, TrainingMetrics = false, FusedUpdate = fused });
            Assert.Equal(replay.Parameters.ToArray(), net.Parameters.ToArray());
        }
    }

    [Fact]
    public void A_learning_rate_that_is_infinite_in_float_is_named_in_the_message()
    {
        (Dataset<float> data, NetworkSpec spec) = Problem();
        var net = new GenericNetwork<float>(spec, seed: 3);
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() =>
            net.Fit(data, new Adam<float>(1e39), new FitOptions { Epochs = 1, BatchSize = 32 }));
        Assert.Contains("η = 1E+39", error.Message, StringComparison.Ordinal);
        Assert.Contains("float", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
