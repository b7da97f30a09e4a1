namespace NetGen.Runtime.Tests.Optimizers;

/// <summary>IResumableOptimizer: the state buffers are the live moments, and copying them with the step count into a new optimizer continues bit for bit.</summary>
public sealed class OptimizerStateTests
{
    private static readonly NetworkSpec Spec = NetworkSpec.Input(3).Dense(5, Activation.Tanh).Dense(2).Build(Loss.MeanSquaredError, Precision.Double);

    public static TheoryData<string, int> Kinds() => new()
    {
        { "sgd", 0 }, { "momentum", 1 }, { "nesterov", 1 }, { "adagrad", 1 }, { "rmsprop", 3 }, { "adam", 2 }, { "adamw", 2 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Copying_the_state_into_a_new_optimizer_continues_bit_for_bit(string name, int buffers)
    {
        var rng = new SplitMix64(4);
        double[][] gradients = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, Spec.ParameterCount).Select(_ => rng.NextGaussian()).ToArray()).ToArray();
        var original = (IResumableOptimizer<double>)NetGen.Optimizers.Create<double>(name, 0.05);
        original.Bind(Spec);
        double[] theta = Enumerable.Range(0, Spec.ParameterCount).Select(i => Math.Sin(i)).ToArray();
        for (int s = 0; s < 3; s++)
        {
            original.Step(theta, gradients[s]);
        }

        Assert.Equal(buffers, original.StateBufferCount);
        Assert.Equal(3, original.StepCount);
        var copy = (IResumableOptimizer<double>)NetGen.Optimizers.Create<double>(name, 0.05);
        copy.Bind(Spec);
        for (int b = 0; b < buffers; b++)
        {
            original.StateBuffer(b).CopyTo(copy.StateBuffer(b));
        }

        copy.RestoreStepCount(original.StepCount);
        double[] other = (double[])theta.Clone();
        for (int s = 3; s < 6; s++)
        {
            original.Step(theta, gradients[s]);
            copy.Step(other, gradients[s]);
        }

        Assert.Equal(theta, other);
        Assert.Throws<ArgumentOutOfRangeException>(() => copy.StateBuffer(buffers));
        Assert.Throws<ArgumentOutOfRangeException>(() => copy.RestoreStepCount(-1));
        original.Reset();
        Assert.Equal(0, original.StepCount);
    }

    [Fact]
    public void Adam_exposes_its_moments_and_rmsprop_its_unused_buffers_as_empty()
    {
        var adam = new Adam<double>(0.1, beta1: 0.9, beta2: 0.99);
        adam.Bind(Spec);
        double[] theta = new double[Spec.ParameterCount];
        double[] g = Enumerable.Repeat(2.0, Spec.ParameterCount).ToArray();
        adam.Step(theta, g);
        Assert.All(adam.StateBuffer(0).ToArray(), m => Assert.Equal(0.1 * 2.0, m, 15));
        Assert.All(adam.StateBuffer(1).ToArray(), v => Assert.Equal(0.01 * 4.0, v, 15));

        var rms = new RmsProp<double>();
        rms.Bind(Spec);
        Assert.Equal(Spec.ParameterCount, rms.StateBuffer(0).Length);
        Assert.Equal(0, rms.StateBuffer(1).Length);
        Assert.Equal(0, rms.StateBuffer(2).Length);
        Assert.Throws<InvalidOperationException>(() => new Momentum<double>().StateBuffer(0));
    }
}
