namespace NetGen.Runtime.Tests.Data;

/// <summary>The shipped data sets load with the shapes data/README.md gives, and the data folder is found by walking up.</summary>
public class KnownDatasetsTests
{
    private static readonly string DataDirectory = KnownDatasets.FindDataDirectory();

    [Fact]
    public void Data_directory_is_found_from_the_test_binaries()
    {
        string found = KnownDatasets.FindDataDirectory(AppContext.BaseDirectory);
        Assert.Equal("data", Path.GetFileName(found));
        Assert.True(File.Exists(Path.Combine(found, "digits.csv.gz")));
        Assert.True(File.Exists(Path.Combine(found, "README.md")));
    }

    [Fact]
    public void Walk_up_finds_the_nearest_folder_with_data_digits()
    {
        using var temp = new TempDirectory();
        string root = Path.Combine(temp.Root, "repo");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.WriteAllBytes(Path.Combine(root, "data", "digits.csv.gz"), []);
        string deep = Path.Combine(root, "tests", "bin", "Debug");
        Directory.CreateDirectory(deep);

        Assert.Equal(Path.Combine(root, "data"), KnownDatasets.FindDataDirectory(deep));
        Assert.True(KnownDatasets.TryFindDataDirectory(out string? viaTry, deep));
        Assert.Equal(Path.Combine(root, "data"), viaTry);
    }

    [Fact]
    public void Walk_up_without_a_data_folder_says_where_it_looked()
    {
        using var temp = new TempDirectory();
        string deep = Path.Combine(temp.Root, "a", "b");
        Directory.CreateDirectory(deep);
        if (KnownDatasets.TryFindDataDirectory(out string? unexpected, deep))
        {
            // Some folder above the temp folder has data/digits.csv.gz: the walk is right to find it.
            Assert.True(File.Exists(Path.Combine(unexpected, "digits.csv.gz")));
            return;
        }

        var ex = Assert.Throws<DirectoryNotFoundException>(() => KnownDatasets.FindDataDirectory(deep));
        Assert.Contains(deep, ex.Message, StringComparison.Ordinal);
        Assert.Contains("data/digits.csv.gz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Digits_has_1797_rows_of_64_pixels_and_10_classes()
    {
        Dataset<float> d = KnownDatasets.Digits<float>(DataDirectory);
        Assert.Equal(1797, d.Count);
        Assert.Equal(64, d.FeatureCount);
        Assert.Equal(10, d.TargetCount);
        Assert.True(d.IsClassification);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], d.ClassNames!);
        Assert.Equal(Enumerable.Range(0, 10), d.Labels!.Distinct().Order());
        Assert.All(d.Features, v => Assert.InRange(v, 0f, 16f));

        // The first line of the file: 0,0,5,13,9,1,0,0,… label 0.
        Assert.Equal([0f, 0f, 5f, 13f, 9f, 1f, 0f, 0f], d.FeatureRow(0)[..8].ToArray());
        Assert.Equal(0, d.Labels![0]);
        Assert.Equal(1, d.Labels![1]);
        AssertOneHotMatchesLabels(d);
    }

    [Fact]
    public void Iris_has_150_rows_4_features_and_3_named_classes_of_50()
    {
        Dataset<double> d = KnownDatasets.Iris<double>(DataDirectory);
        Assert.Equal(150, d.Count);
        Assert.Equal(4, d.FeatureCount);
        Assert.Equal(3, d.TargetCount);
        Assert.Equal(["setosa", "versicolor", "virginica"], d.ClassNames!);
        Assert.Equal([50, 50, 50], ClassSizes(d.Labels!, 3));
        Assert.Equal([5.1, 3.5, 1.4, 0.2], d.FeatureRow(0).ToArray());
        Assert.Equal([5.9, 3.0, 5.1, 1.8], d.FeatureRow(149).ToArray());
        Assert.Equal(2, d.Labels![149]);
        AssertOneHotMatchesLabels(d);
    }

    [Fact]
    public void Wine_has_178_rows_13_features_and_3_classes()
    {
        Dataset<float> d = KnownDatasets.Wine<float>(DataDirectory);
        Assert.Equal(178, d.Count);
        Assert.Equal(13, d.FeatureCount);
        Assert.Equal(3, d.TargetCount);
        Assert.Equal(["class_0", "class_1", "class_2"], d.ClassNames!);
        Assert.Equal([59, 71, 48], ClassSizes(d.Labels!, 3));
        Assert.Equal(14.23f, d.FeatureRow(0)[0]);
        Assert.Equal(1065f, d.FeatureRow(0)[12]);
        AssertOneHotMatchesLabels(d);
    }

    [Fact]
    public void Breast_cancer_has_569_rows_30_features_and_2_classes()
    {
        Dataset<double> d = KnownDatasets.BreastCancer<double>(DataDirectory);
        Assert.Equal(569, d.Count);
        Assert.Equal(30, d.FeatureCount);
        Assert.Equal(2, d.TargetCount);
        Assert.Equal(["malignant", "benign"], d.ClassNames!);
        Assert.Equal([212, 357], ClassSizes(d.Labels!, 2));
        Assert.Equal(17.99, d.FeatureRow(0)[0]);
        Assert.Equal(0.1189, d.FeatureRow(0)[29]);
        AssertOneHotMatchesLabels(d);
    }

    [Fact]
    public void Diabetes_has_442_rows_10_features_and_one_real_target()
    {
        Dataset<double> d = KnownDatasets.Diabetes<double>(DataDirectory);
        Assert.Equal(442, d.Count);
        Assert.Equal(10, d.FeatureCount);
        Assert.Equal(1, d.TargetCount);
        Assert.False(d.IsClassification);
        Assert.Null(d.ClassNames);
        Assert.Equal([59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87], d.FeatureRow(0).ToArray());
        Assert.Equal(151.0, d.TargetRow(0)[0]);
        Assert.Equal(75.0, d.TargetRow(1)[0]);
        Assert.Equal(141.0, d.TargetRow(2)[0]);
    }

