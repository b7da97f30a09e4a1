namespace NetGen.Runtime.Tests.Data;

/// <summary>Scalers fitted on training rows only; constant features never give NaN; statistics round-trip.</summary>
public class ScalerTests
{
    private static double[] Column(Dataset<double> d, int j) => Enumerable.Range(0, d.Count).Select(i => d.FeatureRow(i)[j]).ToArray();

    private static double PopulationStd(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
    }

    [Fact]
    public void Standardizer_statistics_are_those_of_the_training_rows()
    {
        Dataset<double> wine = KnownDatasets.Wine<double>();
        (Dataset<double> train, Dataset<double> test) = DataSplit.TrainTest(wine, 0.25, seed: 4);
        Standardizer s = Standardizer.Fit(train);
        Assert.Equal(13, s.FeatureCount);
        bool differsFromAllRows = false;
        for (int j = 0; j < 13; j++)
        {
            double[] column = Column(train, j);
            Assert.Equal(column.Average(), s.Means[j], 1e-9);
            Assert.Equal(PopulationStd(column), s.StandardDeviations[j], 1e-9);
            differsFromAllRows |= Math.Abs(Column(wine, j).Average() - s.Means[j]) > 1e-6;
        }

        Assert.True(differsFromAllRows, "the fit must not see the test rows");

        Dataset<double> scaled = s.Transform(train);
        for (int j = 0; j < 13; j++)
        {
            double[] column = Column(scaled, j);
            Assert.Equal(0, column.Average(), 1e-9);
            Assert.Equal(1, PopulationStd(column), 1e-9);
        }

        // The test rows are scaled with the training statistics, not their own.
        Dataset<double> scaledTest = s.Transform(test);
        double expected = (test.FeatureRow(0)[5] - s.Means[5]) / s.StandardDeviations[5];
        Assert.Equal(expected, scaledTest.FeatureRow(0)[5], 1e-12);
        Assert.NotEqual(0, Column(scaledTest, 5).Average(), 6);
    }

    [Fact]
    public void Constant_features_give_zero_not_nan()
    {
        // Column 1 is constant 0.1 (whose computed mean would differ by an ulp); column 2 is constant 0.
        float[] features = [1, 0.1f, 0, 2, 0.1f, 0, 4, 0.1f, 0];
        Standardizer s = Standardizer.Fit<float>(features, 3);
        Assert.Equal(1.0, s.StandardDeviations[1]);
        Assert.Equal(1.0, s.StandardDeviations[2]);
        float[] standardized = (float[])features.Clone();
        s.TransformInPlace<float>(standardized);
        Assert.All(standardized, v => Assert.True(float.IsFinite(v)));
        Assert.Equal([0f, 0, 0, 0, 0, 0], new[] { standardized[1], standardized[2], standardized[4], standardized[5], standardized[7], standardized[8] });

        MinMaxScaler m = MinMaxScaler.Fit<float>(features, 3);
        float[] minMaxed = (float[])features.Clone();
        m.TransformInPlace<float>(minMaxed);
        Assert.All(minMaxed, v => Assert.True(float.IsFinite(v)));
        Assert.Equal([0f, 0, 0, 1f / 3, 0, 0, 1, 0, 0], minMaxed);
    }

    [Fact]
    public void Min_max_maps_training_rows_to_unit_interval_and_does_not_clip_others()
    {
        Dataset<double> cancer = KnownDatasets.BreastCancer<double>();
        (Dataset<double> train, Dataset<double> test) = DataSplit.TrainTest(cancer, 0.3, seed: 9);
        MinMaxScaler m = MinMaxScaler.Fit(train);
        for (int j = 0; j < 30; j++)
        {
            Assert.Equal(Column(train, j).Min(), m.Minimums[j]);
            Assert.Equal(Column(train, j).Max(), m.Maximums[j]);
        }

        Dataset<double> scaled = m.Transform(train);
        for (int j = 0; j < 30; j++)
        {
            double[] column = Column(scaled, j);
            Assert.Equal(0, column.Min(), 1e-12);
            Assert.Equal(1, column.Max(), 1e-12);
        }

        // Some test value lies outside the training range on some feature, and stays outside [0, 1].
        Dataset<double> scaledTest = m.Transform(test);
        Assert.Contains(scaledTest.Features, v => v < 0 || v > 1);
    }

    [Fact]
    public void Transform_copies_and_in_place_overwrites()
    {
        Dataset<float> iris = KnownDatasets.Iris<float>();
        float[] original = (float[])iris.Features.Clone();
        Standardizer s = Standardizer.Fit(iris);
        Dataset<float> copy = s.Transform(iris);
        Assert.Equal(original, iris.Features);
        Assert.NotEqual(original, copy.Features);
        Assert.Equal(iris.Labels, copy.Labels);
        Assert.Equal(iris.Targets, copy.Targets);
        Assert.NotSame(iris.Targets, copy.Targets);

        s.TransformInPlace(iris);
        Assert.Equal(copy.Features, iris.Features);

        s.InverseTransformInPlace<float>(iris.Features);
        for (int i = 0; i < original.Length; i++)
        {
            Assert.Equal(original[i], iris.Features[i], 1e-5f);
        }
    }

    [Fact]
    public void Saved_statistics_rebuild_the_same_scaler()
    {
        Dataset<double> digits = KnownDatasets.Digits<double>();
        Standardizer s = Standardizer.Fit(digits);
        var rebuilt = new Standardizer(s.Means.ToArray(), s.StandardDeviations.ToArray());
        Assert.Equal(s.Transform(digits).Features, rebuilt.Transform(digits).Features);

        MinMaxScaler m = MinMaxScaler.Fit(digits);
        var rebuiltM = new MinMaxScaler(m.Minimums.ToArray(), m.Maximums.ToArray());
        Assert.Equal(m.Transform(digits).Features, rebuiltM.Transform(digits).Features);

        // Digits has always-zero pixels: their scale is 1, and nothing is NaN.
        Assert.Contains(1.0, s.StandardDeviations);
        Assert.DoesNotContain(s.Transform(digits).Features, double.IsNaN);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Standardizer s = Standardizer.Fit<double>([1, 2, 3, 4], 2);
        Dataset<double> wrongWidth = new([1, 2, 3], [0], 3, 1);
        Assert.Throws<ArgumentException>(() => s.Transform(wrongWidth));
        Assert.Throws<ArgumentException>(() => s.TransformInPlace<double>(new double[3]));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit<double>([1, double.NaN], 2));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit<double>([], 2));
        Assert.Throws<ArgumentException>(() => new Standardizer([0.0], [0.0]));
        Assert.Throws<ArgumentException>(() => new MinMaxScaler([1.0], [0.0]));
        Assert.Throws<ArgumentException>(() => new MinMaxScaler([1.0, 2.0], [3.0]));
    }
}
