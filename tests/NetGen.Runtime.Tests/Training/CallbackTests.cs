using System.Globalization;
using NetGen.Runtime.Tests.Data;

namespace NetGen.Runtime.Tests.Training;

/// <summary>Issue 14: callbacks in Keras's model — order, graceful stops, Keras's early-stopping and plateau semantics, checkpoints, CSV, NaN.</summary>
public sealed class CallbackTests
{
    private static readonly Dataset<float> Blobs = ResumeTests.Data(60, 1);

    private static NetworkSpec Small => NetworkSpec.Input(5).Dense(6, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);

    /// <summary>A "learning rate" per epoch (from 0) that a test chooses, so the monitored sequence is known exactly.</summary>
    private sealed class PerEpoch(params double[] rates) : ILearningRateSchedule
    {
        public double Rate(double baseRate, long step, int epoch) => 1e-3 * rates[Math.Min(epoch, rates.Length - 1)];
    }

    private static TrainingHistory Monitored(double[] sequence, params ITrainingCallback[] callbacks) =>
        new GenericNetwork<float>(Small, seed: 1).Fit(Blobs, new Sgd<float>(1), new FitOptions
        {
            Epochs = sequence.Length, BatchSize = 20, Schedule = new PerEpoch(sequence), Callbacks = callbacks, TrainingMetrics = false,
        });

