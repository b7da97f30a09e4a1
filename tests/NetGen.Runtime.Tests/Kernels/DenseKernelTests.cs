using System.Numerics;

namespace NetGen.Runtime.Tests.Kernels;

/// <summary>
/// The wide layer's kernels (<see cref="Dense"/>) against the products written out in double, on the edge shapes of their
/// register blocks and panels: one row, rows not a multiple of the blocks, more rows than one packed chunk, In and Out
/// not multiples of the vector width, one input, one output, W and b at offsets that are not vector-aligned. Every value
/// of the buffers outside W^l and b^l must stay as it was.
/// </summary>
public sealed class DenseKernelTests
{
    public static TheoryData<int> Rows() => [1, 2, 3, 4, 5, 6, 7, 13, 16, 33, 64, 257, 300];

    [Theory]
    [MemberData(nameof(Rows))]
    public void AccumulateGradients_adds_scale_times_a_transposed_delta_and_the_column_sums(int rows)
    {
        Gradients<float, Layer<float, S1, S3>>(rows);
        Gradients<float, Layer<float, S3, S10>>(rows);
        Gradients<float, Layer<float, S7, S1>>(rows);
        Gradients<float, Layer<float, S33, S1>>(rows);
        Gradients<float, Layer<float, S5, S17>>(rows);
        Gradients<float, Layer<float, S7, S8>>(rows);
        Gradients<float, Layer<float, S13, S24>>(rows);
        Gradients<float, Layer<float, S20, S33>>(rows);
        Gradients<float, Layer<float, S64, S100>>(rows);
        Gradients<float, Layer<float, S200, S256>>(rows);
        Gradients<double, Layer<double, S3, S10>>(rows);
        Gradients<double, Layer<double, S13, S24>>(rows);
        Gradients<double, Layer<double, S64, S100>>(rows);
        Gradients<double, Layer<double, S200, S256>>(rows);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Backpropagate_multiplies_delta_by_W_transposed_with_and_without_the_transposed_copy(int rows)
    {
        Backpropagate<float, Layer<float, S1, S3>>(rows);
        Backpropagate<float, Layer<float, S3, S10>>(rows);
        Backpropagate<float, Layer<float, S7, S1>>(rows);
        Backpropagate<float, Layer<float, S5, S17>>(rows);
        Backpropagate<float, Layer<float, S7, S8>>(rows);
        Backpropagate<float, Layer<float, S13, S24>>(rows);
        Backpropagate<float, Layer<float, S33, S20>>(rows);
        Backpropagate<float, Layer<float, S100, S64>>(rows);
        Backpropagate<float, Layer<float, S256, S200>>(rows);
        Backpropagate<float, Layer<float, S100, S100>>(rows);
        Backpropagate<double, Layer<double, S3, S10>>(rows);
        Backpropagate<double, Layer<double, S33, S20>>(rows);
        Backpropagate<double, Layer<double, S256, S200>>(rows);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Forward_computes_W_a_plus_b_and_the_activation(int rows)
    {
        Forward<float, Layer<float, S1, S3>>(rows);
        Forward<float, Layer<float, S7, S1>>(rows);
        Forward<float, Layer<float, S5, S17>>(rows);
        Forward<float, Layer<float, S33, S20>>(rows);
        Forward<float, Layer<float, S200, S256>>(rows);
        Forward<float, Layer<float, S100, S100>>(rows);
        Forward<double, Layer<double, S13, S24>>(rows);
        Forward<double, Layer<double, S256, S200>>(rows);
    }

    /// <summary>σ applied after the product (e^z: not on the store), in a batch and for one row (<c>Dense.RowProduct</c>), against σ of z in scalar code.</summary>
    [Theory]
    [MemberData(nameof(Rows))]
    public void Forward_applies_activations_that_are_not_on_the_store(int rows)
    {
        Activated<float, Layer<float, S5, S17>, Activations.Sigmoid>(rows);
        Activated<float, Layer<float, S2, S64>, Activations.Sigmoid>(rows);
        Activated<float, Layer<float, S33, S20>, Activations.Tanh>(rows);
        Activated<float, Layer<float, S64, S1>, Activations.Identity>(rows);
        Activated<double, Layer<double, S13, S24>, Activations.Sigmoid>(rows);
        Activated<double, Layer<double, S100, S100>, Activations.Tanh>(rows);
    }

    [Fact]
    public void AccumulateGradients_gives_the_same_bits_on_every_call()
    {
        const int rows = 45;
        (float[] a, float[] delta) = Inputs<float, Layer<float, S200, S256>>(rows, seed: 5);
        var first = new float[Layer<float, S200, S256>.Length + 200 * 256 + 256];
        var second = new float[first.Length];
        Dense.AccumulateGradients<float, Layer<float, S200, S256>>(first, a, delta, rows, -0.03f);
        Dense.AccumulateGradients<float, Layer<float, S200, S256>>(second, a, delta, rows, -0.03f);
        Assert.Equal(first, second);
    }

    private static void Gradients<T, TLayer>(int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out;
        (T[] a, T[] delta) = Inputs<T, TLayer>(rows, seed: rows * 31 + k * 7 + n);
        foreach (double scale in new[] { 1.0, -0.0125 })
        {
            // a gradient that is not zero, so that the kernel's += is checked, and sentinels around W and b
            var g = new T[Layer<T, S1, S1>.Length + k * n + n + 8];
            var rng = new SplitMix64((ulong)(rows + 3));
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = T.CreateTruncating(rng.NextDouble() - 0.5);
            }

            T[] before = (T[])g.Clone();
            Dense.AccumulateGradients<T, TLayer>(g.AsSpan(0, TLayer.B + n), a, delta, rows, T.CreateTruncating(scale));
            for (int i = 0; i < g.Length; i++)
            {
                bool inW = i >= TLayer.W && i < TLayer.W + k * n, inB = i >= TLayer.B && i < TLayer.B + n;
                if (!inW && !inB)
                {
                    Assert.True(g[i] == before[i], $"{typeof(T).Name} {k}→{n}, {rows} rows: g[{i}] outside W and b changed");
                    continue;
                }

                double sum = 0, size = 0;
                for (int s = 0; s < rows; s++)
                {
                    double term = inW ? double.CreateTruncating(a[s * k + (i - TLayer.W) / n]) * double.CreateTruncating(delta[s * n + (i - TLayer.W) % n])
                        : double.CreateTruncating(delta[s * n + i - TLayer.B]);
                    sum += term;
                    size += Math.Abs(term);
                }

                double expected = double.CreateTruncating(before[i]) + scale * sum;
                double tolerance = Epsilon<T>() * (rows + 2) * (Math.Abs(double.CreateTruncating(before[i])) + Math.Abs(scale) * size);
                Assert.True(Math.Abs(double.CreateTruncating(g[i]) - expected) <= tolerance,
                    $"{typeof(T).Name} {k}→{n}, {rows} rows, scale {scale}: g[{i}] = {g[i]}, expected {expected}");
            }
        }
    }

    private static void Backpropagate<T, TLayer>(int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out;
        T[] p = Parameters<T, TLayer>(seed: rows + k + n);
        (_, T[] delta) = Inputs<T, TLayer>(rows, seed: rows * 17 + k);
        var transposed = new T[3 + k * n];
        VectorMath.Transpose<T>(p.AsSpan(TLayer.W, k * n), k, n, transposed.AsSpan(3));
        foreach (bool withCopy in new[] { false, true })
        {
            var previous = new T[rows * k + 5];
            Array.Fill(previous, T.CreateTruncating(7));
            Dense.Backpropagate<T, TLayer>(p, withCopy ? transposed : default, 3, delta, previous.AsSpan(0, rows * k), rows);
            for (int i = rows * k; i < previous.Length; i++)
            {
                Assert.True(previous[i] == T.CreateTruncating(7), $"{typeof(T).Name} {k}→{n}, {rows} rows: wrote past δ^(l−1)");
            }

            for (int s = 0; s < rows; s++)
            {
                for (int kk = 0; kk < k; kk++)
                {
                    double sum = 0, size = 0;
                    for (int j = 0; j < n; j++)
                    {
                        double term = double.CreateTruncating(p[TLayer.W + kk * n + j]) * double.CreateTruncating(delta[s * n + j]);
                        sum += term;
                        size += Math.Abs(term);
                    }

                    double got = double.CreateTruncating(previous[s * k + kk]);
                    Assert.True(Math.Abs(got - sum) <= Epsilon<T>() * (n + 2) * size,
                        $"{typeof(T).Name} {k}→{n}, {rows} rows, copy {withCopy}: δ[{s}, {kk}] = {got}, expected {sum}");
                }
            }
        }
    }

    private static void Forward<T, TLayer>(int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out;
        T[] p = Parameters<T, TLayer>(seed: rows * 3 + k + n);
        (T[] a, _) = Inputs<T, TLayer>(rows, seed: rows + 11 * k);
        var z = new T[rows * n];
        var activation = new T[rows * n];
        var ws = new Workspace<T>([1]);
        Dense.Forward<T, TLayer, Activations.ReLU>(p, a, z, activation, rows, ws);
        for (int s = 0; s < rows; s++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = double.CreateTruncating(p[TLayer.B + j]), size = Math.Abs(sum);
                for (int kk = 0; kk < k; kk++)
                {
                    double term = double.CreateTruncating(p[TLayer.W + kk * n + j]) * double.CreateTruncating(a[s * k + kk]);
                    sum += term;
                    size += Math.Abs(term);
                }

                double got = double.CreateTruncating(z[s * n + j]);
                Assert.True(Math.Abs(got - sum) <= Epsilon<T>() * (k + 2) * size, $"{typeof(T).Name} {k}→{n}, {rows} rows: z[{s}, {j}] = {got}, expected {sum}");
                Assert.Equal(T.Max(z[s * n + j], T.Zero), activation[s * n + j]);
            }
        }
    }

