using System.Numerics;

namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// The pass bound that spares Fit a copy of the parameters per step must hold for every built-in activation the
/// runtime computes, and must clear ordinary training with each: before, SiLU, GELU, softplus and Mish had no bound, so
/// every step of a network with one of them was copied (and could be undone) as if it were about to overflow.
/// </summary>
public sealed class TrainingPassBoundTests
{
    public static TheoryData<Activation> Smooth() => new() { Activation.SiLU, Activation.GELU, Activation.Softplus, Activation.Mish };

    private static void Holds<T>(Activation activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // z over ±60 finely, and a few far out (the kernels' exponentials saturate there)
        var values = Enumerable.Range(-6000, 12001).Select(i => i / 100.0).Concat([-1e4, -500, -90, 90, 500, 1e4]).ToArray();
        T[] z = values.Select(T.CreateChecked).ToArray();
        var a = new T[z.Length];
        var ones = Enumerable.Repeat(T.One, z.Length).ToArray();
        var slope = new T[z.Length];
        ActivationMath.Activate(activation, T.Zero, z, a);
        ActivationMath.Backprop(activation, T.Zero, z, a, ones, slope);
        double extra = activation == Activation.Softplus ? 1 : 0;
        double maxSlope = activation == Activation.Softplus ? 1 : TrainingPassBound.SmoothSlope;
        for (int i = 0; i < z.Length; i++)
        {
            double zi = double.CreateChecked(z[i]), ai = double.CreateChecked(a[i]), si = double.CreateChecked(slope[i]);
            Assert.True(Math.Abs(ai) <= Math.Abs(zi) + extra, $"{activation}: |σ({zi})| = {Math.Abs(ai)}");
            Assert.True(Math.Abs(si) <= maxSlope, $"{activation}: |σ'({zi})| = {Math.Abs(si)}");
        }
    }

    [Theory]
    [MemberData(nameof(Smooth))]
    public void The_bound_holds_for_the_runtime_kernels_in_float_and_double(Activation activation)
    {
        Holds<float>(activation);
        Holds<double>(activation);
    }

    [Theory]
    [MemberData(nameof(Smooth))]
    public void Ordinary_training_with_a_smooth_activation_copies_nothing(Activation activation)
    {
        var rng = new SplitMix64(3);
        var x = new float[200 * 5];
        var y = new float[200];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int s = 0; s < y.Length; s++)
        {
            y[s] = MathF.Sin(x[5 * s]) + 0.3f * x[5 * s + 1];
        }

        var data = new Dataset<float>(x, y, 5, 1);
        NetworkSpec spec = NetworkSpec.Input(5).Dense(16, activation).Dense(8, activation).Dense(1).Build(Loss.MeanSquaredError);
        var options = new FitOptions { Epochs = 3, BatchSize = 20, Seed = 2, TrainingMetrics = false };
        var fused = new GenericNetwork<float>(spec, seed: 1);
        var separate = new GenericNetwork<float>(spec, seed: 1);
        TrainingHistory history = fused.Fit(data, new Adam<float>(1e-2), options);
        separate.Fit(data, new Adam<float>(1e-2), options with { FusedUpdate = false });

        Assert.Equal(0, history.GuardedSteps);
        Assert.Equal(separate.Parameters.ToArray(), fused.Parameters.ToArray());
    }
}
