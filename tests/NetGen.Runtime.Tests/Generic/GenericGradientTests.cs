using Xunit.Abstractions;

namespace NetGen.Runtime.Tests.Generic;

/// <summary>The generic engine's gradients against finite differences, for every valid activation × loss and with batch norm and dropout.</summary>
public sealed class GenericGradientTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach ((string name, _) in Specs.Matrix(Precision.Double))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradients_match_finite_differences(string name)
    {
        NetworkSpec spec = Specs.Matrix(Precision.Double).Single(m => m.Name == name).Spec;
        var net = new GenericNetwork<double>(spec, seed: 3);
        (double[] x, double[] y) = Data(spec, 6, seed: 9);
        GradientCheckResult result = GradientCheck.Check(net, x, y);
        output.WriteLine(result.ToString());
        Assert.True(result.MaxError <= 1e-6, $"{name}: {result}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cross_entropy_gradient_is_exact_for_targets_that_do_not_sum_to_one(bool normalized)
    {
        NetworkSpec spec = NetworkSpec.Input(4).Dense(6, Activation.Tanh).Dense(5, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double);
        var net = new GenericNetwork<double>(spec, seed: 1);
        (double[] x, double[] y) = Data(spec, 4, seed: 2);
        if (!normalized)
        {
            for (int i = 0; i < y.Length; i++)
            {
                y[i] *= 1.7;
            }
        }

        GradientCheckResult result = GradientCheck.Check(net, x, y);
        Assert.True(result.MaxError <= 1e-6, result.ToString());
    }

    [Fact]
    public void Batch_norm_and_dropout_gradients_match_finite_differences_with_a_fixed_mask()
    {
        NetworkSpec spec = NetworkSpec.Input(5).Dropout(0.2).Dense(7, Activation.ELU).BatchNorm(0.9).Dropout(0.5)
            .Dense(6, Activation.Sigmoid).BatchNorm().Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double);
        var net = new GenericNetwork<double>(spec, seed: 4);
        (double[] x, double[] y) = Data(spec, 8, seed: 5);
        GradientCheckResult result = GradientCheck.Check(net, x, y);
        output.WriteLine(result.ToString());
        Assert.True(result.MaxError <= 1e-6, result.ToString());
    }

    [Fact]
    public void Dropout_masks_are_reproducible_from_the_random_state_and_change_between_calls()
    {
        NetworkSpec spec = NetworkSpec.Input(8).Dense(16, Activation.ReLU).Dropout(0.5).Dense(2).Build(Loss.MeanSquaredError, Precision.Double);
        var net = new GenericNetwork<double>(spec, seed: 1);
        (double[] x, double[] y) = Data(spec, 4, seed: 3);
        ulong state = net.RandomState;
        double first = net.BackwardBatch(x, y);
        double second = net.BackwardBatch(x, y);
        net.RandomState = state;
        double replay = net.BackwardBatch(x, y);
        Assert.Equal(first, replay);
        Assert.NotEqual(first, second);

        // Inference ignores dropout: the output does not depend on the random state.
        var a = new double[8];
        var b = new double[8];
        net.ForwardBatch(x, a);
        net.RandomState = 12345;
        net.ForwardBatch(x, b);
        Assert.Equal(a, b);
    }

    internal static (double[] X, double[] Y) Data(NetworkSpec spec, int count, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new double[count * spec.InputSize];
        var y = new double[count * spec.OutputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int s = 0; s < count; s++)
        {
            double sum = 0;
            for (int j = 0; j < spec.OutputSize; j++)
            {
                y[s * spec.OutputSize + j] = spec.Loss == Loss.MeanSquaredError ? rng.NextGaussian() : rng.NextDouble();
                sum += y[s * spec.OutputSize + j];
            }

            if (spec.Loss == Loss.CrossEntropy)
            {
                for (int j = 0; j < spec.OutputSize; j++)
                {
                    y[s * spec.OutputSize + j] /= sum;
                }
            }
        }

        return (x, y);
    }
}
