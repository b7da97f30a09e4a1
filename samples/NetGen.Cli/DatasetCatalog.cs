using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace NetGen.Cli;

/// <summary>Whether a data set's targets are classes or real numbers.</summary>
public enum TaskKind
{
    /// <summary>Each row has a class; the network's outputs are class scores (softmax) or one probability (sigmoid).</summary>
    Classification,

    /// <summary>Each row has real-valued targets; the network's outputs estimate them (identity + MSE).</summary>
    Regression,
}

/// <summary>A data set the tool knows, with the defaults it trains it with.</summary>
/// <param name="Name">The name <c>--dataset</c> accepts.</param>
/// <param name="Description">One line for the help and the summary.</param>
/// <param name="Task">Classification or regression.</param>
/// <param name="FeatureCount">Features per row.</param>
/// <param name="TargetCount">Classes (classification) or target values per row (regression).</param>
/// <param name="HasTestSet">Whether the data come with their own test set (Fashion-MNIST); otherwise a test part is split off.</param>
/// <param name="DefaultNetwork">The <see cref="ModelCatalog"/> name of the network trained when neither <c>--network</c> nor <c>--layers</c> is given.</param>
/// <param name="DefaultEpochs">The default <c>--epochs</c>.</param>
/// <param name="DefaultBatchSize">The default <c>--batch-size</c>.</param>
/// <param name="DefaultLearningRate">The default <c>--learning-rate</c> (for Adam; other optimizers use their own default unless it is given).</param>
public sealed record DatasetInfo(
    string Name,
    string Description,
    TaskKind Task,
    int FeatureCount,
    int TargetCount,
    bool HasTestSet,
    string DefaultNetwork,
    int DefaultEpochs,
    int DefaultBatchSize,
    double DefaultLearningRate);

/// <summary>
/// How the raw rows were turned into what the network sees: the split and the scaling, fitted on the training rows
/// only. Stored in the model file itself (<see cref="SavedModel"/>: the scalers and labels as the model's
/// <see cref="NetGen.Preprocessing"/>, the split as its metadata) so that <c>--load-model</c> evaluates on the same
/// held-out rows, scaled the same way. Runs of earlier versions wrote it as JSON beside the model
/// (<c>model.preprocessing.json</c>), which is still read.
/// </summary>
public sealed record Preprocessing
{
    /// <summary>The data set name.</summary>
    public required string Dataset { get; init; }

    /// <summary>The seed of the split.</summary>
    public required int Seed { get; init; }

    /// <summary>The share of the rows (of the training file, for data with their own test set) held out for validation; 0 for none.</summary>
    public required double ValidationFraction { get; init; }

    /// <summary>The share of the rows held out for testing; 0 when the data come with their own test set.</summary>
    public required double TestFraction { get; init; }

    /// <summary>Whether the split keeps each class's share in every part.</summary>
    public required bool Stratified { get; init; }

    /// <summary>How the inputs were scaled: <c>standard</c> (x − mean)/σ, <c>minmax</c> (x − min)/(max − min), or <c>none</c>.</summary>
    public required string InputScaling { get; init; }

    /// <summary>What was subtracted from each input feature: its mean (standard) or minimum (minmax) over the training rows; empty for none.</summary>
    public required double[] InputOffsets { get; init; }

    /// <summary>What each input feature was then divided by: its σ (standard) or range (minmax) over the training rows, 1 for a constant feature; empty for none.</summary>
    public required double[] InputScales { get; init; }

    /// <summary>For regression: the mean of each target over the training rows, subtracted before training; else null.</summary>
    public double[]? TargetMeans { get; init; }

    /// <summary>For regression: the standard deviation of each target over the training rows, divided by before training; else null.</summary>
    public double[]? TargetStandardDeviations { get; init; }

    /// <summary>Whether a two-class data set is encoded as one 0/1 target (for a single sigmoid output) rather than one-hot.</summary>
    public bool BinaryTarget { get; init; }
}

