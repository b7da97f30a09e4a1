using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;

namespace NetGen;

/// <summary>
/// Exports a trained network as one dependency-free C# file: a static class with the parameters baked in as
/// <c>static readonly</c> arrays and the inference pass written out layer by layer, for places the runtime cannot go
/// (Unity and IL2CPP, .NET Framework, netstandard2.0 libraries, small devices).
/// </summary>
/// <remarks>
/// <para>
/// The file references nothing but <c>System</c> (<see cref="Math"/>, the argument exceptions and
/// <c>GeneratedCodeAttribute</c>), needs C# <see cref="LanguageVersion"/> and compiles for .NET Standard 2.0 and every
/// later target. It has the generated code's shape: per dense layer l, the block <c>// z1 = W1 a0 + b1</c> with
/// one short loop, batch normalization with the running statistics (<c>(z − μ) / √(σ² + ε) · γ + β</c>, the
/// reciprocal square root computed at export exactly as the runtime computes it), then <c>// a1 = σ(z1), σ(z) = …</c>.
/// Dropout is the identity at inference and appears only as a comment.
/// </para>
/// <para>
/// Every literal round-trips: floats are written with <c>"R"</c> and the <c>f</c> suffix, doubles with <c>"R"</c> and
/// <c>d</c> (the shortest text that parses back to the same bits), in the invariant culture. The arithmetic follows
/// <see cref="GenericNetwork{T}"/> operation by operation (same order of the sums, no fused multiply-add); float
/// activations go through <see cref="Math"/>'s double functions (.NET Standard 2.0 has no <c>MathF</c>), so the
/// outputs agree with <see cref="INetwork{T}.Forward"/> to a few units in the last place, not bit for bit.
/// </para>
/// <para>
/// The exported class is safe to call from many threads at once: the parameters are never written, and every call
/// works in a <c>Workspace</c> of its own (the overloads without one allocate it; pass one per thread to allocate nothing).
/// </para>
/// </remarks>
public static class CSharpExport
{
    /// <summary>The C# language version the exported file needs (it is compiled with exactly this one in the tests).</summary>
    public const string LanguageVersion = "7.3";

    private const int ValuesPerLine = 8;

    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    // Members of the exported class: a class of one of these names would clash with them (CS0542).
    private static readonly HashSet<string> s_members = new(StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "Workspace", "Predict", "Forward", "ForwardBatch", "Row",
    };

    /// <summary>Writes the C# file to <paramref name="path"/> (UTF-8, atomically: a temporary file renamed over the target).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are baked in.</param>
    /// <param name="path">The .cs file; its directory must exist.</param>
    /// <param name="className">The name of the static class, a C# identifier.</param>
    /// <param name="namespace">The namespace (dotted identifiers), or null or empty for the global namespace.</param>
    /// <param name="options">How to write it; null for <see cref="CSharpExportOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">A name is not a C# identifier.</exception>
    public static void Write<T>(INetwork<T> network, string path, string className, string? @namespace = null, CSharpExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string source = ToSource(network, className, @namespace, options);
        AtomicFile.Write(path, stream =>
        {
            byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(source);
            stream.Write(bytes);
        });
    }

    /// <summary>Writes the C# file to <paramref name="writer"/> (left open).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are baked in.</param>
    /// <param name="writer">Where the text goes.</param>
    /// <param name="className">The name of the static class, a C# identifier.</param>
    /// <param name="namespace">The namespace (dotted identifiers), or null or empty for the global namespace.</param>
    /// <param name="options">How to write it; null for <see cref="CSharpExportOptions.Default"/>.</param>
    public static void Write<T>(INetwork<T> network, TextWriter writer, string className, string? @namespace = null, CSharpExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(ToSource(network, className, @namespace, options));
    }

