using System.Globalization;
using System.Text.Json;
using ModelPreprocessing = NetGen.Preprocessing;

namespace NetGen.Cli.Tests;

/// <summary>The tool trains end to end, in-process, into a temp folder; what it writes is checked file by file.</summary>
public sealed class TrainingRunTests
{
    [Fact]
    public void Iris_run_writes_a_summary_pictures_and_a_model_that_loads_back_with_the_same_accuracy()
    {
        using var folder = new TempFolder();
        // --train-metrics: the training accuracy by an inference pass per epoch (the default never pays that pass, and a
        // generated network does not expose the training pass's outputs, so it reports none).
        CliRun run = CliRun.Start("--dataset", "iris", "--epochs", "15", "--seed", "3", "--output", folder.Path, "--export-onnx", "--train-metrics").Succeeded();
        Assert.Contains("Test accuracy:", run.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 15/15", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", run.Output, StringComparison.Ordinal); // not a terminal: plain lines, no ANSI codes
        Assert.Equal("", run.Error);

        JsonElement summary = Files.ReadJson(folder["summary.json"]);
        Assert.Equal("train", summary.GetProperty("mode").GetString());
        JsonElement dataset = summary.GetProperty("dataset");
        Assert.Equal("iris", dataset.GetProperty("name").GetString());
        Assert.Equal(4, dataset.GetProperty("features").GetInt32());
        Assert.Equal(["setosa", "versicolor", "virginica"], dataset.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Equal(150, dataset.GetProperty("trainRows").GetInt32() + dataset.GetProperty("validationRows").GetInt32() + dataset.GetProperty("testRows").GetInt32());
        Assert.Equal(30, dataset.GetProperty("testRows").GetInt32());

        JsonElement network = summary.GetProperty("network");
        Assert.Equal("iris-4-16-3", network.GetProperty("name").GetString());
        Assert.Equal("generated", network.GetProperty("kind").GetString());
        Assert.Equal("NetGen.Cli.IrisNet", network.GetProperty("type").GetString());
        Assert.Equal(4 * 16 + 16 + 16 * 3 + 3, network.GetProperty("parameters").GetInt32());

        JsonElement options = summary.GetProperty("options");
        Assert.Equal("adam", options.GetProperty("optimizer").GetString());
        Assert.Equal(15, options.GetProperty("epochs").GetInt32());
        Assert.Equal(3, options.GetProperty("seed").GetInt32());
        Assert.True(options.GetProperty("batchSize").GetInt32() > 0);
        Assert.True(options.GetProperty("learningRate").GetDouble() > 0);

        JsonElement training = summary.GetProperty("training");
        JsonElement[] history = training.GetProperty("history").EnumerateArray().ToArray();
        Assert.Equal(15, history.Length);
        Assert.Equal(15, training.GetProperty("epochsRun").GetInt32());
        Assert.True(training.GetProperty("samplesPerSecond").GetDouble() > 0);
        for (int e = 0; e < history.Length; e++)
        {
            Assert.Equal(e + 1, history[e].GetProperty("epoch").GetInt32());
            AssertFraction(history[e].GetProperty("trainAccuracy"));
            AssertFraction(history[e].GetProperty("validationAccuracy"));
            Assert.True(history[e].GetProperty("trainLoss").GetDouble() > 0);
            Assert.True(history[e].GetProperty("validationLoss").GetDouble() > 0);
            Assert.True(history[e].GetProperty("seconds").GetDouble() >= 0);
            Assert.True(history[e].GetProperty("samplesPerSecond").GetDouble() > 0);
            Assert.True(history[e].GetProperty("learningRate").GetDouble() > 0);
        }

        JsonElement test = summary.GetProperty("test");
        double accuracy = test.GetProperty("accuracy").GetDouble();
        AssertFraction(test.GetProperty("accuracy"));
        Assert.Equal(JsonValueKind.Null, test.GetProperty("r2").ValueKind);
        int[][] confusion = test.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        Assert.Equal(30, confusion.Sum(r => r.Sum()));
        Assert.Equal(accuracy, Enumerable.Range(0, 3).Sum(i => confusion[i][i]) / 30.0, 12);
        Assert.True(summary.GetProperty("wallSeconds").GetDouble() > 0);

        JsonElement files = summary.GetProperty("files");
        Assert.Equal("model.ngm", files.GetProperty("model").GetString());
        Assert.Equal("model.onnx", files.GetProperty("onnx").GetString());
        foreach (string picture in new[] { "lossPlot", "metricPlot", "confusionPlot" })
        {
            Files.AssertPng(folder[files.GetProperty(picture).GetString()!]);
        }

        Assert.True(new FileInfo(folder["model.onnx"]).Length > 0);

        // The saved model, loaded into a fresh generated network, scores the same on the same held-out rows.
        var loaded = new IrisNet(seed: 99);
        Predictor<float> predictor = Predictor<float>.Load(loaded, folder["model.ngm"]);
        Preprocessing preprocessing = SavedModel.Read(predictor.Preprocessing, folder["model.ngm"])!;
        PreparedData data = DatasetCatalog.Load(DatasetCatalog.Find("iris"), null, 3, 0.1, 0.2, saved: preprocessing);
        Assert.Equal(accuracy, loaded.Evaluate(data.Test).Accuracy);
    }

    [Fact]
    public void Load_model_evaluates_the_same_test_rows_with_the_same_accuracy()
    {
        using var folder = new TempFolder();
        CliRun.Start("-d", "wine", "--epochs", "5", "--output", folder["train"], "--quiet").Succeeded();
        double trained = Files.ReadJson(folder["train/summary.json"]).GetProperty("test").GetProperty("accuracy").GetDouble();

        // A different --seed must not matter: the split and scaling come from model.preprocessing.json.
        CliRun run = CliRun.Start("--load-model", folder["train/model.ngm"], "--seed", "42", "--output", folder["eval"]).Succeeded();
        JsonElement summary = Files.ReadJson(folder["eval/summary.json"]);
        Assert.Equal("evaluate", summary.GetProperty("mode").GetString());
        Assert.Equal("wine", summary.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal("generated", summary.GetProperty("network").GetProperty("kind").GetString());
        Assert.Equal(trained, summary.GetProperty("test").GetProperty("accuracy").GetDouble());
        Assert.Contains("Test accuracy:", run.Output, StringComparison.Ordinal);
        Files.AssertPng(folder["eval/confusion.png"]);
    }

    [Fact]
    public void Early_stopping_records_no_more_epochs_than_were_run()
    {
        using var folder = new TempFolder();
        CliRun.Start("-d", "iris", "--epochs", "300", "--lr", "0.05", "--patience", "3", "--output", folder.Path, "--quiet").Succeeded();
        JsonElement training = Files.ReadJson(folder["summary.json"]).GetProperty("training");
        int run = training.GetProperty("epochsRun").GetInt32();
        Assert.Equal(run, training.GetProperty("history").GetArrayLength());
        Assert.True(training.GetProperty("stoppedEarly").GetBoolean(), "300 epochs at η = 0.05 on iris should trigger early stopping");
        Assert.True(run < 300);
        Assert.InRange(training.GetProperty("bestEpoch").GetInt32(), 1, run);
    }

    [Fact]
    public void Layers_build_a_generic_network_and_a_single_output_on_two_classes_is_a_sigmoid()
    {
        using var folder = new TempFolder();
        CliRun.Start("-d", "breast-cancer", "--layers", "30,8,1", "--activation", "tanh", "--epochs", "4", "--output", folder.Path, "--plain").Succeeded();
        JsonElement summary = Files.ReadJson(folder["summary.json"]);
        JsonElement network = summary.GetProperty("network");
        Assert.Equal("generic", network.GetProperty("kind").GetString());
        Assert.Equal("30-8-1", network.GetProperty("sizes").GetString());
        Assert.Equal("BinaryCrossEntropy", network.GetProperty("loss").GetString());
        Assert.Equal("tanh", summary.GetProperty("options").GetProperty("hiddenActivation").GetString());
        AssertFraction(summary.GetProperty("test").GetProperty("accuracy"));

        GenericNetwork<float> loaded = ModelFile.LoadGeneric<float>(folder["model.ngm"]);
        Assert.Equal(Activation.Sigmoid, loaded.Spec.Stages[^1].Activation);
    }

    [Fact]
    public void Regression_reports_r2_and_rmse_and_draws_r2_curves()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Start("-d", "diabetes", "--epochs", "30", "--output", folder.Path, "--plain").Succeeded();
        Assert.Contains("Test R²:", run.Output, StringComparison.Ordinal);
        JsonElement summary = Files.ReadJson(folder["summary.json"]);
        JsonElement test = summary.GetProperty("test");
        Assert.Equal(JsonValueKind.Null, test.GetProperty("accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, test.GetProperty("confusionMatrix").ValueKind);
        Assert.True(test.GetProperty("r2").GetDouble() is > 0 and <= 1, "30 epochs on diabetes should explain some variance");
        Assert.True(test.GetProperty("rootMeanSquaredError").GetDouble() > 1, "the RMSE is in the original units (tens)");
        Assert.NotEqual(JsonValueKind.Null, summary.GetProperty("dataset").GetProperty("targetScaling").ValueKind);
        Files.AssertPng(folder["r2.png"]);
        Files.AssertPng(folder["loss.png"]);
        Assert.False(File.Exists(folder["confusion.png"]));
    }

    [Theory]
    [InlineData("iris", "--export-onnx")]
    [InlineData("breast-cancer", "--layers=30,8,1")]
    [InlineData("diabetes", "--export-onnx")]
    public void A_run_folder_holds_one_self_contained_model_whose_predictions_on_raw_rows_match(string dataset, string option)
    {
        using var folder = new TempFolder();
        string[] extra = option.Split('=');
        CliRun.Start(["-d", dataset, "--epochs", "3", "--output", folder.Path, "--quiet", .. extra]).Succeeded();
        Assert.False(File.Exists(folder["model.preprocessing.json"]), "the scaling belongs in the model file now");
        Assert.Equal(JsonValueKind.Null, Files.ReadJson(folder["summary.json"]).GetProperty("files").GetProperty("preprocessing").ValueKind);

        // Only the model file: raw rows from the data set's own loader, no scaling by the caller.
        Predictor<float> predictor = Predictor<float>.Load(folder["model.ngm"]);
        DatasetInfo info = DatasetCatalog.Find(dataset);
        Dataset<float> raw = RawRows(info);
        float[] predicted = new float[raw.Count * predictor.OutputSize];
        predictor.PredictBatch(raw.Features, predicted);

        // What the tool's own pipeline computes: the same split, scaled with the statistics the training run fitted.
        PreparedData data = DatasetCatalog.Load(info, null, 1, 0.1, 0.2);
        ModelPreprocessing stored = predictor.Preprocessing;
        Assert.NotNull(stored.InputScaling);
        Assert.Equal(data.InputScaler!.Offsets.ToArray(), stored.InputScaling.Offsets.ToArray());
        Assert.Equal(data.InputScaler.Scales.ToArray(), stored.InputScaling.Scales.ToArray());
        float[] scaled = (float[])raw.Features.Clone();
        data.InputScaler.TransformInPlace<float>(scaled);
        float[] expected = predictor.Network.Predict(scaled);
        if (info.Task == TaskKind.Regression)
        {
            Assert.Null(stored.ClassLabels);
            data.TargetScaler!.InverseTransformInPlace<float>(expected);
            // In the targets' units: the mean prediction is near the mean target (tens to hundreds), not near 0.
            Assert.InRange(predicted.Average(), raw.Targets.Average() * 0.5, raw.Targets.Average() * 1.5);
        }
        else
        {
            Assert.Equal(data.ClassNames, stored.ClassLabels);
            string[] labels = predictor.PredictLabels(raw.Features);
            int[] classes = predictor.Network.PredictClasses(scaled);
            Assert.Equal(classes.Select(c => data.ClassNames[c]), labels);
        }

        Assert.Equal(expected, predicted);
    }

    private static Dataset<float> RawRows(DatasetInfo info)
    {
        string dir = KnownDatasets.FindDataDirectory();
        return info.Name switch
        {
            "iris" => KnownDatasets.Iris<float>(dir),
            "breast-cancer" => KnownDatasets.BreastCancer<float>(dir),
            _ => KnownDatasets.Diabetes<float>(dir),
        };
    }

    [Fact]
    public void A_run_folder_of_an_earlier_version_with_model_preprocessing_json_still_evaluates()
    {
        // Written by NetGen.Cli at commit d7dbb64 (format version 1, scaling beside the model): -d iris --epochs 10 --seed 3.
        using var folder = new TempFolder();
        CopyOldRun(folder["old"]);
        double trained = Files.ReadJson(folder["old/summary.json"]).GetProperty("test").GetProperty("accuracy").GetDouble();
        CliRun run = CliRun.Start("--load-model", folder["old/model.ngm"], "--seed", "42", "--output", folder["eval"], "--quiet").Succeeded();
        Assert.DoesNotContain("warning", run.Error, StringComparison.Ordinal);
        JsonElement summary = Files.ReadJson(folder["eval/summary.json"]);
        Assert.Equal(trained, summary.GetProperty("test").GetProperty("accuracy").GetDouble());
        Assert.Equal(folder["old/model.preprocessing.json"], summary.GetProperty("files").GetProperty("preprocessing").GetString());
    }

    [Theory]
    [InlineData("inputOffsets")]
    [InlineData("inputScales")]
    [InlineData("dataset")]
    [InlineData("inputScaling")]
    public void A_model_preprocessing_json_with_null_fields_is_a_clear_error(string field)
    {
        using var folder = new TempFolder();
        CopyOldRun(folder["old"]);
        string json = File.ReadAllText(folder["old/model.preprocessing.json"]);
        JsonElement root = JsonDocument.Parse(json).RootElement;
        var edited = new Dictionary<string, JsonElement>();
        foreach (JsonProperty p in root.EnumerateObject())
        {
            edited[p.Name] = p.Name == field ? JsonDocument.Parse("null").RootElement : p.Value.Clone();
        }

        File.WriteAllText(folder["old/model.preprocessing.json"], JsonSerializer.Serialize(edited));
        CliRun run = CliRun.Start("--load-model", folder["old/model.ngm"], "--output", folder["eval"], "--quiet");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains($"\"{field}\" is null", run.Error, StringComparison.Ordinal);
        Assert.Contains("model.preprocessing.json", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
    }

    private static void CopyOldRun(string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "iris-run-v1")))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static void AssertFraction(JsonElement value)
    {
        Assert.Equal(JsonValueKind.Number, value.ValueKind);
        double x = value.GetDouble();
        Assert.True(x is >= 0 and <= 1, x.ToString(CultureInfo.InvariantCulture));
    }
}
