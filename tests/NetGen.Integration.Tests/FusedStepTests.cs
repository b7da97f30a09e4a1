using NetGen.Integration.Tests.Infrastructure;

namespace NetGen.Integration.Tests;

/// <summary>
/// The fused SGD step of generated networks (θ updated in place during back-propagation) equals the unfused
/// ZeroGradients + BackwardBatch + θ −= (η/B)·Gradients, on every kernel shape, with dropout and batch norm, for a
/// single sample, whole lane vectors, remainders and batches larger than a tile.
/// </summary>
public sealed class FusedStepTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "narrow", "wide", "mixed", "regularized" })
        {
            foreach (int count in new[] { 1, 8, 13, 300 })
            {
                data.Add(name, count);
            }
        }

        return data;
    }

    private static NetworkSpec Spec(string name) => name switch
    {
        "narrow" => NetworkSpec.Input(2).Dense(3, Activation.Sigmoid).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double),
        "wide" => NetworkSpec.Input(20).Dense(24, Activation.ReLU).Dense(17, Activation.Tanh).Dense(5, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double),
        "mixed" => NetworkSpec.Input(30).Dense(3, Activation.ELU).Dense(4, Activation.LeakyReLU).Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy, Precision.Double),
        _ => NetworkSpec.Input(12).Dropout(0.2).Dense(30, Activation.ReLU).BatchNorm().Dropout(0.3).Dense(3).Build(Loss.MeanSquaredError, Precision.Double),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_step_equals_the_unfused_update(string name, int count)
    {
        NetworkSpec spec = Spec(name);
        (double[] x, double[] y) = TestData.Make(spec, count, seed: count);
        var fused = DynamicNetworks.Create<double>(spec, seed: 4);
        var unfused = DynamicNetworks.Create<double>(spec, seed: 4);
        const double eta = 0.05;
        for (int step = 0; step < 3; step++)
        {
            double lossFused = ((ISgdStep<double>)fused).TrainStep(x, y, eta);
            unfused.ZeroGradients();
            double lossUnfused = unfused.BackwardBatch(x, y);
            Span<double> p = unfused.Parameters;
            ReadOnlySpan<double> g = unfused.Gradients;
            for (int i = 0; i < p.Length; i++)
            {
                p[i] -= eta / count * g[i];
            }

            Assert.True(Compare.Relative(lossFused, lossUnfused) <= 1e-12, $"step {step}: loss {lossFused} vs {lossUnfused}");
            double error = Compare.ScaledError(fused.Parameters, unfused.Parameters);
            Assert.True(error <= 1e-12, $"step {step}: parameters differ by {error:E2}");
            Assert.Equal(unfused.RandomState, fused.RandomState);
            Assert.True(Compare.ScaledError(fused.State, unfused.State) <= 1e-12);
        }

        Assert.NotEqual(new GenericNetwork<double>(spec, seed: 4).Parameters.ToArray(), fused.Parameters.ToArray());
    }
}
