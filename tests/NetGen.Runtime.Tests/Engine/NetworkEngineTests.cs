using System.Numerics;

namespace NetGen.Runtime.Tests.Engine;

/// <summary>
/// The engine on its own, through a hand-written kernel (<see cref="Probe"/>): tiles cover every row exactly once with
/// the right first-row index, never more rows than a tile holds; large batches split in two halves whose sums do not
/// depend on the core count; workspaces grow only when needed; nothing allocates once warm; and inference on one
/// instance is safe from many threads.
/// </summary>
public sealed class NetworkEngineTests
{
    /// <summary>
    /// z = w x + b with 1 input and 1 output, in tiles of 8 rows, split across two cores from 40 rows. Parameter 2 is a probe:
    /// Backward adds Σ (FirstRow + s) over the tile's rows s to it, so after a batch of n rows it is n(n − 1)/2 exactly when
    /// every row was visited once with its own index.
    /// </summary>
    private struct Probe : INetworkKernels<double>
    {
        public static NetworkSpec Spec { get; } = NetworkSpec.Input(1).Dense(1).Build(Loss.MeanSquaredError, Precision.Double);
        public static int InputSize => 1;
        public static int OutputSize => 1;
        public static int ParameterLength => 3;
        public static int TileRows => 8;
        public static int ParallelTrainingRows => 40;
        public static int ParallelInferenceRows => 40;
        public static ReadOnlySpan<int> BufferWidths => new int[] { 1, 1 };
        public static int OutputSlot => 0;

        public static void Forward(in Tile<double> t)
        {
            if (t.Rows > TileRows || t.Work.Rows < t.Rows)
            {
                throw new InvalidOperationException($"a tile of {t.Rows} rows in a workspace of {t.Work.Rows}");
            }

            Span<double> z = t.Work[0];
            for (int s = 0; s < t.Rows; s++)
            {
                z[s] = t.Parameters[0] * t.Inputs[s] + t.Parameters[1];
            }
        }

        public static double Backward(in Tile<double> t, Span<double> g, double scale)
        {
            Span<double> z = t.Work[0];
            double loss = 0;
            for (int s = 0; s < t.Rows; s++)
            {
                double e = z[s] - t.Targets[s];
                loss += 0.5 * e * e;
                g[0] += scale * e * t.Inputs[s];
                g[1] += scale * e;
                g[2] += t.FirstRow + s;
            }

            return loss;
        }
    }

    private static (double[] X, double[] Y) Rows(int count)
    {
        var x = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            // magnitudes spread over 12 decades, so that a different order of the sums would change their bits
            x[i] = Math.Pow(10, i % 13 - 6) * (1 + i % 7);
            y[i] = Math.Sin(i);
        }

