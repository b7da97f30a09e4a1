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
}
