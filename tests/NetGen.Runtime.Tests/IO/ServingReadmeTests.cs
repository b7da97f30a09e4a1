using Microsoft.ML.OnnxRuntime;

namespace NetGen.Runtime.Tests.IO;

/// <summary>The iris network of the README's "Serving a model" section.</summary>
[Network(Loss.CrossEntropy)]
[Input(4)]
[Dense(16, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class IrisNet { }

/// <summary>The code of docs/readme-drafts/helper-serving.md ("Serving a model"), compiled and run as written.</summary>
public sealed class ServingReadmeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_serving_section_runs_as_written()
    {
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _dir.Path;
        try
        {
            Readme(KnownDatasets.FindDataDirectory());
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    /// <summary>
    /// The README's shared-instance snippet: one predictor (over a generic network, as Load makes it) serves every thread,
    /// since Forward of generated and generic networks is safe from many threads and the predictor adds no shared state.
    /// </summary>
    [Fact]
    public void One_shared_predictor_serves_many_threads()
    {
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _dir.Path;
        try
        {
            Dataset<float> iris = KnownDatasets.Iris<float>(KnownDatasets.FindDataDirectory());
            var net = new IrisNet(seed: 1);
            new Predictor<float>(net, new Preprocessing(Standardizer.Fit(iris), classLabels: iris.ClassNames)).Save("iris.ngm");
            Dataset<float> test = iris;

            // ---- README: one shared instance ----
            Predictor<float> predictor = Predictor<float>.Load("iris.ngm");     // once, at start-up
            string[] labels = new string[test.Count];
            Parallel.For(0, test.Count, i => labels[i] = predictor.PredictLabel(test.Features.AsSpan(i * 4, 4)));
            // ---- end of README code ----

            Assert.Equal(predictor.PredictLabels(test.Features), labels);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    private static void Readme(string dataDirectory)
    {
        // ---- README: training side ----
        Dataset<float> iris = KnownDatasets.Iris<float>(dataDirectory);            // raw measurements, in cm
        (Dataset<float> train, Dataset<float> test) = DataSplit.TrainTest(iris, testFraction: 0.2, seed: 1);

        Standardizer scaler = Standardizer.Fit(train);                             // statistics of the training rows only
        var net = new IrisNet(seed: 1);
        net.Fit(scaler.Transform(train), new Adam<float>(0.01), new FitOptions { Epochs = 100, BatchSize = 16 });

        var model = new Predictor<float>(net, new Preprocessing(scaler, classLabels: train.ClassNames));
        model.Save("iris.ngm");                // one file: network, scaling, class names
        model.ExportOnnx("iris.onnx");         // raw rows in; "class_labels" in metadata_props

        // ---- README: serving side ----
        Predictor<float> predictor = Predictor<float>.Load("iris.ngm");            // or Predictor<float>.Load(new IrisNet(), "iris.ngm")
        string species = predictor.PredictLabel([5.1f, 3.5f, 1.4f, 0.2f]);        // "setosa"

        string[] labels = predictor.PredictLabels(test.Features);

        // Batches without allocation: the caller's buffers.
        float[] probabilities = new float[test.Count * 3];
        float[] scratch = new float[test.Features.Length];
        predictor.PredictBatch(test.Features, probabilities, scratch);
        // ---- end of README code ----

        Assert.Equal("setosa", species);
        int correct = Enumerable.Range(0, test.Count).Count(i => labels[i] == iris.ClassNames![test.Labels![i]]);
        Assert.True(correct >= 0.8 * test.Count, $"{correct}/{test.Count} test rows right");
        var expected = new float[probabilities.Length];
        predictor.PredictBatch(test.Features, expected);
        Assert.Equal(expected, probabilities);

        using var session = new InferenceSession("iris.onnx");
        Assert.Equal("[\"setosa\",\"versicolor\",\"virginica\"]", session.ModelMetadata.CustomMetadataMap["class_labels"]);
    }
}