    /// <summary>The C# file as a string.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are baked in.</param>
    /// <param name="className">The name of the static class, a C# identifier.</param>
    /// <param name="namespace">The namespace (dotted identifiers), or null or empty for the global namespace.</param>
    /// <param name="options">How to write it; null for <see cref="CSharpExportOptions.Default"/>.</param>
    public static string ToSource<T>(INetwork<T> network, string className, string? @namespace = null, CSharpExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        RequireIdentifier(className, nameof(className), "The class name");
        if (s_members.Contains(className) || IsArrayName(className))
        {
            throw new ArgumentException($"The class name '{className}' is the name of one of the exported class's members; choose another.", nameof(className));
        }

        if (!string.IsNullOrEmpty(@namespace))
        {
            foreach (string part in @namespace.Split('.'))
            {
                RequireIdentifier(part, nameof(@namespace), $"The namespace '{@namespace}'");
            }
        }

        options ??= CSharpExportOptions.Default;
        Precision precision = options.Precision ?? (typeof(T) == typeof(float) ? Precision.Single : Precision.Double);
        return precision switch
        {
            Precision.Single => Emit<T, float>(network, className, @namespace, options, "float", "f"),
            Precision.Double => Emit<T, double>(network, className, @namespace, options, "double", "d"),
            _ => throw new ArgumentOutOfRangeException(nameof(options), precision, "Unknown precision in the export options."),
        };
    }

    private static string Emit<T, TOut>(INetwork<T> network, string className, string? @namespace, CSharpExportOptions options, string type, string suffix)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        NetworkSpec spec = network.Spec;
        if (network.Parameters.Length != spec.ParameterCount || network.State.Length != spec.StateCount)
        {
            throw new ArgumentException(
                $"The network holds {network.Parameters.Length} parameters and {network.State.Length} state values, but its spec needs {spec.ParameterCount} and {spec.StateCount}.",
                nameof(network));
        }

        foreach (DenseStage stage in spec.Stages)
        {
            if (stage.Dense.Function is { CSharpExpression: null } function)
            {
                throw new NotSupportedException(
                    $"Layer {stage.Index} uses the user-written activation '{function.Name}', whose C# source is not known (it was made by hand or read from a model file without it): " +
                    "construct the CustomActivation with its csharpExpression, export the generated network itself (its Spec carries the source), or use a built-in activation.");
            }
        }

        TOut[] parameters = Convert<T, TOut>(network.Parameters);
        TOut[] state = Convert<T, TOut>(network.State);
        IReadOnlyList<DenseStage> stages = spec.Stages;
        int last = stages.Count - 1;
        string version = typeof(CSharpExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        string Literal(TOut value) => FormatLiteral(value, type, suffix);

        var w = new CodeWriter();
        w.Line("// <auto-generated/>");
        w.Line($"// Exported by NetGen {version} (CSharpExport) from {spec.WithPrecision(typeof(TOut) == typeof(float) ? Precision.Single : Precision.Double)}.");
        w.Line("// Inference only, with the trained parameters baked in; it references nothing of NetGen. Needs C# 7.3 and");
        w.Line("// .NET Standard 2.0 or any later target (.NET Framework 4.6.1+, Unity). Regenerate it rather than edit it.");
        bool hasNamespace = !string.IsNullOrEmpty(@namespace);
        if (hasNamespace)
        {
            w.Line($"namespace {@namespace}");
            w.Open();
        }

        var topology = new StringBuilder();
        topology.Append(CultureInfo.InvariantCulture, $"{spec.InputSize}");
        foreach (DenseStage stage in stages)
        {
            topology.Append(CultureInfo.InvariantCulture, $" → {stage.OutputSize} ({ActivationName(stage)})");
        }

        w.Line("/// <summary>");
        w.Line($"/// The trained network {topology}, {type}, for inference: <see cref=\"Forward(" + type + "[], " + type + "[])\"/> for one row,");
        w.Line($"/// <see cref=\"ForwardBatch(" + type + "[], " + type + "[])\"/> for a row-major batch.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// <para>Layers (l = 1..L; z = W a + b, a = σ(z); a0 is the input x):</para>");
        w.Line("/// <code>");
        w.Line("/// l  layer                activation        also");
        if (spec.InputDropoutRate > 0)
        {
            string input = string.Create(CultureInfo.InvariantCulture, $"input [{spec.InputSize}]");
            w.Line($"/// 0  {input,-20} {string.Empty,-17} {Dropout(spec.InputDropoutRate)}");
        }

        foreach (DenseStage stage in stages)
        {
            var also = new List<string>();
            if (stage.BatchNorm is not null)
            {
                also.Add("batch norm (running statistics)");
            }

            if (stage.DropoutRate > 0)
            {
                also.Add(Dropout(stage.DropoutRate));
            }

            string layer = string.Create(CultureInfo.InvariantCulture, $"dense {stage.InputSize} → {stage.OutputSize}");
            w.Line(string.Create(CultureInfo.InvariantCulture, $"/// {stage.Index,-2} {layer,-20} {ActivationName(stage),-17} {string.Join(", ", also)}").TrimEnd());
        }

        w.Line("/// </code>");
        w.Line("/// <para>W^l is stored input-major [in × out]: the weight w^l_jk from input k to output j is W{l}[k·out + j].</para>");
        w.Line("/// <para>Thread-safe: the parameters are never written and each call works in its own <see cref=\"Workspace\"/>.</para>");
        w.Line("/// </remarks>");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"NetGen.CSharpExport\", \"{version}\")]");
        w.Line($"{(options.Internal ? "internal" : "public")} static class {className}");
        w.Open();
        w.Line("/// <summary>The number of input features per row.</summary>");
        w.Line($"public const int InputSize = {Int(spec.InputSize)};");
        w.Line("/// <summary>The number of outputs per row.</summary>");
        w.Line($"public const int OutputSize = {Int(spec.OutputSize)};");

