using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests;

/// <summary>One test per diagnostic id: the wrong declaration, the id, the text the location points at, and that no code is emitted for it.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void NG0001_class_not_partial() => Expect(DiagnosticDescriptors.NotPartialId, "Fit", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public class Fit { }
        """);

    [Fact]
    public void NG0001_containing_type_not_partial() => Expect(DiagnosticDescriptors.NotPartialId, "Outer", """
        public class Outer
        {
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(1)]
            public partial class Fit { }
        }
        """);

    [Fact]
    public void NG0002_missing_input() => Expect(DiagnosticDescriptors.MissingInputId, "Network(Loss.MeanSquaredError)", """
        [Network(Loss.MeanSquaredError)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0003_duplicate_input() => Expect(DiagnosticDescriptors.DuplicateAttributeId, "Input(3)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Input(3)]
        [Dense(1)]
        public partial class Fit { }
        """, alsoAllowCompilerErrors: true);

    [Fact]
    public void NG0004_no_dense() => Expect(DiagnosticDescriptors.NoDenseId, "Network(Loss.MeanSquaredError)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("[Input(0)] [Dense(1)]", "Input(0)")]
    [InlineData("[Input(2)] [Dense(-3)]", "Dense(-3)")]
    public void NG0005_size_not_positive(string layers, string location) => Expect(DiagnosticDescriptors.NonPositiveSizeId, location, $$"""
        [Network(Loss.MeanSquaredError)]
        {{layers}}
        public partial class Fit { }
        """);

    [Fact]
    public void NG0006_softmax_not_last() => Expect(DiagnosticDescriptors.SoftmaxNotLastId, "Dense(4, Activation.Softmax)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(4, Activation.Softmax)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0007_cross_entropy_without_softmax() => Expect(DiagnosticDescriptors.CrossEntropyNeedsSoftmaxId, "Dense(3, Activation.Sigmoid)", """
        [Network(Loss.CrossEntropy)]
        [Input(2)]
        [Dense(3, Activation.Sigmoid)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0008_binary_cross_entropy_without_sigmoid() => Expect(DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoidId, "Dense(1)", """
        [Network(Loss.BinaryCrossEntropy)]
        [Input(2)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0009_alpha_on_activation_without_one() => Expect(DiagnosticDescriptors.AlphaNotApplicableId, "Dense(3, Activation.ReLU, Alpha = 0.1)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3, Activation.ReLU, Alpha = 0.1)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("double.NaN")]
    [InlineData("-0.5")]
    [InlineData("double.PositiveInfinity")]
    public void NG0010_invalid_alpha(string alpha) => Expect(DiagnosticDescriptors.InvalidAlphaId, $"Dense(3, Activation.LeakyReLU, Alpha = {alpha})", $$"""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3, Activation.LeakyReLU, Alpha = {{alpha}})]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("public partial class Fit<T> { }", "Fit")]
    [InlineData("public static partial class Fit { }", "Fit")]
    [InlineData("file partial class Fit { }", "Fit")]
    [InlineData("public partial class Fit(int x) { }", "Fit")]
    [InlineData("public partial class Spec { }", "Spec")]
    [InlineData("public partial class Kernels { }", "Kernels")]
    public void NG0011_unsupported_type(string declaration, string location) => Expect(DiagnosticDescriptors.UnsupportedTypeId, location, $$"""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        {{declaration}}
        """, alsoAllowCompilerErrors: true);

    [Fact]
    public void NG0012_layers_without_network() => Expect(DiagnosticDescriptors.LayersWithoutNetworkId, "Fit", """
        [Input(2)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("[Dense(3, (Activation)42)]", "Dense(3, (Activation)42)")]
    [InlineData("[Dense(\"three\")]", "Dense(\"three\")")]
    public void NG0013_invalid_argument(string dense, string location) => Expect(DiagnosticDescriptors.InvalidArgumentId, location, $$"""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        {{dense}}
        public partial class Fit { }
        """, alsoAllowCompilerErrors: true);

    [Fact]
    public void NG0013_invalid_loss() => Expect(DiagnosticDescriptors.InvalidArgumentId, "Network((Loss)7)", """
        [Network((Loss)7)]
        [Input(2)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0014_input_after_layers() => Expect(DiagnosticDescriptors.InputOrderId, "Input(2)", """
        [Network(Loss.MeanSquaredError)]
        [Dense(3)]
        [Input(2)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0015_layers_split_across_declarations() => Expect(DiagnosticDescriptors.SplitDeclarationId, "Dense(1)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3)]
        public partial class Fit { }

        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0016_too_many_parameters() => Expect(DiagnosticDescriptors.TooLargeId, "Network(Loss.MeanSquaredError)", """
        [Network(Loss.MeanSquaredError)]
        [Input(100000)]
        [Dense(100000)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("[Input(2)] [BatchNorm] [Dense(3)] [Dense(1)]", "BatchNorm")]
    [InlineData("[Input(2)] [Dense(3)] [Dropout(0.5)] [BatchNorm] [Dense(1)]", "BatchNorm")]
    public void NG0017_batch_norm_misplaced(string layers, string location) => Expect(DiagnosticDescriptors.BatchNormPlacementId, location, $$"""
        [Network(Loss.MeanSquaredError)]
        {{layers}}
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("[Input(2)] [Dense(3)] [Dense(1)] [Dropout(0.5)]", "Dropout(0.5)")]
    [InlineData("[Input(2)] [Dense(3)] [Dropout(0.5)] [Dropout(0.2)] [Dense(1)]", "Dropout(0.2)")]
    public void NG0018_dropout_misplaced(string layers, string location) => Expect(DiagnosticDescriptors.DropoutPlacementId, location, $$"""
        [Network(Loss.MeanSquaredError)]
        {{layers}}
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("1.0")]
    [InlineData("-0.1")]
    [InlineData("double.NaN")]
    public void NG0019_dropout_rate(string rate) => Expect(DiagnosticDescriptors.InvalidDropoutRateId, $"Dropout({rate})", $$"""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3)]
        [Dropout({{rate}})]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("Momentum = 1.0")]
    [InlineData("Epsilon = 0")]
    public void NG0020_batch_norm_settings(string setting) => Expect(DiagnosticDescriptors.InvalidBatchNormId, $"BatchNorm({setting})", $$"""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3)]
        [BatchNorm({{setting}})]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Theory]
    [InlineData("public void Forward() { }", "Forward")]
    [InlineData("public int W1;", "W1")]
    [InlineData("public Fit() { }", "Fit")]
    [InlineData("public Fit(int seed, Initializer init) { }", "Fit")]
    public void NG0021_member_conflict(string member, string location) => Expect(DiagnosticDescriptors.MemberConflictId, location, $$"""
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public partial class Fit { {{member}} }
        """);

    /// <summary>
    /// The names the generated part used to declare in the user's class (helpers, buffers, passes) now live inside the nested
    /// Kernels struct or in the runtime, and are called by full name: a network may declare members with every one of them,
    /// on a wide network (runtime kernels, transposed weights) and on a tiny one (the lane kernels), and still compiles.
    /// </summary>
    [Theory]
    [InlineData(2, 64)]
    [InlineData(2, 2)]
    public void Former_helper_names_are_free_for_the_user(int inputs, int hidden)
    {
        string[] names = ["Exp", "Log", "Load", "Store", "Get", "Ref", "Vec", "Fma", "Max0", "Min0", "IfPositive", "Tanh", "VectorWidth",
            "Workspace", "Pair", "TileRows", "ForwardTile", "BackwardTile", "OutputError", "ForwardRows", "BackwardRows", "AddTo", "AddScaled",
            "TransposeWeights", "Lanes", "Layer1", "Layer2", "Z1", "A1", "Delta1", "WT2", "Dense", "Activations", "Tile", "VectorMath",
            "p", "ws", "rows", "t", "g", "scale", "loss", "s_spec", "_parameters", "_work", "_pair"];
        string members = string.Join("\n", names.Select(n => $"    public static int {n}() => 1;"));
        GeneratorRun run = GeneratorHarness.Run($$"""
            using NetGen;
            namespace Samples;
            [Network(Loss.MeanSquaredError)]
            [Input({{inputs}})]
            [Dense({{hidden}}, Activation.Sigmoid)]
            [Dense({{hidden}}, Activation.ReLU)]
            [Dense(1)]
            public partial class Fit
            {
            {{members}}
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void NG0022_base_without_parameterless_constructor() => Expect(DiagnosticDescriptors.BaseConstructorId, "Fit", """
        public class Base { public Base(int x) { } }

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public partial class Fit : Base { }
        """, alsoAllowCompilerErrors: true);

    [Fact]
    public void NG0023_runtime_not_referenced()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(["""
            using NetGen;
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(1)]
            public partial class Fit { }
            """], withRuntime: false));
        Diagnostic diagnostic = Assert.Single(run.Diagnostics, d => d.Id == DiagnosticDescriptors.RuntimeMissingId);
        Assert.Equal("Network(Loss.MeanSquaredError)", Text(run, diagnostic));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0024_inherited_member_conflict() => Expect(DiagnosticDescriptors.InheritedMemberConflictId, "Fit", """
        public class Base { public int Forward; }

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public partial class Fit : Base { }
        """);

    [Fact]
    public void NG0024_network_derived_from_a_network()
    {
        // The base network's members come from its own generated part, which the generator's input does not contain.
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;
            namespace Samples;

            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(1)]
            public partial class BaseNet { }

            [Network(Loss.MeanSquaredError)]
            [Input(3)]
            [Dense(1)]
            public partial class Fit : BaseNet { }
            """);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(DiagnosticDescriptors.InheritedMemberConflictId, diagnostic.Id);
        Assert.Equal("Fit", Text(run, diagnostic));
        Assert.Contains("'Samples.BaseNet'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("Samples.BaseNet.NetGen.g.cs", Assert.Single(run.Sources).Key);
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void NG0025_custom_activation_not_found() => Expect(DiagnosticDescriptors.FunctionNotFoundId, "\"Swoosh\"", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(4, "Swoosh")]
        [Dense(1)]
        public partial class Fit
        {
            [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));
        }
        """);

    [Fact]
    public void NG0025_custom_loss_not_found() => Expect(DiagnosticDescriptors.FunctionNotFoundId, "\"Hubber\"", """
        [Network("Hubber")]
        [Input(2)]
        [Dense(1)]
        public partial class Fit { }
        """);

    [Fact]
    public void NG0026_loss_used_as_activation() => Expect(DiagnosticDescriptors.FunctionWrongRoleId, "nameof(Huber)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(4, nameof(Huber))]
        [Dense(1)]
        public partial class Fit
        {
            [LossFunction] public static float Huber(float a, float y) => MathF.Abs(a - y);
        }
        """);

    [Fact]
    public void NG0026_method_not_marked() => Expect(DiagnosticDescriptors.FunctionWrongRoleId, "nameof(Swish)", """
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(4, nameof(Swish))]
        [Dense(1)]
        public partial class Fit
        {
            public static float Swish(float z) => z / (1f + MathF.Exp(-z));
        }
        """);

    [Theory]
    [InlineData("public float Swish(float z) => z;", "instance")]
    [InlineData("public static double Swish(double z) => z;", "precision")]
    [InlineData("public static float Swish(float z, float w) => z;", "parameter")]
    [InlineData("public static float Swish(ref float z) => z;", "ref")]
    [InlineData("public static T Swish<T>(T z) => z;", "generic")]
    public void NG0027_wrong_signature(string method, string reason)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using System;
            using NetGen;
            namespace Samples;
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(4, nameof(Swish))]
            [Dense(1)]
            public partial class Fit
            {
                [ActivationFunction] {{method}}
            }
            """);
        Diagnostic d = Assert.Single(run.Diagnostics, x => x.Id == DiagnosticDescriptors.FunctionSignatureId);
        Assert.Equal("Swish", Text(run, d));
        Assert.Contains(reason, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("{ float s = 0; for (int i = 0; i < 3; i++) { s += z; } return s; }", "for (int i = 0; i < 3; i++) { s += z; }", "loop")]
    [InlineData("=> MathF.Floor(z);", "MathF.Floor(z)", "not one of the functions")]
    [InlineData("=> Helper(z);", "Helper(z)", "mark the method [ActivationFunction]")]
    [InlineData("{ Count = 1; return z; }", "Count", "not a local")]
    [InlineData("=> z % 2f;", "%", "remainder")]
    [InlineData("=> z > 0 && z < 1 ? z : 0f;", "z > 0 && z < 1", "nest the conditionals")]
    [InlineData("{ if (z > 0) return z; return 0f; }", "if (z > 0) return z;", "conditional expression")]
    [InlineData("=> z * Scale;", "Scale", "field")]
    [InlineData("=> Swish(z);", "Swish", "recursion")]
    public void NG0028_not_differentiable(string body, string location, string reason)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using System;
            using NetGen;
            namespace Samples;
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(4, nameof(Swish))]
            [Dense(1)]
            public partial class Fit
            {
                private static int Count;
                private static float Scale = 2f;
                private static float Helper(float x) => x;
                [ActivationFunction] public static float Swish(float z) {{body}}
            }
            """);
        Diagnostic d = Assert.Single(run.Diagnostics, x => x.Id == DiagnosticDescriptors.NotDifferentiableId);
        Assert.Equal(location, Text(run, d));
        Assert.Contains(reason, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
        Assert.DoesNotContain(run.Input.GetDiagnostics(), x => x.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void NG0028_in_a_loss() => Expect(DiagnosticDescriptors.NotDifferentiableId, "while (d > 1) { d = d / 2; }", """
        [Network(nameof(Shrink))]
        [Input(2)]
        [Dense(1)]
        public partial class Fit
        {
            [LossFunction] public static float Shrink(float a, float y) { float d = a - y; while (d > 1) { d = d / 2; } return d * d; }
        }
        """);

    [Fact]
    public void Every_descriptor_is_tested_and_listed_in_the_release_file()
    {
        string[] ids = typeof(DiagnosticDescriptors).GetFields()
            .Where(f => f.IsLiteral && f.Name.EndsWith("Id", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToArray();
        string[] tests = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).Where(n => n.StartsWith("NG", StringComparison.Ordinal)).Select(n => n[..6]).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ids, tests);

        string root = RepositoryRoot();
        string releases = File.ReadAllText(Path.Combine(root, "src", "Generator", "AnalyzerReleases.Unshipped.md"));
        foreach (string id in ids)
        {
            Assert.Contains($"{id} | NetGen |", releases, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_descriptor_has_a_help_page_it_links_to()
    {
        string root = RepositoryRoot();
        foreach (DiagnosticDescriptor descriptor in typeof(DiagnosticDescriptors).GetFields().Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => (DiagnosticDescriptor)f.GetValue(null)!))
        {
            // No web address exists for the pages, so none is linked: the message names the page the package ships.
            Assert.Equal(string.Empty, descriptor.HelpLinkUri);
            Assert.EndsWith($" (see docs/diagnostics/{descriptor.Id}.md in the NetGen package)", descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            string page = Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"missing help page {page}");
            Assert.Contains(descriptor.Id, File.ReadAllText(page), StringComparison.Ordinal);
        }
    }

    internal static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("NetGen.sln not found above " + AppContext.BaseDirectory);
    }

    private static void Expect(string id, string locationText, string declaration, bool alsoAllowCompilerErrors = false)
    {
        GeneratorRun run = GeneratorHarness.Run("using System;\nusing NetGen;\nnamespace Samples;\n" + declaration);
        Diagnostic[] matching = run.Diagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(matching.Length > 0, $"expected {id}, got: {string.Join("; ", run.Diagnostics)}");
        Assert.Contains(locationText, matching.Select(d => Text(run, d)));
        Assert.All(matching, d => Assert.False(string.IsNullOrWhiteSpace(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))));
        if (matching.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            Assert.Empty(run.Sources);
        }

        if (!alsoAllowCompilerErrors)
        {
            // The only errors are NetGen's: the user's code is otherwise valid C#.
            Assert.DoesNotContain(run.Input.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }
    }

    /// <summary>The source text a diagnostic's location covers (generator locations carry a file path, not a tree).</summary>
    private static string Text(GeneratorRun run, Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }
}
