extern alias generator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGenGenerator = generator::NetGen.Generator.NetGenGenerator;

namespace NetGen.Benchmarks;

/// <summary>
/// The generator's own time: a fresh driver over a fresh copy of a compilation (<see cref="Compilation.Clone"/>, so
/// nothing bound by an earlier run is reused) with 1, 10 or 50 networks, each in its own file — the cold, full
/// generation a build pays: find the attributes, bind them, check the rules, emit every file.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench -- --filter '*Generator*' --job short</c>
/// </remarks>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;

    [Params(1, 10, 50)]
    public int Networks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _compilation = GeneratorBench.Compile(Enumerable.Range(0, Networks).Select(GeneratorBench.TypicalNetwork));
        GeneratorBench.Check(_compilation, Networks);
    }

    [Benchmark]
    public GeneratorDriver Generate() => GeneratorBench.Run(_compilation.Clone());
}

/// <summary>One 10-layer network with layers of mixed sizes (16–128), activations, batch normalization and dropout.</summary>
[MemoryDiagnoser]
public class GeneratorTenLayerBenchmark
{
    private CSharpCompilation _compilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = GeneratorBench.Compile([GeneratorBench.TenLayerNetwork]);
        GeneratorBench.Check(_compilation, 1);
    }

    [Benchmark]
    public GeneratorDriver TenLayerNetwork() => GeneratorBench.Run(_compilation.Clone());
}

internal static class GeneratorBench
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(INetwork<>).Assembly.Location),
    ];

    private static readonly string[] Topologies =
    [
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(2, Activation.Sigmoid)] [Dense(1)]",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(64, Activation.Sigmoid)] [Dense(64, Activation.Sigmoid)] [Dense(1)]",
        "[Network(Loss.CrossEntropy)] [Input(784)] [Dense(128, Activation.ReLU)] [Dense(64, Activation.ReLU)] [Dense(10, Activation.Softmax)]",
        "[Network(Loss.CrossEntropy)] [Input(64)] [Dense(100, Activation.LeakyReLU)] [Dense(30, Activation.LeakyReLU)] [Dense(10, Activation.Softmax)]",
        "[Network(Loss.BinaryCrossEntropy, Precision = Precision.Double)] [Input(20)] [Dropout(0.2)] [Dense(16, Activation.ELU)] [BatchNorm] [Dense(1, Activation.Sigmoid)]",
    ];

    public const string TenLayerNetwork = """
        using NetGen;
        namespace Bench;

        [Network(Loss.CrossEntropy)]
        [Input(64)]
        [Dense(64, Activation.ReLU)]
        [Dense(128, Activation.ReLU)] [BatchNorm]
        [Dense(64, Activation.Tanh)] [Dropout(0.2)]
        [Dense(32, Activation.LeakyReLU)]
        [Dense(96, Activation.ELU)] [BatchNorm] [Dropout(0.1)]
        [Dense(48, Activation.Sigmoid)]
        [Dense(64, Activation.ReLU)]
        [Dense(16, Activation.Tanh)]
        [Dense(24, Activation.Identity)]
        [Dense(10, Activation.Softmax)]
        public partial class TenLayers { }
        """;

    public static string TypicalNetwork(int i) =>
        $"using NetGen;\nnamespace Bench;\n\n{Topologies[i % Topologies.Length].Replace("] [", "]\n[", StringComparison.Ordinal)}\npublic partial class Net{i.ToString(CultureInfo.InvariantCulture)} {{ }}\n";

    public static CSharpCompilation Compile(IEnumerable<string> sources) =>
        CSharpCompilation.Create(
            "GeneratorBench",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Net{i.ToString(CultureInfo.InvariantCulture)}.cs")).ToArray(),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Run(Compilation compilation) =>
        CSharpGeneratorDriver.Create([new NetGenGenerator().AsSourceGenerator()], parseOptions: ParseOptions).RunGenerators(compilation);

    /// <summary>Fails the setup unless the generator makes one file per network and reports nothing.</summary>
    public static void Check(CSharpCompilation compilation, int networks)
    {
        GeneratorDriverRunResult result = Run(compilation).GetRunResult();
        if (result.Diagnostics.Length > 0 || result.GeneratedTrees.Length != networks)
        {
            throw new InvalidOperationException($"expected {networks} generated files and no diagnostics, got {result.GeneratedTrees.Length}: {string.Join("; ", result.Diagnostics)}");
        }
    }
}
