using System.Numerics;

namespace NetGen.Runtime.Tests.Engine;

/// <summary>
/// The engine's lane path on its own, through a hand-written lane kernel (<see cref="LaneProbe"/>): a single row runs
/// over <see cref="ScalarLane{T}"/> in place and without a workspace; a batch runs its whole vectors of rows over
/// <see cref="VectorLane{T}"/> and the rest over <see cref="ScalarLane{T}"/>, read and written row-major; every row is seen
/// once; the fused step reads every weight before writing; nothing allocates.
/// </summary>
public sealed class LaneEngineTests
{
    /// <summary>
    /// Two inputs, two outputs, a_j = z_j = w_0j x_0 + w_1j x_1 + b_j (parameters W [2 × 2] input-major, b [2]), mean squared
    /// error. Parameter 6 is a probe: training adds Σ x_0 + 1000 Σ 1 over the rows of the call, so after a batch it is
    /// Σ x_0 + 1000 n exactly when every row was seen once. Each call is logged with the lane count and its rows.
    /// </summary>
    private struct LaneProbe : INetworkKernels<double>
    {
        [ThreadStatic] public static List<(int Count, int Rows)>? Log;

        public static NetworkSpec Spec { get; } = NetworkSpec.Input(2).Dense(2).Build(Loss.MeanSquaredError, Precision.Double);
        public static int InputSize => 2;
        public static int OutputSize => 2;
        public static int ParameterLength => 7;
        public static int TileRows => 16;
        public static int ParallelTrainingRows => int.MaxValue;
        public static int ParallelInferenceRows => int.MaxValue;
        public static bool HasLanes => true;

        public static void LanesForward<V>(ReadOnlySpan<double> p, ReadOnlySpan<double> x, Span<double> o, int rows)
            where V : struct, ILane<V, double>
        {
            Check<V>(rows);
            V w00 = V.Of(p[0]), w01 = V.Of(p[1]), w10 = V.Of(p[2]), w11 = V.Of(p[3]), b0 = V.Of(p[4]), b1 = V.Of(p[5]);
            ref readonly double xRows = ref V.Rows(x, rows, 2);
            ref double aRows = ref V.Rows(o, rows, 2);
            for (int s = 0; s < rows; s += V.Count)
            {
                V x0 = V.Load(in xRows, s, 0, 2), x1 = V.Load(in xRows, s, 1, 2);
                V.Store(V.Fma(w10, x1, V.Fma(w00, x0, b0)), ref aRows, s, 0, 2);
                V.Store(V.Fma(w11, x1, V.Fma(w01, x0, b1)), ref aRows, s, 1, 2);
            }
        }

        public static double LanesBackward<V>(ReadOnlySpan<double> p, Span<double> g, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> o, int rows, double scale)
            where V : struct, ILane<V, double>
        {
            Check<V>(rows);
            V w00 = V.Of(p[0]), w01 = V.Of(p[1]), w10 = V.Of(p[2]), w11 = V.Of(p[3]), b0 = V.Of(p[4]), b1 = V.Of(p[5]);
            V dw00 = V.Zero, dw01 = V.Zero, dw10 = V.Zero, dw11 = V.Zero, db0 = V.Zero, db1 = V.Zero, seen = V.Zero, loss = V.Zero;
            ref readonly double xRows = ref V.Rows(x, rows, 2), yRows = ref V.Rows(y, rows, 2);
            ref double aRows = ref V.Rows(o, o.IsEmpty ? 0 : rows, 2);
            for (int s = 0; s < rows; s += V.Count)
            {
                V x0 = V.Load(in xRows, s, 0, 2), x1 = V.Load(in xRows, s, 1, 2);
                V z0 = V.Fma(w10, x1, V.Fma(w00, x0, b0)), z1 = V.Fma(w11, x1, V.Fma(w01, x0, b1));
                if (!o.IsEmpty)
                {
                    V.Store(z0, ref aRows, s, 0, 2);
                    V.Store(z1, ref aRows, s, 1, 2);
                }

                V e0 = z0 - V.Load(in yRows, s, 0, 2), e1 = z1 - V.Load(in yRows, s, 1, 2);
                loss = V.Fma(V.Of(0.5) * e0, e0, V.Fma(V.Of(0.5) * e1, e1, loss));
                dw00 = V.Fma(e0, x0, dw00); dw01 = V.Fma(e1, x0, dw01); dw10 = V.Fma(e0, x1, dw10); dw11 = V.Fma(e1, x1, dw11);
                db0 += e0; db1 += e1;
                seen += x0 + V.Of(1000);
            }

            g[0] += scale * V.Sum(dw00); g[1] += scale * V.Sum(dw01); g[2] += scale * V.Sum(dw10); g[3] += scale * V.Sum(dw11);
            g[4] += scale * V.Sum(db0); g[5] += scale * V.Sum(db1);
            g[6] += V.Sum(seen);
            return V.Sum(loss);
        }

        private static void Check<V>(int rows) where V : struct, ILane<V, double>
        {
            Log?.Add((V.Count, rows));
            if (rows % V.Count != 0)
            {
                throw new InvalidOperationException($"{rows} rows for lanes of {V.Count}");
            }
        }
    }

