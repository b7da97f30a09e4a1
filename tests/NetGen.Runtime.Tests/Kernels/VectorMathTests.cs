using System.Numerics;
using Xunit.Abstractions;

namespace NetGen.Runtime.Tests.Kernels;

/// <summary>The generated kernels' fast e^x, weight transposition, column panels and four-at-once horizontal sums, against the exact answer.</summary>
public sealed class VectorMathTests(ITestOutputHelper output)
{
    private static float Exp(float x) => VectorMath.Exp(new Vector<float>(x))[0];

    /// <summary>The distance in units in the last place between two finite floats of the same sign.</summary>
    private static long Ulps(float a, float b) => System.Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));

    [Fact]
    public void Exp_is_within_two_ulp_of_the_correctly_rounded_value_over_the_float_range()
    {
        // Every 61st float from −104 to 89 (≈ 37 million values: bit patterns from −104 down to −0, then +0 up to 89),
        // a full vector at a time, each lane a different value.
        long worst = 0, worstSubnormal = 0;
        float worstAt = 0;
        int lanes = Vector<float>.Count, checkedValues = 0, filled = 0;
        var x = new float[lanes];
        void Flush()
        {
            Vector<float> e = VectorMath.Exp(new Vector<float>(x));
            for (int k = 0; k < filled; k++)
            {
                float exact = (float)System.Math.Exp(x[k]);
                long u = Ulps(e[k], exact);
                checkedValues++;
                if (exact < 1.17549435e-38f)
                {
                    worstSubnormal = System.Math.Max(worstSubnormal, u);
                }
                else if (u > worst)
                {
                    worst = u;
                    worstAt = x[k];
                }
            }

            filled = 0;
        }

        void Add(long bits)
        {
            x[filled++] = BitConverter.Int32BitsToSingle((int)bits);
            if (filled == lanes)
            {
                Flush();
            }
        }

        for (long b = BitConverter.SingleToInt32Bits(-104f); b >= int.MinValue; b -= 61)
        {
            Add(b);
        }

        for (long b = 0; b <= BitConverter.SingleToInt32Bits(89f); b += 61)
        {
            Add(b);
        }

        Flush();
        output.WriteLine($"{checkedValues} values; worst {worst} ulp at x = {worstAt:R}; worst among subnormal results {worstSubnormal} (subnormal) ulp");
        Assert.True(checkedValues > 30_000_000, $"only {checkedValues} values checked");
        Assert.True(worst <= 2, $"{worst} ulp at x = {worstAt:R}");
        Assert.True(worstSubnormal <= 1, $"{worstSubnormal} ulp among subnormal results");
    }

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(1f, 2.7182817f)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(88.72f, 3.3931806e38f)]
    [InlineData(88.73f, float.PositiveInfinity)]
    [InlineData(1000f, float.PositiveInfinity)]
    [InlineData(-103.9f, 1.401298E-45f)]
    [InlineData(-104.5f, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(float.MaxValue, float.PositiveInfinity)]
    [InlineData(float.MinValue, 0f)]
    public void Exp_at_the_ends_of_the_range(float x, float expected) => Assert.Equal(expected, Exp(x), 1e-6f * System.Math.Abs(expected));

    [Fact]
    public void Exp_of_NaN_is_NaN_in_every_lane()
    {
        var x = new float[Vector<float>.Count];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = k % 2 == 0 ? float.NaN : -float.NaN;
        }

        Vector<float> e = VectorMath.Exp(new Vector<float>(x));
        for (int k = 0; k < x.Length; k++)
        {
            Assert.True(float.IsNaN(e[k]), $"lane {k}: {e[k]}");
        }
    }

    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int rows in new[] { 0, 1, 3, 4, 7, 8, 9, 16, 17, 64, 100 })
        {
            foreach (int columns in new[] { 0, 1, 5, 8, 12, 16, 31, 64, 130 })
            {
                data.Add(rows, columns);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Transpose_writes_every_element_to_its_transposed_place(int rows, int columns)
    {
        Check<float>(rows, columns, i => i + 0.5f);
        Check<double>(rows, columns, i => i + 0.25);
        Check<int>(rows, columns, i => i);

        static void Check<T>(int rows, int columns, Func<int, T> value)
            where T : unmanaged, IEquatable<T>
        {
            T[] source = Enumerable.Range(0, rows * columns).Select(value).ToArray();
            // One spare element past the end on each side, which must stay untouched.
            T[] destination = new T[rows * columns + 1];
            T sentinel = value(-7);
            destination[^1] = sentinel;
            VectorMath.Transpose<T>(source, rows, columns, destination.AsSpan(0, rows * columns + 1));
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    Assert.Equal(source[i * columns + j], destination[j * rows + i]);
                }
            }

            Assert.Equal(sentinel, destination[^1]);
        }
    }

    [Fact]
    public void Transpose_refuses_short_spans_and_negative_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => VectorMath.Transpose<float>(new float[11], 3, 4, new float[12]));
        Assert.Contains("3 × 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => VectorMath.Transpose<float>(new float[12], 3, 4, new float[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorMath.Transpose<float>(new float[12], -3, 4, new float[12]));
    }

    [Fact]
    public void StoreSums_writes_the_four_lane_sums_and_nothing_else()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            // Integers of moderate size: every order of addition gives the exact sum, so the comparison is exact.
            float[][] f = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, Vector<float>.Count).Select(_ => (float)random.Next(-1000, 1000)).ToArray()).ToArray();
            float[] fd = [9f, 9f, 9f, 9f, -5f];
            VectorMath.StoreSums(new Vector<float>(f[0]), new Vector<float>(f[1]), new Vector<float>(f[2]), new Vector<float>(f[3]), ref fd[0]);
            Assert.Equal([f[0].Sum(), f[1].Sum(), f[2].Sum(), f[3].Sum(), -5f], fd);

            double[][] d = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, Vector<double>.Count).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
            double[] dd = [9, 9, 9, 9, -5];
            VectorMath.StoreSums(new Vector<double>(d[0]), new Vector<double>(d[1]), new Vector<double>(d[2]), new Vector<double>(d[3]), ref dd[0]);
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(d[i].Sum(), dd[i], 1e-15);
            }

            Assert.Equal(-5, dd[4]);
        }
    }

    [Theory]
    [InlineData(1, 16, 16)]
    [InlineData(7, 45, 16)]
    [InlineData(300, 128, 16)]
    [InlineData(5, 40, 8)]
    [InlineData(3, 7, 16)]
    [InlineData(9, 33, 3)]
    [InlineData(0, 32, 16)]
    public void PackPanels_puts_each_whole_panel_of_columns_contiguous_over_the_rows(int rows, int columns, int panelWidth)
    {
        Check(i => (float)i);
        Check(i => (double)i);

        void Check<T>(Func<int, T> value)
            where T : unmanaged, IEquatable<T>
        {
            T[] source = Enumerable.Range(0, rows * columns).Select(value).ToArray();
            int panels = columns / panelWidth;
            T sentinel = value(-7);
            T[] destination = Enumerable.Repeat(sentinel, panels * panelWidth * rows + 1).ToArray();
            VectorMath.PackPanels<T>(source, rows, columns, panelWidth, destination);
            for (int p = 0; p < panels; p++)
            {
                for (int k = 0; k < rows; k++)
                {
                    for (int c = 0; c < panelWidth; c++)
                    {
                        Assert.Equal(source[k * columns + p * panelWidth + c], destination[p * panelWidth * rows + k * panelWidth + c]);
                    }
                }
            }

            Assert.Equal(sentinel, destination[^1]);
        }
    }

    [Fact]
    public void PackPanels_refuses_short_spans_and_bad_widths()
    {
        var e = Assert.Throws<ArgumentException>(() => VectorMath.PackPanels<float>(new float[11], 3, 4, 2, new float[12]));
        Assert.Contains("3 × 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => VectorMath.PackPanels<float>(new float[12], 3, 4, 2, new float[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorMath.PackPanels<float>(new float[12], 3, 4, 0, new float[12]));
        VectorMath.PackPanels<float>(new float[12], 3, 4, 3, new float[9]);   // one panel of 3 columns: 9 values are enough
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(37)]
    public void AddAndClear_adds_h_to_g_as_Add_does_and_leaves_h_zero(int length)
    {
        var rng = new Random(length + 1);
        float[] g = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] h = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble() * 3 - 1).ToArray();
        float[] expected = (float[])g.Clone();
        VectorMath.Add<float>(expected, h);
        VectorMath.AddAndClear<float>(g, h);
        Assert.Equal(expected, g);
        Assert.All(h, v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => VectorMath.AddAndClear<float>(new float[length + 1], h));
    }
}
