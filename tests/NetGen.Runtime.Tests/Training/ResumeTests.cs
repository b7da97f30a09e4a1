using NetGen.Runtime.Tests.Data;

namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// Issue 14: a checkpoint holds everything a run needs — parameters, batch-norm statistics, optimizer moments and step
/// count, schedule position, shuffling and dropout generator states, epoch — so 3 epochs + checkpoint + 3 resumed
/// epochs on new objects equal 6 epochs straight, bit for bit.
/// </summary>
public sealed class ResumeTests
{
    /// <summary>Dropout and batch normalization: training behaviour that depends on the dropout generator and the running statistics.</summary>
    internal static NetworkSpec Spec { get; } = NetworkSpec.Input(5).Dropout(0.1).Dense(12, Activation.ReLU).BatchNorm().Dropout(0.3)
        .Dense(8, Activation.Tanh).BatchNorm().Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);

    internal static Dataset<float> Data(int count, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[count * 5];
        var y = new float[count * 3];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            int c = s % 3;
            labels[s] = c;
            y[s * 3 + c] = 1;
            for (int f = 0; f < 5; f++)
            {
                x[s * 5 + f] = (float)((f == c ? 1.5 : 0.0) + rng.NextGaussian());
            }
        }

        return new Dataset<float>(x, y, 5, 3, labels);
    }

    private static FitOptions Options(int epochs) => new()
    {
        Epochs = epochs, BatchSize = 16, Seed = 9, ValidationFraction = 0.2, L2 = 1e-4,
        Schedule = new LinearWarmup(10, new CosineAnnealing(60)),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_epochs_a_checkpoint_and_three_more_equal_six_straight_bit_for_bit(bool twoCores)
    {
        Dataset<float> data = Data(150, 4);
        bool saved = Parallelism.Enabled;
        using var folder = new TempDirectory();
        try
        {
            Parallelism.Enabled = twoCores;
            var straight = new GenericNetwork<float>(Spec, seed: 5);
            TrainingHistory six = straight.Fit(data, new Adam<float>(0.01), Options(6));

            var first = new GenericNetwork<float>(Spec, seed: 5);
            var checkpoint = new ModelCheckpoint(folder.PathOf("run-{epoch:02d}.ngckpt"));
            TrainingHistory three = first.Fit(data, new Adam<float>(0.01), Options(3) with { Callbacks = [checkpoint] });
            Assert.Equal(folder.PathOf("run-03.ngckpt"), checkpoint.LastSavedPath);
            Assert.Equal(six.Loss.Take(3), three.Loss);

            // New network (another initialization), new optimizer, checkpoint read back from disk.
            TrainingCheckpoint loaded = TrainingCheckpoint.Load(folder.PathOf("run-03.ngckpt"));
            Assert.Equal(3, loaded.Epoch);
            Assert.Equal("Adam", loaded.OptimizerKind);
            var resumed = new GenericNetwork<float>(Spec, seed: 77);
            TrainingHistory rest = resumed.Fit(data, new Adam<float>(0.01), Options(6) with { ResumeFrom = loaded });

            Assert.Equal(3, rest.InitialEpoch);
            Assert.Equal([4, 5, 6], rest.Epochs.Select(e => e.Epoch));
            Assert.Equal(six.Loss.Skip(3), rest.Loss);
            Assert.Equal(six.ValidationLoss.Skip(3), rest.ValidationLoss);
            Assert.Equal(six.Epochs[^1].Steps, rest.Epochs[^1].Steps);
            Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
            Assert.Equal(straight.State.ToArray(), resumed.State.ToArray());
            Assert.Equal(straight.RandomState, resumed.RandomState);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    [Fact]
    public void Resuming_without_the_optimizer_state_would_not_match()
    {
        // The test above can fail: continuing from the network alone (fresh Adam moments, step count, shuffle) differs.
        Dataset<float> data = Data(150, 4);
        var straight = new GenericNetwork<float>(Spec, seed: 5);
        straight.Fit(data, new Adam<float>(0.01), Options(6));

        TrainingCheckpoint? taken = null;
        var first = new GenericNetwork<float>(Spec, seed: 5);
        first.Fit(data, new Adam<float>(0.01), Options(3) with { Callbacks = [new Capture(c => taken = c.CreateCheckpoint())] });
        var naive = new GenericNetwork<float>(Spec, seed: 77);
        taken!.RestoreNetwork(naive);
        naive.Fit(data, new Adam<float>(0.01), Options(3));
        Assert.NotEqual(straight.Parameters.ToArray(), naive.Parameters.ToArray());
    }

    [Fact]
    public void Every_optimizer_resumes_bit_for_bit()
    {
        Dataset<float> data = Data(90, 2);
        foreach (string name in NetGen.Optimizers.Names)
        {
            var straight = new GenericNetwork<float>(Spec, seed: 1);
            straight.Fit(data, NetGen.Optimizers.Create<float>(name, 0.01), Options(4));
            TrainingCheckpoint? taken = null;
            var first = new GenericNetwork<float>(Spec, seed: 1);
            first.Fit(data, NetGen.Optimizers.Create<float>(name, 0.01), Options(2) with { Callbacks = [new Capture(c => taken = c.CreateCheckpoint())] });
            var stream = new MemoryStream();
            taken!.Save(stream);
            stream.Position = 0;
            var resumed = new GenericNetwork<float>(Spec, seed: 2);
            resumed.Fit(data, NetGen.Optimizers.Create<float>(name, 0.01), Options(4) with { ResumeFrom = TrainingCheckpoint.Load(stream) });
            Assert.True(straight.Parameters.SequenceEqual(resumed.Parameters), name);
        }
    }

    [Fact]
    public void The_fused_sgd_step_resumes_bit_for_bit_and_counts_its_steps()
    {
        (double[] x, double[] y) = CourseExampleTests.Quadratic(100, seed: 2);
        var data = new Dataset<double>(x, y, 2, 1);
        var options = new FitOptions { Epochs = 6, BatchSize = 10, Seed = 3, Schedule = new StepDecay(2, 0.5) };
        var straight = new QuadraticFitWide(seed: 1);
        var sgd = new Sgd<double>(0.1);
        straight.Fit(data, sgd, options);
        Assert.Equal(60, sgd.StepCount);
        TrainingCheckpoint? taken = null;
        new QuadraticFitWide(seed: 1).Fit(data, new Sgd<double>(0.1), options with { Epochs = 3, Callbacks = [new Capture(c => taken = c.CreateCheckpoint())] });
        Assert.Equal(30, taken!.OptimizerSteps);
        var resumed = new QuadraticFitWide(seed: 9);
        resumed.Fit(data, new Sgd<double>(0.1), options with { ResumeFrom = taken });
        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void A_reduced_learning_rate_is_part_of_the_checkpoint()
    {
        Dataset<float> data = Data(90, 3);
        FitOptions options = new() { Epochs = 6, BatchSize = 30, Seed = 1 };
        ITrainingCallback[] Plateau() => [new ReduceLearningRateOnPlateau("learning_rate", factor: 0.5, patience: 1, minDelta: 0)];
        var straight = new GenericNetwork<float>(Spec, seed: 1);
        TrainingHistory six = straight.Fit(data, new Sgd<float>(0.1), options with { Callbacks = Plateau() });
        TrainingCheckpoint? taken = null;
        var first = new GenericNetwork<float>(Spec, seed: 1);
        first.Fit(data, new Sgd<float>(0.1), options with { Epochs = 3, Callbacks = [.. Plateau(), new Capture(c => taken = c.CreateCheckpoint())] });
        Assert.Equal(six.Epochs[2].LearningRate, taken!.LearningRate);
        Assert.True(taken.LearningRate < 0.1);
        var resumed = new GenericNetwork<float>(Spec, seed: 1);
        TrainingHistory rest = resumed.Fit(data, new Sgd<float>(0.1), options with { ResumeFrom = taken });
        Assert.Equal(six.Epochs[3].LearningRate, rest.Epochs[0].LearningRate);
    }

    [Fact]
    public void A_damaged_or_mismatched_checkpoint_is_a_clear_error()
    {
        Dataset<float> data = Data(90, 2);
        TrainingCheckpoint? taken = null;
        var net = new GenericNetwork<float>(Spec, seed: 1);
        net.Fit(data, new Adam<float>(), new FitOptions { Epochs = 1, Callbacks = [new Capture(c => taken = c.CreateCheckpoint())] });
        using var folder = new TempDirectory();
        string path = folder.PathOf("a.ngckpt");
        taken!.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        ModelFormatException damaged = Assert.Throws<ModelFormatException>(() => TrainingCheckpoint.Load(path));
        Assert.Contains("CRC-32", damaged.Message, StringComparison.Ordinal);

        ArgumentException other = Assert.Throws<ArgumentException>(() =>
            new GenericNetwork<float>(Spec).Fit(data, new Momentum<float>(), new FitOptions { Epochs = 2, ResumeFrom = taken }));
        Assert.Contains("Adam", other.Message, StringComparison.Ordinal);
        ArgumentException rows = Assert.Throws<ArgumentException>(() =>
            new GenericNetwork<float>(Spec).Fit(Data(60, 2), new Adam<float>(), new FitOptions { Epochs = 2, ResumeFrom = taken }));
        Assert.Contains("90 rows", rows.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() =>
            new GenericNetwork<float>(Spec).Fit(data, new Adam<float>(), new FitOptions { Epochs = 1, Callbacks = [new Capture(null, c => c.CreateCheckpoint())] }));
    }

    /// <summary>Calls an action at every epoch end (and optionally at every batch end).</summary>
    internal sealed class Capture(Action<TrainingContext>? epochEnd, Action<TrainingContext>? batchEnd = null) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochReport report) => epochEnd?.Invoke(context);

        public override void OnBatchEnd(TrainingContext context, BatchProgress batch) => batchEnd?.Invoke(context);
    }
}
