namespace NetGen.Runtime.Tests.Training;

/// <summary>The steps inside Fit allocate nothing, with the new checks, snapshots, weights and callbacks.</summary>
public sealed class FitAllocationTests
{
    public static TheoryData<string> Paths() => ["adam", "adam+l2+clip", "weighted", "fused", "generic sgd"];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Steps_between_epoch_ends_allocate_nothing(string path)
    {
        Dataset<double> data = Products();
        INetwork<double> net = path == "generic sgd" ? new GenericNetwork<double>(new QuadraticFitWide(1).Spec, 1) : new QuadraticFitWide(seed: 1);
        IOptimizer<double> optimizer = path.StartsWith("adam", StringComparison.Ordinal) ? new Adam<double>(0.01) : new Sgd<double>(0.05);
        var meter = new Meter();
        var options = new FitOptions
        {
            Epochs = 2, BatchSize = 8, Callbacks = [meter, new EarlyStopping("loss", patience: 5)],
            L2 = path.Contains("l2", StringComparison.Ordinal) ? 1e-3 : 0, ClipNorm = path.Contains("clip", StringComparison.Ordinal) ? 1.0 : null,
            SampleWeights = path == "weighted" ? Enumerable.Range(0, 400).Select(i => 1.0 + i % 3).ToArray() : null,
            Schedule = new CosineAnnealing(100),
        };
        net.Fit(data, optimizer, options);
        Assert.Equal(50, meter.Count);
        Assert.Equal(0, meter.Bytes[49] - meter.Bytes[5]);
    }

    /// <summary>
    /// A user-written activation: no bound on the next pass, so with a callback of the user's (the meter) every step is
    /// copied before it is taken, and without one (the meter as BatchProgress) a copy every 32 steps serves a replay.
    /// Neither allocates (the optimizers' state buffers were handed out through a params array before: 40 B a call).
    /// </summary>
    [Theory]
    [InlineData("sgd+l2", true)]
    [InlineData("momentum", true)]
    [InlineData("nesterov", false)]
    [InlineData("adagrad", true)]
    [InlineData("rmsprop", true)]
    [InlineData("rmsprop", false)]
    [InlineData("adam", true)]
    [InlineData("adam", false)]
    [InlineData("adamw", true)]
    public void Steps_protected_by_a_copy_allocate_nothing(string optimizer, bool copiedEveryStep)
    {
        var softsign = new CustomActivation("softsign", z => z / (1 + Math.Abs(z)), z => 1 / ((1 + Math.Abs(z)) * (1 + Math.Abs(z))));
        NetworkSpec spec = NetworkSpec.Input(2).Dense(16, softsign).Dense(1).Build(Loss.MeanSquaredError, Precision.Double);
        var rng = new SplitMix64(5);
        var x = new double[400 * 2];
        var y = new double[400];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int s = 0; s < y.Length; s++)
        {
            y[s] = Math.Tanh(x[2 * s] - x[2 * s + 1]);
        }

        var net = new GenericNetwork<double>(spec, seed: 1);
        var meter = new Meter();
        var progress = new ProgressMeter();
        var options = new FitOptions
        {
            Epochs = 2, BatchSize = 8, L2 = optimizer.Contains("l2", StringComparison.Ordinal) ? 1e-3 : 0,
            Callbacks = copiedEveryStep ? [meter] : [], BatchProgress = copiedEveryStep ? null : progress,
        };
        TrainingHistory history = net.Fit(new Dataset<double>(x, y, 2, 1), NetGen.Optimizers.Create<double>(optimizer.Split('+')[0], 0.01), options);
        long[] bytes = copiedEveryStep ? meter.Bytes : progress.Bytes;
        Assert.Equal(copiedEveryStep ? 100 : 0, history.GuardedSteps);
        Assert.Equal(copiedEveryStep ? 0 : 6, history.ReplayCopies);   // the first, the 33rd and the last step of each epoch
        Assert.Equal(0, bytes[49] - bytes[5]);
    }

    [Fact]
    public void Plain_SGD_s_one_pass_steps_with_a_copy_every_few_steps_allocate_nothing()
    {
        var progress = new ProgressMeter();
        TrainingHistory history = new QuadraticFitWide(seed: 1).Fit(Products(), new Sgd<double>(0.05),
            new FitOptions { Epochs = 2, BatchSize = 8, BatchProgress = progress, Schedule = new CosineAnnealing(100) });
        Assert.Equal(6, history.ReplayCopies);   // the first, the 33rd and the last step of each epoch
        Assert.Equal(0, progress.Bytes[49] - progress.Bytes[5]);
    }

    /// <summary>The bytes allocated so far at the end of each batch of the first epoch (the first Fit's buffers are all made in it).</summary>
    /// <summary>400 rows of (x0, x1) → x0·x1.</summary>
    private static Dataset<double> Products()
    {
        var rng = new SplitMix64(3);
        var x = new double[400 * 2];
        var y = new double[400];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int s = 0; s < y.Length; s++)
        {
            y[s] = x[2 * s] * x[2 * s + 1];
        }

        return new Dataset<double>(x, y, 2, 1);
    }

    private sealed class ProgressMeter : IProgress<BatchProgress>
    {
        public long[] Bytes { get; } = new long[50];

        public void Report(BatchProgress value)
        {
            if (value.Epoch == 1)
            {
                Bytes[value.Batch - 1] = GC.GetAllocatedBytesForCurrentThread();
            }
        }
    }

    private sealed class Meter : TrainingCallback
    {
        public long[] Bytes { get; } = new long[50];

        public int Count { get; private set; }

        public override void OnEpochBegin(TrainingContext context, int epoch) => Count = 0;

        public override void OnBatchEnd(TrainingContext context, BatchProgress batch) => Bytes[Count++] = GC.GetAllocatedBytesForCurrentThread();
    }
}