    private static void Activated<T, TLayer, TAct>(int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
        where TAct : struct, IActivation
    {
        int k = TLayer.In, n = TLayer.Out;
        T[] p = Parameters<T, TLayer>(seed: rows * 5 + k + n);
        (T[] a, _) = Inputs<T, TLayer>(rows, seed: rows + 13 * k);
        var z = new T[rows * n];
        var activation = new T[rows * n + 3];   // sentinels after the last row
        activation.AsSpan(rows * n).Fill(T.CreateTruncating(7));
        Dense.Forward<T, TLayer, TAct>(p, a, z, activation, rows, new Workspace<T>([1]));
        for (int i = 0; i < rows * n; i++)
        {
            double expected = double.CreateTruncating(TAct.Apply(z[i], T.Zero)), got = double.CreateTruncating(activation[i]);
            Assert.True(Math.Abs(got - expected) <= 8 * Epsilon<T>() * Math.Max(Math.Abs(expected), 1),   // the vector tanh is accurate in absolute terms near 0
                $"{typeof(T).Name} {k}→{n} {typeof(TAct).Name}, {rows} rows: a[{i}] = {got}, σ(z) = {expected}");
        }

        Assert.All(activation.AsSpan(rows * n).ToArray(), v => Assert.Equal(T.CreateTruncating(7), v));
    }

    /// <summary>The unit roundoff of T.</summary>
    private static double Epsilon<T>() where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? 6e-8 : 1.2e-16;

    private static (T[] A, T[] Delta) Inputs<T, TLayer>(int rows, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        var rng = new SplitMix64((ulong)seed);
        var a = new T[rows * TLayer.In];
        var delta = new T[rows * TLayer.Out];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        }

        for (int i = 0; i < delta.Length; i++)
        {
            delta[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        }

        return (a, delta);
    }

    private static T[] Parameters<T, TLayer>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        var rng = new SplitMix64((ulong)seed + 1000);
        var p = new T[Layer<T, S1, S1>.Length + TLayer.In * TLayer.Out + TLayer.Out];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = T.CreateTruncating(rng.NextDouble() - 0.5);
        }

