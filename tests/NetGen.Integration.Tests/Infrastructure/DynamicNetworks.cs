using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;

namespace NetGen.Integration.Tests.Infrastructure;

/// <summary>
/// Declares networks as attribute text, runs the real generator over them, compiles the result with Roslyn and
/// loads it, so tests can run generated code for topologies chosen at test time (matrices, random topologies).
/// </summary>
public static class DynamicNetworks
{
    private static readonly ConcurrentDictionary<string, Assembly> s_cache = new(StringComparer.Ordinal);
    private static int s_counter;

    /// <summary>The attribute declaration of a spec, e.g. <c>[Network(Loss.CrossEntropy, Precision = Precision.Double)] [Input(3)] [Dense(4, Activation.ReLU)] …</c>.</summary>
    public static string Declaration(NetworkSpec spec, string className)
    {
        var sb = new StringBuilder();
        sb.Append(spec.LossFunction is { } loss
            ? $"[Network(nameof({loss.Name}), Precision = Precision.{spec.Precision})]\n"
            : $"[Network(Loss.{spec.Loss}, Precision = Precision.{spec.Precision})]\n");
        sb.Append($"[Input({spec.InputSize})]\n");
        foreach (LayerSpec layer in spec.Layers)
        {
            switch (layer)
            {
                case DenseLayerSpec dense:
                    string alpha = double.IsNaN(dense.Alpha) ? "" : $", Alpha = {dense.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
                    sb.Append(dense.Function is { } f ? $"[Dense({dense.Size}, nameof({f.Name}))]\n" : $"[Dense({dense.Size}, Activation.{dense.Activation}{alpha})]\n");
                    break;
                case DropoutLayerSpec drop:
                    sb.Append($"[Dropout({drop.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})]\n");
                    break;
                case BatchNormLayerSpec bn:
                    sb.Append($"[BatchNorm(Momentum = {bn.Momentum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, Epsilon = {bn.Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})]\n");
                    break;
            }
        }

        bool custom = spec.CustomFunctions.Count > 0;
        sb.Append(custom ? $"public partial class {className}\n{{\n{TestFunctions.Methods(spec.Precision)}\n}}\n" : $"public partial class {className} {{ }}\n");
        return sb.ToString();
    }

    /// <summary>Generates, compiles and loads one class per spec; returns a factory (seed → network) per spec.</summary>
    public static IReadOnlyList<Func<int, object>> Compile(IReadOnlyList<NetworkSpec> specs)
    {
        var names = specs.Select((_, i) => $"Net{i}").ToArray();
        var source = new StringBuilder("using System;\nusing NetGen;\nnamespace Dynamic;\n");
        for (int i = 0; i < specs.Count; i++)
        {
            source.Append(Declaration(specs[i], names[i]));
        }

        string text = source.ToString();
        Assembly assembly = s_cache.GetOrAdd(text, Build);
        return names.Select(n =>
        {
            Type type = assembly.GetType($"Dynamic.{n}", throwOnError: true)!;
            return (Func<int, object>)(seed => Activator.CreateInstance(type, seed)!);
        }).ToArray();
    }

    /// <summary>Generates, compiles and loads one network.</summary>
    public static INetwork<T> Create<T>(NetworkSpec spec, int seed = 0) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        (INetwork<T>)Compile([spec])[0](seed);

    private static Assembly Build(string source)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        MetadataReference[] references =
        [
            .. Net100.References.All,
            MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(INetwork<>).Assembly.Location),
        ];
        int id = Interlocked.Increment(ref s_counter);
        CSharpCompilation compilation = CSharpCompilation.Create(
            $"DynamicNetworks{id}",
            [CSharpSyntaxTree.ParseText(source, parseOptions)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new NetGenGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var generatorDiagnostics);
        var problems = generatorDiagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Generated code did not compile:\n" + string.Join("\n", problems.Take(20)));
        }

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException("Emit failed:\n" + string.Join("\n", emit.Diagnostics.Take(20)));
        }

        stream.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(stream);
    }
}