/// <summary>A data set loaded, split and scaled, ready for training.</summary>
public sealed class PreparedData
{
    internal PreparedData(
        DatasetInfo info, Dataset<float> train, Dataset<float>? validation, Dataset<float> test, string[] classNames, Preprocessing preprocessing, string source,
        FeatureScaler? inputScaler, Standardizer? targetScaler)
    {
        InputScaler = inputScaler;
        TargetScaler = targetScaler;
        Info = info;
        Train = train;
        Validation = validation;
        Test = test;
        ClassNames = classNames;
        Preprocessing = preprocessing;
        Source = source;
    }

    /// <summary>Which data set.</summary>
    public DatasetInfo Info { get; }

    /// <summary>The training rows (scaled).</summary>
    public Dataset<float> Train { get; }

    /// <summary>The validation rows (scaled), or null with a validation fraction of 0.</summary>
    public Dataset<float>? Validation { get; }

    /// <summary>The test rows (scaled), never seen in training.</summary>
    public Dataset<float> Test { get; }

    /// <summary>The class names in label order (empty for regression).</summary>
    public string[] ClassNames { get; }

    /// <summary>The split and scaling that produced the parts.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The folder the data were read from.</summary>
    public string Source { get; }

    /// <summary>The scaling applied to the raw input features (fitted on the training rows), or null for none.</summary>
    public FeatureScaler? InputScaler { get; }

    /// <summary>For regression: the standardization applied to the targets; else null.</summary>
    public Standardizer? TargetScaler { get; }

    /// <summary>A one-line description of the split, e.g. <c>stratified 70/10/20 (1257/180/360 rows), seed 1</c>.</summary>
    public string SplitDescription
    {
        get
        {
            int validation = Validation?.Count ?? 0;
            string kind = Preprocessing.Stratified ? "stratified" : "random";
            if (Info.HasTestSet)
            {
                return validation > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"given test set ({Test.Count} rows); training file split {kind} into {Train.Count} training / {validation} validation rows, seed {Preprocessing.Seed}")
                    : string.Create(CultureInfo.InvariantCulture, $"given training ({Train.Count} rows) and test ({Test.Count} rows) sets, no validation");
            }

            double trainShare = 1 - Preprocessing.ValidationFraction - Preprocessing.TestFraction;
            return validation > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{kind} {Percent(trainShare)}/{Percent(Preprocessing.ValidationFraction)}/{Percent(Preprocessing.TestFraction)} train/validation/test ({Train.Count}/{validation}/{Test.Count} rows), seed {Preprocessing.Seed}")
                : string.Create(CultureInfo.InvariantCulture, $"{kind} {Percent(trainShare)}/{Percent(Preprocessing.TestFraction)} train/test ({Train.Count}/{Test.Count} rows), seed {Preprocessing.Seed}");
        }
    }

    /// <summary>The same data with a two-class problem encoded as one 0/1 target per row, for a single sigmoid output.</summary>
    internal PreparedData WithBinaryTarget()
    {
        if (Info.Task != TaskKind.Classification || ClassNames.Length != 2 || Preprocessing.BinaryTarget)
        {
            throw new InvalidOperationException("Only two-class data can be encoded as one 0/1 target.");
        }

        return new PreparedData(
            Info, Binary(Train), Validation is null ? null : Binary(Validation), Binary(Test), ClassNames,
            Preprocessing with { BinaryTarget = true }, Source, InputScaler, TargetScaler);

        static Dataset<float> Binary(Dataset<float> data)
        {
            int[] labels = data.Labels!;
            var targets = new float[labels.Length];
            for (int i = 0; i < labels.Length; i++)
            {
                targets[i] = labels[i];
            }

            return new Dataset<float>(data.Features, targets, data.FeatureCount, 1, labels, data.ClassNames);
        }
    }

    private static string Percent(double share) => Math.Round(share * 100, 1).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The data sets <c>--dataset</c> accepts, and how each is loaded, split and scaled.</summary>
