using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Model;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests;

/// <summary>
/// The pipeline caches what it should, like Mapperly's IncrementalGeneratorTest and ComputeSharp's Test_*_Incrementality:
/// a driver is run, the compilation edited, the same driver run again, and the reason of every tracked step is checked.
/// An unrelated type or a comment re-emits nothing, a layer size re-emits that one network, a new network leaves the
/// others cached; no step holds Roslyn objects; cancellation is honored; output is identical across runs and cultures.
/// </summary>
public sealed class IncrementalTests
{
    private const string NetA = """
        using NetGen;
        namespace Samples;

        [Network(Loss.CrossEntropy)]
        [Input(4)]
        [Dense(8, Activation.ReLU)]
        [Dropout(0.25)]
        [Dense(3, Activation.Softmax)]
        public partial class NetA { }
        """;

    private const string NetB = """
        using NetGen;
        namespace Samples;

        [Network(Loss.MeanSquaredError, Precision = Precision.Double)]
        [Input(2)]
        [Dense(5, Activation.LeakyReLU, Alpha = 0.05)]
        [BatchNorm(Momentum = 0.9, Epsilon = 1e-5)]
        [Dense(1)]
        public partial class NetB { }
        """;

    private const string Invalid = """
        using NetGen;
        namespace Samples;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3)]
        [Dropout(1.5)]
        [Dense(1)]
        public partial class Broken { }
        """;

    private const string Orphan = """
        using NetGen;
        namespace Samples;

        [Input(2)]
        [Dense(1)]
        public partial class Orphaned { }
        """;

    [Fact]
    public void Rerun_on_a_cloned_compilation_is_all_cached() =>
        IncrementalAssert.CachesOnRerun(GeneratorHarness.Run(GeneratorHarness.Compile([NetA, NetB, Invalid, Orphan])));

