namespace NetGen.Runtime.Tests.Data;

/// <summary>Splits: exact sizes, class proportions within one sample, disjoint and complete, deterministic per seed.</summary>
public class SplitTests
{
    /// <summary>Labels with uneven class sizes, shuffled so classes are interleaved.</summary>
    private static int[] UnevenLabels(int[] classSizes, ulong seed)
    {
        var labels = classSizes.SelectMany((size, c) => Enumerable.Repeat(c, size)).ToArray();
        new SplitMix64(seed).Shuffle(labels.AsSpan());
        return labels;
    }

    private static Dataset<double> Labelled(int[] labels)
    {
        int classes = labels.Max() + 1;
        // Feature = row index, so every subset row can be traced back to its source row.
        double[] features = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        return new Dataset<double>(features, OneHot.Encode<double>(labels, classes), 1, classes, labels);
    }

    private static void AssertPartition(int count, params int[][] parts)
    {
        int[] all = parts.SelectMany(p => p).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, count), all);
        foreach (int[] part in parts)
        {
            Assert.Equal(part.Order(), part);
        }
    }

    private static void AssertProportional(int[] labels, int[] part, double fraction)
    {
        int classes = labels.Max() + 1;
        int[] total = KnownDatasetsTests.ClassSizes(labels, classes);
        int[] inPart = KnownDatasetsTests.ClassSizes(part.Select(i => labels[i]).ToArray(), classes);
        for (int c = 0; c < classes; c++)
        {
            Assert.True(
                Math.Abs(inPart[c] - total[c] * fraction) < 1 + 1e-9,
                $"class {c}: {inPart[c]} of {total[c]} rows in a {fraction} part");
        }
    }

    [Fact]
    public void Stratified_train_test_keeps_class_proportions_within_one_sample()
    {
        int[] labels = UnevenLabels([7, 13, 30, 1, 49], 3);
        (int[] train, int[] test) = DataSplit.TrainTestIndices(labels.Length, 0.3, seed: 42, labels);
        Assert.Equal(30, test.Length);
        Assert.Equal(70, train.Length);
        AssertPartition(labels.Length, train, test);
        AssertProportional(labels, test, 0.3);
        AssertProportional(labels, train, 0.7);
    }

    [Fact]
    public void Stratification_holds_for_many_seeds_sizes_and_fractions()
    {
        var rng = new SplitMix64(2024);
        for (int trial = 0; trial < 200; trial++)
        {
            int classes = 1 + rng.NextInt(6);
            int[] sizes = Enumerable.Range(0, classes).Select(_ => 1 + rng.NextInt(40)).ToArray();
            int[] labels = UnevenLabels(sizes, (ulong)trial);
            double fraction = 0.05 + 0.9 * rng.NextDouble();
            int expectedTest = (int)Math.Round(labels.Length * fraction, MidpointRounding.AwayFromZero);
            if (expectedTest == 0 || expectedTest == labels.Length)
            {
                continue;
            }

            (int[] train, int[] test) = DataSplit.TrainTestIndices(labels.Length, fraction, (ulong)trial, labels);
            Assert.Equal(expectedTest, test.Length);
            AssertPartition(labels.Length, train, test);
            AssertProportional(labels, test, fraction);
            AssertProportional(labels, train, 1 - fraction);
        }
    }

    [Fact]
    public void Split_is_deterministic_for_a_seed_and_differs_for_another()
    {
        Dataset<double> data = Labelled(UnevenLabels([40, 60, 50], 1));
        (Dataset<double> trainA, Dataset<double> testA) = DataSplit.TrainTest(data, 0.2, seed: 7);
        (Dataset<double> trainB, Dataset<double> testB) = DataSplit.TrainTest(data, 0.2, seed: 7);
        (_, Dataset<double> testC) = DataSplit.TrainTest(data, 0.2, seed: 8);
        Assert.Equal(testA.Features, testB.Features);
        Assert.Equal(trainA.Features, trainB.Features);
        Assert.NotEqual(testA.Features, testC.Features);

        // Rows come from the source with their own labels and targets.
        for (int i = 0; i < testA.Count; i++)
        {
            int source = (int)testA.FeatureRow(i)[0];
            Assert.Equal(data.Labels![source], testA.Labels![i]);
            Assert.Equal(data.TargetRow(source).ToArray(), testA.TargetRow(i).ToArray());
        }

        Assert.Equal(30, testA.Count);
        Assert.Equal([8, 12, 10], KnownDatasetsTests.ClassSizes(testA.Labels!, 3));
    }

    [Fact]
    public void Iris_split_twenty_percent_gives_ten_of_each_class()
    {
        Dataset<float> iris = KnownDatasets.Iris<float>();
        (Dataset<float> train, Dataset<float> test) = DataSplit.TrainTest(iris, 0.2, seed: 1);
        Assert.Equal([10, 10, 10], KnownDatasetsTests.ClassSizes(test.Labels!, 3));
        Assert.Equal([40, 40, 40], KnownDatasetsTests.ClassSizes(train.Labels!, 3));
        Assert.Equal(iris.ClassNames, test.ClassNames);
    }

    [Fact]
    public void Train_validation_test_split_is_a_stratified_partition()
    {
        var rng = new SplitMix64(99);
        for (int trial = 0; trial < 100; trial++)
        {
            int[] sizes = Enumerable.Range(0, 1 + rng.NextInt(5)).Select(_ => 1 + rng.NextInt(60)).ToArray();
            int[] labels = UnevenLabels(sizes, (ulong)trial);
            double validation = 0.05 + 0.4 * rng.NextDouble();
            double test = 0.05 + 0.4 * rng.NextDouble();
            int n = labels.Length;
            int nv = (int)Math.Round(n * validation, MidpointRounding.AwayFromZero);
            int nt = (int)Math.Round(n * test, MidpointRounding.AwayFromZero);
            if (nv == 0 || nt == 0 || nv + nt >= n)
            {
                continue;
            }

            (int[] tr, int[] va, int[] te) = DataSplit.TrainValidationTestIndices(n, validation, test, (ulong)trial, labels);
            Assert.Equal(nv, va.Length);
            Assert.Equal(nt, te.Length);
            AssertPartition(n, tr, va, te);
            AssertProportional(labels, va, validation);
            AssertProportional(labels, te, test);
        }
    }

    [Fact]
    public void Regression_data_split_without_labels()
    {
        Dataset<double> diabetes = KnownDatasets.Diabetes<double>();
        (Dataset<double> train, Dataset<double> validation, Dataset<double> test) = DataSplit.TrainValidationTest(diabetes, 0.15, 0.15, seed: 3);
        Assert.Equal(66, validation.Count);
        Assert.Equal(66, test.Count);
        Assert.Equal(442 - 132, train.Count);
        Assert.Null(test.Labels);
        double[] allTargets = [.. train.Targets, .. validation.Targets, .. test.Targets];
        Assert.Equal(diabetes.Targets.Order(), allTargets.Order());
    }

    [Fact]
    public void Bad_fractions_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainTestIndices(10, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainTestIndices(10, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainTestIndices(10, double.NaN, 1));
        Assert.Throws<ArgumentException>(() => DataSplit.TrainValidationTestIndices(10, 0.5, 0.5, 1));
        var empty = Assert.Throws<ArgumentException>(() => DataSplit.TrainTestIndices(3, 0.1, 1));
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void K_fold_partitions_rows_and_spreads_each_class()
    {
        int[] labels = UnevenLabels([17, 5, 23], 11);
        int n = labels.Length;
        Fold[] folds = DataSplit.KFold(n, 4, seed: 5, labels);
        Assert.Equal(4, folds.Length);
        AssertPartition(n, folds.Select(f => f.Validation).ToArray());
        foreach (Fold fold in folds)
        {
            Assert.Equal(Enumerable.Range(0, n).Except(fold.Validation), fold.Train);
        }

        int[] foldSizes = folds.Select(f => f.Validation.Length).ToArray();
        Assert.True(foldSizes.Max() - foldSizes.Min() <= 1);
        for (int c = 0; c < 3; c++)
        {
            int[] perFold = folds.Select(f => f.Validation.Count(i => labels[i] == c)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {c} per fold: {string.Join(",", perFold)}");
        }

        Fold[] again = DataSplit.KFold(n, 4, seed: 5, labels);
        Fold[] other = DataSplit.KFold(n, 4, seed: 6, labels);
        Assert.Equal(folds.Select(f => f.Validation), again.Select(f => f.Validation));
        Assert.NotEqual(folds.Select(f => f.Validation), other.Select(f => f.Validation));
    }

    [Fact]
    public void K_fold_on_a_dataset_and_bad_k()
    {
        Dataset<float> iris = KnownDatasets.Iris<float>();
        Fold[] folds = DataSplit.KFold(iris, 5, seed: 0);
        Assert.All(folds, f => Assert.Equal([10, 10, 10], KnownDatasetsTests.ClassSizes(f.Validation.Select(i => iris.Labels![i]).ToArray(), 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.KFold(10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.KFold(10, 11, 0));
    }
}