public static class DatasetCatalog
{
    /// <summary>The data set trained when <c>--dataset</c> is not given.</summary>
    public const string DefaultName = "digits";

    /// <summary>Every data set, in the order the help lists them.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } =
    [
        new("digits", "8×8 images of handwritten digits, 1797 rows, 64 features (0..16), 10 classes (shipped in data/)",
            TaskKind.Classification, 64, 10, HasTestSet: false, "digits-64-100-30-10", DefaultEpochs: 30, DefaultBatchSize: 16, DefaultLearningRate: 0.001),
        new("iris", "Iris flowers, 150 rows, 4 measurements, 3 species (shipped in data/)",
            TaskKind.Classification, 4, 3, HasTestSet: false, "iris-4-16-3", DefaultEpochs: 100, DefaultBatchSize: 16, DefaultLearningRate: 0.01),
        new("wine", "Wines, 178 rows, 13 chemical measurements, 3 cultivars (shipped in data/)",
            TaskKind.Classification, 13, 3, HasTestSet: false, "wine-13-32-3", DefaultEpochs: 60, DefaultBatchSize: 16, DefaultLearningRate: 0.005),
        new("breast-cancer", "Wisconsin diagnostic breast cancer, 569 rows, 30 features, malignant/benign (shipped in data/)",
            TaskKind.Classification, 30, 2, HasTestSet: false, "breast-cancer-30-32-2", DefaultEpochs: 40, DefaultBatchSize: 32, DefaultLearningRate: 0.001),
        new("diabetes", "Diabetes progression, 442 rows, 10 features, one real target; regression (shipped in data/)",
            TaskKind.Regression, 10, 1, HasTestSet: false, "diabetes-10-32-1", DefaultEpochs: 100, DefaultBatchSize: 32, DefaultLearningRate: 0.001),
        new("fashion-mnist", "Zalando's 28×28 clothing images, 60000 training + 10000 test rows, 784 features, 10 classes (apt-get install dataset-fashion-mnist)",
            TaskKind.Classification, 784, 10, HasTestSet: true, "fashion-784-256-128-10", DefaultEpochs: 12, DefaultBatchSize: 64, DefaultLearningRate: 0.001),
    ];

    /// <summary>The names <c>--dataset</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>The data set called <paramref name="name"/> (case-insensitive; <c>_</c> may stand for <c>-</c>).</summary>
    /// <exception cref="UsageException">No such data set; the message lists the valid names.</exception>
    public static DatasetInfo Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().Replace('_', '-');
        return All.FirstOrDefault(d => string.Equals(d.Name, key, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"Unknown data set '{name}'. Valid data sets: {string.Join(", ", Names)}.");
    }

    /// <summary>
    /// Loads a data set as floats, splits it (stratified for classification) and standardizes the inputs with
    /// statistics of the training rows only; regression targets are standardized the same way (the network learns
    /// (y − mean)/σ; R² is unaffected and the summary also reports the RMSE in the original units).
    /// </summary>
    /// <param name="info">Which data set.</param>
    /// <param name="dataDirectory">
    /// The folder with the files: for the shipped sets the repository's <c>data/</c> folder (null: found with
    /// <see cref="KnownDatasets.FindDataDirectory"/> from the program's folder, then from the current folder); for
    /// Fashion-MNIST the folder with the four IDX files (null: <see cref="KnownDatasets.FashionMnistDefaultDirectory"/>).
    /// </param>
    /// <param name="seed">The seed of the split.</param>
    /// <param name="validationFraction">The share of rows held out for validation, in [0, 1).</param>
    /// <param name="testFraction">The share of rows held out for testing, in (0, 1); ignored for data with their own test set.</param>
    /// <param name="scaling">How to scale the inputs: <c>standard</c>, <c>minmax</c> or <c>none</c> (ignored when <paramref name="saved"/> is given).</param>
    /// <param name="saved">Scaling statistics to reuse (from a saved model) instead of fitting them; null to fit.</param>
    /// <exception cref="FileNotFoundException">A data file is missing; the message says how to get it.</exception>
    /// <exception cref="DirectoryNotFoundException">The repository's data folder was not found.</exception>
    /// <exception cref="DataFormatException">A data file is malformed.</exception>
    public static PreparedData Load(DatasetInfo info, string? dataDirectory, int seed, double validationFraction, double testFraction, string scaling = "standard", Preprocessing? saved = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--validation-fraction must be in [0, 1), not {validationFraction}."));
        }

