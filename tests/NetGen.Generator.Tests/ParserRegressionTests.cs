using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests;

/// <summary>
/// Bugs the fuzz test (Fuzz/FuzzTests.cs) found in the parser and the pipeline, each reduced to its smallest
/// declaration. Every test compiles the output: the point of each fix is that generated code either compiles cleanly
/// or is not generated and an NG diagnostic says why.
/// </summary>
public sealed class ParserRegressionTests
{
    [Fact]
    public void Keywords_used_as_names_keep_their_at_sign_in_the_generated_code()
    {
        // Found: 'partial class @event' generated 'partial class event' (and 'namespace Ns.class'), which does not parse.
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;
            namespace Ns.@class;

            public partial class @struct
            {
                [Network(Loss.MeanSquaredError)]
                [Input(2)]
                [Dense(1)]
                public partial class @event { }
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        string source = Assert.Single(run.Sources).Value;
        Assert.Contains("namespace Ns.@class", source, StringComparison.Ordinal);
        Assert.Contains("partial class @struct", source, StringComparison.Ordinal);
        Assert.Contains("partial class @event : global::NetGen.INetwork<float>", source, StringComparison.Ordinal);
        Assert.Contains("public @event(int seed)", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public partial class Net { }", "public partial class NET { }")]
    [InlineData("public partial class Outer<T> { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Net { } }",
                "public partial class Outer_T_ { [Network(Loss.MeanSquaredError)] [Input(3)] [Dense(1)] public partial class Net { } }")]
    public void Networks_whose_hint_names_collide_all_get_their_file(string first, string second)
    {
        // Found: hint names are compared ignoring case and sanitized ('<' -> '_'), so Samples.Net and Samples.NET (or
        // Outer<T>.Net and Outer_T_.Net) mapped to one hint name, AddSource threw, and the generator failed (CS8785):
        // no network of the project got its code.
        string Attributes(string declaration) => declaration.StartsWith("public partial class Outer", StringComparison.Ordinal)
            ? declaration
            : "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] " + declaration;
        GeneratorRun run = GeneratorHarness.Run($"using NetGen;\nnamespace Samples;\n{Attributes(first)}\n{Attributes(second)}\n");
        Assert.Empty(run.Diagnostics);
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Equal(2, run.Sources.Count);
        Assert.Equal(2, run.Sources.Keys.Select(k => k.ToUpperInvariant()).Distinct().Count());
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void Hint_names_stay_unchanged_when_nothing_collides()
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\nnamespace Samples;\n[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Net { }\n");
        Assert.Equal("Samples.Net.NetGen.g.cs", Assert.Single(run.Sources).Key);
    }

    [Fact]
    public void Network_on_two_partial_declarations_is_reported_once()
    {
        // Found: the transform ran once per declaration carrying [Network], so every diagnostic was reported twice.
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;
            namespace Samples;

            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            public partial class Fit { }

            [Network(Loss.CrossEntropy)]
            public partial class Fit { }
            """);
        Assert.Contains(run.Diagnostics, d => d.Id == DiagnosticDescriptors.DuplicateAttributeId);
        Assert.Contains(run.Diagnostics, d => d.Id == DiagnosticDescriptors.NoDenseId);
        var keys = run.Diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan()}").ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Layers_on_two_partial_declarations_without_network_get_NG0012()
    {
        // Found: with [Dense] on the first declaration and [Input] on the second, the Input pipeline (the kind chosen
        // to speak) only reported for the first declaration, which has no [Input]: nobody reported.
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;
            namespace Samples;

            [Dense(2)]
            public partial class Fit { }

            [Input(1)]
            [Dense(8)]
            public partial class Fit { }
            """);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(DiagnosticDescriptors.LayersWithoutNetworkId, diagnostic.Id);
        Assert.Equal(4, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // "public partial class Fit" under [Dense(2)]
    }

    [Fact]
    public void Base_class_whose_parameterless_constructor_is_internal_to_another_assembly_is_NG0022()
    {
        // Found in review of the NG0022 check: 'not private' is not 'accessible'; an internal constructor of a class
        // in a referenced assembly cannot be called by the generated constructors.
        CSharpCompilation library = CSharpCompilation.Create(
            "Library",
            [CSharpSyntaxTree.ParseText("namespace Lib { public class Base { internal Base() { } public Base(int x) { } } }")],
            Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        CSharpCompilation user = GeneratorHarness.Compile(["""
            using NetGen;
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(1)]
            public partial class Fit : Lib.Base { }
            """]).AddReferences(library.ToMetadataReference());
        GeneratorRun run = GeneratorHarness.Run(user);
        Assert.Contains(run.Diagnostics, d => d.Id == DiagnosticDescriptors.BaseConstructorId);
        Assert.Empty(run.Sources);
    }
}
