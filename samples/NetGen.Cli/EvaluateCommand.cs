using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using NetGen.Cli.Reporting;

namespace NetGen.Cli;

/// <summary>
/// <c>--load-model</c>: loads a saved model (into the generated class of the same topology when the sample declares
/// one, else a <see cref="GenericNetwork{T}"/>) and evaluates it on the test rows of its data set — the same rows and
/// scaling as in training, which the model file stores (or, for a run of an earlier version, the
/// <c>model.preprocessing.json</c> beside it).
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(RunSettings settings, Reporter reporter, IReadOnlyList<string> arguments)
    {
        var wall = Stopwatch.StartNew();
        DateTimeOffset started = DateTimeOffset.UtcNow;
        string path = Path.GetFullPath(settings.LoadModel!);
        if (settings.Network is not null || settings.Layers is not null)
        {
            throw new UsageException("--load-model evaluates the network stored in the model file; --network and --layers do not apply.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        NetworkSpec spec = ModelFile.ReadSpec(path);
        // The split and scaling: stored in the model file, or (a run of an earlier version) in the JSON file beside it.
        string legacyPath = OutputPlan.PreprocessingPathFor(path);
        Preprocessing? saved = SavedModel.Read(ModelFile.ReadPreprocessing(path), path);
        bool legacy = saved is null && File.Exists(legacyPath);
        if (legacy)
        {
            saved = SavedModel.ReadLegacy(legacyPath);
        }

        GeneratedModel? generated = ModelCatalog.FindBySpec(spec);
        string? datasetName = settings.Dataset ?? saved?.Dataset ?? generated?.Dataset;
        if (datasetName is null)
        {
            throw new UsageException($"'{path}' does not say which data it was trained on (the file stores no data set, and there is no {Path.GetFileName(legacyPath)} beside it): pass --dataset.");
        }

        DatasetInfo info = DatasetCatalog.Find(datasetName);
        if (saved is not null && !string.Equals(saved.Dataset, info.Name, StringComparison.Ordinal))
        {
            throw new UsageException($"'{path}' was trained on {saved.Dataset} (says {(legacy ? Path.GetFileName(legacyPath) : "the model file")}), not {info.Name}.");
        }

        ModelCatalog.RequireFits(spec, info, $"The model in '{path}'");
        ChosenNetwork chosen;
        if (generated is not null)
        {
            INetwork<float> network = generated.Create(0);
            ModelFile.Load(network, path);
            chosen = new ChosenNetwork(network, generated.Name, Generated: true, network.GetType().FullName!);
        }
        else
        {
            GenericNetwork<float> network = ModelFile.LoadGeneric<float>(path, convertPrecision: true);
            chosen = new ChosenNetwork(network, "generic", Generated: false, network.GetType().FullName!);
        }

        OutputPlan plan = OutputPlan.ForEvaluation(settings, info, DateTime.Now);
        plan.Check(settings.Force);
        if (saved is null)
        {
            reporter.Error(string.Create(CultureInfo.InvariantCulture,
                $"warning: the model file stores no split or scaling and there is no {Path.GetFileName(legacyPath)} beside it: the split uses --seed {settings.Seed} and the scaling is refitted, so the test rows may not be the ones held out in training."));
        }

        PreparedData data = DatasetCatalog.Load(
            info, settings.DataDirectory, saved?.Seed ?? settings.Seed, saved?.ValidationFraction ?? settings.ValidationFraction,
            saved?.TestFraction is > 0 and var fraction ? fraction : settings.TestFraction, settings.Scaling, saved);
        if (info.Task == TaskKind.Classification && spec.OutputSize == 1)
        {
            data = data.WithBinaryTarget();
        }

        plan.Create();

        reporter.Line($"Model:     {path}");
        reporter.Line($"Network:   {RunParts.Describe(chosen)}: {spec}");
        reporter.Line($"Data:      {info.Name}: {data.SplitDescription}; evaluating the {data.Test.Count} test rows");
        reporter.Line();
        TestSummary test = RunParts.Test(chosen.Network, data);
        if (plan.ConfusionPlot is not null)
        {
            Plots.ConfusionMatrix(RunParts.ToGrid(test.ConfusionMatrix!), data.ClassNames,
                string.Create(CultureInfo.InvariantCulture, $"Confusion matrix, {data.Test.Count} test rows, accuracy {test.Accuracy:P2} ({info.Name}, {chosen.Sizes})"), plan.ConfusionPlot);
        }

        var summary = new RunSummary
        {
            Mode = "evaluate",
            StartedUtc = started,
            Arguments = arguments,
            Machine = RunParts.Machine(),
            Dataset = RunParts.Dataset(data),
            Network = RunParts.Network(chosen),
            Test = test,
            WallSeconds = wall.Elapsed.TotalSeconds,
            Files = new FilesSummary(plan.Folder, plan.Relative(plan.Summary)!, path, legacy ? legacyPath : null, null, null, null, plan.Relative(plan.ConfusionPlot)),
        };
        summary.Write(plan.Summary);
        RunParts.PrintTest(reporter, test, info.Task, data.ClassNames);
        reporter.Result(string.Create(CultureInfo.InvariantCulture, $"Wall time:     {wall.Elapsed.TotalSeconds:F2} s"));
        reporter.Result($"Summary:       {plan.Summary}");
        return ExitCodes.Success;
    }
}
