using System.Numerics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Runtime.Tests.IO;

/// <summary>
/// The exported C# file compiled as a user would: C# 7.3 against .NET Standard 2.0's netstandard.dll alone (so it
/// cannot reference NetGen or anything newer), with no warning; then the netstandard2.0 assembly is loaded into this
/// .NET 10 process and its outputs are compared with the source network's Forward and ForwardBatch.
/// </summary>
public sealed class CSharpExportTests
{
    private static readonly string s_netStandard = Path.Combine(AppContext.BaseDirectory, "netstandard2.0", "netstandard.dll");

    /// <summary>Random topologies: 1–3 hidden layers of 1–17 units, every activation, α, batch norm, dropout (input and hidden).</summary>
    private static List<NetworkSpec> RandomSpecs(int seed, int count)
    {
        var rng = new Random(seed);
        var specs = new List<NetworkSpec>();
        Activation[] hidden = Specs.HiddenActivations;
        for (int i = 0; i < count; i++)
        {
            (Activation output, Loss loss) = Specs.OutputCombinations[i % Specs.OutputCombinations.Length];
            var layers = new List<LayerSpec>();
            if (rng.Next(4) == 0)
            {
                layers.Add(new DropoutLayerSpec(0.1 + 0.4 * rng.NextDouble()));
            }

            int depth = 1 + rng.Next(3);
            for (int l = 0; l < depth; l++)
            {
                Activation activation = hidden[(i + l) % hidden.Length];
                double alpha = ActivationInfo.HasAlpha(activation) && rng.Next(2) == 0 ? 0.05 + rng.NextDouble() : double.NaN;
                layers.Add(new DenseLayerSpec(1 + rng.Next(17), activation, alpha));
                if (rng.Next(2) == 0)
                {
                    layers.Add(new BatchNormLayerSpec(0.9, rng.Next(2) == 0 ? 0.001 : 1e-5));
                }

                if (rng.Next(3) == 0)
                {
                    layers.Add(new DropoutLayerSpec(0.5));
                }
            }

            layers.Add(new DenseLayerSpec(1 + rng.Next(6), output));
            specs.Add(new NetworkSpec(2 + rng.Next(9), layers, loss));
        }

        return specs;
    }

    /// <summary>A network with random parameters and running statistics (not the initializer's), so every block matters.</summary>
    private static GenericNetwork<T> RandomNetwork<T>(NetworkSpec spec, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = new GenericNetwork<T>(spec, seed);
        var rng = new Random(seed);
        Span<T> parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        }

        foreach (DenseStage stage in spec.Stages.Where(s => s.BatchNorm is not null))
        {
            for (int j = 0; j < stage.OutputSize; j++)
            {
                network.State[stage.MeanOffset + j] = T.CreateChecked(rng.NextDouble() - 0.5);
                network.State[stage.VarianceOffset + j] = T.CreateChecked(0.2 + 2 * rng.NextDouble());
            }
        }

