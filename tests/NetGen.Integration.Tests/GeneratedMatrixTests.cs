using NetGen.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Integration.Tests;

/// <summary>
/// Every valid output activation × loss, with every hidden activation, in both kernel shapes (unrolled and
/// Vector&lt;T&gt;): the generated gradients match finite differences, and generated ≡ generic on the same
/// parameters and data.
/// </summary>
public sealed class GeneratedMatrixTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, (NetworkSpec Spec, Func<int, object> Create)>> s_double = new(() => Build(Precision.Double));
    private static readonly Lazy<Dictionary<string, (NetworkSpec Spec, Func<int, object> Create)>> s_single = new(() => Build(Precision.Single));

    /// <summary>13 rows: one vector of 8 lanes plus 5 rows (narrow nets); three 4-row blocks plus one (wide nets).</summary>
    private const int Rows = 13;

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
    public void Generated_double_gradients_match_finite_differences(string name)
    {
        (NetworkSpec spec, Func<int, object> create) = s_double.Value[name];
        var net = (INetwork<double>)create(3);
        (double[] x, double[] y) = TestData.Make(spec, count: name.StartsWith("small", StringComparison.Ordinal) ? 11 : 6, seed: 7);   // 8 lanes + 3 rows; one 4-row block + 2
        GradientCheckResult result = GradientCheck.Check(net, x, y);
        output.WriteLine(result.ToString());
        Assert.True(result.MaxError <= 1e-6, $"{name}: {result}");
        Assert.True(result.Checked >= spec.ParameterCount / 2, $"{name}: too many skipped: {result}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_double_equals_generic(string name)
    {
        (NetworkSpec spec, Func<int, object> create) = s_double.Value[name];
        var generated = (INetwork<double>)create(5);
        var generic = new GenericNetwork<double>(spec, seed: 5);
        Assert.Equal(generic.Parameters.ToArray(), generated.Parameters.ToArray());
        (double[] x, double[] y) = TestData.Make(spec, count: Rows, seed: 11);

        var outGenerated = new double[Rows * spec.OutputSize];
        var outGeneric = new double[Rows * spec.OutputSize];
        generated.ForwardBatch(x, outGenerated);
        generic.ForwardBatch(x, outGeneric);
        Assert.True(Compare.ScaledError(outGenerated, outGeneric) <= 1e-12, $"outputs differ by {Compare.ScaledError(outGenerated, outGeneric):E2}");

        double lossGenerated = generated.BackwardBatch(x, y);
        double lossGeneric = generic.BackwardBatch(x, y);
        Assert.True(Compare.Relative(lossGenerated, lossGeneric) <= 1e-12, $"losses {lossGenerated:R} vs {lossGeneric:R}");
        double gradientError = Compare.ScaledError(generated.Gradients, generic.Gradients);
        output.WriteLine($"outputs {Compare.ScaledError(outGenerated, outGeneric):E2}, loss {Compare.Relative(lossGenerated, lossGeneric):E2}, gradients {gradientError:E2}");
        Assert.True(gradientError <= 1e-12, $"gradients differ by {gradientError:E2}");

        // Single-sample entry points agree with the batch ones.
        var one = new double[spec.OutputSize];
        generated.Forward(x.AsSpan(0, spec.InputSize), one);
        Assert.True(Compare.ScaledError(one, outGeneric.AsSpan(0, spec.OutputSize)) <= 1e-12);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_float_equals_generic_and_matches_the_double_reference(string name)
    {
        (NetworkSpec spec, Func<int, object> create) = s_single.Value[name.Replace("Double", "Single", StringComparison.Ordinal)];
        var generated = (INetwork<float>)create(5);
        var generic = new GenericNetwork<float>(spec, seed: 5);
        var reference = new GenericNetwork<double>(spec, seed: 5);
        for (int i = 0; i < reference.ParameterCount; i++)
        {
            reference.Parameters[i] = generated.Parameters[i];
        }

        (double[] xd, double[] yd) = TestData.Make(spec, count: Rows, seed: 11);
        float[] x = TestData.ToFloat(xd), y = TestData.ToFloat(yd);
        xd = TestData.ToDouble(x);
        yd = TestData.ToDouble(y);

        var outGenerated = new float[Rows * spec.OutputSize];
        var outGeneric = new float[Rows * spec.OutputSize];
        generated.ForwardBatch(x, outGenerated);
        generic.ForwardBatch(x, outGeneric);
        Assert.True(Compare.ScaledError(outGenerated, outGeneric) <= 1e-5, $"outputs differ by {Compare.ScaledError(outGenerated, outGeneric):E2}");

        float lossGenerated = generated.BackwardBatch(x, y);
        float lossGeneric = generic.BackwardBatch(x, y);
        double lossReference = reference.BackwardBatch(xd, yd);
        Assert.True(Compare.Relative(lossGenerated, lossGeneric) <= 1e-5, $"losses {lossGenerated:R} vs {lossGeneric:R}");
        double gradientError = Compare.ScaledError(generated.Gradients, generic.Gradients);
        double referenceError = Compare.ScaledError(generated.Gradients, reference.Gradients);
        output.WriteLine($"float vs generic float {gradientError:E2}, vs double reference {referenceError:E2}, loss {Compare.Relative(lossGenerated, lossReference):E2}");
        Assert.True(gradientError <= 1e-5, $"gradients differ from the generic engine by {gradientError:E2}");
        Assert.True(referenceError <= 1e-2, $"gradients differ from the double reference by {referenceError:E2}");
        Assert.True(Compare.Relative(lossGenerated, lossReference) <= 1e-2);
    }

    private static Dictionary<string, (NetworkSpec, Func<int, object>)> Build(Precision precision)
    {
        var matrix = Specs.Matrix(Precision.Double).ToList();
        var specs = matrix.Select(m => m.Spec.WithPrecision(precision)).ToList();
        IReadOnlyList<Func<int, object>> factories = DynamicNetworks.Compile(specs);
        return matrix.Select((m, i) => (m.Name, Spec: specs[i], Create: factories[i]))
            .ToDictionary(m => m.Name, m => (m.Spec, m.Create), StringComparer.Ordinal);
    }
}
