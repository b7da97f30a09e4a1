namespace NetGen.Runtime.Tests.Training;

/// <summary>The course's examples train on the networks NetGen generated for them (see CourseNetworks.cs).</summary>
public sealed class CourseExampleTests
{
    [Fact]
    public void Perceptron_learns_y_equals_2x_plus_1()
    {
        (double[] x, double[] y) = Linear(100, seed: 1);
        var net = new Perceptron(seed: 1);
        IReadOnlyList<double> losses = net.Fit(x, y, epochs: 200, batchSize: 10, learningRate: 0.5);

        // C = ½ (a − y)², so the mean squared error is 2C.
        Assert.True(2 * losses[^1] < 1e-6, $"MSE {2 * losses[^1]:E3}");
        Assert.Equal(2.0, net.Parameters[Perceptron.W1], 4);
        Assert.Equal(1.0, net.Parameters[Perceptron.b1], 4);
    }

    [Fact]
    public void One_hidden_node_fits_the_line()
    {
        (double[] x, double[] y) = Linear(100, seed: 1);
        var net = new OneHiddenNode(seed: 1);
        IReadOnlyList<double> losses = net.Fit(x, y, epochs: 1000, batchSize: 10, learningRate: 0.5);
        Assert.True(losses[^1] < 1e-3, $"C {losses[^1]:E3}");
        Assert.True(losses[^1] < losses[0] / 100);
    }

    [Theory]
    [InlineData(2, 2e-3)]   // the course's 2-2-1: C ≈ 7e-4 after 2000 epochs of SGD (η = 0.1, batch 10)
    [InlineData(10, 2e-3)]  // 2-10-1: C ≈ 7e-4
    public void Quadratic_function_is_fitted_by_2_h_1(int hidden, double bound)
    {
        (double[] x, double[] y) = Quadratic(100, seed: 2);
        INetwork<double> net = hidden == 2 ? new QuadraticFitDouble(seed: 1) : new QuadraticFitWide(seed: 1);
        IReadOnlyList<double> losses = net.Fit(x, y, epochs: 2000, batchSize: 10, learningRate: 0.1);
        Assert.True(losses[^1] < bound, $"2-{hidden}-1: C {losses[^1]:E3}");
        Assert.True(losses[^1] < losses[0] / 1000, $"2-{hidden}-1: from {losses[0]:E3} to {losses[^1]:E3}");
    }

    internal static (double[] X, double[] Y) Linear(int count, int seed)
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

    internal static (double[] X, double[] Y) Quadratic(int count, int seed)
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
}
