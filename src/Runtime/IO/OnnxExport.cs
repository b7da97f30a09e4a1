using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NetGen;

/// <summary>
/// Exports a network for inference as a standard ONNX model (IR version 7, default-domain opset 13), readable by
/// ONNX Runtime and other ONNX tools. The protobuf is written by hand; no ONNX package is needed.
/// </summary>
/// <remarks>
/// <para>
/// The graph has one input <c>input</c>, float32 <c>[batch, InputSize]</c>, and one output <c>output</c>, float32
/// <c>[batch, OutputSize]</c>, with a symbolic batch dimension "batch". Dense layer l becomes
/// <c>Gemm(a^{l−1}, W{l}, b{l})</c> with W{l} the <c>[in, out]</c> block exactly as stored in
/// <see cref="INetwork{T}.Parameters"/> (so no transpose), then, when the layer has batch normalization,
/// <c>BatchNormalization(z, gamma{l}, beta{l}, mean{l}, var{l}, epsilon)</c> with the running statistics from
/// <see cref="INetwork{T}.State"/> (the inference form γ (z − mean)/√(var + ε) + β), then the activation:
/// <c>Identity</c>, <c>Sigmoid</c>, <c>Tanh</c>, <c>Relu</c>, <c>LeakyRelu(alpha)</c>, <c>Elu(alpha)</c> or
/// <c>Softmax(axis = 1)</c>. Dropout is omitted: it is the identity at inference.
/// </para>
/// <para>
/// With a <see cref="Preprocessing"/>, the model takes raw rows and returns what <see cref="Predictor{T}"/> returns.
/// The input scaling x′ = (x − offset) / scale becomes two nodes before the first layer,
/// <c>Sub(input, input_offset)</c> and <c>Div(·, input_scale)</c> (kept as nodes rather than folded into W1 and b1:
/// folding would subtract large offset·W products from b1 and lose float32 digits when a feature's mean is far from 0);
/// a target scaling becomes <c>Mul(·, target_scale)</c> and <c>Add(·, target_offset)</c> after the last layer, so
/// <c>output</c> is in the targets' original units. The model's <c>metadata_props</c> hold <c>class_labels</c> (a JSON
/// array of strings, in output order; two for a single sigmoid output), <c>input_scaling</c> and <c>target_scaling</c>
/// (JSON: the kind and the statistics, for the record), and every entry of <see cref="Preprocessing.Metadata"/>.
/// </para>
/// <para>
/// Every tensor is float32. A double network is exported in float32 too: its parameters, running statistics, α
/// and ε are rounded to the nearest float, so the exported model agrees with the network to float precision. Float32
/// is the element type every ONNX runtime implements for every operator used here; double is not (ONNX Runtime's CPU
/// provider, for one, lacks double kernels for some activations).
/// </para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX IR version written (7, May 2020).</summary>
    public const int IrVersion = 7;

    /// <summary>The version of the default ONNX operator set the graph uses.</summary>
    public const int OpsetVersion = 13;

    // onnx.proto field numbers.
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDocString = 6, ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    private const int EntryKey = 1, EntryValue = 2;

    /// <summary>The <c>metadata_props</c> key of the class labels: a JSON array of strings in output order.</summary>
    public const string ClassLabelsKey = "class_labels";

    /// <summary>The <c>metadata_props</c> key of the input scaling (applied in the graph): JSON with the kind and the statistics.</summary>
    public const string InputScalingKey = "input_scaling";

    /// <summary>The <c>metadata_props</c> key of the target scaling (inverted in the graph): JSON with the kind and the statistics.</summary>
    public const string TargetScalingKey = "target_scaling";
    private const int OpsetDomain = 1, OpsetVersionField = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphDocString = 10, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeF = 2, AttributeI = 3, AttributeType = 20;
    private const int AttributeTypeFloat = 1, AttributeTypeInt = 2;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int DataTypeFloat = 1;
    private const int ValueInfoName = 1, ValueInfoType = 2;
    private const int TypeTensorType = 1;
    private const int TypeTensorElemType = 1, TypeTensorShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1, DimParam = 2;

    /// <summary>Writes the ONNX model to <paramref name="path"/>, atomically (a temporary file renamed over the target).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are exported.</param>
    /// <param name="path">The .onnx file; its directory must exist.</param>
    public static void Export<T>(INetwork<T> network, string path) where T : unmanaged, IFloatingPointIeee754<T> =>
        Export(network, path, preprocessing: null);

    /// <summary>
    /// Writes an ONNX model that takes raw rows to <paramref name="path"/>, atomically: the input scaling and the inverse
    /// target scaling are nodes of the graph, the class labels are in its metadata (see the remarks).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are exported.</param>
    /// <param name="path">The .onnx file; its directory must exist.</param>
    /// <param name="preprocessing">The preprocessing the network was trained with; null for none.</param>
    /// <exception cref="ArgumentException">The preprocessing does not fit the network.</exception>
    public static void Export<T>(INetwork<T> network, string path, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ProtoMessage model = BuildModel(network, preprocessing);
        AtomicFile.Write(path, model.WriteTo);
    }

    /// <summary>Writes the ONNX model to a stream, from its current position; the stream is left open.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are exported.</param>
    /// <param name="stream">A writable stream.</param>
    public static void Export<T>(INetwork<T> network, Stream stream) where T : unmanaged, IFloatingPointIeee754<T> =>
        Export(network, stream, preprocessing: null);

    /// <summary>Writes an ONNX model that takes raw rows to a stream (see <see cref="Export{T}(INetwork{T}, string, Preprocessing?)"/>); the stream is left open.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are exported.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="preprocessing">The preprocessing the network was trained with; null for none.</param>
    /// <exception cref="ArgumentException">The preprocessing does not fit the network.</exception>
    public static void Export<T>(INetwork<T> network, Stream stream, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        BuildModel(network, preprocessing).WriteTo(stream);
    }

    private static ProtoMessage BuildModel<T>(INetwork<T> network, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValueCodec.PrecisionOf<T>();
        NetworkSpec spec = network.Spec ?? throw new ArgumentException("The network has no Spec.", nameof(network));
        ReadOnlySpan<T> parameters = network.Parameters;
        ReadOnlySpan<T> state = network.State;
        if (parameters.Length != spec.ParameterCount || state.Length != spec.StateCount)
        {
            throw new ArgumentException(
                $"The network's buffers do not match its spec {spec}: it has {parameters.Length} parameters and {state.Length} state values, the spec needs {spec.ParameterCount} and {spec.StateCount}.",
                nameof(network));
        }

        if (((long)spec.ParameterCount + spec.StateCount) * sizeof(float) > int.MaxValue)
        {
            throw new NotSupportedException(
                $"The network has {spec.ParameterCount} parameters; as float32 they exceed the 2 GiB limit of a single ONNX protobuf file.");
        }

        preprocessing ??= Preprocessing.None;
        preprocessing.CheckFits(spec, nameof(preprocessing));
        var graph = new ProtoMessage();
        var initializers = new List<ProtoMessage>();
        string previous = "input";
        if (preprocessing.InputScaling is { } inputScaling)
        {
            // x′ = (x − offset) / scale, broadcast over the batch dimension.
            initializers.Add(Tensor("input_offset", [spec.InputSize], inputScaling.Offsets));
            initializers.Add(Tensor("input_scale", [spec.InputSize], inputScaling.Scales));
            graph.Message(GraphNode, Node("Sub", "InputOffset", ["input", "input_offset"], "input_centered"));
            graph.Message(GraphNode, Node("Div", "InputScale", ["input_centered", "input_scale"], "input_scaled"));
            previous = "input_scaled";
        }

        FeatureScaler? targetScaling = preprocessing.TargetScaling;
        IReadOnlyList<DenseStage> stages = spec.Stages;
        for (int i = 0; i < stages.Count; i++)
        {
            DenseStage stage = stages[i];
            int l = stage.Index, m = stage.InputSize, n = stage.OutputSize;
            string suffix = l.ToString(CultureInfo.InvariantCulture);
            bool last = i == stages.Count - 1;

            initializers.Add(Tensor($"W{suffix}", [m, n], parameters.Slice(stage.WeightOffset, m * n)));
            initializers.Add(Tensor($"b{suffix}", [n], parameters.Slice(stage.BiasOffset, n)));
            string z = $"z{suffix}";
            graph.Message(GraphNode, Node("Gemm", $"Gemm{suffix}", [previous, $"W{suffix}", $"b{suffix}"], z));

            if (stage.BatchNorm is BatchNormLayerSpec bn)
            {
                initializers.Add(Tensor($"gamma{suffix}", [n], parameters.Slice(stage.GammaOffset, n)));
                initializers.Add(Tensor($"beta{suffix}", [n], parameters.Slice(stage.BetaOffset, n)));
                initializers.Add(Tensor($"mean{suffix}", [n], state.Slice(stage.MeanOffset, n)));
                initializers.Add(Tensor($"var{suffix}", [n], state.Slice(stage.VarianceOffset, n)));
                string normalized = $"v{suffix}";
                graph.Message(GraphNode, Node(
                    "BatchNormalization", $"BatchNormalization{suffix}",
                    [z, $"gamma{suffix}", $"beta{suffix}", $"mean{suffix}", $"var{suffix}"], normalized,
                    FloatAttribute("epsilon", (float)bn.Epsilon)));
                z = normalized;
            }

            string a = last ? (targetScaling is null ? "output" : "output_scaled") : $"a{suffix}";
            if (stage.Activation is Activation.SiLU or Activation.GELU or Activation.Softplus or Activation.Mish)
            {
                ComposedActivation(graph, initializers, stage.Activation, suffix, z, a);
                previous = a;
                continue;
            }

            if (stage.Dense.Function is { } custom)
            {
                throw new NotSupportedException(
                    $"Layer {l} uses the user-written activation '{custom.Name}'{(custom.Formula is null ? "" : $" (σ(z) = {custom.Formula})")}, which ONNX export cannot express: " +
                    "NetGen keeps a custom function as compiled code, not as operators. Use a built-in activation (SiLU, GELU, Softplus and Mish are exported), or export the network to C# with CSharpExport.");
            }

            graph.Message(GraphNode, stage.Activation switch
            {
                Activation.Identity => Node("Identity", $"Identity{suffix}", [z], a),
                Activation.Sigmoid => Node("Sigmoid", $"Sigmoid{suffix}", [z], a),
                Activation.Tanh => Node("Tanh", $"Tanh{suffix}", [z], a),
                Activation.ReLU => Node("Relu", $"Relu{suffix}", [z], a),
                Activation.LeakyReLU => Node("LeakyRelu", $"LeakyRelu{suffix}", [z], a, FloatAttribute("alpha", (float)stage.Alpha)),
                Activation.ELU => Node("Elu", $"Elu{suffix}", [z], a, FloatAttribute("alpha", (float)stage.Alpha)),
                Activation.Softmax => Node("Softmax", $"Softmax{suffix}", [z], a, IntAttribute("axis", 1)),
                _ => throw new NotSupportedException($"Layer {l}: activation {stage.Activation} has no ONNX export."),
            });
            previous = a;
        }

        if (targetScaling is not null)
        {
            // y = a^L · scale + offset: the targets' original units.
            initializers.Add(Tensor("target_scale", [spec.OutputSize], targetScaling.Scales));
            initializers.Add(Tensor("target_offset", [spec.OutputSize], targetScaling.Offsets));
            graph.Message(GraphNode, Node("Mul", "TargetScale", ["output_scaled", "target_scale"], "output_unscaled"));
            graph.Message(GraphNode, Node("Add", "TargetOffset", ["output_unscaled", "target_offset"], "output"));
        }

        string name = network.GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        graph.String(GraphName, tick >= 0 ? name.Substring(0, tick) : name);
        foreach (ProtoMessage initializer in initializers)
        {
            graph.Message(GraphInitializer, initializer);
        }

        graph.String(GraphDocString, spec.ToString());
        graph.Message(GraphInput, ValueInfo("input", spec.InputSize));
        graph.Message(GraphOutput, ValueInfo("output", spec.OutputSize));

        var model = new ProtoMessage()
            .Int64(ModelIrVersion, IrVersion)
            .String(ModelProducerName, "NetGen")
            .String(ModelProducerVersion, typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0")
            .String(ModelDocString, spec.ToString())
            .Message(ModelGraph, graph);
        foreach ((string key, string value) in MetadataProps(preprocessing))
        {
            model.Message(ModelMetadataProps, new ProtoMessage().String(EntryKey, key).String(EntryValue, value));
        }

        model.Message(ModelOpsetImport, new ProtoMessage().String(OpsetDomain, "").Int64(OpsetVersionField, OpsetVersion));
        if (model.Size > int.MaxValue)
        {
            throw new NotSupportedException(
                $"The network has {spec.ParameterCount} parameters; as float32 they exceed the 2 GiB limit of a single ONNX protobuf file.");
        }

        return model;
    }

    /// <summary>The metadata_props entries: class labels and scaling as JSON, then the user's metadata (a reserved key is not repeated).</summary>
    private static List<(string Key, string Value)> MetadataProps(Preprocessing preprocessing)
    {
        var props = new List<(string Key, string Value)>();
        if (preprocessing.ClassLabels is { } labels)
        {
            props.Add((ClassLabelsKey, Json(w =>
            {
                w.WriteStartArray();
                foreach (string label in labels)
                {
                    w.WriteStringValue(label);
                }

                w.WriteEndArray();
            })));
        }

        if (preprocessing.InputScaling is { } input)
        {
            props.Add((InputScalingKey, ScalerJson(input, "applied in the graph: Sub(input, input_offset), then Div(·, input_scale)")));
        }

        if (preprocessing.TargetScaling is { } target)
        {
            props.Add((TargetScalingKey, ScalerJson(target, "inverted in the graph: Mul(·, target_scale), then Add(·, target_offset)")));
        }

        foreach (KeyValuePair<string, string> pair in preprocessing.Metadata)
        {
            if (pair.Key is not (ClassLabelsKey or InputScalingKey or TargetScalingKey))
            {
                props.Add((pair.Key, pair.Value));
            }
        }

        return props;
    }

    private static string ScalerJson(FeatureScaler scaler, string note) => Json(w =>
    {
        w.WriteStartObject();
        (string kind, string firstName, IReadOnlyList<double> first, string secondName, IReadOnlyList<double> second) = scaler switch
        {
            Standardizer s => ("standardization", "mean", (IReadOnlyList<double>)s.Means, "std", (IReadOnlyList<double>)s.StandardDeviations),
            MinMaxScaler m => ("minmax", "min", m.Minimums, "max", m.Maximums),
            _ => throw new NotSupportedException($"Scalers of type {scaler.GetType().Name} cannot be exported."),
        };
        w.WriteString("kind", kind);
        w.WriteString("note", note);
        w.WriteStartArray(firstName);
        foreach (double v in first)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
        w.WriteStartArray(secondName);
        foreach (double v in second)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The activations added in issue 15, as opset-13 operators: silu = z · Sigmoid(z); softplus = Softplus(z);
    /// mish = z · Tanh(Softplus(z)); gelu = ½ z (1 + Tanh(√(2/π) (z + 0.044715 z³))).
    /// </summary>
    private static void ComposedActivation(ProtoMessage graph, List<ProtoMessage> initializers, Activation activation, string suffix, string z, string a)
    {
        string name = activation.ToString();
        string T(string part) => $"{name}{suffix}_{part}";
        switch (activation)
        {
            case Activation.SiLU:
                graph.Message(GraphNode, Node("Sigmoid", T("sigmoid"), [z], T("s")));
                graph.Message(GraphNode, Node("Mul", T("mul"), [z, T("s")], a));
                break;
            case Activation.Softplus:
                graph.Message(GraphNode, Node("Softplus", T("softplus"), [z], a));
                break;
            case Activation.Mish:
                graph.Message(GraphNode, Node("Softplus", T("softplus"), [z], T("sp")));
                graph.Message(GraphNode, Node("Tanh", T("tanh"), [T("sp")], T("t")));
                graph.Message(GraphNode, Node("Mul", T("mul"), [z, T("t")], a));
                break;
            default:
                initializers.Add(Tensor<float>(T("k"), [], [0.044715f]));
                initializers.Add(Tensor<float>(T("c"), [], [0.7978845608028654f]));
                initializers.Add(Tensor<float>(T("half"), [], [0.5f]));
                initializers.Add(Tensor<float>(T("one"), [], [1f]));
                graph.Message(GraphNode, Node("Mul", T("z2"), [z, z], T("zz")));
                graph.Message(GraphNode, Node("Mul", T("z3"), [T("zz"), z], T("zzz")));
                graph.Message(GraphNode, Node("Mul", T("kz3"), [T("k"), T("zzz")], T("kzzz")));
                graph.Message(GraphNode, Node("Add", T("inner"), [z, T("kzzz")], T("u")));
                graph.Message(GraphNode, Node("Mul", T("scaled"), [T("c"), T("u")], T("cu")));
                graph.Message(GraphNode, Node("Tanh", T("tanh"), [T("cu")], T("t")));
                graph.Message(GraphNode, Node("Add", T("onePlus"), [T("one"), T("t")], T("opt")));
                graph.Message(GraphNode, Node("Mul", T("halfZ"), [T("half"), z], T("hz")));
                graph.Message(GraphNode, Node("Mul", T("mul"), [T("hz"), T("opt")], a));
                break;
        }
    }

    private static ProtoMessage Node(string opType, string name, string[] inputs, string output, ProtoMessage? attribute = null)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs)
        {
            node.String(NodeInput, input);
        }

        node.String(NodeOutput, output).String(NodeName, name).String(NodeOpType, opType);
        if (attribute is not null)
        {
            node.Message(NodeAttribute, attribute);
        }

        return node;
    }

    private static ProtoMessage FloatAttribute(string name, float value) =>
        new ProtoMessage().String(AttributeName, name).Float(AttributeF, value).Int64(AttributeType, AttributeTypeFloat);

    private static ProtoMessage IntAttribute(string name, long value) =>
        new ProtoMessage().String(AttributeName, name).Int64(AttributeI, value).Int64(AttributeType, AttributeTypeInt);

    /// <summary>A float32 initializer with raw little-endian data; double values are rounded to float.</summary>
    private static ProtoMessage Tensor<T>(string name, long[] dims, ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i, 4), float.CreateTruncating(values[i]));
        }

        var tensor = new ProtoMessage();
        foreach (long dim in dims)
        {
            tensor.Int64(TensorDims, dim);
        }

        return tensor.Int64(TensorDataType, DataTypeFloat).String(TensorName, name).Bytes(TensorRawData, raw);
    }

    /// <summary>A float32 tensor value info of shape [batch, width].</summary>
    private static ProtoMessage ValueInfo(string name, int width)
    {
        var shape = new ProtoMessage()
            .Message(ShapeDim, new ProtoMessage().String(DimParam, "batch"))
            .Message(ShapeDim, new ProtoMessage().Int64(DimValue, width));
        var tensorType = new ProtoMessage().Int64(TypeTensorElemType, DataTypeFloat).Message(TypeTensorShape, shape);
        return new ProtoMessage().String(ValueInfoName, name).Message(ValueInfoType, new ProtoMessage().Message(TypeTensorType, tensorType));
    }
}