    [Fact]
    public void Adding_an_unrelated_type_leaves_every_network_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(NetA, NetB);
        CSharpCompilation edited = compilation.AddSyntaxTrees(Parse("namespace Samples; public sealed class Unrelated { public int X => 1; }", "Unrelated.cs", compilation));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // A new compilation re-runs the semantic transform of every [Network] class; it gives an equal model, so
        // nothing after it runs again.
        Assert.All(Outputs(run, TrackingNames.Parse), o => Assert.True(o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, $"Parse was {o.Reason}"));
        Assert.All(Outputs(run, TrackingNames.Models), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Equal(2, Outputs(run, TrackingNames.Models).Count());
        Assert.All(SourceOutputs(run), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.Equal(2, run.GeneratedSources.Length);
    }

    [Fact]
    public void A_comment_above_the_class_re_emits_nothing()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(NetA, NetB);
        CSharpCompilation edited = Replace(compilation, "NetA.cs", NetA.Replace("[Network(", "// The classifier of the tutorial, see chapter 3.\n// (a second line)\n[Network(", StringComparison.Ordinal));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // NetA is parsed again (its tree changed) but gives an equal model: no model changes, no file is emitted again.
        Assert.Contains(Outputs(run, TrackingNames.Parse), o => o.Reason == IncrementalStepRunReason.Unchanged);
        Assert.All(Outputs(run, TrackingNames.Parse), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Parse was {o.Reason}"));
        Assert.All(Outputs(run, TrackingNames.Models), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(SourceOutputs(run), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void A_comment_above_an_invalid_class_moves_its_diagnostic_and_emits_nothing()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(Invalid, NetA);
        int before = driver.GetRunResult().Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line;
        CSharpCompilation edited = Replace(compilation, "Broken.cs", Invalid.Replace("[Network(", "// one\n// two\n[Network(", StringComparison.Ordinal));

        GeneratorDriver rerun = driver.RunGenerators(edited);
        GeneratorRunResult run = rerun.GetRunResult().Results.Single();

        Assert.Equal(before + 2, rerun.GetRunResult().Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(Outputs(run, TrackingNames.Diagnostics), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(Outputs(run, TrackingNames.Models), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Single(run.GeneratedSources);
    }

    [Fact]
    public void Changing_a_layer_size_regenerates_only_that_network()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(NetA, NetB);
        string before = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.Contains("NetB", StringComparison.Ordinal)).SourceText.ToString();
        CSharpCompilation edited = Replace(compilation, "NetA.cs", NetA.Replace("[Dense(8, Activation.ReLU)]", "[Dense(16, Activation.ReLU)]", StringComparison.Ordinal));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var models = Outputs(run, TrackingNames.Models).ToList();
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(models, o => Name(o.Value) == "NetA").Reason);
        Assert.Equal(IncrementalStepRunReason.Cached, Assert.Single(models, o => Name(o.Value) == "NetB").Reason);
        Assert.Equal(16, ((NetworkModel)models.Single(o => Name(o.Value) == "NetA").Value).Layers[0].OutputSize);

        var outputs = SourceOutputs(run).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(outputs.Count - 1, outputs.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.Equal(before, run.GeneratedSources.Single(s => s.HintName.Contains("NetB", StringComparison.Ordinal)).SourceText.ToString());
        Assert.Contains("Layer1Size = 16", run.GeneratedSources.Single(s => s.HintName.Contains("NetA", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
    }

    private const string Custom = """
        using System;
        using NetGen;
        namespace Samples;
        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(3, nameof(Swish))]
        [Dense(1)]
        public partial class NetC
        {
            [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));
        }
        """;

    [Fact]
    public void Editing_a_custom_function_regenerates_its_network_and_a_comment_in_it_does_not()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(Custom, NetB);
        CSharpCompilation commented = Replace(compilation, "NetC.cs", Custom.Replace("=> z /", "=> /* x σ(x) */ z /", StringComparison.Ordinal));
        GeneratorRunResult same = driver.RunGenerators(commented).GetRunResult().Results.Single();
        Assert.All(Outputs(same, TrackingNames.Models), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        CSharpCompilation edited = Replace(compilation, "NetC.cs", Custom.Replace("MathF.Exp(-z)", "MathF.Exp(-2f * z)", StringComparison.Ordinal));
        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var models = Outputs(run, TrackingNames.Models).ToList();
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(models, o => Name(o.Value) == "NetC").Reason);
        Assert.Equal(IncrementalStepRunReason.Cached, Assert.Single(models, o => Name(o.Value) == "NetB").Reason);
        Assert.Contains("MathF.Exp(-2f * z)", run.GeneratedSources.Single(s => s.HintName.Contains("NetC", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_custom_function_in_another_file_than_the_network_is_NG0027()
    {
        (GeneratorDriver driver, _) = Start(
            "using NetGen;\nnamespace Samples;\n[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(3, nameof(Swish))]\n[Dense(1)]\npublic partial class NetD { }\n",
            "using System;\nusing NetGen;\nnamespace Samples;\npublic partial class NetD\n{\n    [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));\n}\n".Replace("NetD\n{", "NetD /* functions */\n{", StringComparison.Ordinal));
        Diagnostic d = Assert.Single(driver.GetRunResult().Diagnostics);
        Assert.Equal("NG0027", d.Id);
        Assert.Contains("another file", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_second_network_leaves_the_first_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(NetA);
        CSharpCompilation edited = compilation.AddSyntaxTrees(Parse(NetB, "NetB.cs", compilation));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var models = Outputs(run, TrackingNames.Models).ToList();
        Assert.Equal(IncrementalStepRunReason.Cached, Assert.Single(models, o => Name(o.Value) == "NetA").Reason);
        Assert.Equal(IncrementalStepRunReason.New, Assert.Single(models, o => Name(o.Value) == "NetB").Reason);

        // The hint names were collected again, but no collision appeared: the first network's file is not re-emitted.
        Assert.All(Outputs(run, TrackingNames.HintNameCollisions), o => Assert.True(o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, $"HintNameCollisions was {o.Reason}"));
        var outputs = SourceOutputs(run).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.New));
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.Equal(2, run.GeneratedSources.Length);
    }

    [Fact]
    public void No_tracked_step_holds_Roslyn_objects()
    {
        // Valid, invalid and orphan declarations, so that every step has outputs; then an edit, so that every reason occurs.
        (GeneratorDriver driver, CSharpCompilation compilation) = Start(NetA, NetB, Invalid, Orphan);
        GeneratorDriver edited = driver.RunGenerators(Replace(compilation, "NetA.cs", NetA.Replace("Input(4)", "Input(5)", StringComparison.Ordinal)));
        // Every step the generator names (TrackingNames). Roslyn's own internal steps of ForAttributeWithMetadataName
        // (e.g. compilationUnitAndGlobalAliases_ForAttribute) legitimately hold trees, and the source-output steps
        // record the final Diagnostic objects, which are products, not cached values.
        var named = typeof(TrackingNames).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        foreach (GeneratorRunResult run in new[] { driver.GetRunResult().Results.Single(), edited.GetRunResult().Results.Single() })
        {
            Assert.NotEmpty(run.TrackedSteps);
            foreach ((string step, var runs) in run.TrackedSteps.Where(s => named.Contains(s.Key)))
            {
                foreach (IncrementalGeneratorRunStep stepRun in runs)
                {
                    foreach ((object value, _) in stepRun.Outputs)
                    {
                        IncrementalAssert.AssertNoRoslynObjects(value, step);
                    }
                }
            }
        }

        Assert.All(IncrementalAssert.TrackedSteps, step => Assert.True(driver.GetRunResult().Results.Single().TrackedSteps.ContainsKey(step), $"step {step} did not run"));
    }

    [Fact]
    public void A_cancelled_token_stops_the_run()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([NetA, NetB]);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => GeneratorHarness.CreateDriver().RunGenerators(compilation, cancellation.Token));

        // Without the cancelled token the same compilation generates normally.
        Assert.Equal(2, GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().GeneratedTrees.Length);
    }

    [Fact]
    public void Output_is_identical_across_runs_and_cultures()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([NetA, NetB, Invalid, Orphan]);
        (string Sources, string Diagnostics) invariant = RunUnder(CultureInfo.InvariantCulture, compilation);
        (string Sources, string Diagnostics) again = RunUnder(CultureInfo.InvariantCulture, compilation);
        var german = new CultureInfo("de-DE");
        Assert.Equal("0,25", 0.25.ToString(german)); // the culture really writes decimal commas here
        (string Sources, string Diagnostics) inGerman = RunUnder(german, compilation);

        Assert.Equal(invariant, again);
        Assert.Equal(invariant.Sources, inGerman.Sources);
        Assert.Equal(invariant.Diagnostics, inGerman.Diagnostics);
        Assert.Contains("0.25", invariant.Sources, StringComparison.Ordinal);
        Assert.Contains("0.05", invariant.Sources, StringComparison.Ordinal);
        Assert.Contains("1.5", invariant.Diagnostics, StringComparison.Ordinal);
    }

    private static (string Sources, string Diagnostics) RunUnder(CultureInfo culture, CSharpCompilation compilation)
    {
        CultureInfo culture0 = CultureInfo.CurrentCulture, ui0 = CultureInfo.CurrentUICulture;
        CultureInfo? default0 = CultureInfo.DefaultThreadCurrentCulture, defaultUi0 = CultureInfo.DefaultThreadCurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
            CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = culture;
            GeneratorDriverRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult();
            string sources = string.Join("\n\0\n", result.Results.Single().GeneratedSources
                .OrderBy(s => s.HintName, StringComparer.Ordinal)
                .Select(s => s.HintName + "\n" + Convert.ToHexString(s.SourceText.GetChecksum().AsSpan()) + "\n" + s.SourceText));
            string diagnostics = string.Join("\n", result.Diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.GetMessage(culture)}"));
            return (sources, diagnostics);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture0;
            CultureInfo.CurrentUICulture = ui0;
            CultureInfo.DefaultThreadCurrentCulture = default0;
            CultureInfo.DefaultThreadCurrentUICulture = defaultUi0;
        }
    }

    /// <summary>A driver that has run once over files named after the classes (NetA.cs, …).</summary>
    private static (GeneratorDriver Driver, CSharpCompilation Compilation) Start(params string[] sources)
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([]);
        SyntaxTree[] trees = sources.Select(s => Parse(s, FileName(s), compilation)).ToArray(); // one instance per file
        compilation = compilation.AddSyntaxTrees(trees);
        return (GeneratorHarness.CreateDriver().RunGenerators(compilation), compilation);
    }

    private static string FileName(string source) =>
        System.Text.RegularExpressions.Regex.Match(source, @"partial class (\w+)").Groups[1].Value + ".cs";

    private static SyntaxTree Parse(string text, string path, CSharpCompilation like) =>
        CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)(like.SyntaxTrees.FirstOrDefault()?.Options ?? new CSharpParseOptions(LanguageVersion.Latest)), path);

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text)));
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult run, string step) =>
        run.TrackedSteps.TryGetValue(step, out var runs) ? runs.SelectMany(r => r.Outputs) : [];

    /// <summary>The reasons of the source-output steps (here only the networks' files: the inputs have no diagnostics).</summary>
    private static IEnumerable<IncrementalStepRunReason> SourceOutputs(GeneratorRunResult run) =>
        run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).Select(o => o.Reason);

    private static string Name(object model) => ((NetworkModel)model).Type.Name;
}