    [Theory]
    // sequence (×1e-3, lower is better), patience, min_delta (×1e-3), expected last epoch, expected best epoch
    [InlineData(new[] { 5.0, 4, 4.5, 3, 3.5, 3.2, 3.1, 2, 1 }, 2, 0, 6, 4)]        // best 4 + patience 2 (the old code stopped at 7)
    [InlineData(new[] { 5.0, 4, 4.5, 3, 3.5, 3.2, 3.1, 2, 1 }, 3, 0, 7, 4)]
    [InlineData(new[] { 5.0, 4, 4.5, 3, 3.5, 3.2, 3.1, 2, 1 }, 0, 0, 3, 2)]        // patience 0: the first epoch without improvement
    [InlineData(new[] { 5.0, 4, 4.5, 3, 3.5, 3.2, 3.1, 2, 1 }, 2, 1.5, 3, 1)]      // 4 and 4.5 do not beat 5 by more than 1.5
    [InlineData(new[] { 5.0, 5, 5, 5 }, 1, 0, 2, 1)]                               // never the first epoch
    [InlineData(new[] { 5.0, 4, 3, 2 }, 1, 0, 4, 4)]                               // always improving: runs to the end
    public void Early_stopping_follows_keras_patience_exactly(double[] sequence, int patience, double minDelta, int lastEpoch, int bestEpoch)
    {
        var stopping = new EarlyStopping("learning_rate", minDelta * 1e-3, patience);
        TrainingHistory history = Monitored(sequence, stopping);
        Assert.Equal(lastEpoch, history.Epochs.Count);
        Assert.Equal(bestEpoch, stopping.BestEpoch);
        Assert.Equal(lastEpoch < sequence.Length ? TrainingStopReason.StopRequested : TrainingStopReason.Completed, history.StopReason);
        Assert.Equal(lastEpoch < sequence.Length, history.StoppedEarly);
        Assert.Equal(lastEpoch < sequence.Length ? lastEpoch : 0, stopping.StoppedEpoch);
        if (history.StoppedEarly)
        {
            Assert.Contains("EarlyStopping", history.StopMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Early_stopping_in_max_mode_with_a_baseline()
    {
        // Higher is better; 3.5 beats the best (3) but not the baseline 4, so the waiting does not restart.
        var stopping = new EarlyStopping("learning_rate", patience: 2, mode: MonitorMode.Max, baseline: 4e-3);
        TrainingHistory history = Monitored([3, 3.5, 3.2, 3.3, 5], stopping);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(2, stopping.BestEpoch);
    }

    [Fact]
    public void Early_stopping_restores_the_best_weights_when_training_ends()
    {
        var seen = new List<float[]>();
        var stopping = new EarlyStopping("learning_rate", patience: 2, restoreBestWeights: true);
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Sgd<float>(1), new FitOptions
        {
            Epochs = 9, BatchSize = 20, Schedule = new PerEpoch(5, 4, 4.5, 3, 3.5, 3.2, 3.1, 2, 1),
            Callbacks = [new ResumeTests.Capture(c => seen.Add(((INetwork<float>)c.Network).Parameters.ToArray())), stopping],
        });
        Assert.Equal(6, history.Epochs.Count);
        Assert.True(history.RestoredBest);
        Assert.Equal(seen[3], net.Parameters.ToArray());
        Assert.NotEqual(seen[5], net.Parameters.ToArray());
    }

    [Fact]
    public void FitOptions_early_stopping_maps_onto_the_callback()
    {
        // Training loss (no validation) of a network that cannot learn: SGD with η = 0 keeps the loss constant, so
        // epoch 1 is the best and patience 2 stops at epoch 3 (Keras), not 4.
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Sgd<float>(0), new FitOptions { Epochs = 10, EarlyStoppingPatience = 2, Shuffle = false });
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(1, history.BestEpoch);
        Assert.True(history.StoppedEarly);
    }

    [Fact]
    public void A_monitor_that_does_not_exist_is_a_clear_error()
    {
        Assert.Throws<ArgumentException>(() => new EarlyStopping("val_f2"));
        var error = Assert.Throws<InvalidOperationException>(() => Monitored([1, 2], new EarlyStopping("val_loss")));
        Assert.Contains("no validation data", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // patience, cooldown, min_lr (× η), expected η per epoch (× η)
    [InlineData(2, 0, 0, new[] { 1.0, 1, 1, 0.5, 0.5, 0.5, 0.25 })]
    [InlineData(1, 1, 0, new[] { 1.0, 1, 0.5, 0.5, 0.25, 0.25, 0.125 })]
    [InlineData(1, 0, 0.3, new[] { 1.0, 1, 0.5, 0.5, 0.3, 0.3, 0.3 })]
    public void Reduce_on_plateau_follows_keras(int patience, int cooldown, double minRate, double[] expected)
    {
        // The monitored quantity is the learning rate itself: constant until the callback lowers it, so every epoch
        // after a reduction improves and the next plateau starts there.
        var plateau = new ReduceLearningRateOnPlateau("learning_rate", factor: 0.5, patience: patience, minDelta: 0, cooldown: cooldown, minLearningRate: minRate * 0.01);
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Sgd<float>(0.01), new FitOptions { Epochs = expected.Length, BatchSize = 20, Callbacks = [plateau] });
        Assert.Equal(expected.Select(e => e * 0.01), history.Epochs.Select(e => e.LearningRate), new Tolerance(1e-15));
    }

    [Fact]
    public void With_a_schedule_the_context_rate_is_the_base_rate_the_schedule_scales()
    {
        // StepDecay halves per epoch; a callback that halves the base rate after epoch 2 makes epoch 3 a quarter of it.
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Sgd<float>(0.08), new FitOptions
        {
            Epochs = 4, BatchSize = 60, Schedule = new StepDecay(1, 0.5),
            Callbacks = [new ResumeTests.Capture(c => { if (c.History.Epochs.Count == 2) { c.LearningRate /= 2; } })],
        });
        Assert.Equal([0.08, 0.04, 0.01, 0.005], history.Epochs.Select(e => e.LearningRate), new Tolerance(1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(Blobs, new Sgd<float>(), new FitOptions
        {
            Epochs = 1, Callbacks = [new ResumeTests.Capture(c => c.LearningRate = double.NaN)],
        }));
    }

    [Fact]
    public void Callbacks_are_called_in_keras_order_and_a_stop_in_a_batch_ends_that_epoch()
    {
        var events = new List<string>();
        var recorder = new Recorder(events, stopAt: (2, 2));
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Sgd<float>(0.1), new FitOptions { Epochs = 5, BatchSize = 20, Callbacks = [recorder] });
        Assert.Equal(
            ["begin", "epoch 1", "batch 1.1", "batch 1.2", "batch 1.3", "end 1", "epoch 2", "batch 2.1", "batch 2.2", "end 2", "train end StopRequested"],
            events);
        Assert.Equal(TrainingStopReason.StopRequested, history.StopReason);
        Assert.Equal("stop please", history.StopMessage);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(5, history.Epochs[^1].Steps);
    }

    [Fact]
    public void Cancellation_returns_the_history_so_far_on_the_exception_and_skips_train_end()
    {
        var events = new List<string>();
        using var cts = new CancellationTokenSource();
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingCanceledException error = Assert.Throws<TrainingCanceledException>(() => net.Fit(Blobs, new Sgd<float>(0.1), new FitOptions
        {
            Epochs = 5, BatchSize = 20, CancellationToken = cts.Token,
            Callbacks = [new Recorder(events), new ResumeTests.Capture(null, c => { if (c.Steps == 7) { cts.Cancel(); } })],
        }));
        Assert.Equal(2, error.History.Epochs.Count);
        Assert.Equal(TrainingStopReason.Cancelled, error.History.StopReason);
        Assert.Equal(7, error.Steps);
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.DoesNotContain(events, e => e.StartsWith("train end", StringComparison.Ordinal));
    }

    [Fact]
    public void Model_checkpoint_writes_each_epoch_or_only_the_best_atomically()
    {
        using var folder = new TempDirectory();
        var every = new ModelCheckpoint(folder.PathOf("every-{epoch}.ngckpt"));
        var nested = new ModelCheckpoint(Path.Combine(folder.Root, "sub", "dir", "last.ngckpt"));
        var best = new ModelCheckpoint(folder.PathOf("best-{epoch:000}.model"), monitor: "learning_rate", saveBestOnly: true, modelOnly: true);
        var snapshots = new List<float[]>();
        var net = new GenericNetwork<float>(Small, seed: 1);
        net.Fit(Blobs, new Sgd<float>(1), new FitOptions
        {
            Epochs = 5, BatchSize = 20, Schedule = new PerEpoch(3, 2, 2.5, 1, 1.5),
            Callbacks = [every, best, nested, new ResumeTests.Capture(c => snapshots.Add(((INetwork<float>)c.Network).Parameters.ToArray()))],
        });
        Assert.Equal(5, TrainingCheckpoint.Load(Path.Combine(folder.Root, "sub", "dir", "last.ngckpt")).Epoch);
        Assert.Single(Directory.GetFiles(Path.Combine(folder.Root, "sub", "dir")));
        string[] files = Directory.GetFiles(folder.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(["best-001.model", "best-002.model", "best-004.model", "every-1.ngckpt", "every-2.ngckpt", "every-3.ngckpt", "every-4.ngckpt", "every-5.ngckpt"], files);
        GenericNetwork<float> fourth = ModelFile.LoadGeneric<float>(folder.PathOf("best-004.model"));
        Assert.Equal(snapshots[3], fourth.Parameters.ToArray());
        Assert.Equal(4, best.LastSavedEpoch);
        Assert.Equal(2, TrainingCheckpoint.Load(folder.PathOf("every-2.ngckpt")).Epoch);
        Assert.Equal("run-07.x", new ModelCheckpoint("run-{epoch:02d}.x").PathFor(7));
    }

    [Fact]
    public void Csv_logger_writes_one_round_trippable_line_per_epoch_and_appends_on_resume()
    {
        using var folder = new TempDirectory();
        string path = folder.PathOf("log.csv");
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Adam<float>(0.01), new FitOptions { Epochs = 3, BatchSize = 20, ValidationFraction = 0.25, Callbacks = [new CsvLogger(path)] });
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate", lines[0]);
        Assert.Equal(4, lines.Length);
        for (int e = 0; e < 3; e++)
        {
            string[] fields = lines[e + 1].Split(',');
            Assert.Equal((e + 1).ToString(CultureInfo.InvariantCulture), fields[0]);
            Assert.Equal(history.Loss[e], double.Parse(fields[1], CultureInfo.InvariantCulture));
            Assert.Equal(history.ValidationLoss[e], double.Parse(fields[3], CultureInfo.InvariantCulture));
        }

        net.Fit(Blobs, new Adam<float>(0.01), new FitOptions { Epochs = 2, BatchSize = 20, ValidationFraction = 0.25, Callbacks = [new CsvLogger(path, append: true)] });
        string[] appended = File.ReadAllLines(path);
        Assert.Equal(6, appended.Length);
        Assert.Equal(lines, appended.Take(4));
        Assert.Single(Directory.GetFiles(folder.Root));   // no temporary file left behind
    }

    [Fact]
    public void A_resumed_run_keeps_the_csv_lines_up_to_its_checkpoint()
    {
        using var folder = new TempDirectory();
        string path = folder.PathOf("log.csv");
        var saver = new ModelCheckpoint(folder.PathOf("at-{epoch}.ngckpt"));
        var options = new FitOptions { Epochs = 4, BatchSize = 20, Seed = 2, Callbacks = [saver, new CsvLogger(path)] };
        var net = new GenericNetwork<float>(Small, seed: 1);
        net.Fit(Blobs, new Adam<float>(0.01), options);
        string[] straight = File.ReadAllLines(path);

        // "Interrupted" after epoch 4, resumed from the checkpoint of epoch 2: epochs 3 and 4 are trained again.
        var resumed = new GenericNetwork<float>(Small, seed: 1);
        resumed.Fit(Blobs, new Adam<float>(0.01), options with { ResumeFrom = TrainingCheckpoint.Load(folder.PathOf("at-2.ngckpt")) });
        Assert.Equal(straight, File.ReadAllLines(path));
    }

    [Fact]
    public void Terminate_on_nan_returns_the_history_instead_of_throwing()
    {
        var net = new GenericNetwork<float>(Small, seed: 1);
        TrainingHistory history = net.Fit(Blobs, new Adam<float>(1e39), new FitOptions { Epochs = 3, BatchSize = 20, Callbacks = [new TerminateOnNaN()] });
        Assert.Equal(TrainingStopReason.Diverged, history.StopReason);
        Assert.NotNull(history.Divergence);
        Assert.Same(history, history.Divergence!.History);
        Assert.Empty(history.Epochs);
        Assert.All(net.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    private sealed class Recorder(List<string> events, (int Epoch, int Batch)? stopAt = null) : TrainingCallback
    {
        public override void OnTrainBegin(TrainingContext context) => events.Add("begin");

        public override void OnEpochBegin(TrainingContext context, int epoch) => events.Add($"epoch {epoch}");

        public override void OnBatchEnd(TrainingContext context, BatchProgress batch)
        {
            events.Add($"batch {batch.Epoch}.{batch.Batch}");
            Assert.True(double.IsFinite(batch.BatchLoss));
            if (stopAt == (batch.Epoch, batch.Batch))
            {
                context.RequestStop("stop please");
            }
        }

        public override void OnEpochEnd(TrainingContext context, EpochReport report) => events.Add($"end {report.Epoch}");

        public override void OnTrainEnd(TrainingContext context, TrainingHistory history) => events.Add($"train end {history.StopReason}");
    }

    private sealed class Tolerance(double relative) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= relative * Math.Max(Math.Abs(x), Math.Abs(y));

        public int GetHashCode(double obj) => 0;
    }
}
