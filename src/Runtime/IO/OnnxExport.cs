using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;

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
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDocString = 6, ModelGraph = 7, ModelOpsetImport = 8;
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
    public static void Export<T>(INetwork<T> network, string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ProtoMessage model = BuildModel(network);
        AtomicFile.Write(path, model.WriteTo);
    }

    /// <summary>Writes the ONNX model to a stream, from its current position; the stream is left open.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network; its current parameters and running statistics are exported.</param>
    /// <param name="stream">A writable stream.</param>
    public static void Export<T>(INetwork<T> network, Stream stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        BuildModel(network).WriteTo(stream);
    }

    private static ProtoMessage BuildModel<T>(INetwork<T> network) where T : unmanaged, IFloatingPointIeee754<T>
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

        var graph = new ProtoMessage();
        var initializers = new List<ProtoMessage>();
        string previous = "input";
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

            string a = last ? "output" : $"a{suffix}";
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
            .Message(ModelGraph, graph)
            .Message(ModelOpsetImport, new ProtoMessage().String(OpsetDomain, "").Int64(OpsetVersionField, OpsetVersion));
        if (model.Size > int.MaxValue)
        {
            throw new NotSupportedException(
                $"The network has {spec.ParameterCount} parameters; as float32 they exceed the 2 GiB limit of a single ONNX protobuf file.");
        }

        return model;
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