        foreach (DenseStage stage in stages)
        {
            int l = stage.Index, m = stage.InputSize, n = stage.OutputSize;
            w.Line();
            w.Line($"// ─── Layer {l}: dense {Int(m)} → {Int(n)}, {ActivationName(stage)} ───");
            w.Line($"/// <summary>W{l} [{Int(m)} × {Int(n)}], input-major: w{l}_jk (input k → output j) at k·{Int(n)} + j; one line of values per input k.</summary>");
            WriteArray(w, $"W{l}", type, parameters.AsSpan(stage.WeightOffset, m * n), n, Literal);
            w.Line($"/// <summary>b{l} [{Int(n)}].</summary>");
            WriteArray(w, $"b{l}", type, parameters.AsSpan(stage.BiasOffset, n), n, Literal);
            if (stage.BatchNorm is { } bn)
            {
                // The runtime's inference form: invStd = 1 / √(σ² + ε) in T, then ((z − μ) · invStd) · γ + β.
                TOut epsilon = TOut.CreateChecked(bn.Epsilon);
                var invStd = new TOut[n];
                for (int j = 0; j < n; j++)
                {
                    invStd[j] = TOut.One / TOut.Sqrt(state[stage.VarianceOffset + j] + epsilon);
                }

                w.Line($"/// <summary>μ{l}: the running mean of z{l} [{Int(n)}].</summary>");
                WriteArray(w, $"mean{l}", type, state.AsSpan(stage.MeanOffset, n), n, Literal);
                w.Line($"/// <summary>1 / √(σ{l}² + ε), ε = {bn.Epsilon.ToString("R", CultureInfo.InvariantCulture)}, from the running variance σ{l}² of z{l} [{Int(n)}].</summary>");
                WriteArray(w, $"invStd{l}", type, invStd, n, Literal);
                w.Line($"/// <summary>γ{l}, the batch-normalization scale [{Int(n)}].</summary>");
                WriteArray(w, $"gamma{l}", type, parameters.AsSpan(stage.GammaOffset, n), n, Literal);
                w.Line($"/// <summary>β{l}, the batch-normalization shift [{Int(n)}].</summary>");
                WriteArray(w, $"beta{l}", type, parameters.AsSpan(stage.BetaOffset, n), n, Literal);
            }
        }

