using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetGen.Cli.Reporting;

/// <summary>Everything about one run, written as <c>summary.json</c> next to the pictures (camelCase, indented; numbers culture-invariant).</summary>
public sealed record RunSummary
{
    /// <summary>Always <c>NetGen.Cli</c>.</summary>
    public string Tool { get; init; } = "NetGen.Cli";

    /// <summary><c>train</c>, or <c>evaluate</c> for <c>--load-model</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>The arguments the tool was started with.</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The machine the run was measured on.</summary>
    public required MachineSummary Machine { get; init; }

    /// <summary>The data and how they were split and scaled.</summary>
    public required DatasetSummary Dataset { get; init; }

    /// <summary>The network.</summary>
    public required NetworkSummary Network { get; init; }

    /// <summary>The training options in effect (defaults filled in); null when a saved model was only evaluated.</summary>
    public OptionsSummary? Options { get; init; }

    /// <summary>The training run; null when a saved model was only evaluated.</summary>
    public TrainingSummary? Training { get; init; }

    /// <summary>The metrics on the held-out test rows.</summary>
    public required TestSummary Test { get; init; }

    /// <summary>Wall time of the whole run in seconds: loading, training, evaluating and writing.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>The files written (names relative to the output folder when they are in it).</summary>
    public required FilesSummary Files { get; init; }

    /// <summary>
    /// The options the summary (and a legacy <c>model.preprocessing.json</c>) is written and read with; their type
    /// information comes from the source-generated <see cref="CliJsonContext"/>, so no reflection is needed (NativeAOT).
    /// </summary>
    public static JsonSerializerOptions JsonOptions => CliJsonContext.Cli.Options;

    /// <summary>Writes the summary as indented JSON.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, CliJsonContext.Cli.RunSummary) + Environment.NewLine);
}

/// <summary>The machine.</summary>
/// <param name="ProcessorCount">Logical processors .NET sees.</param>
/// <param name="OperatingSystem">The OS description.</param>
/// <param name="Framework">The .NET runtime.</param>
/// <param name="VectorBits">The width of <c>Vector&lt;float&gt;</c> in bits (the SIMD width the kernels use).</param>
public sealed record MachineSummary(int ProcessorCount, string OperatingSystem, string Framework, int VectorBits);

/// <summary>The data.</summary>
/// <param name="Name">The data set.</param>
/// <param name="Task">Classification or regression.</param>
/// <param name="Source">The folder the files were read from.</param>
/// <param name="Features">Features per row.</param>
/// <param name="Classes">The class names (empty for regression).</param>
/// <param name="TrainRows">Training rows.</param>
/// <param name="ValidationRows">Validation rows (0 for none).</param>
/// <param name="TestRows">Test rows.</param>
/// <param name="Split">How the rows were split.</param>
/// <param name="InputScaling">How the inputs were scaled.</param>
/// <param name="TargetScaling">How the targets were scaled, or null.</param>
public sealed record DatasetSummary(
    string Name, TaskKind Task, string Source, int Features, IReadOnlyList<string> Classes,
    int TrainRows, int ValidationRows, int TestRows, string Split, string InputScaling, string? TargetScaling);

/// <summary>The network.</summary>
/// <param name="Name">The catalog name, or <c>generic</c>.</param>
/// <param name="Kind"><c>generated</c> (NetGen source generator) or <c>generic</c> (<see cref="GenericNetwork{T}"/>, built at run time).</param>
/// <param name="Type">The class that runs it.</param>
/// <param name="Sizes">The layer sizes, e.g. <c>64-100-30-10</c>.</param>
/// <param name="Spec">The <see cref="NetworkSpec"/> string.</param>
/// <param name="Parameters">The number of trainable parameters.</param>
/// <param name="Loss">The loss.</param>
public sealed record NetworkSummary(string Name, string Kind, string Type, string Sizes, string Spec, int Parameters, string Loss);

/// <summary>The options in effect.</summary>
/// <param name="Optimizer">The optimizer's name as given.</param>
/// <param name="OptimizerDescription">The optimizer with its hyperparameters.</param>
/// <param name="Epochs">The epochs asked for.</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="LearningRate">The base learning rate η.</param>
/// <param name="Schedule">The learning-rate schedule.</param>
/// <param name="L2">The L2 penalty λ.</param>
/// <param name="Patience">Early-stopping patience, or null.</param>
/// <param name="ValidationFraction">The validation share.</param>
/// <param name="TestFraction">The test share (0 for a given test set).</param>
/// <param name="Seed">The seed.</param>
/// <param name="TrainingMetrics">Whether training metrics were measured each epoch.</param>
/// <param name="ExportOnnx">Whether an ONNX file was asked for.</param>
/// <param name="Force">Whether existing files could be replaced.</param>
/// <param name="HiddenActivation">The hidden activation of a <c>--layers</c> network, else null.</param>
public sealed record OptionsSummary(
    string Optimizer, string OptimizerDescription, int Epochs, int BatchSize, double LearningRate, string Schedule, double L2,
    int? Patience, double ValidationFraction, double TestFraction, int Seed, bool TrainingMetrics, bool ExportOnnx, bool Force,
    string? HiddenActivation);

