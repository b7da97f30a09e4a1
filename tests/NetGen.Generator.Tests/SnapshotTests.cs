using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generated code is a product read by people learning back-propagation: each network's file is compared with
/// its committed snapshot, compiles without errors or warnings, and the pipeline caches on an identical rerun.
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void Perceptron_1_1() => Verify("""
        [Network(Loss.MeanSquaredError)]
        [Input(1)]
        [Dense(1)]
        public partial class Perceptron { }
        """);

    [Fact]
    public void OneHiddenNode_1_1_1() => Verify("""
        [Network(Loss.MeanSquaredError)]
        [Input(1)]
        [Dense(1, Activation.Sigmoid)]
        [Dense(1)]
        public partial class OneHiddenNode { }
        """);

    [Fact]
    public void QuadraticFit_2_2_1() => Verify("""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(2, Activation.Sigmoid)]
        [Dense(1)]
        public partial class QuadraticFit { }
        """);

    /// <summary>Issue 15: a user-written activation, differentiated by the generator, in a tiny (unrolled) and a wide layer.</summary>
    [Fact]
    public void Custom_activation_Swish() => Verify("""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(16, nameof(Swish))]
        [Dense(1)]
        public partial class Fit
        {
            [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));
        }
        """);

    /// <summary>Issue 15: a user-written piecewise loss with a local, in double.</summary>
    [Fact]
    public void Custom_loss_Huber() => Verify("""
        [Network(nameof(Huber), Precision = Precision.Double)]
        [Input(4)]
        [Dense(6, Activation.Tanh)]
        [Dense(3)]
        public partial class Robust
        {
            [LossFunction] public static double Huber(double a, double y) { double d = a - y; return Math.Abs(d) <= 1 ? 0.5 * d * d : Math.Abs(d) - 0.5; }
        }
        """);

    [Fact]
    public void Classifier_64_32_10_softmax_cross_entropy() => Verify("""
        [Network(Loss.CrossEntropy)]
        [Input(64)]
        [Dense(32, Activation.ReLU)]
        [Dense(10, Activation.Softmax)]
        public partial class DigitsClassifier { }
        """);

    /// <summary>Benchmark topology b: wide sigmoid layers into one output (the one-column kernels of W3).</summary>
    [Fact]
    public void Regression_2_64_64_1_sigmoid() => Verify("""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(64, Activation.Sigmoid)]
        [Dense(64, Activation.Sigmoid)]
        [Dense(1)]
        public partial class WideRegression { }
        """);

    /// <summary>A first layer larger than L1 (300 × 45 floats, 52 KiB): its forward product reads W from column panels in large batches.</summary>
    [Fact]
    public void Large_first_layer_in_column_panels() => Verify("""
        [Network(Loss.CrossEntropy)]
        [Input(300)]
        [Dense(45, Activation.ReLU)]
        [Dense(3, Activation.Softmax)]
        public partial class WideInput { }
        """);

    [Fact]
    public void Double_precision_network() => Verify("""
        [Network(Loss.BinaryCrossEntropy, Precision = Precision.Double)]
        [Input(3)]
        [Dense(4, Activation.Tanh)]
        [Dense(1, Activation.Sigmoid)]
        public partial class DoubleNet { }
        """);

    [Theory]
    [InlineData("Identity")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("ReLU")]
    [InlineData("LeakyReLU")]
    [InlineData("ELU")]
    public void One_per_activation(string activation) => Verify($$"""
        [Network(Loss.MeanSquaredError)]
        [Input(12)]
        [Dense(10, Activation.{{activation}})]
        [Dense(3, Activation.{{activation}})]
        public partial class {{activation}}Net { }
        """, member: $"One_per_activation_{activation}");

    [Fact]
    public void Softmax_with_mean_squared_error() => Verify("""
        [Network(Loss.MeanSquaredError)]
        [Input(3)]
        [Dense(4, Activation.Softmax)]
        public partial class SoftmaxRegression { }
        """);

    [Fact]
    public void Batch_norm_and_dropout() => Verify("""
        [Network(Loss.CrossEntropy)]
        [Input(20)]
        [Dropout(0.2)]
        [Dense(16, Activation.ELU, Alpha = 0.5)]
        [BatchNorm(Momentum = 0.9)]
        [Dropout(0.5)]
        [Dense(3, Activation.Softmax)]
        public partial class Regularized { }
        """);

    [Fact]
    public void Nested_in_partial_types_and_global_namespace() => Verify("""
        public static partial class Models
        {
            internal partial record Container
            {
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                private sealed partial class Linear { }
            }
        }
        """, withNamespace: false);

    private static void Verify(string declaration, [System.Runtime.CompilerServices.CallerMemberName] string member = "", bool withNamespace = true)
    {
        string source = "using System;\nusing NetGen;\n" + (withNamespace ? "namespace Samples;\n" : "") + declaration;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        (string hintName, string text) = Assert.Single(run.Sources);
        SnapshotAssert.Matches(text, hintName, member: member);
        IncrementalAssert.CachesOnRerun(run);
    }
}
