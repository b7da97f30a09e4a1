using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using NetGen.Cli.Reporting;

namespace NetGen.Cli;

/// <summary>
/// Trains a network: resolves the data set and network, plans the output files, loads/splits/standardizes the
/// data, fits with the chosen optimizer while showing progress, evaluates the test rows, and writes the model (one
/// self-contained file with its scaling, class names and split), the pictures and the JSON summary.
/// </summary>
internal static class TrainCommand
{
    public static int Run(RunSettings settings, Reporter reporter, IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var wall = Stopwatch.StartNew();
        DateTimeOffset started = DateTimeOffset.UtcNow;

        // 1. What to train, checked before any data is read or any file is written.
        if (settings.Network is not null && settings.Layers is not null)
        {
            throw new UsageException("--network chooses a generated network and --layers builds one at run time: give one of them, not both.");
        }

        GeneratedModel? model = settings.Network is null ? null : ModelCatalog.Find(settings.Network);
        DatasetInfo info = DatasetCatalog.Find(settings.Dataset ?? model?.Dataset ?? DatasetCatalog.DefaultName);
        int[]? layers = settings.Layers is null ? null : ModelCatalog.ParseLayers(settings.Layers);
        if (settings.Activation is not null && layers is null)
        {
            throw new UsageException("--activation sets the hidden activation of a --layers network; a generated network (--network) has its activations built in.");
        }

        Activation hidden = ModelCatalog.ParseActivation(settings.Activation ?? "relu");
        string optimizerName = CheckOptimizer(settings.Optimizer);
        bool cosine = CheckSchedule(settings.Schedule);
        string scaling = DatasetCatalog.CheckScaling(settings.Scaling);
        ChosenNetwork chosen = layers is null
            ? ModelCatalog.Create(model ?? ModelCatalog.Find(info.DefaultNetwork), info, settings.Seed)
            : ModelCatalog.FromLayers(layers, hidden, info, settings.Seed);
        int epochs = settings.Epochs ?? info.DefaultEpochs;
        int batchSize = settings.BatchSize ?? info.DefaultBatchSize;
        double? learningRate = settings.LearningRate ?? (optimizerName is "adam" or "adamw" ? info.DefaultLearningRate : null);
        IOptimizer<float> optimizer = Optimizers.Create<float>(optimizerName, learningRate);

        OutputPlan plan = OutputPlan.ForTraining(settings, info, DateTime.Now);
        plan.Check(settings.Force);

        // 2. The data: split (stratified for classes), inputs scaled with the training rows' statistics.
        PreparedData data = DatasetCatalog.Load(info, settings.DataDirectory, settings.Seed, settings.ValidationFraction, settings.TestFraction, scaling);
        plan.Create();
        if (info.Task == TaskKind.Classification && chosen.Network.OutputSize == 1)
        {
            data = data.WithBinaryTarget();
        }

        int stepsPerEpoch = (data.Train.Count + batchSize - 1) / batchSize;
        ILearningRateSchedule? schedule = cosine ? new CosineAnnealing((long)stepsPerEpoch * epochs) : null;
        var fitOptions = new FitOptions
        {
            Epochs = epochs,
            BatchSize = batchSize,
            Seed = settings.Seed,
            L2 = settings.L2,
            EarlyStoppingPatience = settings.Patience,
            Schedule = schedule,
            TrainingMetrics = !settings.NoTrainMetrics,
            TrainingMetricsPass = settings.TrainMetrics,   // false: never a second pass over the training rows
            CancellationToken = cancellation,
        };

        reporter.Line($"Data:      {info.Name}: {data.SplitDescription}");
        reporter.Line($"Scaling:   inputs {DatasetCatalog.DescribeScaling(scaling)}{(info.Task == TaskKind.Regression ? "; targets standardized" : "")}");
        reporter.Line($"Network:   {RunParts.Describe(chosen)}: {chosen.Network.Spec}");
        reporter.Line(string.Create(CultureInfo.InvariantCulture,
            $"Training:  {optimizer.Name}, {epochs} epochs × {stepsPerEpoch} steps of {batchSize}{(cosine ? ", cosine schedule" : "")}{(settings.L2 > 0 ? $", L2 λ={settings.L2:G3}" : "")}{(settings.Patience is int p ? $", early stopping after {p} epochs without improvement" : "")}, seed {settings.Seed}"));
        reporter.Line($"Output:    {plan.Folder}");
        reporter.Line();

        // 3. Train.
        double baseRate = optimizer.LearningRate;
        TrainingHistory history;
        try
        {
            history = reporter.Train(epochs, info.Task, (epochProgress, batchProgress) =>
                chosen.Network.Fit(data.Train, optimizer, fitOptions with { Progress = epochProgress, BatchProgress = batchProgress }, data.Validation));
        }
        catch (Exception e) when (e is OperationCanceledException or TrainingDivergedException)
        {
            plan.RemoveIfEmpty();
            throw;
        }

        // 4. Test, save, draw, summarize.
        TestSummary test = RunParts.Test(chosen.Network, data);
        NetGen.Preprocessing preprocessing = SavedModel.For(data);
        ModelFile.Save(chosen.Network, plan.Model!, preprocessing);
        if (plan.Onnx is not null)
        {
            OnnxExport.Export(chosen.Network, plan.Onnx, preprocessing);
        }

        DrawPlots(plan, data, chosen, history, test);
        int epochsRun = history.Epochs.Count;
        double trainSeconds = history.Duration.TotalSeconds;
        double samplesPerSecond = (double)data.Train.Count * epochsRun / Math.Max(trainSeconds, 1e-9);
        var summary = new RunSummary
        {
            Mode = "train",
            StartedUtc = started,
            Arguments = arguments,
            Machine = RunParts.Machine(),
            Dataset = RunParts.Dataset(data),
            Network = RunParts.Network(chosen),
            Options = new OptionsSummary(
                optimizerName, optimizer.Name, epochs, batchSize, baseRate,
                cosine ? "cosine" : "constant", settings.L2, settings.Patience, settings.ValidationFraction, data.Preprocessing.TestFraction, settings.Seed,
                history.Epochs.Any(e => e.Train.Accuracy is not null || e.Train.R2 is not null), settings.ExportOnnx, settings.Force, layers is null ? null : (settings.Activation ?? "relu").Trim().ToLowerInvariant()),
            Training = new TrainingSummary(
                epochsRun, history.BestEpoch, history.StoppedEarly, history.RestoredBest, trainSeconds, samplesPerSecond,
                history.Epochs.Select(EpochSummary.From).ToArray()),
            Test = test,
            WallSeconds = wall.Elapsed.TotalSeconds,
            Files = new FilesSummary(
                plan.Folder, plan.Relative(plan.Summary)!, plan.Relative(plan.Model), null, plan.Relative(plan.Onnx),
                plan.Relative(plan.LossPlot), plan.Relative(plan.MetricPlot), plan.Relative(plan.ConfusionPlot)),
        };
        summary.Write(plan.Summary);

        reporter.Line();
        if (history.StoppedEarly || history.RestoredBest)
        {
            reporter.Line(string.Create(CultureInfo.InvariantCulture,
                $"Early stopping after epoch {epochsRun}; {(history.RestoredBest ? $"restored the weights of epoch {history.BestEpoch}" : $"best epoch {history.BestEpoch}")}."));
        }

        RunParts.PrintTest(reporter, test, info.Task, data.ClassNames);
        reporter.Result(string.Create(CultureInfo.InvariantCulture,
            $"Training:      {epochsRun} epochs in {trainSeconds:F2} s, {samplesPerSecond:N0} samples/s ({data.Train.Count} rows per epoch)"));
        reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Wall time:     {wall.Elapsed.TotalSeconds:F2} s"));
        reporter.Result($"Model:         {plan.Model}");
        reporter.Result($"Summary:       {plan.Summary}");
        reporter.Line($"Pictures:      {string.Join(", ", new[] { plan.LossPlot, plan.MetricPlot, plan.ConfusionPlot }.OfType<string>().Select(Path.GetFileName))}");
        if (plan.Onnx is not null)
        {
            reporter.Line($"ONNX:          {plan.Onnx} (takes raw feature rows: the input scaling is in the graph{(info.Task == TaskKind.Classification ? ", the class names in its metadata" : ", outputs in the targets' units")})");
        }

        return ExitCodes.Success;
    }

    private static void DrawPlots(OutputPlan plan, PreparedData data, ChosenNetwork chosen, TrainingHistory history, TestSummary test)
    {
        IReadOnlyList<EpochReport> epochs = history.Epochs;
        string name = $"{data.Info.Name}, {chosen.Sizes}";
        bool hasValidation = data.Validation is not null;
        var loss = new List<CurveSeries> { new("training", epochs.Select(e => (double?)e.Train.Loss).ToArray()) };
        if (hasValidation)
        {
            loss.Add(new CurveSeries("validation", epochs.Select(e => e.Validation?.Loss).ToArray()));
        }

        Plots.Curves(plan.LossPlot!, $"Loss per epoch ({name})", $"loss ({chosen.Network.Spec.Loss})", loss, logScale: true);

        bool classification = data.Info.Task == TaskKind.Classification;
        Func<Metrics?, double?> metric = classification ? m => m?.Accuracy : m => m?.R2;
        var curves = new List<CurveSeries>();
        if (epochs.Any(e => metric(e.Train) is not null))
        {
            curves.Add(new CurveSeries("training", epochs.Select(e => metric(e.Train)).ToArray()));
        }

        if (hasValidation)
        {
            curves.Add(new CurveSeries("validation", epochs.Select(e => metric(e.Validation)).ToArray()));
        }

        Plots.Curves(plan.MetricPlot!, $"{(classification ? "Accuracy" : "R²")} per epoch ({name})", classification ? "accuracy" : "R²", curves, legend: ScottPlot.Alignment.LowerRight);
        if (plan.ConfusionPlot is not null)
        {
            Plots.ConfusionMatrix(RunParts.ToGrid(test.ConfusionMatrix!), data.ClassNames,
                string.Create(CultureInfo.InvariantCulture, $"Confusion matrix, {data.Test.Count} test rows, accuracy {test.Accuracy:P2} ({name})"), plan.ConfusionPlot);
        }
    }

    private static string CheckOptimizer(string name)
    {
        string key = name.Trim().ToLowerInvariant();
        return Optimizers.Names.Contains(key)
            ? key
            : throw new UsageException($"Unknown optimizer '{name}'. Valid optimizers: {string.Join(", ", Optimizers.Names)}.");
    }

    private static bool CheckSchedule(string name) => name.Trim().ToLowerInvariant() switch
    {
        "constant" or "none" => false,
        "cosine" => true,
        _ => throw new UsageException($"Unknown schedule '{name}'. Valid schedules: constant, cosine."),
    };
}
