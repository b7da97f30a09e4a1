using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using static NetGen.Runtime.Tests.IO.IoTestSupport;

namespace NetGen.Runtime.Tests.IO;

public sealed class OnnxExportTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every activation as a hidden layer and as the output, batch normalization, dropout, default and explicit α.</summary>
    public static TheoryData<string> TopologyNames() => [.. Topologies(Precision.Single).Select(t => t.Name)];

    private static IEnumerable<(string Name, NetworkSpec Spec)> Topologies(Precision precision)
    {
        Activation[] all = [Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU, Activation.ELU];
        foreach (Activation hidden in all)
        {
            foreach (Activation output in all.Append(Activation.Softmax))
            {
                Loss loss = output == Activation.Softmax ? Loss.CrossEntropy : Loss.MeanSquaredError;
                yield return ($"{hidden}->{output}", NetworkSpec.Input(5).Dense(7, hidden).Dense(4, output).Build(loss, precision));
            }
        }

        yield return ("alphas", NetworkSpec.Input(4).Dense(6, Activation.LeakyReLU, 0.3).Dense(5, Activation.ELU, 0.4)
            .Dense(3, Activation.LeakyReLU, 0).Dense(2, Activation.ELU, 2.5).Build(Loss.MeanSquaredError, precision));
        yield return ("batchnorm", NetworkSpec.Input(6).Dense(8, Activation.ReLU).BatchNorm(0.9, 1e-3).Dropout(0.3)
            .Dense(5, Activation.Tanh).BatchNorm(0.99, 0.05).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, precision));
        yield return ("batchnorm output", NetworkSpec.Input(3).Dropout(0.2).Dense(4, Activation.ELU).BatchNorm()
            .Dense(2, Activation.Sigmoid).BatchNorm(0.5, 0.2).Build(Loss.MeanSquaredError, precision));
        yield return ("single layer", NetworkSpec.Input(1).Dense(1).Build(Loss.MeanSquaredError, precision));
        foreach (Activation added in new[] { Activation.SiLU, Activation.GELU, Activation.Softplus, Activation.Mish })
        {
            yield return ($"{added} (issue 15)", NetworkSpec.Input(5).Dense(7, added).Dense(4, added).Build(Loss.Huber, precision));
        }

        yield return ("wide", NetworkSpec.Input(33).Dense(65, Activation.Tanh).BatchNorm().Dense(17, Activation.LeakyReLU)
            .Dense(9, Activation.Softmax).Build(Loss.CrossEntropy, precision));
    }

    [Theory]
    [MemberData(nameof(TopologyNames))]
    public void Generic_float_networks_match_OnnxRuntime(string name)
    {
        NetworkSpec spec = Topologies(Precision.Single).Single(t => t.Name == name).Spec;
        var net = new GenericNetwork<float>(spec, 1);
        Randomize(net, 17);
        AssertMatches(net, ExportToBytes(net));
    }

    [Fact]
    public void A_user_written_activation_is_refused_with_a_message_that_says_what_to_do()
    {
        var swish = new CustomActivation("Swish", z => z / (1 + Math.Exp(-z)), z => 0, "z / (1 + e^(−z))", null);
        var net = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(3, swish).Dense(1).Build(Loss.MeanSquaredError), 1);
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => ExportToBytes(net));
        Assert.Contains("user-written activation 'Swish'", e.Message, StringComparison.Ordinal);
        Assert.Contains("SiLU", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_written_loss_does_not_stop_the_export_of_the_inference_graph()
    {
        var loss = new CustomLoss("Squared", (a, y) => (a - y) * (a - y), (a, y) => 2 * (a - y));
        var net = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(4, Activation.Tanh).Dense(2).Build(loss), 1);
        Randomize(net, 5);
        AssertMatches(net, ExportToBytes(net));
    }

    [Theory]
    [InlineData("batchnorm")]
    [InlineData("alphas")]
    [InlineData("wide")]
    [InlineData("ReLU->Softmax")]
    public void Generic_double_networks_export_as_float32_and_match(string name)
    {
        NetworkSpec spec = Topologies(Precision.Double).Single(t => t.Name == name).Spec;
        var net = new GenericNetwork<double>(spec, 1);
        Randomize(net, 19);
        AssertMatches(net, ExportToBytes(net));
    }

    [Fact]
    public void Generated_DigitsNet_exported_to_a_file_matches_OnnxRuntime()
    {
        var net = new DigitsNet(7);
        Train(net, steps: 3, seed: 1);
        string path = _dir.File("digits.onnx");
        net.ExportOnnx(path);
        Assert.Equal(new[] { "digits.onnx" }, _dir.Entries());
        AssertMatches(net, File.ReadAllBytes(path));

        using var session = new InferenceSession(path, Options());
        Assert.Equal("NetGen", session.ModelMetadata.ProducerName);
        NodeMetadata input = session.InputMetadata["input"];
        NodeMetadata output = session.OutputMetadata["output"];
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal(new[] { -1, 64 }, input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal(new[] { -1, 10 }, output.Dimensions);
        Assert.Single(session.InputMetadata);
        Assert.Single(session.OutputMetadata);
    }

    [Fact]
    public void Generated_QuadraticFit_matches_OnnxRuntime()
    {
        var net = new QuadraticFit(4);
        AssertMatches(net, ExportToBytes(net));
    }

    [Fact]
    public void The_model_declares_ir_version_7_and_opset_13()
    {
        byte[] model = ExportToBytes(new QuadraticFit());
        // ModelProto field 1 (ir_version, varint) = 7 comes first: tag 0x08, value 0x07.
        Assert.Equal(new byte[] { 0x08, 0x07 }, model[..2]);
        // The last field is opset_import (field 8, length-delimited): { domain "" (0x0A 0x00), version 13 (0x10 0x0D) }.
        Assert.Equal(new byte[] { 0x42, 0x04, 0x0A, 0x00, 0x10, 0x0D }, model[^6..]);
    }

    private static byte[] ExportToBytes<T>(INetwork<T> net) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var stream = new MemoryStream();
        OnnxExport.Export(net, stream);
        return stream.ToArray();
    }

    private static SessionOptions Options() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    /// <summary>Runs random batches through the network and through ONNX Runtime: max |difference| ≤ 1e-5 × the output scale.</summary>
    private static void AssertMatches<T>(INetwork<T> net, byte[] model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using SessionOptions options = Options();
        using var session = new InferenceSession(model, options);
        using var run = new RunOptions();
        foreach ((int count, ulong seed) in new[] { (1, 1UL), (7, 2UL), (64, 3UL) })
        {
            T[] x = Batch<T>(count, net.InputSize, seed);
            T[] expected = Outputs(net, x);
            float[] xf = x.Select(float.CreateTruncating).ToArray();
            using OrtValue input = OrtValue.CreateTensorValueFromMemory(xf, [count, net.InputSize]);
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(run, ["input"], [input], ["output"]);
            float[] actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            Assert.Equal(new long[] { count, net.OutputSize }, outputs[0].GetTensorTypeAndShape().Shape);

            double scale = 0, diff = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double e = double.CreateChecked(expected[i]);
                scale = Math.Max(scale, Math.Abs(e));
                double d = Math.Abs(actual[i] - e);
                diff = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(diff, d);
            }

            Assert.True(
                diff <= Tolerance * Math.Max(scale, 1e-3),
                $"{net.Spec}: batch of {count}: max |ONNX − network| = {diff:G4}, output scale {scale:G4}");
        }
    }
}
