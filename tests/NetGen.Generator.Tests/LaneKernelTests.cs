using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests;

/// <summary>
/// Which small networks run SIMD across samples (the lane kernels, <c>HasLanes</c>): every activation does, the four
/// added built-ins through V.Activate / V.ActivationDelta and user-written ones through V.Apply / V.Derivative of their
/// own struct, and so does every loss, the element-wise ones (built-in or user-written) through V.Loss and
/// V.LossDerivative; batch normalization and dropout keep the row kernels. Their numbers are checked in the integration
/// tests' matrix (finite differences, generated ≡ generic), whose small networks are lane networks.
/// </summary>
public sealed class LaneKernelTests
{
    private static string Generate(string network, string layers, string members = "")
    {
        GeneratorRun run = GeneratorHarness.Run($"using NetGen;\n[Network({network})] [Input(2)] {layers}\npublic partial class Small\n{{\n{members}\n}}\n");
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        return Assert.Single(run.Sources).Value;
    }

    [Theory]
    [InlineData("SiLU")]
    [InlineData("GELU")]
    [InlineData("Softplus")]
    [InlineData("Mish")]
    public void Added_built_in_activations_run_the_lane_kernels(string activation)
    {
        string code = Generate("Loss.MeanSquaredError", $"[Dense(4, Activation.{activation})] [Dense(1, Activation.{activation})]");
        Assert.Contains("public static bool HasLanes => true;", code, StringComparison.Ordinal);
        Assert.Contains($"V.Activate<global::NetGen.Activations.{activation}>(z1_0)", code, StringComparison.Ordinal);
        Assert.Contains($"V.ActivationDelta<global::NetGen.Activations.{activation}>(e_0, z2_0, a2_0)", code, StringComparison.Ordinal);
        Assert.Contains($"V.ActivationDelta<global::NetGen.Activations.{activation}>((w2_0_0 * delta2_0), z1_0, a1_0)", code, StringComparison.Ordinal);
    }

    [Fact]
    public void User_written_activations_run_the_lane_kernels_through_their_struct()
    {
        string code = Generate("Loss.CrossEntropy", "[Dense(4, nameof(Swish))] [Dense(3, Activation.Softmax)]",
            "[ActivationFunction] public static float Swish(float z) => z / (1f + System.MathF.Exp(-z));");
        Assert.Contains("public static bool HasLanes => true;", code, StringComparison.Ordinal);
        Assert.Contains("private readonly struct SwishActivation", code, StringComparison.Ordinal);
        Assert.Contains("var a1_0 = V.Apply<SwishActivation>(z1_0);", code, StringComparison.Ordinal);
        Assert.Contains("* V.Derivative<SwishActivation>(z1_3);", code, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", code.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Loss.Huber", "", "global::NetGen.Losses.Huber")]
    [InlineData("Loss.LogCosh", "", "global::NetGen.Losses.LogCosh")]
    [InlineData("Loss.MeanAbsoluteError", "", "global::NetGen.Losses.MeanAbsoluteError")]
    [InlineData("nameof(Cost)", "[LossFunction] public static float Cost(float a, float y) => (a - y) * (a - y);", "global::NetGen.Losses.Custom<float, CostLoss>")]
    public void Element_wise_losses_run_the_lane_kernels_through_their_runtime_type(string loss, string members, string type)
    {
        string code = Generate(loss, "[Dense(4, Activation.Tanh)] [Dense(2)]", members);
        Assert.Contains("public static bool HasLanes => true;", code, StringComparison.Ordinal);
        Assert.Contains($"loss += V.Loss<{type}>(a2_1, y_1); var e_1 = V.LossDerivative<{type}>(a2_1, y_1);", code, StringComparison.Ordinal);
        Assert.Contains("var delta2_1 = e_1;", code, StringComparison.Ordinal);
    }

    [Fact]
    public void An_element_wise_loss_through_softmax_takes_the_Jacobian_vector_product()
    {
        string code = Generate("Loss.Huber", "[Dense(4, Activation.Tanh)] [Dense(3, Activation.Softmax)]");
        Assert.Contains("var dot = e_0 * a2_0 + e_1 * a2_1 + e_2 * a2_2;", code, StringComparison.Ordinal);
        Assert.Contains("var delta2_0 = a2_0 * (e_0 - dot);", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_normalization_and_dropout_keep_the_row_kernels()
    {
        Assert.DoesNotContain("HasLanes", Generate("Loss.MeanSquaredError", "[Dense(4, Activation.Tanh)] [BatchNorm] [Dense(1)]"), StringComparison.Ordinal);
        Assert.DoesNotContain("HasLanes", Generate("Loss.MeanSquaredError", "[Dense(4, Activation.Tanh)] [Dropout(0.5)] [Dense(1)]"), StringComparison.Ordinal);
    }
}
