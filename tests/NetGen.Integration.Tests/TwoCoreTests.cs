using NetGen.Integration.Tests.Infrastructure;

namespace NetGen.Integration.Tests;

/// <summary>
/// Large batches are split in two halves (the second on another core) whose gradients are added in a fixed order:
/// the split path equals the generic engine, and running the halves in parallel or one after the other gives the
/// same bits.
/// </summary>
public sealed class TwoCoreTests
{
    public static TheoryData<string> Names() => ["wide", "narrow", "dropout", "batchnorm"];

    private static NetworkSpec Spec(string name) => name switch
    {
        "wide" => NetworkSpec.Input(20).Dense(24, Activation.ReLU).Dense(17, Activation.Tanh).Dense(5, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double),
        "narrow" => NetworkSpec.Input(2).Dense(3, Activation.Sigmoid).Dense(1).Build(Loss.MeanSquaredError, Precision.Double),
        "dropout" => NetworkSpec.Input(12).Dropout(0.2).Dense(30, Activation.ELU).Dropout(0.5).Dense(4).Build(Loss.MeanSquaredError, Precision.Double),
        _ => NetworkSpec.Input(12).Dense(30, Activation.ReLU).BatchNorm().Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Split_batches_match_the_generic_engine_and_do_not_depend_on_the_thread_count(string name)
    {
        NetworkSpec spec = Spec(name);
        int count = name == "narrow" ? 300_001 : 40_001;   // above each network's split threshold, odd so the halves differ
        (double[] x, double[] y) = TestData.Make(spec, count, seed: 3);
        var generic = new GenericNetwork<double>(spec, seed: 2);
        double[] expectedOut = new double[count * spec.OutputSize];
        generic.ForwardBatch(x, expectedOut);
        double expectedLoss = generic.BackwardBatch(x, y);

        bool saved = Parallelism.Enabled;
        try
        {
            var results = new List<(double[] Out, double Loss, double[] Gradients, ulong State)>();
            foreach (bool parallel in new[] { true, false })
            {
                Parallelism.Enabled = parallel;
                var net = DynamicNetworks.Create<double>(spec, seed: 2);
                var output = new double[count * spec.OutputSize];
                net.ForwardBatch(x, output);
                double loss = net.BackwardBatch(x, y);
                results.Add((output, loss, net.Gradients.ToArray(), net.RandomState));
                Assert.True(Compare.ScaledError(output, expectedOut) <= 1e-12, $"outputs {Compare.ScaledError(output, expectedOut):E2}");
                Assert.True(Compare.Relative(loss, expectedLoss) <= 1e-12, $"loss {loss} vs {expectedLoss}");
                Assert.True(Compare.ScaledError(net.Gradients, generic.Gradients) <= 1e-11, $"gradients {Compare.ScaledError(net.Gradients, generic.Gradients):E2}");
            }

            Assert.Equal(results[0].Out, results[1].Out);
            Assert.Equal(results[0].Loss, results[1].Loss);
            Assert.Equal(results[0].Gradients, results[1].Gradients);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    public static TheoryData<int, bool> TileCases()
    {
        var data = new TheoryData<int, bool>();
        // 240-512 rows: two halves of one tile each; 513: the second half is two tiles (256 + 1); 64: one core's batch
        foreach (int rows in new[] { 64, 240, 301, 512, 513 })
        {
            data.Add(rows, false);
            data.Add(rows, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TileCases))]
    public void Batches_of_one_or_two_tiles_per_half_match_the_generic_engine_and_do_not_depend_on_the_thread_count(int count, bool single)
    {
        // 100-64-50-10: a split threshold of 237 rows, so every batch here but 64 rows is split over the two cores
        NetworkSpec spec = NetworkSpec.Input(100).Dense(64, Activation.Tanh).Dense(50, Activation.ELU).Dense(10, Activation.Softmax)
            .Build(Loss.CrossEntropy, single ? Precision.Single : Precision.Double);
        (double[] x, double[] y) = TestData.Make(spec, count, seed: 5);
        if (single)
        {
            Check<float>(spec, TestData.ToFloat(x), TestData.ToFloat(y), 2e-5);
        }
        else
        {
            Check<double>(spec, x, y, 1e-11);
        }
    }

    private static double[] Doubles<T>(ReadOnlySpan<T> values) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = double.CreateChecked(values[i]);
        }

        return result;
    }

    private static void Check<T>(NetworkSpec spec, T[] x, T[] y, double tolerance) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var generic = new GenericNetwork<T>(spec, seed: 2);
        generic.BackwardBatch(x, y);
        double[] expected = Doubles<T>(generic.Gradients);
        bool saved = Parallelism.Enabled;
        try
        {
            var results = new List<T[]>();
            foreach (bool parallel in new[] { true, false })
            {
                Parallelism.Enabled = parallel;
                var net = DynamicNetworks.Create<T>(spec, seed: 2);
                for (int call = 0; call < 2; call++)
                {
                    // twice: the second core's buffer must have been left zero for the next call
                    net.ZeroGradients();
                    net.BackwardBatch(x, y);
                    double error = Compare.ScaledError(Doubles<T>(net.Gradients), expected);
                    Assert.True(error <= tolerance, $"gradients {error:E2} (call {call + 1}, parallel {parallel})");
                }

                results.Add(net.Gradients.ToArray());
            }

            Assert.Equal(results[0], results[1]);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }
}
