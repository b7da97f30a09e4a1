using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace NetGen.Cli;

/// <summary>
/// The files a run will write, decided before any work starts so that a run never overwrites what the user already
/// has (unless <c>--force</c>) and fails before training rather than after.
/// </summary>
internal sealed class OutputPlan
{
    private bool _created;

    private OutputPlan(string folder, TaskKind task, bool training, string? model, bool onnx)
    {
        Folder = folder;
        Summary = Path.Combine(folder, "summary.json");
        LossPlot = training ? Path.Combine(folder, "loss.png") : null;
        MetricPlot = training ? Path.Combine(folder, task == TaskKind.Classification ? "accuracy.png" : "r2.png") : null;
        ConfusionPlot = task == TaskKind.Classification ? Path.Combine(folder, "confusion.png") : null;
        Model = model;
        Onnx = onnx ? Path.Combine(folder, "model.onnx") : null;
    }

    public string Folder { get; }

    public string Summary { get; }

    public string? LossPlot { get; }

    public string? MetricPlot { get; }

    public string? ConfusionPlot { get; }

    public string? Model { get; }

    public string? Onnx { get; }

    public IEnumerable<string> Files =>
        new[] { Summary, LossPlot, MetricPlot, ConfusionPlot, Model, Onnx }.OfType<string>();

    /// <summary>
    /// Where runs of earlier versions put the split and scaling of a model file: <c>model.ngm</c> →
    /// <c>model.preprocessing.json</c>. Now they are in the model file; this one is only read, for older runs.
    /// </summary>
    public static string PreprocessingPathFor(string modelPath) => Path.ChangeExtension(modelPath, ".preprocessing.json");

    /// <summary>The plan of a training run.</summary>
    public static OutputPlan ForTraining(RunSettings settings, DatasetInfo data, DateTime now)
    {
        string folder = FolderFor(settings.Output, data.Name, now);
        string model = settings.SaveModel is { } path ? Path.GetFullPath(path) : Path.Combine(folder, "model.ngm");
        return new OutputPlan(folder, data.Task, training: true, model, settings.ExportOnnx);
    }

    /// <summary>The plan of an evaluation of a saved model.</summary>
    public static OutputPlan ForEvaluation(RunSettings settings, DatasetInfo data, DateTime now) =>
        new(FolderFor(settings.Output, data.Name + "-eval", now), data.Task, training: false, model: null, onnx: false);

    /// <summary>Refuses (unless forced) when any planned file already exists.</summary>
    /// <exception cref="UsageException">A file exists; the message names them and the way out.</exception>
    public void Check(bool force)
    {
        if (!force)
        {
            string[] existing = Files.Where(File.Exists).ToArray();
            if (existing.Length > 0)
            {
                throw new UsageException(
                    $"Refusing to overwrite {string.Join(", ", existing.Select(f => $"'{f}'"))}. Choose another --output (or --save-model), or pass --force to replace them.");
            }
        }
    }

    /// <summary>Creates the output folder and the model's folder.</summary>
    public void Create()
    {
        _created = !Directory.Exists(Folder);
        Directory.CreateDirectory(Folder);
        if (Model is not null && Path.GetDirectoryName(Model) is { Length: > 0 } modelFolder)
        {
            Directory.CreateDirectory(modelFolder);
        }
    }

    /// <summary>Removes the output folder again when this run created it and nothing was written into it (training stopped or failed).</summary>
    public void RemoveIfEmpty()
    {
        if (_created && Directory.Exists(Folder) && !Directory.EnumerateFileSystemEntries(Folder).Any())
        {
            Directory.Delete(Folder);
        }
    }

    /// <summary>A path as the summary records it: relative to the output folder when inside it.</summary>
    public string? Relative(string? path)
    {
        if (path is null)
        {
            return null;
        }

        string relative = Path.GetRelativePath(Folder, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string FolderFor(string? output, string name, DateTime now)
    {
        if (output is not null)
        {
            return Path.GetFullPath(output);
        }

        string stem = Path.GetFullPath(Path.Combine("runs", $"{name}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));
        string folder = stem;
        for (int n = 2; Directory.Exists(folder); n++)
        {
            folder = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}");
        }

        return folder;
    }
}
