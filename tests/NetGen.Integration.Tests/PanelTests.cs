using NetGen.Integration.Tests.Infrastructure;

namespace NetGen.Integration.Tests;

/// <summary>
/// A layer whose weights outgrow L1 (300 → 45: 54 KB in float, 108 KB in double) reads W from column panels in
/// batches of 128 rows or more. The panels only move data: each output is the same chain of fused multiply-adds over
/// k, so a large batch gives bit for bit what the same rows give in small batches read straight from W; and the
/// gradients through it match finite differences and the generic engine. 45 columns are not a whole number of
/// panels (2 vectors), so the columns right of the last panel are read from W in the same batch.
/// </summary>
public sealed class PanelTests
{
    private static NetworkSpec Spec(Precision precision) =>
        NetworkSpec.Input(300).Dense(45, Activation.Tanh).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, precision);

    /// <summary>
    /// Activations that are exact in every lane: tanh and e^x round differently in a vector than in the scalar loop
    /// that finishes a tile's last values, which would make the comparison depend on where a batch ends.
    /// </summary>
    private static NetworkSpec ExactSpec(Precision precision) =>
        NetworkSpec.Input(300).Dense(45, Activation.ReLU).Dense(3).Build(Loss.MeanSquaredError, precision);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_batch_read_from_panels_equals_the_same_rows_in_small_batches(bool twoCores)
    {
        bool saved = Parallelism.Enabled;
        Parallelism.Enabled = twoCores;
        try
        {
            const int rows = 400;   // above this net's split size (367 rows); two cores: halves of 200 rows, each above the panel threshold
            NetworkSpec spec = ExactSpec(Precision.Double);
            (double[] x, _) = TestData.Make(spec, rows, seed: 3);
            Check(DynamicNetworks.Create<double>(spec, seed: 2), x);
            Check(DynamicNetworks.Create<float>(spec.WithPrecision(Precision.Single), seed: 2), TestData.ToFloat(x));

            void Check<T>(INetwork<T> net, T[] inputs)
                where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            {
                var large = new T[rows * spec.OutputSize];
                net.ForwardBatch(inputs, large);
                var small = new T[rows * spec.OutputSize];
                for (int first = 0; first < rows; first += 50)
                {
                    net.ForwardBatch(inputs.AsSpan(first * spec.InputSize, 50 * spec.InputSize), small.AsSpan(first * spec.OutputSize, 50 * spec.OutputSize));
                }

                Assert.Equal(small, large);
            }
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    [Fact]
    public void Gradients_of_a_paneled_batch_match_finite_differences_and_the_generic_engine()
    {
        const int rows = 260;   // one core: a 256-row tile; two: halves of 128 and 132 rows — panels either way
        NetworkSpec spec = Spec(Precision.Double);
        (double[] x, double[] y) = TestData.Make(spec, rows, seed: 5);

        var net = DynamicNetworks.Create<double>(spec, seed: 4);
        GradientCheckResult result = GradientCheck.Check(net, x, y, maxParameters: 120);
        Assert.True(result.MaxError <= 1e-6, result.ToString());

        var generated = DynamicNetworks.Create<double>(spec, seed: 8);
        var generic = new GenericNetwork<double>(spec, seed: 8);
        double lossGenerated = generated.BackwardBatch(x, y);
        double lossGeneric = generic.BackwardBatch(x, y);
        Assert.True(Compare.Relative(lossGenerated, lossGeneric) <= 1e-12, $"losses {lossGenerated:R} vs {lossGeneric:R}");
        double error = Compare.ScaledError(generated.Gradients, generic.Gradients);
        Assert.True(error <= 1e-12, $"gradients differ by {error:E2}");

        NetworkSpec floatSpec = spec.WithPrecision(Precision.Single);
        var generatedF = DynamicNetworks.Create<float>(floatSpec, seed: 8);
        var genericF = new GenericNetwork<float>(floatSpec, seed: 8);
        float[] xf = TestData.ToFloat(x), yf = TestData.ToFloat(y);
        generatedF.BackwardBatch(xf, yf);
        genericF.BackwardBatch(xf, yf);
        error = Compare.ScaledError(generatedF.Gradients, genericF.Gradients);
        Assert.True(error <= 1e-5, $"float gradients differ by {error:E2}");
    }
}