    [Fact]
    public void Auto_detected_headers_load_the_shipped_files_like_the_explicit_options()
    {
        // Iris: the "150,4,setosa,…" line is recognised without being told; digits: "0,0,5,…" is data.
        Dataset<double> iris = Csv.Load<double>(Path.Combine(DataDirectory, "iris.csv"));
        Dataset<double> irisExplicit = KnownDatasets.Iris<double>(DataDirectory);
        Assert.Equal(irisExplicit.Features, iris.Features);
        Assert.Equal(irisExplicit.Labels, iris.Labels);
        Assert.Equal(irisExplicit.ClassNames, iris.ClassNames);

        Dataset<float> digits = Csv.Load<float>(Path.Combine(DataDirectory, "digits.csv.gz"));
        Assert.Equal(1797, digits.Count);
        Assert.Equal(KnownDatasets.Digits<float>(DataDirectory).Features, digits.Features);
        Assert.Null(digits.ClassNames);

        Dataset<double> diabetes = Csv.LoadWithSeparateTargets<double>(
            Path.Combine(DataDirectory, "diabetes_data_raw.csv.gz"),
            Path.Combine(DataDirectory, "diabetes_target.csv.gz"),
            new CsvOptions { Separator = null, Kind = CsvTargetKind.Regression });
        Assert.Equal(442, diabetes.Count);
        Assert.Equal(59.0, diabetes.FeatureRow(0)[0]);
    }

    [Fact]
    public void Missing_shipped_file_names_the_folder()
    {
        using var temp = new TempDirectory();
        var ex = Assert.Throws<FileNotFoundException>(() => KnownDatasets.Iris<float>(temp.Root));
        Assert.Contains("iris.csv", ex.Message, StringComparison.Ordinal);
        Assert.Contains(temp.Root, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fashion_mnist_missing_says_how_to_get_it()
    {
        using var temp = new TempDirectory();
        var ex = Assert.Throws<FileNotFoundException>(() => KnownDatasets.FashionMnist<float>(temp.Root));
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message, StringComparison.Ordinal);
        Assert.Contains(temp.Root, ex.Message, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fashion_mnist_loads_the_four_files_from_a_folder_gzip_or_not()
    {
        using var temp = new TempDirectory();
        var rng = new SplitMix64(5);
        byte[] trainPixels = RandomBytes(ref rng, 6 * 28 * 28, 256);
        byte[] trainLabels = RandomBytes(ref rng, 6, 10);
        byte[] testPixels = RandomBytes(ref rng, 3 * 28 * 28, 256);
        byte[] testLabels = [9, 0, 4];
        Idx.WriteImages(temp.PathOf("train-images-idx3-ubyte.gz"), new IdxImages(trainPixels, 6, 28, 28), gzip: true);
        Idx.WriteLabels(temp.PathOf("train-labels-idx1-ubyte.gz"), trainLabels, gzip: true);
        Idx.WriteImages(temp.PathOf("t10k-images-idx3-ubyte"), new IdxImages(testPixels, 3, 28, 28));
        Idx.WriteLabels(temp.PathOf("t10k-labels-idx1-ubyte"), testLabels);

        (Dataset<float> train, Dataset<float> test) = KnownDatasets.FashionMnist<float>(temp.Root);
        Assert.Equal(6, train.Count);
        Assert.Equal(3, test.Count);
        Assert.Equal(784, train.FeatureCount);
        Assert.Equal(10, test.TargetCount);
        Assert.Equal(KnownDatasets.FashionMnistClassNames, test.ClassNames!);
        Assert.Equal("Ankle boot", test.ClassNames![test.Labels![0]]);
        Assert.Equal(trainLabels.Select(b => (int)b), train.Labels!);
        Assert.Equal(trainPixels[100] / 255f, train.Features[100]);
    }

    [Fact]
    public void Fashion_mnist_has_60000_and_10000_images_or_says_how_to_install_it()
    {
        if (!File.Exists(Path.Combine(KnownDatasets.FashionMnistDefaultDirectory, "train-images-idx3-ubyte.gz")))
        {
            // Not installed on this machine (.ci/run installs it): then the loader must say how to get it.
            var missing = Assert.Throws<FileNotFoundException>(() => KnownDatasets.FashionMnist<float>());
            Assert.Contains("apt-get install dataset-fashion-mnist", missing.Message, StringComparison.Ordinal);
            return;
        }

        (Dataset<float> train, Dataset<float> test) = KnownDatasets.FashionMnist<float>();
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(784, train.FeatureCount);
        Assert.Equal(Enumerable.Repeat(6000, 10), ClassSizes(train.Labels!, 10));
        Assert.All(test.Features, v => Assert.InRange(v, 0f, 1f));
    }

    internal static int[] ClassSizes(int[] labels, int classes)
    {
        var sizes = new int[classes];
        foreach (int label in labels)
        {
            sizes[label]++;
        }

        return sizes;
    }

    private static byte[] RandomBytes(ref SplitMix64 rng, int count, int bound)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)rng.NextInt(bound);
        }

        return bytes;
    }

    private static void AssertOneHotMatchesLabels<T>(Dataset<T> d)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Count; i++)
        {
            ReadOnlySpan<T> row = d.TargetRow(i);
            for (int c = 0; c < row.Length; c++)
            {
                Assert.Equal(c == d.Labels![i] ? T.One : T.Zero, row[c]);
            }
        }
    }
}
