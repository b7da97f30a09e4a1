namespace NetGen.Runtime.Tests.Training.Search;

/// <summary>Small synthetic problems whose best hyperparameters are known, and helpers for the search tests.</summary>
internal static class SearchData
{
    /// <summary>The classifier of <see cref="Blobs"/>: 4-16-3, ReLU, softmax, cross-entropy.</summary>
    public static NetworkSpec Classifier { get; } = NetworkSpec.Input(4).Dense(16, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy);

    /// <summary>A linear regression network 2-1 with the MSE loss.</summary>
    public static NetworkSpec Line { get; } = NetworkSpec.Input(2).Dense(1).Build(Loss.MeanSquaredError);

    /// <summary>Three Gaussian blobs in 4-D (class c is shifted by 2 along feature c), one-hot targets.</summary>
    public static Dataset<float> Blobs(int count, int seed, double noise = 0.6)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[count * 4];
        var y = new float[count * 3];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            int c = s % 3;
            labels[s] = c;
            y[s * 3 + c] = 1;
            for (int f = 0; f < 4; f++)
            {
                x[s * 4 + f] = (float)((f == c ? 2.0 : 0.0) + noise * rng.NextGaussian());
            }
        }

        return new Dataset<float>(x, y, 4, 3, labels);
    }

    /// <summary>y = 3 x0 − 2 x1 + 1 + noise, x uniform in [−1, 1]².</summary>
    public static Dataset<double> Plane(int count, int seed, double noise = 0.05)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new double[count * 2];
        var y = new double[count];
        for (int s = 0; s < count; s++)
        {
            double a = rng.NextDouble() * 2 - 1, b = rng.NextDouble() * 2 - 1;
            x[2 * s] = a;
            x[2 * s + 1] = b;
            y[s] = 3 * a - 2 * b + 1 + noise * rng.NextGaussian();
        }

        return new Dataset<double>(x, y, 2, 1);
    }

    /// <summary>An IProgress that reports on the calling thread, at once (Progress&lt;T&gt; posts to the thread pool).</summary>
    public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