    private static NetworkEngine<double, LaneProbe> Engine()
    {
        var engine = new NetworkEngine<double, LaneProbe>();
        double[] p = [0.5, -1.25, 2.0, 0.75, 0.125, -0.5, 0];
        p.CopyTo(engine.Parameters);
        return engine;
    }

    private static (double[] X, double[] Y) Rows(int count)
    {
        var x = new double[2 * count];
        var y = new double[2 * count];
        for (int i = 0; i < 2 * count; i++)
        {
            x[i] = Math.Pow(10, i % 9 - 4) * (1 + i % 5) * (i % 3 == 0 ? -1 : 1);
            y[i] = Math.Cos(i);
        }

        return (x, y);
    }

    /// <summary>a_j of one row as the lane kernel computes it (two fused multiply-adds).</summary>
    private static double Expected(double[] x, int row, int j)
    {
        double[] p = [0.5, -1.25, 2.0, 0.75, 0.125, -0.5];
        return Math.FusedMultiplyAdd(p[2 + j], x[2 * row + 1], Math.FusedMultiplyAdd(p[j], x[2 * row], p[4 + j]));
    }

    private static List<(int, int)> Logged(Action action)
    {
        LaneProbe.Log = [];
        try
        {
            action();
            return LaneProbe.Log;
        }
        finally
        {
            LaneProbe.Log = null;
        }
    }

    [Fact]
    public void One_row_runs_on_a_scalar_lane_in_place()
    {
        NetworkEngine<double, LaneProbe> engine = Engine();
        (double[] x, double[] y) = Rows(1);
        var output = new double[2];
        Assert.Equal([(1, 1)], Logged(() => engine.Forward(x, output)));
        Assert.Equal([Expected(x, 0, 0), Expected(x, 0, 1)], output);
        Assert.Equal([(1, 1)], Logged(() => engine.ForwardBatch(x, output)));
        Assert.Equal([(1, 1)], Logged(() => engine.Backward(x, y)));
        Assert.Equal(x[0] + 1000, engine.Gradients[6]);
        Assert.Equal([(1, 1)], Logged(() => engine.BackwardBatch(x, y)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(16)]
    [InlineData(37)]
    public void A_batch_runs_whole_vectors_then_the_rest_one_lane_each_and_every_row_once(int count)
    {
        int w = Vector<double>.Count;
        (double[] x, double[] y) = Rows(count);
        var expected = new List<(int, int)>();
        for (int first = 0; first < count; first += LaneProbe.TileRows)
        {
            int rows = Math.Min(LaneProbe.TileRows, count - first), whole = rows - rows % w;
            if (whole > 0)
            {
                expected.Add((w, whole));
            }

            if (rows > whole)
            {
                expected.Add((1, rows - whole));
            }
        }

        NetworkEngine<double, LaneProbe> engine = Engine();
        var outputs = new double[2 * count];
        Assert.Equal(expected, Logged(() => engine.ForwardBatch(x, outputs)));
        for (int i = 0; i < count; i++)
        {
            // the same arithmetic on every lane type: the same bits wherever a row falls
            Assert.Equal(Expected(x, i, 0), outputs[2 * i]);
            Assert.Equal(Expected(x, i, 1), outputs[2 * i + 1]);
        }

        Assert.Equal(expected, Logged(() => engine.BackwardBatch(x, y)));
        double seen = 1000.0 * count;
        for (int i = 0; i < count; i++)
        {
            seen += x[2 * i];
        }

        Assert.True(Math.Abs(engine.Gradients[6] - seen) <= 1e-12 * seen, $"probe {engine.Gradients[6]}, rows {seen}");
        NetworkEngine<double, LaneProbe> single = Engine();
        for (int i = 0; i < count; i++)
        {
            single.Backward(x.AsSpan(2 * i, 2), y.AsSpan(2 * i, 2));
        }

        for (int k = 0; k < 6; k++)
        {
            Assert.True(Math.Abs(engine.Gradients[k] - single.Gradients[k]) <= 1e-12 * (1 + Math.Abs(single.Gradients[k])), $"g[{k}]");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(40)]
    public void TrainStep_is_the_gradient_step_of_BackwardBatch(int count)
    {
        (double[] x, double[] y) = Rows(count);
        NetworkEngine<double, LaneProbe> fused = Engine(), reference = Engine();
        fused.TrainStep(x, y, 0.1);
        reference.BackwardBatch(x, y);
        for (int k = 0; k < 6; k++)
        {
            double expected = reference.Parameters[k] - 0.1 / count * reference.Gradients[k];
            Assert.True(Math.Abs(fused.Parameters[k] - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"{count} rows: θ{k} {fused.Parameters[k]} vs {expected}");
        }
    }

    [Fact]
    public void Nothing_allocates_once_warm()
    {
        NetworkEngine<double, LaneProbe> engine = Engine();
        (double[] x, double[] y) = Rows(11);
        var outputs = new double[22];
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            engine.Forward(x.AsSpan(0, 2), outputs.AsSpan(0, 2));
            engine.ForwardBatch(x, outputs);
            engine.Backward(x.AsSpan(0, 2), y.AsSpan(0, 2));
            engine.BackwardBatch(x, y);
            engine.TrainStep(x.AsSpan(0, 2), y.AsSpan(0, 2), 1e-3);
            engine.TrainStep(x, y, 1e-3);
            if (round == 1)
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
    }
}