/// <summary>The training run.</summary>
/// <param name="EpochsRun">Epochs completed (fewer than asked with early stopping).</param>
/// <param name="BestEpoch">The epoch with the lowest monitored loss.</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
/// <param name="RestoredBest">Whether the best epoch's parameters were restored.</param>
/// <param name="Seconds">Wall time of training (all epochs, with their metric passes).</param>
/// <param name="SamplesPerSecond">Training rows × epochs run / <paramref name="Seconds"/>.</param>
/// <param name="History">One entry per epoch.</param>
public sealed record TrainingSummary(
    int EpochsRun, int BestEpoch, bool StoppedEarly, bool RestoredBest, double Seconds, double SamplesPerSecond, IReadOnlyList<EpochSummary> History);

/// <summary>One epoch.</summary>
/// <param name="Epoch">From 1.</param>
/// <param name="TrainLoss">The mean training loss of the epoch's batches.</param>
/// <param name="TrainAccuracy">Training accuracy (classification, when measured).</param>
/// <param name="TrainMeanSquaredError">Training MSE (regression, standardized targets, when measured).</param>
/// <param name="TrainR2">Training R² (regression, when measured).</param>
/// <param name="ValidationLoss">Validation loss, or null.</param>
/// <param name="ValidationAccuracy">Validation accuracy, or null.</param>
/// <param name="ValidationMeanSquaredError">Validation MSE (standardized targets), or null.</param>
/// <param name="ValidationR2">Validation R², or null.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="Seconds">Wall time of the epoch (with its metric passes).</param>
/// <param name="SamplesPerSecond">Training rows / <paramref name="Seconds"/>.</param>
public sealed record EpochSummary(
    int Epoch, double TrainLoss, double? TrainAccuracy, double? TrainMeanSquaredError, double? TrainR2,
    double? ValidationLoss, double? ValidationAccuracy, double? ValidationMeanSquaredError, double? ValidationR2,
    double LearningRate, double Seconds, double SamplesPerSecond)
{
    /// <summary>The summary of a trainer report.</summary>
    public static EpochSummary From(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(
            report.Epoch, report.Train.Loss, report.Train.Accuracy, report.Train.MeanSquaredError, report.Train.R2,
            report.Validation?.Loss, report.Validation?.Accuracy, report.Validation?.MeanSquaredError, report.Validation?.R2,
            report.LearningRate, report.Duration.TotalSeconds, report.SamplesPerSecond);
    }
}

/// <summary>The test metrics.</summary>
/// <param name="Rows">Test rows.</param>
/// <param name="Loss">Mean loss per row.</param>
/// <param name="Accuracy">Accuracy (classification), else null.</param>
/// <param name="MeanSquaredError">MSE on the standardized targets (regression), else null.</param>
/// <param name="R2">R² (regression), else null.</param>
/// <param name="RootMeanSquaredError">RMSE in the targets' original units (regression), else null.</param>
/// <param name="ConfusionMatrix">[true class][predicted class] counts (classification), else null; written one row per line.</param>
/// <param name="Seconds">Wall time of the test evaluation.</param>
public sealed record TestSummary(
    int Rows, double Loss, double? Accuracy, double? MeanSquaredError, double? R2, double? RootMeanSquaredError,
    [property: JsonConverter(typeof(RowPerLineConverter))] int[][]? ConfusionMatrix, double Seconds);

/// <summary>
/// The JSON the tool reads and writes, generated at compile time (System.Text.Json source generation): camelCase
/// names, indented, enums as camelCase strings, non-ASCII text unescaped.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(Preprocessing))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>The context with the tool's options (the attribute cannot set the encoder or the enum naming).</summary>
    public static CliJsonContext Cli { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter<TaskKind>(JsonNamingPolicy.CamelCase) },
    });
}

/// <summary>Writes a matrix of counts with one row per line (<c>[36, 0, 1]</c>) instead of one number per line.</summary>
internal sealed class RowPerLineConverter : JsonConverter<int[][]>
{
    public override int[][]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.ValueKind == JsonValueKind.Null
            ? null
            : document.RootElement.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
    }

    public override void Write(Utf8JsonWriter writer, int[][] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        string indent = writer.Options.Indented ? writer.Options.NewLine + new string(writer.Options.IndentCharacter, writer.CurrentDepth * writer.Options.IndentSize) : "";
        foreach (int[] row in value)
        {
            writer.WriteRawValue(indent + "[" + string.Join(", ", row.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]");
        }

        writer.WriteEndArray();
    }
}

/// <summary>The files written.</summary>
/// <param name="Folder">The output folder (full path).</param>
/// <param name="Summary">This summary.</param>
/// <param name="Model">The model file, or null.</param>
/// <param name="Preprocessing">
/// The <c>model.preprocessing.json</c> an evaluation read because the model file (written by an earlier version) holds
/// no split and scaling; null otherwise — the model file itself carries them.
/// </param>
/// <param name="Onnx">The ONNX export, or null.</param>
/// <param name="LossPlot">The loss curves, or null.</param>
/// <param name="MetricPlot">The accuracy or R² curves, or null.</param>
/// <param name="ConfusionPlot">The confusion matrix, or null.</param>
public sealed record FilesSummary(
    string Folder, string Summary, string? Model, string? Preprocessing, string? Onnx, string? LossPlot, string? MetricPlot, string? ConfusionPlot);