        return (x, y);
    }

    private static NetworkEngine<double, Probe> Engine()
    {
        var engine = new NetworkEngine<double, Probe>();
        engine.Parameters[0] = 0.75;
        engine.Parameters[1] = -0.25;
        return engine;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(39)]
    [InlineData(40)]
    [InlineData(41)]
    [InlineData(1001)]
    public void Tiles_cover_every_row_once_with_its_index_on_one_or_two_cores(int count)
    {
        (double[] x, double[] y) = Rows(count);
        bool saved = Parallelism.Enabled;
        try
        {
            var results = new List<(double Loss, double[] Gradients, double[] Outputs)>();
            foreach (bool parallel in new[] { false, true })
            {
                Parallelism.Enabled = parallel;
                NetworkEngine<double, Probe> engine = Engine();
                double loss = engine.BackwardBatch(x, y);
                Assert.Equal(count * (count - 1.0) / 2, engine.Gradients[2]);
                var outputs = new double[count];
                engine.ForwardBatch(x, outputs);
                for (int i = 0; i < count; i++)
                {
                    Assert.Equal(0.75 * x[i] - 0.25, outputs[i]);
                }

                results.Add((loss, engine.Gradients.ToArray(), outputs));
            }

            // the halves' sums are added in a fixed order: the same bits whether they ran on one core or two
            Assert.Equal(results[0].Loss, results[1].Loss);
            Assert.Equal(results[0].Gradients, results[1].Gradients);
            Assert.Equal(results[0].Outputs, results[1].Outputs);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    [Fact]
    public void The_tiles_of_a_batch_add_up_to_the_rows_one_by_one()
    {
        (double[] x, double[] y) = Rows(37);
        NetworkEngine<double, Probe> batch = Engine(), single = Engine();
        batch.BackwardBatch(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            single.Backward(x.AsSpan(i, 1), y.AsSpan(i, 1));
        }

        Assert.True(Math.Abs(batch.Gradients[0] - single.Gradients[0]) <= 1e-12 * Math.Abs(single.Gradients[0]));
        Assert.True(Math.Abs(batch.Gradients[1] - single.Gradients[1]) <= 1e-12 * Math.Abs(single.Gradients[1]));
    }

    [Fact]
    public void TrainStep_is_the_gradient_step_of_BackwardBatch_fused_or_not()
    {
        foreach (int count in new[] { 5, 8, 100 })   // inside one tile (fused into the parameters), and across tiles and cores
        {
            (double[] x, double[] y) = Rows(count);
            NetworkEngine<double, Probe> fused = Engine(), reference = Engine();
            fused.TrainStep(x, y, 0.1);
            reference.BackwardBatch(x, y);
            double w = 0.75 - 0.1 / count * reference.Gradients[0], b = -0.25 - 0.1 / count * reference.Gradients[1];
            Assert.True(Math.Abs(fused.Parameters[0] - w) <= 1e-12, $"{count} rows: w {fused.Parameters[0]} vs {w}");
            Assert.True(Math.Abs(fused.Parameters[1] - b) <= 1e-12, $"{count} rows: b {fused.Parameters[1]} vs {b}");
        }
    }

    [Fact]
    public void Bad_shapes_name_what_is_wrong()
    {
        NetworkEngine<double, Probe> engine = Engine();
        var e = Assert.Throws<ArgumentException>(() => engine.ForwardBatch(new double[3], new double[2]));
        Assert.Contains("3 input rows need 3", e.Message);
        Assert.Throws<ArgumentException>(() => engine.Forward(new double[2], new double[1]));
        Assert.Throws<ArgumentException>(() => engine.TrainStep(new double[4], new double[5], 0.1));
    }

    [Fact]
    public void Workspaces_grow_only_for_a_larger_tile_and_size_every_slot_from_the_table()
    {
        var ws = new Workspace<float>(new[] { 3, 5 });
        Assert.Equal(0, ws.Rows);
        ws.EnsureRows(4);
        Assert.Equal(12, ws[0].Length);
        Assert.Equal(20, ws[1].Length);
        ws[0][11] = 42;
        ws.EnsureRows(2);   // smaller: the same buffers
        Assert.Equal(4, ws.Rows);
        Assert.Equal(42, ws[0][11]);
        ws.EnsureRows(9);
        Assert.Equal(27, ws[0].Length);
        Assert.Equal(45, ws[1].Length);
        Span<float> panels = ws.PanelBuffer(16);
        Assert.Equal(16, panels.Length);
        panels[15] = 7;
        Assert.Equal(16, ws.PanelBuffer(16).Length);
        Assert.Equal(7, ws.PanelBuffer(16)[15]);   // not reallocated
        Assert.Equal(100, ws.PanelBuffer(100).Length);
    }

    [Fact]
    public void Nothing_allocates_once_warm()
    {
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = false;
            (double[] x, double[] y) = Rows(100);
            var outputs = new double[100];
            NetworkEngine<double, Probe> engine = Engine();
            double[] one = [0.5];
            for (int warm = 0; warm < 3; warm++)
            {
                engine.ForwardBatch(x, outputs);
                engine.Forward(one, outputs.AsSpan(0, 1));
                engine.BackwardBatch(x, y);
                engine.TrainStep(x.AsSpan(0, 6), y.AsSpan(0, 6), 0.01);
                engine.TrainStep(x, y, 0.01);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                engine.ForwardBatch(x, outputs);
                engine.Forward(one, outputs.AsSpan(0, 1));
                engine.Backward(one, one);
                engine.BackwardBatch(x, y);
                engine.TrainStep(x.AsSpan(0, 6), y.AsSpan(0, 6), 0.01);
                engine.TrainStep(x, y, 0.01);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    [Fact]
    public void Inference_on_one_instance_from_many_threads_equals_the_sequential_outputs()
    {
        NetworkEngine<double, Probe> engine = Engine();
        (double[] x, _) = Rows(64);
        var expected = new double[64];
        engine.ForwardBatch(x, expected);
        ConcurrentCallers.Run(8, 2_000, (thread, call) =>
        {
            int start = (thread * 7 + call) % 32, count = 1 + (call % 32);
            var output = new double[count];
            if (call % 2 == 0)
            {
                engine.ForwardBatch(x.AsSpan(start, count), output);
            }
            else
            {
                count = 1;
                engine.Forward(x.AsSpan(start, 1), output.AsSpan(0, 1));
            }

            for (int i = 0; i < count; i++)
            {
                if (output[i] != expected[start + i])
                {
                    return $"thread {thread} call {call}: row {start + i} gave {output[i]}, sequentially {expected[start + i]}";
                }
            }

            return null;
        });
    }
}

/// <summary>Runs callers on threads of their own, started together, and fails with the first wrong answer any of them saw.</summary>
internal static class ConcurrentCallers
{
    public static void Run(int threads, int callsPerThread, Func<int, int, string?> call)
    {
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int c = 0; c < callsPerThread && errors.IsEmpty; c++)
                {
                    try
                    {
                        if (call(thread, c) is { } error)
                        {
                            errors.Enqueue(error);
                        }
                    }
                    catch (Exception e)
                    {
                        errors.Enqueue($"thread {thread} call {c}: {e}");
                    }
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.True(errors.IsEmpty, errors.TryPeek(out string? first) ? first : "");
    }
}
