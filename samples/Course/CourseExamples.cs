using System;
using System.Collections.Generic;

namespace NetGen.Samples.Course;

/// <summary>The data and training runs of the course's examples, shared by the program and the tests.</summary>
public static class CourseExamples
{
    /// <summary>y = 2x + 1 on <paramref name="count"/> points x ∈ [0, 1).</summary>
    public static (double[] X, double[] Y) Linear(int count = 100, int seed = 1)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = rng.NextDouble();
            y[i] = 2 * x[i] + 1;
        }

        return (x, y);
    }

    /// <summary>f(x0, x1) = x0² + 3 x0 x1 + x1² + 5 on <paramref name="count"/> points (x0, x1) ∈ [0, 1)², as in the course.</summary>
    public static (double[] X, double[] Y) Quadratic(int count = 100, int seed = 2)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new double[2 * count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            double x0 = rng.NextDouble(), x1 = rng.NextDouble();
            x[2 * i] = x0;
            x[2 * i + 1] = x1;
            y[i] = x0 * x0 + 3 * x0 * x1 + x1 * x1 + 5;
        }

        return (x, y);
    }

    /// <summary>Trains <paramref name="network"/> with plain SGD and reports the mean loss C = ½ (a − y)² of each epoch.</summary>
    public static IReadOnlyList<double> Train(INetwork<double> network, double[] x, double[] y, int epochs, int batchSize, double learningRate, Action<int, double>? report = null)
    {
        IReadOnlyList<double> losses = network.Fit(x, y, epochs, batchSize, learningRate, seed: 0);
        if (report is not null)
        {
            for (int e = 0; e < losses.Count; e++)
            {
                report(e + 1, losses[e]);
            }
        }

        return losses;
    }
}
