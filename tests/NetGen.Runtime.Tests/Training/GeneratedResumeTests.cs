using System.Reflection;

namespace NetGen.Runtime.Tests.Training;

/// <summary>Dropout, batch norm, Adam: a generated network (whose training batches are never split: batch norm needs the whole batch).</summary>
[Network(Loss.CrossEntropy)]
[Input(20)]
[Dense(64, Activation.ReLU)]
[BatchNorm]
[Dropout(0.3)]
[Dense(48, Activation.Tanh)]
[Dropout(0.2)]
[Dense(3, Activation.Softmax)]
public partial class ResumableBatchNormNet { }

/// <summary>Dropout only: training batches above the threshold are split across two cores.</summary>
[Network(Loss.CrossEntropy)]
[Input(20)]
[Dense(64, Activation.ReLU)]
[Dropout(0.3)]
[Dense(48, Activation.Tanh)]
[Dropout(0.2)]
[Dense(3, Activation.Softmax)]
public partial class ResumableDropoutNet { }

/// <summary>The resume test of <see cref="ResumeTests"/> on generated networks, with batches large enough for the two-core split.</summary>
public sealed class GeneratedResumeTests
{
    private static Dataset<float> Data(int count)
    {
        var rng = new SplitMix64(12);
        var x = new float[count * 20];
        var y = new float[count * 3];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = s % 3;
            y[s * 3 + labels[s]] = 1;
            for (int f = 0; f < 20; f++)
            {
                x[s * 20 + f] = (float)(rng.NextGaussian() + (f % 3 == labels[s] ? 1 : 0));
            }
        }

        return new Dataset<float>(x, y, 20, 3, labels);
    }

    /// <summary>A size of the generated network's kernels (the engine reads it from the private nested Kernels struct).</summary>
    private static int Threshold<TNet>(string name) =>
        (int)typeof(TNet).GetNestedType("Kernels", BindingFlags.NonPublic)!.GetProperty(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_resumed_generated_network_equals_an_uninterrupted_one(bool twoCores, bool batchNorm)
    {
        int batch = batchNorm ? 256 : Threshold<ResumableDropoutNet>("ParallelTrainingRows") + 1;
        Assert.True(batch < 2000, $"the dropout network splits training batches of {batch} rows");
        Dataset<float> data = Data(Math.Max(3 * batch + 7, 1250));
        var options = new FitOptions { Epochs = 4, BatchSize = batch, Seed = 3, ValidationFraction = 0.2, Schedule = new ExponentialDecay(0.9, 5) };
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = twoCores;
            INetwork<float> Create(int seed) => batchNorm ? new ResumableBatchNormNet(seed) : new ResumableDropoutNet(seed);
            INetwork<float> straight = Create(1);
            TrainingHistory four = straight.Fit(data, new Adam<float>(0.01), options);
            TrainingCheckpoint? taken = null;
            INetwork<float> first = Create(1);
            first.Fit(data, new Adam<float>(0.01), options with { Epochs = 2, Callbacks = [new ResumeTests.Capture(c => taken = c.CreateCheckpoint())] });
            var stream = new MemoryStream();
            taken!.Save(stream);
            stream.Position = 0;
            INetwork<float> resumed = Create(2);
            TrainingHistory rest = resumed.Fit(data, new Adam<float>(0.01), options with { ResumeFrom = TrainingCheckpoint.Load(stream) });
            Assert.Equal(four.Loss.Skip(2), rest.Loss);
            Assert.True(straight.Parameters.SequenceEqual(resumed.Parameters));
            Assert.True(straight.State.SequenceEqual(resumed.State));
            Assert.Equal(straight.RandomState, resumed.RandomState);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }
}
