using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Numerics;

namespace NetGen;

/// <summary>
/// Loads the data sets the repository ships in its <c>data/</c> folder (scikit-learn's copies of UCI data, BSD-3-Clause;
/// see <c>data/README.md</c>) with the right options, and Fashion-MNIST from where its Debian package installs it.
/// </summary>
public static class KnownDatasets
{
    /// <summary>The environment variable that, when set, names the data folder <see cref="FindDataDirectory"/> returns.</summary>
    public const string DataDirectoryVariable = "NETGEN_DATA_DIR";

    /// <summary>The file whose presence marks the data folder: <c>digits.csv.gz</c>.</summary>
    public const string MarkerFile = "digits.csv.gz";

    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts Fashion-MNIST.</summary>
    public const string FashionMnistDefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten Fashion-MNIST classes in label order.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        Array.AsReadOnly(new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" });

    /// <summary>The ten digit classes in label order: "0" … "9".</summary>
    public static IReadOnlyList<string> DigitClassNames { get; } =
        Array.AsReadOnly(new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" });

    /// <summary>
    /// Finds the repository's <c>data/</c> folder: the folder named by the <c>NETGEN_DATA_DIR</c> environment variable
    /// when it is set (and no start folder is given); otherwise, walking up from <paramref name="startDirectory"/>
    /// (default <see cref="AppContext.BaseDirectory"/>, the folder of the running program, e.g.
    /// <c>tests/X/bin/Debug/net10.0/</c>) through its parents, the <c>data</c> subfolder of the first folder that has
    /// <c>data/digits.csv.gz</c>.
    /// </summary>
    /// <param name="startDirectory">Where to start walking up; null for the program's folder.</param>
    /// <returns>The full path of the data folder.</returns>
    /// <exception cref="DirectoryNotFoundException">No such folder; the message says where it looked.</exception>
    public static string FindDataDirectory(string? startDirectory = null)
    {
        if (startDirectory is null && Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            if (!File.Exists(Path.Combine(fromEnvironment, MarkerFile)))
            {
                throw new DirectoryNotFoundException(
                    $"{DataDirectoryVariable} is set to '{fromEnvironment}', but that folder has no {MarkerFile}; point it at the repository's data/ folder or unset it.");
            }

            return Path.GetFullPath(fromEnvironment);
        }

        string start = startDirectory ?? AppContext.BaseDirectory;
        if (TryWalkUp(start, out string? found))
        {
            return found;
        }

        throw new DirectoryNotFoundException(
            $"No folder containing data/{MarkerFile} was found in '{Path.GetFullPath(start)}' or any folder above it. " +
            $"Pass the data folder explicitly, or set {DataDirectoryVariable} to it.");
    }

    /// <summary>Like <see cref="FindDataDirectory"/>, but returns false instead of throwing.</summary>
    /// <param name="directory">The full path of the data folder, when found.</param>
    /// <param name="startDirectory">Where to start walking up; null for the program's folder (or the environment variable).</param>
    public static bool TryFindDataDirectory([NotNullWhen(true)] out string? directory, string? startDirectory = null)
    {
        try
        {
            directory = FindDataDirectory(startDirectory);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            directory = null;
            return false;
        }
    }

    /// <summary>The digits: 1797 8×8 images (64 features, integers 0..16), 10 classes "0".."9".</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dataDirectory">The folder holding <c>digits.csv.gz</c>; null to find it with <see cref="FindDataDirectory"/>.</param>
    public static Dataset<T> Digits<T>(string? dataDirectory = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Csv.Load<T>(
            Shipped(dataDirectory, "digits.csv.gz"),
            new CsvOptions { Header = CsvHeader.None, Kind = CsvTargetKind.Classification, ClassNames = DigitClassNames });

    /// <summary>Iris: 150 flowers, 4 features, 3 classes (setosa, versicolor, virginica).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dataDirectory">The folder holding <c>iris.csv</c>; null to find it with <see cref="FindDataDirectory"/>.</param>
    public static Dataset<T> Iris<T>(string? dataDirectory = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Csv.Load<T>(Shipped(dataDirectory, "iris.csv"), ScikitLearnClassification);

    /// <summary>Wine: 178 wines, 13 features, 3 classes (class_0, class_1, class_2).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dataDirectory">The folder holding <c>wine_data.csv</c>; null to find it with <see cref="FindDataDirectory"/>.</param>
    public static Dataset<T> Wine<T>(string? dataDirectory = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Csv.Load<T>(Shipped(dataDirectory, "wine_data.csv"), ScikitLearnClassification);

    /// <summary>Breast cancer (Wisconsin diagnostic): 569 samples, 30 features, 2 classes (malignant, benign).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dataDirectory">The folder holding <c>breast_cancer.csv</c>; null to find it with <see cref="FindDataDirectory"/>.</param>
    public static Dataset<T> BreastCancer<T>(string? dataDirectory = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Csv.Load<T>(Shipped(dataDirectory, "breast_cancer.csv"), ScikitLearnClassification);

    /// <summary>
    /// Diabetes (regression): 442 patients, 10 raw features (age, sex, bmi, bp, s1..s6 in their original units), one
    /// target (disease progression after one year).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="dataDirectory">The folder holding the diabetes files; null to find it with <see cref="FindDataDirectory"/>.</param>
    public static Dataset<T> Diabetes<T>(string? dataDirectory = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string directory = dataDirectory ?? FindDataDirectory();
        return Csv.LoadWithSeparateTargets<T>(
            Shipped(directory, "diabetes_data_raw.csv.gz"),
            Shipped(directory, "diabetes_target.csv.gz"),
            new CsvOptions { Separator = null, Header = CsvHeader.None, Kind = CsvTargetKind.Regression });
    }

    /// <summary>
    /// Fashion-MNIST: 60,000 training and 10,000 test images of 28×28 pixels, 10 classes
    /// (<see cref="FashionMnistClassNames"/>). The four IDX files are looked for in <paramref name="directory"/>, gzip
    /// (<c>train-images-idx3-ubyte.gz</c>) or not (<c>train-images-idx3-ubyte</c>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="directory">The folder with the files; null for <see cref="FashionMnistDefaultDirectory"/>.</param>
    /// <param name="scale">True (default) to scale pixels to [0, 1]; false for the raw 0..255 (see <see cref="Idx.LoadDataset{T}"/>).</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message says how to get them.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) FashionMnist<T>(string? directory = null, bool scale = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        directory ??= FashionMnistDefaultDirectory;
        string trainImages = FashionMnistFile(directory, "train-images-idx3-ubyte");
        string trainLabels = FashionMnistFile(directory, "train-labels-idx1-ubyte");
        string testImages = FashionMnistFile(directory, "t10k-images-idx3-ubyte");
        string testLabels = FashionMnistFile(directory, "t10k-labels-idx1-ubyte");
        return (
            Idx.LoadDataset<T>(trainImages, trainLabels, scale, 10, FashionMnistClassNames),
            Idx.LoadDataset<T>(testImages, testLabels, scale, 10, FashionMnistClassNames));
    }

    private static CsvOptions ScikitLearnClassification { get; } =
        new() { Header = CsvHeader.ScikitLearn, Kind = CsvTargetKind.Classification };

    private static string FashionMnistFile(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz))
        {
            return gz;
        }

        string raw = Path.Combine(directory, name);
        if (File.Exists(raw))
        {
            return raw;
        }

        throw new FileNotFoundException(
            $"Fashion-MNIST was not found: '{directory}' has neither {name}.gz nor {name}. It needs train-images-idx3-ubyte.gz, " +
            $"train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzip or not). " +
            $"Install them with `apt-get install dataset-fashion-mnist` (into {FashionMnistDefaultDirectory}/), or pass the folder that holds them.",
            gz);
    }

    private static string Shipped(string? dataDirectory, string name)
    {
        string directory = dataDirectory ?? FindDataDirectory();
        string path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{directory}' has no {name}; pass the repository's data/ folder (which ships it), or null to find that folder with KnownDatasets.FindDataDirectory().",
                path);
        }

        return path;
    }

    private static bool TryWalkUp(string start, [NotNullWhen(true)] out string? found)
    {
        DirectoryInfo? directory = new(Path.GetFullPath(start));
        while (directory is not null)
        {
            string candidate = Path.Combine(directory.FullName, "data");
            if (File.Exists(Path.Combine(candidate, MarkerFile)))
            {
                found = candidate;
                return true;
            }

            directory = directory.Parent;
        }

        found = null;
        return false;
    }
}
