using NetGen.Runtime.Tests.IO;

namespace NetGen.Runtime.Tests.Generic;

/// <summary>
/// User-written functions in the runtime (issue 15): the spec names them and validates them, model files store them by
/// name and need them supplied to build a generic network, and the public gradient check finds a wrong derivative and
/// names the parameter and layer.
/// </summary>
public sealed class CustomFunctionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static NetworkSpec Spec(Precision precision = Precision.Double) =>
        NetworkSpec.Input(3).Dense(5, TestFunctions.Swish).Dense(4, TestFunctions.Knee).Dense(2).Build(TestFunctions.Cauchy, precision);

    [Fact]
    public void The_spec_names_its_functions_and_rejects_Custom_without_one()
    {
        NetworkSpec spec = Spec();
        Assert.Equal(["Swish", "Knee", "Cauchy"], spec.CustomFunctions.Select(f => f.Name));
        Assert.Equal("Input(3) → Dense(5, Swish) → Dense(4, Knee) → Dense(2, identity); Cauchy; Double", spec.ToString());
        Assert.Contains("CustomActivation", Assert.Throws<ArgumentException>(() => NetworkSpec.Input(2).Dense(2, Activation.Custom).Build(Loss.MeanSquaredError)).Message, StringComparison.Ordinal);
        Assert.Contains("CustomLoss", Assert.Throws<ArgumentException>(() => NetworkSpec.Input(2).Dense(2).Build(Loss.Custom)).Message, StringComparison.Ordinal);
        Assert.Equal(spec, spec.WithPrecision(Precision.Single).WithPrecision(Precision.Double));
        Assert.NotEqual(spec, NetworkSpec.Input(3).Dense(5, TestFunctions.Blend).Dense(4, TestFunctions.Knee).Dense(2).Build(TestFunctions.Cauchy, Precision.Double));
    }

    [Fact]
    public void A_model_with_custom_functions_saves_them_by_name_and_needs_them_to_load_generically()
    {
        var net = new GenericNetwork<double>(Spec(), seed: 3);
        IoTestSupport.Randomize(net, 9);
        string path = _dir.File("custom.netgen");
        ModelFile.Save(net, path);

        // The file alone names the functions but cannot run them: a clear error that says what to pass.
        Assert.Equal(["Swish", "Knee", "Cauchy"], ModelFile.ReadSpec(path).CustomFunctions.Select(f => f.Name));
        ArgumentException missing = Assert.Throws<ArgumentException>(() => ModelFile.LoadGeneric<double>(path));
        Assert.Contains("'Swish'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("LoadGeneric<T>(path, functions)", missing.Message, StringComparison.Ordinal);
        ArgumentException partial = Assert.Throws<ArgumentException>(() => ModelFile.LoadGeneric<double>(path, [TestFunctions.Swish, TestFunctions.Cauchy]));
        Assert.Contains("'Knee'", partial.Message, StringComparison.Ordinal);

        // With the functions (e.g. a generated network's Spec.CustomFunctions) it loads and computes the same outputs.
        GenericNetwork<double> loaded = ModelFile.LoadGeneric<double>(path, net.Spec.CustomFunctions);
        double[] x = IoTestSupport.Batch<double>(6, 3, 1);
        Assert.Equal(IoTestSupport.Outputs(net, x), IoTestSupport.Outputs(loaded, x));

        // Into a network of the same topology, the network's own functions are used.
        var into = new GenericNetwork<double>(Spec(), seed: 99);
        ModelFile.Load(into, path);
        Assert.Equal(IoTestSupport.Outputs(net, x), IoTestSupport.Outputs(into, x));

        // A different function of the same shape does not fit.
        var other = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(5, TestFunctions.Blend).Dense(4, TestFunctions.Knee).Dense(2).Build(TestFunctions.Cauchy, Precision.Double));
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(other, path));
        Assert.Contains("Swish", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A loss curved on the scale of the check's step (σ(z) = z + sin(600 z)/600): the stencil at h = 10⁻³ and h/5 is
    /// off by more than the tolerance even for the right derivative, so the check also takes h/25; a derivative off by
    /// 10⁻⁴ still fails. (Found as a false failure of a random topology: batch norm over 4 rows after a 1-unit layer.)
    /// </summary>
    [Fact]
    public void The_gradient_check_resolves_a_loss_curved_on_the_scale_of_its_step()
    {
        var ripple = new CustomActivation("Ripple", z => z + Math.Sin(600 * z) / 600, z => 1 + Math.Cos(600 * z));
        var slightlyWrong = new CustomActivation("Ripple", z => z + Math.Sin(600 * z) / 600, z => 1 + 1.0001 * Math.Cos(600 * z));
        (double[] x, double[] y) = (IoTestSupport.Batch<double>(4, 3, 7), IoTestSupport.Batch<double>(4, 1, 8));
        GradientCheckResult right = GradientCheck.Check(new GenericNetwork<double>(NetworkSpec.Input(3).Dense(4, ripple).Dense(1).Build(Loss.MeanSquaredError, Precision.Double), seed: 2), x, y);
        Assert.True(right.Passed, right.ToString());
        GradientCheckResult wrong = GradientCheck.Check(new GenericNetwork<double>(NetworkSpec.Input(3).Dense(4, slightlyWrong).Dense(1).Build(Loss.MeanSquaredError, Precision.Double), seed: 2), x, y);
        Assert.False(wrong.Passed, wrong.ToString());
        Assert.Equal(1, wrong.WorstLayer);
    }

    [Fact]
    public void The_gradient_check_passes_a_right_derivative_and_names_the_parameter_a_wrong_one_breaks()
    {
        var right = new GenericNetwork<double>(Spec(), seed: 1);
        (double[] x, double[] y) = (IoTestSupport.Batch<double>(5, 3, 2), IoTestSupport.Batch<double>(5, 2, 3));
        GradientCheckResult ok = GradientCheck.Check(right, x, y);
        Assert.True(ok.Passed, ok.ToString());
        Assert.Equal(right.ParameterCount, ok.Checked);

        // σ' off by 10 % in layer 2 only: the check fails and points into layer 2 or below it (layer 1's δ goes through it).
        var wrongKnee = new CustomActivation("Knee", TestFunctions.Knee.Apply, z => 1.1 * TestFunctions.Knee.Derivative(z));
        var wrong = new GenericNetwork<double>(NetworkSpec.Input(3).Dense(5, TestFunctions.Swish).Dense(4, wrongKnee).Dense(2).Build(TestFunctions.Cauchy, Precision.Double), seed: 1);
        GradientCheckResult bad = GradientCheck.Check(wrong, x, y);
        Assert.False(bad.Passed, bad.ToString());
        Assert.InRange(bad.WorstLayer, 1, 2);
        Assert.Matches(@"^(W|b)[12]\[", bad.WorstParameter);
        Assert.Contains("FAILED", bad.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_gradient_check_of_a_float_network_compares_its_own_gradient_with_differences_in_double()
    {
        var net = new GenericNetwork<float>(Spec(Precision.Single), seed: 4);
        float[] x = IoTestSupport.Batch<float>(7, 3, 5), y = IoTestSupport.Batch<float>(7, 2, 6);
        GradientCheckResult result = GradientCheck.Check(net, x, y);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.MaxError > 0);
    }
}
