namespace NetGen.Runtime.Tests.Engine;

/// <summary>
/// The step's memory-bound passes split over two cores (TwoCorePasses, on SecondCore) must compute what the one-core
/// passes compute, element for element, whether the second half ran on the other core or on the caller's.
/// </summary>
public sealed class TwoCorePassesTests
{
    public static TheoryData<int, bool> Sizes() => new()
    {
        { TwoCorePasses.SplitLength - 1, true },
        { TwoCorePasses.SplitLength, true },
        { TwoCorePasses.SplitLength + 37, true },
        { 3 * TwoCorePasses.SplitLength + 5, true },
        { TwoCorePasses.SplitLength + 37, false },
    };

    private static float[] Values(int length, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(rng.NextGaussian() * 3);
        }

        return x;
    }

    private static T WithParallelism<T>(bool enabled, Func<T> run)
    {
        bool before = Parallelism.Enabled;
        Parallelism.Enabled = enabled;
        try
        {
            return run();
        }
        finally
        {
            Parallelism.Enabled = before;
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_fold_adds_every_element_and_clears_the_second_buffer(int length, bool twoCores)
    {
        float[] g = Values(length, 1), h = Values(length, 2);
        float[] expected = g.Zip(h, (a, b) => a + b).ToArray();
        WithParallelism(twoCores, () => { TwoCorePasses.AddAndClear<float>(g, h); return 0; });
        Assert.Equal(expected, g);
        Assert.All(h, v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Clear_sets_every_element_to_zero(int length, bool twoCores)
    {
        double[] x = Values(length, 3).Select(v => (double)v).ToArray();
        WithParallelism(twoCores, () => { TwoCorePasses.Clear<double>(x); return 0; });
        Assert.All(x, v => Assert.Equal(0.0, v));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_max_scan_finds_the_largest_magnitude_in_either_half(int length, bool twoCores)
    {
        float[] x = Values(length, 4);
        foreach (int at in new[] { 0, length / 2 - 1, length / 2 + 1, length - 1 })
        {
            float[] y = x.ToArray();
            y[at] = -1000f;
            Assert.Equal(1000.0, WithParallelism(twoCores, () => TwoCorePasses.MaxMagnitude<float>(y)));
            y[at] = float.NegativeInfinity;
            Assert.Equal(double.PositiveInfinity, WithParallelism(twoCores, () => TwoCorePasses.MaxMagnitude<float>(y)));
            y[at] = float.NaN;
            Assert.True(double.IsNaN(WithParallelism(twoCores, () => TwoCorePasses.MaxMagnitude<float>(y))));
        }

        Assert.Equal(FusedUpdate.MaxMagnitude<float>(x), WithParallelism(twoCores, () => TwoCorePasses.MaxMagnitude<float>(x)));
    }
}
