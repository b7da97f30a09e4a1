using NetGen.Runtime.Tests.Data;

namespace NetGen.Runtime.Tests.Training;

/// <summary>The code of docs/readme-drafts/helper-training.md, compiled and run (only the folder differs).</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_trains_checkpoints_and_resumes()
    {
        using var temp = new TempDirectory();
        string runs = temp.Root;

        // --- README code starts here ---
        Dataset<float> iris = KnownDatasets.Iris<float>(KnownDatasets.FindDataDirectory());
        NetworkSpec spec = NetworkSpec.Input(4).Dense(16, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);
        var net = new GenericNetwork<float>(spec, seed: 1);
        var checkpoints = new ModelCheckpoint(Path.Combine(runs, "iris-{epoch:02d}.ngckpt"));   // resumable, written atomically
        var options = new FitOptions
        {
            Epochs = 20, BatchSize = 16, Seed = 7,
            ValidationFraction = 0.2,                            // stratified and seeded: every class is in the validation rows
            ClassWeights = new Dictionary<int, double> { [2] = 2.0 },   // Keras's class_weight (or SampleWeights = one per row)
            Callbacks =
            [
                new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true),
                new ReduceLearningRateOnPlateau("val_loss", factor: 0.5, patience: 2),
                checkpoints,
                new CsvLogger(Path.Combine(runs, "iris.csv")),
                new TerminateOnNaN(),
            ],
        };

        TrainingHistory history = net.Fit(iris, new Adam<float>(0.01), options);
        Console.WriteLine($"{history.Epochs.Count} epochs, {history.StopReason}: {history.StopMessage}");

        // Later, maybe in another process: continue from the last checkpoint with new objects, bit for bit.
        TrainingCheckpoint last = TrainingCheckpoint.Load(checkpoints.LastSavedPath!);
        var resumed = new GenericNetwork<float>(spec);
        try
        {
            TrainingHistory more = resumed.Fit(iris, new Adam<float>(0.01), options with { Epochs = 30, ResumeFrom = last });
            Console.WriteLine($"epochs {more.Epochs[0].Epoch}–{more.Epochs[^1].Epoch}, best {more.BestEpoch}");
        }
        catch (TrainingCanceledException e)
        {
            Console.WriteLine($"cancelled after {e.History.Epochs.Count} epochs");   // the epochs done are on the exception
        }
        catch (TrainingDivergedException e)
        {
            Console.WriteLine($"{e.Message} (parameters after step {e.KeptStep}, {e.History!.Epochs.Count} epochs done)");
        }

        // --- README code ends here ---
        Assert.Equal(history.Epochs[^1].Epoch, last.Epoch);
        Assert.Equal(30, checkpoints.LastSavedEpoch);
        Assert.True(File.Exists(Path.Combine(runs, "iris.csv")));
        Assert.True(history.Epochs[^1].Validation!.Accuracy > 0.8, $"{history.Epochs[^1].Validation!.Accuracy}");
    }
}