        if (!info.HasTestSet && !(testFraction > 0 && testFraction < 1 && validationFraction + testFraction < 1))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"--test-fraction must be in (0, 1) and leave rows to train on with --validation-fraction (test {testFraction} + validation {validationFraction} < 1)."));
        }

        ulong splitSeed = (ulong)(uint)seed;
        Dataset<float> train;
        Dataset<float>? validation = null;
        Dataset<float> test;
        string source;
        if (info.HasTestSet)
        {
            source = dataDirectory ?? KnownDatasets.FashionMnistDefaultDirectory;
            (Dataset<float> fullTrain, test) = KnownDatasets.FashionMnist<float>(source);
            train = fullTrain;
            if (validationFraction > 0)
            {
                (train, validation) = Split(() => DataSplit.TrainTest(fullTrain, validationFraction, splitSeed));
            }

            testFraction = 0;
        }
        else
        {
            source = dataDirectory ?? FindShippedData();
            Dataset<float> all = LoadShipped(info, source);
            if (all.FeatureCount != info.FeatureCount)
            {
                throw new DataFormatException($"{info.Name} in '{source}' has {all.FeatureCount} features per row; {info.FeatureCount} were expected.");
            }

            if (validationFraction > 0)
            {
                (train, validation, test) = Split(() => DataSplit.TrainValidationTest(all, validationFraction, testFraction, splitSeed));
            }
            else
            {
                (train, test) = Split(() => DataSplit.TrainTest(all, testFraction, splitSeed));
            }
        }

        scaling = saved?.InputScaling ?? scaling;
        FeatureScaler? inputs = saved is null ? FitScaler(scaling, train) : SavedScaler(saved);
        if (inputs is not null)
        {
            if (inputs.FeatureCount != train.FeatureCount)
            {
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"The saved preprocessing has statistics for {inputs.FeatureCount} features, but {info.Name} has {train.FeatureCount}."));
            }

            inputs.TransformInPlace(train);
            inputs.TransformInPlace(test);
            if (validation is not null)
            {
                inputs.TransformInPlace(validation);
            }
        }

        double[]? targetMeans = null, targetDeviations = null;
        Standardizer? targetScaler = null;
        if (info.Task == TaskKind.Regression)
        {
            Standardizer targets = saved?.TargetMeans is { } means && saved.TargetStandardDeviations is { } deviations
                ? new Standardizer(means, deviations)
                : Standardizer.Fit<float>(train.Targets, train.TargetCount);
            targets.TransformInPlace<float>(train.Targets);
            targets.TransformInPlace<float>(test.Targets);
            if (validation is not null)
            {
                targets.TransformInPlace<float>(validation.Targets);
            }

            targetScaler = targets;
            targetMeans = targets.Means.ToArray();
            targetDeviations = targets.StandardDeviations.ToArray();
        }

        string[] classNames = info.Task == TaskKind.Classification
            ? train.ClassNames ?? Enumerable.Range(0, info.TargetCount).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray()
            : [];
        var preprocessing = new Preprocessing
        {
            Dataset = info.Name,
            Seed = seed,
            ValidationFraction = validationFraction,
            TestFraction = testFraction,
            Stratified = info.Task == TaskKind.Classification,
            InputScaling = scaling,
            InputOffsets = inputs is null ? [] : inputs.Offsets.ToArray(),
            InputScales = inputs is null ? [] : inputs.Scales.ToArray(),
            TargetMeans = targetMeans,
            TargetStandardDeviations = targetDeviations,
        };
        return new PreparedData(info, train, validation, test, classNames, preprocessing, Path.GetFullPath(source), inputs, targetScaler);
    }

    /// <summary>The names <c>--scaling</c> accepts.</summary>
    public static IReadOnlyList<string> Scalings { get; } = ["standard", "minmax", "none"];

    /// <summary>Checks a <c>--scaling</c> name and returns it in lower case.</summary>
    /// <exception cref="UsageException">Unknown name.</exception>
    public static string CheckScaling(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        return Scalings.Contains(key)
            ? key
            : throw new UsageException($"Unknown scaling '{name}'. Valid scalings: {string.Join(", ", Scalings)}.");
    }

    /// <summary>A description of a scaling for the summary.</summary>
    public static string DescribeScaling(string scaling) => scaling switch
    {
        "standard" => "standardized per feature: (x − mean)/σ with the training rows' mean and σ",
        "minmax" => "min–max scaled per feature: (x − min)/(max − min) with the training rows' min and max",
        _ => "not scaled",
    };

    private static FeatureScaler? FitScaler(string scaling, Dataset<float> train) => CheckScaling(scaling) switch
    {
        "standard" => Standardizer.Fit(train),
        "minmax" => MinMaxScaler.Fit(train),
        _ => null,
    };

    private static FeatureScaler? SavedScaler(Preprocessing saved)
    {
        // JSON may hold null where the record promises an array (a hand-edited or damaged model.preprocessing.json).
        if (saved.InputOffsets is null || saved.InputScales is null)
        {
            throw new DataFormatException(
                $"The saved preprocessing has no {(saved.InputOffsets is null ? "inputOffsets" : "inputScales")} (null); expected an array of numbers, empty for the scaling 'none'.");
        }

        if (saved.InputOffsets.Length != saved.InputScales.Length)
        {
            throw new DataFormatException($"The saved preprocessing has {saved.InputOffsets.Length} offsets but {saved.InputScales.Length} scales.");
        }

        try
        {
            return CheckScaling(saved.InputScaling) switch
            {
                "standard" => new Standardizer(saved.InputOffsets, saved.InputScales),
                "minmax" => new MinMaxScaler(saved.InputOffsets, saved.InputOffsets.Zip(saved.InputScales, (min, range) => min + range).ToArray()),
                _ => null,
            };
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"The saved preprocessing is invalid: {e.Message}", e);
        }
    }

    /// <summary>The repository's <c>data/</c> folder, looked for above the program's folder and then above the current folder.</summary>
    private static string FindShippedData()
    {
        if (KnownDatasets.TryFindDataDirectory(out string? found))
        {
            return found;
        }

        if (KnownDatasets.TryFindDataDirectory(out found, Environment.CurrentDirectory))
        {
            return found;
        }

        // Throws with the message that says where it looked and how to point at the folder.
        try
        {
            return KnownDatasets.FindDataDirectory();
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DirectoryNotFoundException(e.Message + " (Or pass it with --data-dir.)", e);
        }
    }

    private static Dataset<float> LoadShipped(DatasetInfo info, string directory) => info.Name switch
    {
        "digits" => KnownDatasets.Digits<float>(directory),
        "iris" => KnownDatasets.Iris<float>(directory),
        "wine" => KnownDatasets.Wine<float>(directory),
        "breast-cancer" => KnownDatasets.BreastCancer<float>(directory),
        "diabetes" => KnownDatasets.Diabetes<float>(directory),
        _ => throw new InvalidOperationException($"No loader for '{info.Name}'."),
    };

    /// <summary>Runs a split, turning the splitter's argument errors (too few rows for the fractions) into usage errors.</summary>
    private static TResult Split<TResult>(Func<TResult> split)
    {
        try
        {
            return split();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"Cannot split the data: {e.Message}", e);
        }
    }
}