        // The workspace: z^l and a^l of every layer but the output's a^L, which is written into the caller's array.
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The buffers of one call: z^l and a^l of every layer. Give each thread its own (or use the overloads without one,");
        w.Line("/// which allocate it); one workspace must not be used by two calls at the same time.");
        w.Line("/// </summary>");
        w.Line("public sealed class Workspace");
        w.Open();
        foreach (DenseStage stage in stages)
        {
            w.Line($"internal readonly {type}[] z{stage.Index} = new {type}[{Int(stage.OutputSize)}];");
            if (stage.Index - 1 != last)
            {
                w.Line($"internal readonly {type}[] a{stage.Index} = new {type}[{Int(stage.OutputSize)}];");
            }
        }

        w.Close();

        w.Line();
        w.Line("/// <summary>The outputs a^L of one row, in a new array.</summary>");
        w.Line($"/// <param name=\"input\">{Int(spec.InputSize)} features.</param>");
        w.Line($"public static {type}[] Predict({type}[] input)");
        w.Open();
        w.Line($"var output = new {type}[OutputSize];");
        w.Line("Forward(input, output, new Workspace());");
        w.Line("return output;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Computes the outputs a^L of one row (allocates a workspace; see the overload with one).</summary>");
        w.Line($"/// <param name=\"input\">{Int(spec.InputSize)} features.</param>");
        w.Line($"/// <param name=\"output\">{Int(spec.OutputSize)} values, overwritten.</param>");
        w.Line($"public static void Forward({type}[] input, {type}[] output)");
        w.Open();
        w.Line("Forward(input, output, new Workspace());");
        w.Close();
        w.Line();
        w.Line("/// <summary>Computes the outputs a^L of one row in the caller's workspace (allocates nothing).</summary>");
        w.Line($"/// <param name=\"input\">{Int(spec.InputSize)} features.</param>");
        w.Line($"/// <param name=\"output\">{Int(spec.OutputSize)} values, overwritten.</param>");
        w.Line("/// <param name=\"workspace\">This call's buffers (not shared with a concurrent call).</param>");
        w.Line($"public static void Forward({type}[] input, {type}[] output, Workspace workspace)");
        w.Open();
        w.Line("if (input == null) throw new global::System.ArgumentNullException(\"input\");");
        w.Line("if (output == null) throw new global::System.ArgumentNullException(\"output\");");
        w.Line("if (workspace == null) throw new global::System.ArgumentNullException(\"workspace\");");
        w.Line("if (input.Length != InputSize) throw new global::System.ArgumentException(\"The input must hold exactly \" + InputSize + \" values, but it holds \" + input.Length + \".\", \"input\");");
        w.Line("if (output.Length != OutputSize) throw new global::System.ArgumentException(\"The output must hold exactly \" + OutputSize + \" values, but it holds \" + output.Length + \".\", \"output\");");
        w.Line("Row(input, 0, output, 0, workspace);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Computes the outputs of a row-major batch: row s of <paramref name=\"inputs\"/> gives row s of <paramref name=\"outputs\"/>.</summary>");
        w.Line("/// <param name=\"inputs\">count × InputSize features.</param>");
        w.Line("/// <param name=\"outputs\">count × OutputSize values, overwritten.</param>");
        w.Line($"public static void ForwardBatch({type}[] inputs, {type}[] outputs)");
        w.Open();
        w.Line("ForwardBatch(inputs, outputs, new Workspace());");
        w.Close();
        w.Line();
        w.Line("/// <summary>Computes the outputs of a row-major batch in the caller's workspace (allocates nothing).</summary>");
        w.Line("/// <param name=\"inputs\">count × InputSize features.</param>");
        w.Line("/// <param name=\"outputs\">count × OutputSize values, overwritten.</param>");
        w.Line("/// <param name=\"workspace\">This call's buffers (not shared with a concurrent call).</param>");
        w.Line($"public static void ForwardBatch({type}[] inputs, {type}[] outputs, Workspace workspace)");
        w.Open();
        w.Line("if (inputs == null) throw new global::System.ArgumentNullException(\"inputs\");");
        w.Line("if (outputs == null) throw new global::System.ArgumentNullException(\"outputs\");");
        w.Line("if (workspace == null) throw new global::System.ArgumentNullException(\"workspace\");");
        w.Line("if (inputs.Length % InputSize != 0) throw new global::System.ArgumentException(\"The inputs hold \" + inputs.Length + \" values, which is not a whole number of rows of \" + InputSize + \" features.\", \"inputs\");");
        w.Line("int count = inputs.Length / InputSize;");
        w.Line("if (outputs.Length != (long)count * OutputSize) throw new global::System.ArgumentException(\"The outputs hold \" + outputs.Length + \" values, but \" + count + \" input rows need \" + ((long)count * OutputSize) + \".\", \"outputs\");");
        w.Line("for (int s = 0; s < count; s++)");
        w.Open();
        w.Line("Row(inputs, s * InputSize, outputs, s * OutputSize, workspace);");
        w.Close();
        w.Close();

        w.Line();
        w.Line("/// <summary>a^L of the row at <paramref name=\"x\"/> in <paramref name=\"a0\"/>, written at <paramref name=\"y\"/> in <paramref name=\"output\"/>.</summary>");
        w.Line($"private static void Row({type}[] a0, int x, {type}[] output, int y, Workspace work)");
        w.Open();
        string zero = Literal(TOut.Zero), one = Literal(TOut.One);
        if (spec.InputDropoutRate > 0)
        {
            w.Line($"// {Dropout(spec.InputDropoutRate)} on the input: the identity at inference");
        }

        foreach (DenseStage stage in stages)
        {
            int l = stage.Index, m = stage.InputSize, n = stage.OutputSize;
            bool isOutput = l - 1 == last;
            string aPrev = l == 1 ? "a0" : $"a{l - 1}";
            string offset = l == 1 ? "x + " : string.Empty;
            string z = $"z{l}";
            string a = isOutput ? "output" : $"a{l}";
            string at = isOutput ? "y + " : string.Empty;
            if (l > 1)
            {
                w.Line();
            }

            w.Line($"// ─── Layer {l}: dense {Int(m)} → {Int(n)}, {ActivationName(stage)}{(stage.BatchNorm is null ? string.Empty : ", batch norm")} ───");
            w.Line($"{type}[] {z} = work.{z};");
            if (!isOutput)
            {
                w.Line($"{type}[] {a} = work.{a};");
            }

            w.Line($"// z{l} = W{l} {aPrev} + b{l}");
            w.Line($"for (int j = 0; j < {Int(n)}; j++) {z}[j] = b{l}[j];");
            w.Line($"for (int k = 0; k < {Int(m)}; k++)");
            w.Open();
            w.Line($"{type} ak = {aPrev}[{offset}k];");
            w.Line($"int row = k * {Int(n)};");
            w.Line($"for (int j = 0; j < {Int(n)}; j++) {z}[j] += W{l}[row + j] * ak;");
            w.Close();
            if (stage.BatchNorm is not null)
            {
                w.Line($"// z{l} ← (z{l} − μ{l}) / √(σ{l}² + ε) · γ{l} + β{l}   (batch normalization with the running statistics)");
                w.Line($"for (int j = 0; j < {Int(n)}; j++) {z}[j] = (({z}[j] - mean{l}[j]) * invStd{l}[j]) * gamma{l}[j] + beta{l}[j];");
            }

            TOut alpha = ActivationInfo.HasAlpha(stage.Activation) ? TOut.CreateChecked(stage.Alpha) : TOut.Zero;
            string cast = type == "float" ? "(float)" : string.Empty;
            string alphaText = ActivationInfo.HasAlpha(stage.Activation) ? $", α = {Literal(alpha)}" : string.Empty;
            w.Line($"// a{l} = σ(z{l}), σ(z) = {(stage.Dense.Function is { } fn ? $"{fn.Name}(z) = {fn.Formula ?? fn.CSharpExpression}" : Formula(stage.Activation))}{alphaText}");
            switch (stage.Activation)
            {
                case Activation.Identity:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {z}[j];");
                    break;
                case Activation.Sigmoid:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {one} / ({one} + {cast}global::System.Math.Exp(-{z}[j]));");
                    break;
                case Activation.Tanh:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {cast}global::System.Math.Tanh({z}[j]);");
                    break;
                case Activation.ReLU:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = global::System.Math.Max({z}[j], {zero});");
                    break;
                case Activation.LeakyReLU:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {z}[j] > {zero} ? {z}[j] : {Literal(alpha)} * {z}[j];");
                    break;
                case Activation.ELU:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {z}[j] > {zero} ? {z}[j] : {Literal(alpha)} * ({cast}global::System.Math.Exp({z}[j]) - {one});");
                    break;
                case Activation.Softmax:
                    w.Open();
                    w.Line($"{type} max = {z}[0];");
                    w.Line($"for (int j = 1; j < {Int(n)}; j++) max = global::System.Math.Max(max, {z}[j]);");
                    w.Line($"{type} sum = {zero};");
                    w.Line($"for (int j = 0; j < {Int(n)}; j++)");
                    w.Open();
                    w.Line($"{type} e = {cast}global::System.Math.Exp({z}[j] - max);");
                    w.Line($"{a}[{at}j] = e;");
                    w.Line("sum += e;");
                    w.Close();
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] /= sum;");
                    w.Close();
                    break;
                case Activation.SiLU:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {z}[j] / ({one} + {cast}global::System.Math.Exp(-{z}[j]));");
                    break;
                case Activation.GELU:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {Literal(TOut.CreateTruncating(0.5))} * {z}[j] * ({one} + {cast}global::System.Math.Tanh({Literal(TOut.CreateTruncating(0.7978845608028654))} * ({z}[j] + {Literal(TOut.CreateTruncating(0.044715))} * {z}[j] * {z}[j] * {z}[j])));");
                    break;
                case Activation.Softplus:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = global::System.Math.Max({z}[j], {zero}) + {cast}global::System.Math.Log({one} + {cast}global::System.Math.Exp(-global::System.Math.Abs({z}[j])));");
                    break;
                case Activation.Mish:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {z}[j] * {cast}global::System.Math.Tanh(global::System.Math.Max({z}[j], {zero}) + {cast}global::System.Math.Log({one} + {cast}global::System.Math.Exp(-global::System.Math.Abs({z}[j]))));");
                    break;
                case Activation.Custom:
                    w.Line($"for (int j = 0; j < {Int(n)}; j++) {a}[{at}j] = {cast}{CustomName(stage)}({z}[j]);");
                    break;
                default:
                    throw new NotSupportedException($"Layer {l}: the activation {stage.Activation} cannot be exported.");
            }

            if (stage.DropoutRate > 0)
            {
                w.Line($"// {Dropout(stage.DropoutRate)} on a{l}: the identity at inference");
            }
        }

