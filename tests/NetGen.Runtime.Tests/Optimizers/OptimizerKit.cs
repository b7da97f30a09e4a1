using System.Numerics;

namespace NetGen.Runtime.Tests.Optimizers;

/// <summary>
/// A tiny three-parameter problem shared by the optimizer tests: start θ⁰, three steps of gradients, and a learning rate
/// per step (so the tests also cover a schedule changing η between steps).
/// </summary>
internal static class OptimizerKit
{
    /// <summary>θ⁰ of the three parameters.</summary>
    public static readonly double[] Start = [1.0, -2.0, 0.5];

    /// <summary>g of the three parameters at steps 1, 2, 3 (parameter 3 has g = 0 at step 1).</summary>
    public static readonly double[][] Gradients = [[0.5, -1.0, 0.0], [0.25, 2.0, -0.5], [-1.0, 0.5, 1.0]];

    /// <summary>One parameter's trajectory written out by hand from a published rule: θ after steps 1, 2 and 3.</summary>
    public delegate double[] HandRule(double theta, double g1, double g2, double g3);

    /// <summary>
    /// Runs <paramref name="optimizer"/> for three steps on <paramref name="length"/> parameters, parameter i following
    /// the pattern of parameter i mod 3 (so lengths above 3 exercise the vector loops and the scalar tail), and checks
    /// every parameter after every step against <paramref name="ruleFor"/>(i).
    /// </summary>
    public static void AssertTrajectory<T>(IOptimizer<T> optimizer, double[] etas, int length, Func<int, HandRule> ruleFor, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] theta = new T[length];
        T[] g = new T[length];
        for (int i = 0; i < length; i++)
        {
            theta[i] = T.CreateChecked(Start[i % 3]);
        }

        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < length; i++)
            {
                g[i] = T.CreateChecked(Gradients[step][i % 3]);
            }

            optimizer.LearningRate = etas[step];
            optimizer.Step(theta, g);
            for (int i = 0; i < length; i++)
            {
                int j = i % 3;
                double expected = ruleFor(i)(Start[j], Gradients[0][j], Gradients[1][j], Gradients[2][j])[step];
                AssertClose(expected, double.CreateChecked(theta[i]), tolerance, $"parameter {i} after step {step + 1}");
            }
        }
    }

    /// <summary>|actual − expected| ≤ tolerance · max(1, |expected|).</summary>
    public static void AssertClose(double expected, double actual, double tolerance, string what = "")
    {
        double error = Math.Abs(actual - expected);
        Assert.True(
            error <= tolerance * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R} (error {error:E2}, tolerance {tolerance:E1}).");
    }

    /// <summary>Runs the three steps of the problem on <paramref name="length"/> tiled parameters and returns θ.</summary>
    public static T[] Run<T>(IOptimizer<T> optimizer, int length, double eta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] theta = new T[length];
        T[] g = new T[length];
        for (int i = 0; i < length; i++)
        {
            theta[i] = T.CreateChecked(Start[i % 3]);
        }

        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < length; i++)
            {
                g[i] = T.CreateChecked(Gradients[step][i % 3]);
            }

            optimizer.LearningRate = eta;
            optimizer.Step(theta, g);
        }

        return theta;
    }
}