        return network;
    }

    private static T[] RandomRows<T>(int count, int width, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var rows = new T[count * width];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = T.CreateChecked(rng.NextDouble() * 4 - 2);
        }

        return rows;
    }

    /// <summary>Compiles C# 7.3 sources against netstandard.dll only; fails on any error or warning.</summary>
    internal static Assembly CompileForNetStandard20(string assemblyName, IEnumerable<string> sources)
    {
        Assert.True(File.Exists(s_netStandard), $"The .NET Standard 2.0 reference assembly is missing: {s_netStandard}");
        var parse = new CSharpParseOptions(LanguageVersion.CSharp7_3);
        CSharpCompilation compilation = CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: $"Export{i}.cs")),
            [MetadataReference.CreateFromFile(s_netStandard)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, warningLevel: 4));
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        Diagnostic[] problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(result.Success && problems.Length == 0, "The exported file does not compile cleanly as C# 7.3 for netstandard2.0:\n" + string.Join("\n", problems.Take(20)));
        stream.Position = 0;
        return new AssemblyLoadContext(assemblyName, isCollectible: true).LoadFromStream(stream);
    }

    private static void AssertClose<T>(T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]), a = double.CreateChecked(actual[i]);
            // ≤ 1e-6 relative; an output near 0 (a cancellation in z, a tiny softmax probability) is held to 1e-6 absolute.
            Assert.True(Math.Abs(e - a) <= 1e-6 * Math.Max(1, Math.Abs(e)), $"{what}: output {i} is {a:R}, the network's Forward gives {e:R}.");
        }
    }

    private static void ExportedMatchesForward<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        List<NetworkSpec> specs = RandomSpecs(seed, 30);
        // The matrix's wide nets (9 → 13 → 7 → 11), every output combination once, the hidden activation rotating.
        specs.AddRange(Specs.Matrix(Precision.Single).Where(m => m.Name.StartsWith("wide", StringComparison.Ordinal)).Where((_, i) => i % 7 == 0).Select(m => m.Spec));
        foreach (Activation activation in Enum.GetValues<Activation>().Where(a => !specs.Any(s => s.Stages.Any(st => st.Activation == a))))
        {
            // the issue-15 activations and a user-written one (its C# comes from the expression it carries)
            specs.Add(Specs.Matrix(Precision.Single).First(m => m.Name.StartsWith("wide", StringComparison.Ordinal) && m.Spec.Stages.Any(st => st.Activation == activation)).Spec);
        }

        Assert.Contains(specs, s => s.InputDropoutRate > 0);
        Assert.Contains(specs, s => s.Stages.Any(st => st.BatchNorm is not null));
        Assert.Contains(specs, s => s.Stages.Any(st => st.DropoutRate > 0));
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            Assert.Contains(specs, s => s.Stages.Any(st => st.Activation == activation));
        }

        GenericNetwork<T>[] networks = specs.Select((s, i) => RandomNetwork<T>(s, seed * 1000 + i)).ToArray();
        string[] sources = networks.Select((n, i) => CSharpExport.ToSource(n, $"Net{i}", "Exported.Models")).ToArray();
        Assembly assembly = CompileForNetStandard20($"CSharpExportTests_{typeof(T).Name}_{seed}", sources);

        for (int i = 0; i < networks.Length; i++)
        {
            GenericNetwork<T> network = networks[i];
            Type type = assembly.GetType($"Exported.Models.Net{i}", throwOnError: true)!;
            const int Rows = 7;
            T[] inputs = RandomRows<T>(Rows, network.InputSize, i);
            var expected = new T[Rows * network.OutputSize];
            network.ForwardBatch(inputs, expected);
            var batch = new T[expected.Length];
            type.GetMethod("ForwardBatch", [typeof(T[]), typeof(T[])])!.Invoke(null, [inputs, batch]);
            AssertClose(expected, batch, $"{network.Spec} ForwardBatch");

            // One row at a time, through one reused workspace, against the network's Forward.
            object workspace = Activator.CreateInstance(type.GetNestedType("Workspace")!)!;
            MethodInfo forward = type.GetMethod("Forward", [typeof(T[]), typeof(T[]), workspace.GetType()])!;
            for (int s = 0; s < Rows; s++)
            {
                T[] row = inputs.AsSpan(s * network.InputSize, network.InputSize).ToArray();
                var want = new T[network.OutputSize];
                network.Forward(row, want);
                var got = new T[network.OutputSize];
                forward.Invoke(null, [row, got, workspace]);
                AssertClose(want, got, $"{network.Spec} Forward row {s}");
            }
        }
    }

    [Fact]
    public void Exported_float_networks_compile_for_netstandard2_0_with_CSharp_7_3_and_match_Forward() => ExportedMatchesForward<float>(1);

    [Fact]
    public void Exported_double_networks_compile_for_netstandard2_0_with_CSharp_7_3_and_match_Forward() => ExportedMatchesForward<double>(2);

    [Fact]
    public void Every_parameter_literal_round_trips_bit_for_bit_including_extremes()
    {
        foreach (Precision precision in new[] { Precision.Single, Precision.Double })
        {
            NetworkSpec spec = NetworkSpec.Input(3).Dense(5, Activation.Tanh).BatchNorm().Dense(2).Build(Loss.MeanSquaredError);
            string source;
            double[] expected;
            if (precision == Precision.Single)
            {
                GenericNetwork<float> net = RandomNetwork<float>(spec, 5);
                float[] extremes = [-0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1.17549435E-38f, 0.1f, 1f / 3, 16777217f, 1e-45f, 3.4028235E+38f];
                extremes.CopyTo(net.Parameters);
                expected = net.Parameters.ToArray().Select(v => (double)v).ToArray();
                source = CSharpExport.ToSource(net, "Extremes", null);
            }
            else
            {
                GenericNetwork<double> net = RandomNetwork<double>(spec, 5);
                double[] extremes = [-0d, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 2.2250738585072014E-308, 0.1, 1d / 3, 9007199254740993d, Math.PI, 1e-300];
                extremes.CopyTo(net.Parameters);
                expected = net.Parameters.ToArray();
                source = CSharpExport.ToSource(net, "Extremes", null);
            }

            Type type = CompileForNetStandard20($"Extremes{precision}", [source]).GetType("Extremes", throwOnError: true)!;
            var actual = new List<double>();
            foreach (ParameterBlock block in spec.Layout)
            {
                Array values = (Array)type.GetField(block.Name, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
                actual.AddRange(values.Cast<object>().Select(v => v is float f ? (double)f : (double)v));
            }

            Assert.Equal(expected.Length, actual.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                // Bits, not values: -0 must stay -0 (Equals(0, -0) is true), and the widened float must be the same float.
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"{precision} parameter {i}: {expected[i]:R} came back as {actual[i]:R}.");
            }
        }
    }

    [Fact]
    public void The_file_has_the_generated_code_shape_and_no_reference_to_NetGen()
    {
        NetworkSpec spec = NetworkSpec.Input(2).Dropout(0.2).Dense(3, Activation.LeakyReLU, 0.2).BatchNorm().Dropout(0.5).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy);
        string source = CSharpExport.ToSource(new GenericNetwork<float>(spec, 3), "Tiny", "My.App");
        Assert.Contains("namespace My.App", source, StringComparison.Ordinal);
        Assert.Contains("public static class Tiny", source, StringComparison.Ordinal);
        Assert.Contains("// z1 = W1 a0 + b1", source, StringComparison.Ordinal);
        Assert.Contains("// a1 = σ(z1), σ(z) = z > 0 ? z : α z, α = 0.2f", source, StringComparison.Ordinal);
        Assert.Contains("// z2 = W2 a1 + b2", source, StringComparison.Ordinal);
        Assert.Contains("// a2 = σ(z2), σ(z) = e^(z_j − max z) / Σ_i e^(z_i − max z)", source, StringComparison.Ordinal);
        Assert.Contains("// dropout p = 0.5 on a1: the identity at inference", source, StringComparison.Ordinal);
        Assert.Contains("private static readonly float[] invStd1 =", source, StringComparison.Ordinal);
        Assert.DoesNotContain("using ", source, StringComparison.Ordinal);
        // Code (not comments, not the GeneratedCode attribute's tool name) never names NetGen; compiling against
        // netstandard.dll alone proves the same for references.
        Assert.DoesNotContain(
            source.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal) && !l.Contains("GeneratedCode(\"NetGen.CSharpExport\"", StringComparison.Ordinal)),
            l => l.Contains("NetGen", StringComparison.Ordinal));
        Assert.DoesNotContain("\r", source, StringComparison.Ordinal);

        string internalSource = CSharpExport.ToSource(new GenericNetwork<float>(spec, 3), "Tiny", null, new CSharpExportOptions { Internal = true, Precision = Precision.Double });
        Assert.Contains("internal static class Tiny", internalSource, StringComparison.Ordinal);
        Assert.Contains("public static double[] Predict(double[] input)", internalSource, StringComparison.Ordinal);
        Assert.DoesNotContain("namespace", internalSource.Split('\n').Where(l => !l.StartsWith("//", StringComparison.Ordinal)).First(l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public void A_float_network_exported_as_double_keeps_its_values_and_its_outputs()
    {
        NetworkSpec spec = NetworkSpec.Input(4).Dense(6, Activation.ELU).BatchNorm().Dense(3, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy);
        GenericNetwork<float> network = RandomNetwork<float>(spec, 11);
        string source = CSharpExport.ToSource(network, "AsDouble", "X", new CSharpExportOptions { Precision = Precision.Double });
        Type type = CompileForNetStandard20("AsDouble", [source]).GetType("X.AsDouble", throwOnError: true)!;
        float[] input = RandomRows<float>(1, 4, 3);
        var expected = new float[3];
        network.Forward(input, expected);
        var actual = (double[])type.GetMethod("Predict")!.Invoke(null, [input.Select(v => (double)v).ToArray()])!;
        AssertClose(expected.Select(v => (double)v).ToArray(), actual, "float exported as double");
    }

    [Fact]
    public void The_exported_class_checks_shapes_with_clear_messages_and_is_safe_from_many_threads()
    {
        NetworkSpec spec = NetworkSpec.Input(5).Dense(16, Activation.Tanh).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);
        GenericNetwork<double> network = RandomNetwork<double>(spec, 21);
        Type type = CompileForNetStandard20("Checks", [CSharpExport.ToSource(network, "Checked", "C")]).GetType("C.Checked", throwOnError: true)!;
        MethodInfo forward = type.GetMethod("Forward", [typeof(double[]), typeof(double[])])!;
        MethodInfo batch = type.GetMethod("ForwardBatch", [typeof(double[]), typeof(double[])])!;

        var error = Assert.Throws<ArgumentException>(() => Unwrap(() => forward.Invoke(null, [new double[4], new double[3]])));
        Assert.Equal("input", error.ParamName);
        Assert.Contains("exactly 5 values, but it holds 4", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => Unwrap(() => batch.Invoke(null, [new double[10], new double[5]])));
        Assert.Equal("outputs", error.ParamName);
        Assert.Contains("2 input rows need 6", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => Unwrap(() => batch.Invoke(null, [new double[11], new double[6]])));
        Assert.Equal("inputs", error.ParamName);
        Assert.Throws<ArgumentNullException>(() => Unwrap(() => forward.Invoke(null, [null, new double[3]])));

        // Four threads, each its own inputs, through the allocating overload; every result equals the sequential one.
        double[][] inputs = Enumerable.Range(0, 64).Select(i => RandomRows<double>(1, 5, 100 + i)).ToArray();
        double[][] sequential = inputs.Select(x => { var y = new double[3]; forward.Invoke(null, [x, y]); return y; }).ToArray();
        Parallel.For(0, 4, t =>
        {
            for (int repeat = 0; repeat < 50; repeat++)
            {
                for (int i = 0; i < inputs.Length; i++)
                {
                    var y = new double[3];
                    forward.Invoke(null, [inputs[i], y]);
                    Assert.Equal(sequential[i], y);
                }
            }
        });
    }

    [Fact]
    public void Write_saves_the_same_text_atomically_and_bad_names_are_refused()
    {
        NetworkSpec spec = NetworkSpec.Input(2).Dense(2, Activation.Sigmoid).Dense(1).Build(Loss.MeanSquaredError);
        var network = new GenericNetwork<float>(spec, 1);
        string directory = Path.Combine(Path.GetTempPath(), "netgen-csexport-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "Xor.cs");
            File.WriteAllText(path, "old");
            CSharpExport.Write(network, path, "Xor", "Demo");
            Assert.Equal(CSharpExport.ToSource(network, "Xor", "Demo"), File.ReadAllText(path));
            Assert.Equal(new[] { "Xor.cs" }, Directory.GetFiles(directory).Select(Path.GetFileName));

            using var writer = new StringWriter();
            CSharpExport.Write(network, writer, "Xor", "Demo");
            Assert.Equal(File.ReadAllText(path), writer.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        Assert.Contains("'class'", Assert.Throws<ArgumentException>(() => CSharpExport.ToSource(network, "class")).Message, StringComparison.Ordinal);
        Assert.Equal("className", Assert.Throws<ArgumentException>(() => CSharpExport.ToSource(network, "1Net")).ParamName);
        Assert.Equal("namespace", Assert.Throws<ArgumentException>(() => CSharpExport.ToSource(network, "Net", "My..App")).ParamName);
        Assert.Equal("namespace", Assert.Throws<ArgumentException>(() => CSharpExport.ToSource(network, "Net", "My-App")).ParamName);
        Assert.Contains("member", Assert.Throws<ArgumentException>(() => CSharpExport.ToSource(network, "Workspace")).Message, StringComparison.Ordinal);
        Assert.Contains("member", Assert.Throws<ArgumentException>(() => CSharpExport.ToSource(network, "W2")).Message, StringComparison.Ordinal);

        // A namespace with a segment named System still compiles: the file writes global::System.
        CompileForNetStandard20("SystemSegment", [CSharpExport.ToSource(network, "Net", "My.System.Models")]);
    }

    /// <summary>The README draft's "Export as a C# file" code: the export, then the embedding project's calls, compiled as C# 7.3 for netstandard2.0.</summary>
    [Fact]
    public void The_readme_example_exports_and_the_embedding_code_compiles_and_runs()
    {
        string directory = Path.Combine(Path.GetTempPath(), "netgen-csexport-readme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "Xor.cs");
            // --- README begin (export)
            var network = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(2, Activation.Sigmoid).Dense(1).Build(Loss.MeanSquaredError), seed: 1);
            // ... train it ...
            CSharpExport.Write(network, path, "Xor", "Demo");
            // --- README end
            const string Embedding = """
                namespace Embedding
                {
                    public static class Program
                    {
                        public static float[] Run()
                        {
                            // --- README begin (embedding project)
                            float[] output = Demo.Xor.Predict(new float[] { 0f, 1f });

                            var workspace = new Demo.Xor.Workspace();
                            var outputs = new float[4 * Demo.Xor.OutputSize];
                            Demo.Xor.ForwardBatch(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, outputs, workspace);
                            // --- README end
                            return new float[] { output[0], outputs[0], outputs[1], outputs[2], outputs[3] };
                        }
                    }
                }
                """;
            Assembly assembly = CompileForNetStandard20("ReadmeExport", [File.ReadAllText(Path.Combine(directory, "Xor.cs")), Embedding]);
            var results = (float[])assembly.GetType("Embedding.Program", throwOnError: true)!.GetMethod("Run")!.Invoke(null, null)!;
            float[] expected = network.Predict(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 });
            AssertClose(new[] { expected[1], expected[0], expected[1], expected[2], expected[3] }, results, "README example");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Unwrap(Action call)
    {
        try
        {
            call();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }
}