        w.Close();
        foreach (DenseStage stage in stages.Where(s => s.Dense.Function is not null).DistinctBy(s => s.Dense.Function!.Name))
        {
            CustomActivation f = stage.Dense.Function!;
            w.Line();
            w.Line($"// The user-written activation {f.Name}: σ(z) = {f.Formula ?? f.CSharpExpression}");
            w.Line($"private static double {CustomName(stage)}(double z) => {f.CSharpExpression};");
        }

        w.Close();
        if (hasNamespace)
        {
            w.Close();
        }

        return w.ToString();
    }

    private static void WriteArray<TOut>(CodeWriter w, string name, string type, ReadOnlySpan<TOut> values, int rowLength, Func<TOut, string> literal)
    {
        w.Line($"private static readonly {type}[] {name} =");
        w.Open();
        var line = new StringBuilder();
        for (int start = 0; start < values.Length; start += rowLength)
        {
            // One row of W (the weights leaving one input) per line group, wrapped every ValuesPerLine values.
            for (int i = start; i < start + rowLength; i++)
            {
                line.Append(literal(values[i])).Append(',');
                if ((i - start + 1) % ValuesPerLine == 0 || i == start + rowLength - 1)
                {
                    w.Line(line.ToString());
                    line.Clear();
                }
                else
                {
                    line.Append(' ');
                }
            }
        }

        w.Close(";");
    }

    /// <summary>A C# literal that parses back to exactly <paramref name="value"/>.</summary>
    internal static string FormatLiteral<TOut>(TOut value, string type, string suffix) where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        if (TOut.IsNaN(value))
        {
            return $"{type}.NaN";
        }

        if (TOut.IsInfinity(value))
        {
            return TOut.IsNegative(value) ? $"{type}.NegativeInfinity" : $"{type}.PositiveInfinity";
        }

        // "R" is the shortest round-trippable text on .NET Core 3.0 and later (e.g. 0.1f → "0.1", -0 → "-0").
        return value.ToString("R", CultureInfo.InvariantCulture) + suffix;
    }

    private static TOut[] Convert<T, TOut>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        var result = new TOut[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = TOut.CreateChecked(values[i]);
        }

        return result;
    }

    /// <summary>The private method of the exported class that holds a user-written activation.</summary>
    private static string CustomName(DenseStage stage) => "Activation" + new string(stage.Dense.Function!.Name.Where(char.IsLetterOrDigit).ToArray());

    private static string ActivationName(DenseStage stage) =>
        stage.Dense.Function is { } f ? f.Name : ActivationInfo.HasAlpha(stage.Activation)
            ? string.Create(CultureInfo.InvariantCulture, $"{ActivationInfo.Name(stage.Activation)} α={stage.Alpha:R}")
            : ActivationInfo.Name(stage.Activation);

    private static string Formula(Activation activation) => activation switch
    {
        Activation.Identity => "z",
        Activation.Sigmoid => "1 / (1 + e^−z)",
        Activation.Tanh => "tanh z",
        Activation.ReLU => "max(z, 0)",
        Activation.LeakyReLU => "z > 0 ? z : α z",
        Activation.ELU => "z > 0 ? z : α (e^z − 1)",
        Activation.Softmax => "e^(z_j − max z) / Σ_i e^(z_i − max z)",
        Activation.SiLU => "z / (1 + e^−z)",
        Activation.GELU => "½ z (1 + tanh(√(2/π) (z + 0.044715 z³)))",
        Activation.Softplus => "max(z, 0) + ln(1 + e^−|z|)",
        Activation.Mish => "z tanh(softplus z)",
        _ => throw new NotSupportedException($"The activation {activation} cannot be exported."),
    };

    private static string Dropout(double rate) => string.Create(CultureInfo.InvariantCulture, $"dropout p = {rate:R}");

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="name"/> is a parameter array's name: W1, b1, mean1, invStd1, gamma1, beta1, …</summary>
    private static bool IsArrayName(string name)
    {
        foreach (string prefix in (ReadOnlySpan<string>)["W", "b", "mean", "invStd", "gamma", "beta"])
        {
            if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static void RequireIdentifier(string? name, string parameter, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{what} must be a C# identifier, but it is empty.", parameter);
        }

        bool valid = (char.IsLetter(name[0]) || name[0] == '_') && !s_keywords.Contains(name);
        for (int i = 1; valid && i < name.Length; i++)
        {
            valid = char.IsLetterOrDigit(name[i]) || name[i] == '_';
        }

        if (!valid)
        {
            throw new ArgumentException($"{what} must be a C# identifier (a letter or _ first, then letters, digits or _, not a keyword), but it is '{name}'.", parameter);
        }
    }

    /// <summary>Lines with four-space indentation and "\n" line ends, whatever the platform.</summary>
    private sealed class CodeWriter
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public void Line(string text = "")
        {
            if (text.Length > 0)
            {
                _text.Append(' ', 4 * _depth).Append(text);
            }

            _text.Append('\n');
        }

        public void Open()
        {
            Line("{");
            _depth++;
        }

        public void Close(string after = "")
        {
            _depth--;
            Line("}" + after);
        }

        public override string ToString() => _text.ToString();
    }
}
