using NetGen.Integration.Tests.Infrastructure;

namespace NetGen.Integration.Tests;

/// <summary>
/// Batches of 1–3 rows back-propagate through blocked layers without the transposed copy of W: ∂C/∂a_k = W[k, :]·δ
/// four rows of W at a time, finished by four horizontal sums at once when the layer's width is a whole number of
/// vectors, by separate sums otherwise, by none when it is narrower than a vector, and one column at a time for a
/// single output (W contiguous over k, vectorized over k, as is that layer's ∂C/∂W). Each shape is checked against
/// finite differences (double) and against the generic engine (double and float), through BackwardBatch and through
/// the single-sample Backward; 4 rows, the transposed path, is the comparison point.
/// </summary>
public sealed class SmallBatchTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "one output", "one sigmoid output", "whole vectors", "narrower than a vector" })
        {
            foreach (int count in new[] { 1, 2, 3, 4 })
            {
                data.Add(name, count);
            }
        }

        return data;
    }

    private static NetworkSpec Spec(string name, Precision precision) => name switch
    {
        // Fan-in 20 > 16: the 20 → 1 layer is blocked, with one output.
        "one output" => NetworkSpec.Input(20).Dense(24, Activation.Tanh).Dense(20, Activation.Sigmoid).Dense(1).Build(Loss.MeanSquaredError, precision),
        "one sigmoid output" => NetworkSpec.Input(5).Dense(33, Activation.ELU).Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy, precision),
        // 18 → 16 (16 outputs: whole vectors for float and double; 18 rows of W: four groups of 4 and two single rows), 16 → 8.
        "whole vectors" => NetworkSpec.Input(17).Dense(18, Activation.LeakyReLU).Dense(16, Activation.Tanh).Dense(8, Activation.Softmax).Build(Loss.CrossEntropy, precision),
        // 40 → 3: three outputs, fewer than a vector's lanes.
        _ => NetworkSpec.Input(5).Dense(40, Activation.Sigmoid).Dense(3).Build(Loss.MeanSquaredError, precision),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Small_batches_have_correct_gradients_and_match_the_generic_engine(string name, int count)
    {
        NetworkSpec spec = Spec(name, Precision.Double);
        (double[] x, double[] y) = TestData.Make(spec, count, seed: 20 + count);

        var net = DynamicNetworks.Create<double>(spec, seed: 6);
        GradientCheckResult result = GradientCheck.Check(net, x, y);
        Assert.True(result.MaxError <= 1e-6, $"{name}, {count} rows: {result}");

        var generated = DynamicNetworks.Create<double>(spec, seed: 7);
        var generic = new GenericNetwork<double>(spec, seed: 7);
        double lossGenerated = generated.BackwardBatch(x, y);
        double lossGeneric = generic.BackwardBatch(x, y);
        Assert.True(Compare.Relative(lossGenerated, lossGeneric) <= 1e-12, $"losses {lossGenerated:R} vs {lossGeneric:R}");
        double error = Compare.ScaledError(generated.Gradients, generic.Gradients);
        Assert.True(error <= 1e-12, $"{name}, {count} rows: gradients differ by {error:E2}");

        // The same sums one sample at a time.
        generated.ZeroGradients();
        for (int s = 0; s < count; s++)
        {
            generated.Backward(x.AsSpan(s * spec.InputSize, spec.InputSize), y.AsSpan(s * spec.OutputSize, spec.OutputSize));
        }

        error = Compare.ScaledError(generated.Gradients, generic.Gradients);
        Assert.True(error <= 1e-12, $"{name}, {count} single samples: gradients differ by {error:E2}");

        NetworkSpec floatSpec = spec.WithPrecision(Precision.Single);
        var generatedF = DynamicNetworks.Create<float>(floatSpec, seed: 7);
        var genericF = new GenericNetwork<float>(floatSpec, seed: 7);
        float[] xf = TestData.ToFloat(x), yf = TestData.ToFloat(y);
        generatedF.BackwardBatch(xf, yf);
        genericF.BackwardBatch(xf, yf);
        error = Compare.ScaledError(generatedF.Gradients, genericF.Gradients);
        Assert.True(error <= 1e-5, $"{name}, {count} rows, float: gradients differ by {error:E2}");
    }
}
