namespace NetGen.Runtime.Tests.Engine;

/// <summary>
/// A web service keeps one model and calls it from many requests: Forward and ForwardBatch on one generated instance,
/// from many threads at once, give bit for bit the outputs of the same calls made one after the other — on the lane
/// kernels (QuadraticFit), the unrolled/blocked kernels (DigitsNet) and batches large enough to take the second core.
/// </summary>
public sealed class SharedInstanceTests
{
    private static float[] Inputs(int rows, int width, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * width];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() * 4 - 2);
        }

        return x;
    }

    /// <summary>
    /// Runs a fixed list of calls (single rows and batches of random sizes at random offsets) one after the other, then the
    /// same list from 8 threads at once, and compares every output bit for bit. (A lane network's row may differ in its
    /// last bit between a batch, run SIMD across samples with fused multiply-adds, and a single-row call; so each call is
    /// compared with the same call made sequentially.)
    /// </summary>
    private static void Check(INetwork<float> net, int rows, int maxBatch, int calls)
    {
        const int threads = 8;
        int n = net.InputSize, m = net.OutputSize;
        float[] x = Inputs(rows, n, seed: 5);
        var plan = new (int Start, int Count, bool Single)[threads, calls];
        var expected = new float[threads, calls][];
        for (int t = 0; t < threads; t++)
        {
            for (int c = 0; c < calls; c++)
            {
                var random = new Random(t * 100_003 + c);
                int count = c % 3 == 0 ? 1 : 1 + random.Next(maxBatch);
                int start = random.Next(rows - count + 1);
                plan[t, c] = (start, count, count == 1 && c % 2 == 0);
                expected[t, c] = Call(net, x, plan[t, c]);
            }
        }

        ConcurrentCallers.Run(threads, calls, (thread, call) =>
        {
            float[] output = Call(net, x, plan[thread, call]);
            float[] want = expected[thread, call];
            for (int i = 0; i < output.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(output[i]) != BitConverter.SingleToInt32Bits(want[i]))
                {
                    return $"thread {thread} call {call} ({plan[thread, call]}): value {i} is {output[i]}, sequentially {want[i]}";
                }
            }

            return null;
        });
    }

    private static float[] Call(INetwork<float> net, float[] x, (int Start, int Count, bool Single) call)
    {
        int n = net.InputSize;
        var output = new float[call.Count * net.OutputSize];
        if (call.Single)
        {
            net.Forward(x.AsSpan(call.Start * n, n), output);
        }
        else
        {
            net.ForwardBatch(x.AsSpan(call.Start * n, call.Count * n), output);
        }

        return output;
    }

    [Fact]
    public void Lane_kernels() => Check(new QuadraticFit(3), rows: 300, maxBatch: 64, calls: 3_000);

    [Fact]
    public void Blocked_kernels() => Check(new DigitsNet(3), rows: 300, maxBatch: 40, calls: 600);

    [Fact]
    public void Batches_split_across_two_cores()
    {
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = true;
            Check(new DigitsNet(4), rows: 2_000, maxBatch: 1_600, calls: 40);   // DigitsNet splits inference batches from ~520 rows
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    /// <summary>Two threads on one instance allocate nothing once warm: the engine keeps a workspace per concurrent caller.</summary>
    [Fact]
    public void Two_concurrent_callers_allocate_nothing_once_warm()
    {
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = false;
            var net = new DigitsNet(2);
            float[] x = Inputs(32, 64, seed: 2);
            long[] allocated = new long[2];
            using var start = new Barrier(2);
            var threads = new Thread[2];
            for (int t = 0; t < 2; t++)
            {
                int thread = t;
                threads[t] = new Thread(() =>
                {
                    var batch = new float[32 * 10];
                    var one = new float[10];
                    void Calls(int n)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            net.ForwardBatch(x, batch);
                            net.Forward(x.AsSpan(thread * 64, 64), one);
                        }
                    }

                    start.SignalAndWait();
                    Calls(300);   // warm: the pool holds a workspace per caller
                    start.SignalAndWait();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    Calls(2_000);
                    allocated[thread] = GC.GetAllocatedBytesForCurrentThread() - before;
                });
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.Equal(new long[2], allocated);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    [Fact]
    public void Single_threaded_inference_and_training_allocate_nothing_once_warm()
    {
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = false;
            var net = new DigitsNet(1);
            float[] x = Inputs(64, 64, seed: 1);
            var y = new float[64 * 10];
            for (int r = 0; r < 64; r++)
            {
                y[r * 10 + r % 10] = 1;
            }

            var output = new float[64 * 10];
            void Round()
            {
                net.Forward(x.AsSpan(0, 64), output.AsSpan(0, 10));
                net.ForwardBatch(x, output);
                net.ZeroGradients();
                net.BackwardBatch(x, y);
                net.Backward(x.AsSpan(0, 64), y.AsSpan(0, 10));
                net.TrainStep(x, y, 0.01f);
                net.TrainStep(x.AsSpan(0, 3 * 64), y.AsSpan(0, 30), 0.01f);
            }

            Round();
            Round();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
            {
                Round();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }
}
