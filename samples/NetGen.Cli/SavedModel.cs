using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Cli.Reporting;
using ModelPreprocessing = NetGen.Preprocessing;

namespace NetGen.Cli;

/// <summary>
/// What the tool stores in a model file besides the network, so that the file is self-contained: the input scaling
/// and class labels (or target scaling) as the model's <see cref="ModelPreprocessing"/>, which
/// <see cref="Predictor{T}"/> and the ONNX export apply, and the split as metadata, which <c>--load-model</c> uses to
/// evaluate on the same held-out rows. Older runs kept all of it in <c>model.preprocessing.json</c> beside the model;
/// that file is still read when the model file holds no split.
/// </summary>
internal static class SavedModel
{
    /// <summary>The metadata keys; the names say where the value came from.</summary>
    internal const string DatasetKey = "netgen.cli.dataset", SeedKey = "netgen.cli.seed", ValidationFractionKey = "netgen.cli.validation_fraction",
        TestFractionKey = "netgen.cli.test_fraction", StratifiedKey = "netgen.cli.stratified", BinaryTargetKey = "netgen.cli.binary_target";

    /// <summary>The model's preprocessing for a training run's data: scalers, labels (classification) and the split.</summary>
    public static ModelPreprocessing For(PreparedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Preprocessing p = data.Preprocessing;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [DatasetKey] = p.Dataset,
            [SeedKey] = p.Seed.ToString(CultureInfo.InvariantCulture),
            [ValidationFractionKey] = p.ValidationFraction.ToString("R", CultureInfo.InvariantCulture),
            [TestFractionKey] = p.TestFraction.ToString("R", CultureInfo.InvariantCulture),
            [StratifiedKey] = p.Stratified ? "true" : "false",
            [BinaryTargetKey] = p.BinaryTarget ? "true" : "false",
        };
        bool classification = data.Info.Task == TaskKind.Classification;
        return new ModelPreprocessing(
            data.InputScaler,
            classification ? data.ClassNames : null,
            classification ? null : data.TargetScaler,
            metadata);
    }

    /// <summary>
    /// The split and scaling stored in a model file, or null when it stores no split (a model saved by an earlier
    /// version, or by code other than this tool).
    /// </summary>
    /// <param name="stored">The model's preprocessing.</param>
    /// <param name="path">The model file, for messages.</param>
    /// <exception cref="DataFormatException">The split metadata is there but malformed.</exception>
    public static Preprocessing? Read(ModelPreprocessing stored, string path)
    {
        ArgumentNullException.ThrowIfNull(stored);
        IReadOnlyDictionary<string, string> m = stored.Metadata;
        if (!m.TryGetValue(DatasetKey, out string? dataset))
        {
            return null;
        }

        FeatureScaler? inputs = stored.InputScaling;
        Standardizer? targets = stored.TargetScaling as Standardizer;
        if (stored.TargetScaling is not null && targets is null)
        {
            throw new DataFormatException($"The model file '{path}' stores a {stored.TargetScaling.GetType().Name} target scaling; this tool standardizes targets.");
        }

        return new Preprocessing
        {
            Dataset = dataset,
            Seed = int.TryParse(Value(m, SeedKey, path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed)
                ? seed
                : throw new DataFormatException($"The model file '{path}' has '{SeedKey}' = '{m[SeedKey]}'; expected a whole number."),
            ValidationFraction = Fraction(m, ValidationFractionKey, path),
            TestFraction = Fraction(m, TestFractionKey, path),
            Stratified = Value(m, StratifiedKey, path) == "true",
            InputScaling = inputs switch { Standardizer => "standard", MinMaxScaler => "minmax", _ => "none" },
            InputOffsets = inputs is null ? [] : inputs.Offsets.ToArray(),
            InputScales = inputs is null ? [] : inputs.Scales.ToArray(),
            TargetMeans = targets?.Means.ToArray(),
            TargetStandardDeviations = targets?.StandardDeviations.ToArray(),
            BinaryTarget = m.TryGetValue(BinaryTargetKey, out string? binary) && binary == "true",
        };
    }

    /// <summary>Reads a legacy <c>model.preprocessing.json</c>, checking every field the record promises.</summary>
    /// <exception cref="DataFormatException">Not valid JSON, or a field is missing or null; the message names the file and the field.</exception>
    public static Preprocessing ReadLegacy(string path)
    {
        Preprocessing saved;
        try
        {
            saved = JsonSerializer.Deserialize(File.ReadAllText(path), CliJsonContext.Cli.Preprocessing)
                ?? throw new DataFormatException($"'{path}' holds null instead of the preprocessing of a model.");
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"'{path}' is not a valid preprocessing file: {e.Message}", e);
        }

        // `required` only says a property is present: JSON null passes, and would fail much later as a NullReferenceException.
        string? missing = saved.Dataset is null ? "dataset"
            : saved.InputScaling is null ? "inputScaling"
            : saved.InputOffsets is null ? "inputOffsets"
            : saved.InputScales is null ? "inputScales"
            : null;
        if (missing is not null)
        {
            string expected = missing is "dataset" or "inputScaling" ? "a string" : "an array of numbers (empty for the scaling 'none')";
            throw new DataFormatException($"'{path}' is not a valid preprocessing file: \"{missing}\" is null; expected {expected}.");
        }

        return saved;
    }

    private static string Value(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? value)
            ? value
            : throw new DataFormatException($"The model file '{path}' names its data set but not '{key}'.");

    private static double Fraction(IReadOnlyDictionary<string, string> metadata, string key, string path)
    {
        string text = Value(metadata, key, path);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value is >= 0 and < 1
            ? value
            : throw new DataFormatException($"The model file '{path}' has '{key}' = '{text}'; expected a fraction in [0, 1).");
    }
}
