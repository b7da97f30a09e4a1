namespace NetGen.Integration.Tests.Infrastructure;

/// <summary>Random inputs and targets that suit a spec's loss.</summary>
public static class TestData
{
    /// <summary>count rows of inputs ~ N(0, 1) and targets: N(0, 1) for MSE, U(0, 1) for BCE, probability vectors for CE.</summary>
    public static (double[] X, double[] Y) Make(NetworkSpec spec, int count, int seed, bool normalizedTargets = true)
    {
        var rng = new SplitMix64((ulong)seed + 12345);
        var x = new double[count * spec.InputSize];
        var y = new double[count * spec.OutputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int s = 0; s < count; s++)
        {
            Span<double> row = y.AsSpan(s * spec.OutputSize, spec.OutputSize);
            switch (spec.Loss)
            {
                case Loss.MeanSquaredError:
                    for (int j = 0; j < row.Length; j++)
                    {
                        row[j] = rng.NextGaussian();
                    }

                    break;
                case Loss.BinaryCrossEntropy:
                    for (int j = 0; j < row.Length; j++)
                    {
                        row[j] = rng.NextDouble();
                    }

                    break;
                case Loss.CrossEntropy:
                    double sum = 0;
                    for (int j = 0; j < row.Length; j++)
                    {
                        row[j] = rng.NextDouble();
                        sum += row[j];
                    }

                    if (normalizedTargets)
                    {
                        for (int j = 0; j < row.Length; j++)
                        {
                            row[j] /= sum;
                        }
                    }

                    break;
            }
        }

        return (x, y);
    }

    public static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