        return p;
    }

    /// <summary>A layer In → Out whose W starts at offset 3 and b one value after W (neither aligned to a vector).</summary>
    private readonly struct Layer<T, TIn, TOut> : IDenseLayer<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIn : struct, ISize
        where TOut : struct, ISize
    {
        public static int In => TIn.Value;

        public static int Out => TOut.Value;

        public static int W => 3;

        public static int B => 3 + In * Out + 1;

        /// <summary>The values before W, between W and b, and after b (sentinels) in a buffer of W + In·Out + Out + Length.</summary>
        public static int Length => 3 + 1 + 8;
    }

    private readonly struct S1 : ISize { public static int Value => 1; }

    private readonly struct S2 : ISize { public static int Value => 2; }

    private readonly struct S3 : ISize { public static int Value => 3; }

    private readonly struct S5 : ISize { public static int Value => 5; }

    private readonly struct S7 : ISize { public static int Value => 7; }

    private readonly struct S8 : ISize { public static int Value => 8; }

    private readonly struct S10 : ISize { public static int Value => 10; }

    private readonly struct S13 : ISize { public static int Value => 13; }

    private readonly struct S17 : ISize { public static int Value => 17; }

    private readonly struct S20 : ISize { public static int Value => 20; }

    private readonly struct S24 : ISize { public static int Value => 24; }

    private readonly struct S33 : ISize { public static int Value => 33; }

    private readonly struct S64 : ISize { public static int Value => 64; }

    private readonly struct S100 : ISize { public static int Value => 100; }

    private readonly struct S200 : ISize { public static int Value => 200; }

    private readonly struct S256 : ISize { public static int Value => 256; }
}
