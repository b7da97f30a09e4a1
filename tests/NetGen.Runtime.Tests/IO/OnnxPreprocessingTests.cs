using System.Numerics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using static NetGen.Runtime.Tests.IO.IoTestSupport;
using static NetGen.Runtime.Tests.IO.PredictorTests;

namespace NetGen.Runtime.Tests.IO;

/// <summary>An exported model with preprocessing takes RAW rows in ONNX Runtime and returns what Predictor&lt;T&gt; returns.</summary>
public sealed class OnnxPreprocessingTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SessionOptions Options() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    [Theory]
    [InlineData("standard")]
    [InlineData("minmax")]
    public void A_generated_classifier_with_input_scaling_takes_raw_rows_and_carries_its_labels(string scaling)
    {
        var net = new DigitsNet(5);
        Train(net, steps: 2, seed: 4);
        float[] fit = RawRows<float>(60, 64, 1);
        string[] labels = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine, \"quoted\""];
        FeatureScaler scaler = scaling == "standard" ? Standardizer.Fit<float>(fit, 64) : MinMaxScaler.Fit<float>(fit, 64);
        var predictor = new Predictor<float>(net, new Preprocessing(scaler, labels, metadata: new Dictionary<string, string> { ["dataset"] = "digits" }));
        string path = _dir.File("digits.onnx");
        predictor.ExportOnnx(path);

        using SessionOptions options = Options();
        using var session = new InferenceSession(path, options);
        Dictionary<string, string> metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(labels, JsonSerializer.Deserialize<string[]>(metadata[OnnxExport.ClassLabelsKey]));
        Assert.Equal("digits", metadata["dataset"]);
        using JsonDocument inputScaling = JsonDocument.Parse(metadata[OnnxExport.InputScalingKey]);
        Assert.Equal(scaling == "standard" ? "standardization" : "minmax", inputScaling.RootElement.GetProperty("kind").GetString());
        Assert.False(metadata.ContainsKey(OnnxExport.TargetScalingKey));

        float[] raw = RawRows<float>(33, 64, 2);
        float[] onnx = Run(session, raw, 64, 10);
        var expected = new float[33 * 10];
        predictor.PredictBatch(raw, expected);
        AssertClose(expected, onnx, "digits");

        // The labels ONNX Runtime's outputs point at are the predictor's.
        string[] predicted = predictor.PredictLabels(raw);
        for (int s = 0; s < 33; s++)
        {
            Assert.Equal(predicted[s], labels[Evaluation.ClassOf<float>(onnx.AsSpan(10 * s, 10))]);
        }
    }

    [Fact]
    public void A_double_regressor_with_target_scaling_returns_original_units()
    {
        NetworkSpec spec = NetworkSpec.Input(6).Dense(12, Activation.ELU).BatchNorm().Dense(3).Build(Loss.MeanSquaredError, Precision.Double);
        var net = new GenericNetwork<double>(spec, 3);
        Randomize(net, 6);
        double[] fit = RawRows<double>(50, 6, 3);
        double[] targets = RawRows<double>(50, 3, 4);
        var predictor = new Predictor<double>(net, new Preprocessing(Standardizer.Fit<double>(fit, 6), targetScaling: MinMaxScaler.Fit<double>(targets, 3)));
        using var stream = new MemoryStream();
        OnnxExport.Export(net, stream, predictor.Preprocessing);

        using SessionOptions options = Options();
        using var session = new InferenceSession(stream.ToArray(), options);
        Assert.True(session.ModelMetadata.CustomMetadataMap.ContainsKey(OnnxExport.TargetScalingKey));
        Assert.False(session.ModelMetadata.CustomMetadataMap.ContainsKey(OnnxExport.ClassLabelsKey));

        double[] raw = RawRows<double>(17, 6, 5);
        float[] onnx = Run(session, raw.Select(v => (float)v).ToArray(), 6, 3);
        var expected = new double[17 * 3];
        predictor.PredictBatch(raw, expected);
        AssertClose(expected.Select(v => (float)v).ToArray(), onnx, "regressor");

        // Without the preprocessing the same network's export is far off on raw rows: the test can fail.
        using var bare = new MemoryStream();
        OnnxExport.Export(net, bare);
        using var bareSession = new InferenceSession(bare.ToArray(), options);
        float[] unscaled = Run(bareSession, raw.Select(v => (float)v).ToArray(), 6, 3);
        Assert.True(expected.Zip(unscaled, (e, u) => Math.Abs(e - u)).Max() > 1, "the preprocessing should matter on these rows");
    }

    [Fact]
    public void Preprocessing_that_does_not_fit_is_refused()
    {
        var net = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(2).Build(Loss.MeanSquaredError), 1);
        Assert.Throws<ArgumentException>(() => OnnxExport.Export(net, new MemoryStream(), new Preprocessing(new Standardizer([0.0], [1.0]))));
        Assert.Empty(_dir.Entries());
    }

    private static float[] Run(InferenceSession session, float[] raw, int inputs, int outputs)
    {
        int count = raw.Length / inputs;
        using var run = new RunOptions();
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(raw, [count, inputs]);
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(run, ["input"], [input], ["output"]);
        Assert.Equal(new long[] { count, outputs }, results[0].GetTensorTypeAndShape().Shape);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>max |ONNX − predictor| ≤ 1e-5 × the output scale (float32 arithmetic in ONNX Runtime).</summary>
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double diff = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(diff <= Tolerance * Math.Max(scale, 1e-3), $"{what}: max |ONNX − predictor| = {diff:G4}, output scale {scale:G4}");
    }
}
