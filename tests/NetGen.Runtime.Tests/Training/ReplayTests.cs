namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// Issue 12, the divergence guarantee without a copy per step: a network with a user-written activation or loss has
/// no bound on its next pass, so its fused steps are not copied one by one; a copy every few steps of an epoch (and at
/// its last step) and a replay of the steps since give the start of the step before a pass that overflowed. The replay
/// must land on the bits the training had, with dropout, sample weights, two cores and every optimizer.
/// </summary>
public sealed class ReplayTests
{
    /// <summary>ℓ = e^{10a} with a derivative that says −1: descent drives a up until the loss overflows, its gradient never.</summary>
    private static readonly CustomLoss Runaway = new("runaway", (a, y) => Math.Exp(10 * a), (a, y) => -1, (a, y) => MathF.Exp(10 * a), (a, y) => -1);

    private static readonly CustomActivation Softsign = new("softsign", z => z / (1 + Math.Abs(z)), z => 1 / ((1 + Math.Abs(z)) * (1 + Math.Abs(z))),
        z => z / (1 + MathF.Abs(z)), z => 1 / ((1 + MathF.Abs(z)) * (1 + MathF.Abs(z))));

    private static Dataset<float> Data(int rows, int inputs, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[rows * inputs];
        var y = new float[rows];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)Math.Tanh(x[i * inputs]);
        }

        return new Dataset<float>(x, y, inputs, 1);
    }

    /// <summary>Asks to stop after <paramref name="steps"/> steps: a callback of the user's, so this run copies every step.</summary>
    private sealed class StopAfter(long steps) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchProgress batch)
        {
            if (context.Steps >= steps)
            {
                context.RequestStop($"{steps} steps");
            }
        }
    }

    public static TheoryData<string, double, int, bool> Runs() => new()
    {
        // optimizer, η, batch, dropout and sample weights
        { "sgd", 0.01, 4, false },
        { "adam", 0.01, 4, false },
        { "momentum", 0.004, 3, true },
        { "rmsprop", 0.01, 5, true },
        { "adamw", 0.01, 4, true },
        { "nesterov", 0.004, 64, false },   // 64-row batches: the two cores' halves
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void A_pass_that_overflows_mid_epoch_gives_back_the_parameters_of_the_step_before_it(string optimizer, double eta, int batch, bool dropoutAndWeights)
    {
        NetworkSpecBuilder builder = NetworkSpec.Input(3).Dense(70, Activation.Tanh);
        builder = dropoutAndWeights ? builder.Dropout(0.2) : builder;
        NetworkSpec spec = builder.Dense(1).Build(Runaway);
        Dataset<float> data = Data(batch * 40, 3, seed: batch);
        double[]? weights = dropoutAndWeights ? Enumerable.Range(0, data.Count).Select(i => 0.5 + i % 3).ToArray() : null;
        FitOptions Options(int epochs) => new()
        {
            Epochs = epochs, BatchSize = batch, Seed = 4, TrainingMetrics = false, SampleWeights = weights,
        };

        var net = new GenericNetwork<float>(spec, seed: 2);
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() =>
            net.Fit(data, NetGen.Optimizers.Create<float>(optimizer, eta), Options(1000)));
        Assert.True(error.Message.Contains("loss became NaN or infinite", StringComparison.Ordinal) ||
            error.Message.Contains("loss or gradient became NaN or infinite", StringComparison.Ordinal), error.Message);
        Assert.Contains("the last step whose loss and gradients were finite", error.Message, StringComparison.Ordinal);
        TrainingHistory history = error.History!;
        Assert.Equal(0, history.GuardedSteps);
        Assert.True(history.ReplayCopies > 0);
        Assert.True(history.ReplayCopies < error.KeptStep / 8, $"{history.ReplayCopies} copies in {error.KeptStep} steps");

        // the same training, stopped by a callback after KeptStep steps (so copied step by step, never replayed)
        var reference = new GenericNetwork<float>(spec, seed: 2);
        TrainingHistory stopped = reference.Fit(data, NetGen.Optimizers.Create<float>(optimizer, eta),
            Options(1000) with { Callbacks = [new StopAfter(error.KeptStep)] });
        Assert.Equal(0, stopped.ReplayCopies);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(reference.RandomState, net.RandomState);
    }

    [Fact]
    public void A_replay_that_does_not_give_the_first_run_s_losses_says_so()
    {
        // a loss that is not a function of (a, y) alone: each call weighs a little more
        long calls = 0;
        var drifting = new CustomLoss("drifting", (a, y) => Math.Exp(10 * a) * (1 + 1e-4 * calls++), (a, y) => -1,
            (a, y) => MathF.Exp(10 * a) * (1 + 1e-4f * calls++), (a, y) => -1);
        NetworkSpec spec = NetworkSpec.Input(3).Dense(8, Activation.Tanh).Dense(1).Build(drifting);
        Dataset<float> data = Data(4 * 40, 3, seed: 3);
        var net = new GenericNetwork<float>(spec, seed: 2);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() =>
            net.Fit(data, new Sgd<float>(0.01), new FitOptions { Epochs = 1000, BatchSize = 4, TrainingMetrics = false }));
        Assert.Contains("did not give the result it gave the first time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_written_activation_trains_with_a_copy_every_few_steps_and_the_same_parameters()
    {
        NetworkSpec spec = NetworkSpec.Input(5).Dense(12, Softsign).Dense(1).Build(Loss.MeanSquaredError);
        Dataset<float> data = Data(400, 5, seed: 9);
        var options = new FitOptions { Epochs = 3, BatchSize = 8, Seed = 1, TrainingMetrics = false };
        var replayed = new GenericNetwork<float>(spec, seed: 3);
        TrainingHistory a = replayed.Fit(data, new Adam<float>(0.01), options);
        var copied = new GenericNetwork<float>(spec, seed: 3);
        TrainingHistory b = copied.Fit(data, new Adam<float>(0.01), options with { Callbacks = [new StopAfter(long.MaxValue)] });

        Assert.Equal(copied.Parameters.ToArray(), replayed.Parameters.ToArray());
        Assert.Equal(0, a.GuardedSteps);
        // 50 steps per epoch: a copy at the first, every 32nd and the last step of each epoch
        Assert.Equal(3 * 3, a.ReplayCopies);
        Assert.Equal(3 * 50, b.GuardedSteps);
        Assert.Equal(0, b.ReplayCopies);
    }

    [Fact]
    public void A_generated_network_with_a_user_written_activation_is_replayed_too()
    {
        var rng = new SplitMix64(6);
        int rows = 64 * 5;
        var x = new float[rows * 60];
        var y = new float[rows * 3];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int s = 0; s < rows; s++)
        {
            y[s * 3 + (x[s * 60] > 0 ? 1 : 0)] = 1;
        }

        var data = new Dataset<float>(x, y, 60, 3);
        var options = new FitOptions { Epochs = 2, BatchSize = 16, Seed = 1, TrainingMetrics = false };
        var replayed = new CustomFirstLayer(seed: 2);
        TrainingHistory a = replayed.Fit(data, new Adam<float>(0.005), options);
        var copied = new CustomFirstLayer(seed: 2);
        copied.Fit(data, new Adam<float>(0.005), options with { Callbacks = [new StopAfter(long.MaxValue)] });
        Assert.Equal(copied.Parameters.ToArray(), replayed.Parameters.ToArray());
        Assert.Equal(0, a.GuardedSteps);
        Assert.Equal(2 * 2, a.ReplayCopies);   // 20 steps per epoch: the first and the last
    }

    [Theory]
    [InlineData(1.3, 4)]
    [InlineData(1.4, 4)]
    [InlineData(2.0, 16)]
    [InlineData(3.0, 16)]
    [InlineData(1.0, 1)]
    [InlineData(1.4, 1)]
    public void Plain_SGD_s_one_pass_step_that_diverges_gives_back_what_the_copy_per_step_gave(double eta, int batch)
    {
        // targets of 10⁴ and a learning rate past the stable one: the parameters grow step by step until the update or
        // the loss overflows, tens of steps in, in the middle of an epoch
        var rng = new SplitMix64(4);
        var x = new float[400 * 2];
        var y = new float[400];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(1e4 * rng.NextGaussian());
        }

        var data = new Dataset<float>(x, y, 2, 1);
        var options = new FitOptions { Epochs = 100, BatchSize = batch, Seed = 2, TrainingMetrics = false };
        var net = new QuadraticFit(seed: 1);
        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() => net.Fit(data, new Sgd<float>(eta), options));
        Assert.True(error.KeptStep >= 40, error.Message);
        Assert.True(error.History!.ReplayCopies < error.KeptStep, $"{error.History.ReplayCopies} copies in {error.KeptStep} steps");

        var reference = new QuadraticFit(seed: 1);
        TrainingDivergedException again = Assert.Throws<TrainingDivergedException>(() =>
            reference.Fit(data, new Sgd<float>(eta), options with { Callbacks = [new StopAfter(long.MaxValue)] }));
        Assert.Equal(again.Message, error.Message);
        Assert.Equal(0, again.History!.ReplayCopies);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.All(net.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Plain_SGD_s_one_pass_step_on_two_cores_trains_as_with_a_copy_per_step()
    {
        var rng = new SplitMix64(8);
        int rows = 64 * 7 + 5;
        var x = new float[rows * 130];
        var y = new float[rows * 3];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int s = 0; s < rows; s++)
        {
            y[s * 3 + (x[s * 130] + x[s * 130 + 1] > 0 ? 2 : 0)] = 1;
        }

        var data = new Dataset<float>(x, y, 130, 3);
        var options = new FitOptions { Epochs = 3, BatchSize = 64, Seed = 1, TrainingMetrics = false };
        var replayed = new SplitFirstLayer(seed: 4);
        TrainingHistory a = replayed.Fit(data, new Sgd<float>(0.05), options);
        var copied = new SplitFirstLayer(seed: 4);
        TrainingHistory b = copied.Fit(data, new Sgd<float>(0.05), options with { Callbacks = [new StopAfter(long.MaxValue)] });
        Assert.Equal(copied.Parameters.ToArray(), replayed.Parameters.ToArray());
        Assert.Equal(3 * 2, a.ReplayCopies);   // 8 steps per epoch: the first and the last
        Assert.Equal(0, b.ReplayCopies);
    }
}
