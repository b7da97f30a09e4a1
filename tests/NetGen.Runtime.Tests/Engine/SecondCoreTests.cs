using System.Threading;

namespace NetGen.Runtime.Tests.Engine;

/// <summary>
/// The second core's worker (SecondCore, under PairRunner): each half runs exactly once, an exception in the second half
/// reaches the caller and leaves the worker usable, and callers on several threads at once each get their own results
/// (a caller that finds the worker busy runs both halves itself).
/// </summary>
public sealed class SecondCoreTests
{
    private sealed class Recorder : IPairedWork<float>
    {
        private int _first, _second;

        public bool ThrowInSecond { get; set; }

        public int First => _first;

        public int Second => _second;

        public float RunPart(int part, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> outputs)
        {
            if (part == 1 && ThrowInSecond)
            {
                throw new InvalidOperationException("second half failed");
            }

            Interlocked.Increment(ref part == 0 ? ref _first : ref _second);
            float sum = 0;
            int half = inputs.Length / 2, from = part == 0 ? 0 : half, to = part == 0 ? half : inputs.Length;
            for (int i = from; i < to; i++)
            {
                outputs[i] = 2 * inputs[i];
                sum += inputs[i];
            }

            return sum;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_half_runs_once_and_writes_its_own_part(bool parallel)
    {
        var work = new Recorder();
        var runner = new PairRunner<float>(work);
        float[] x = Enumerable.Range(1, 101).Select(i => (float)i).ToArray();
        var o = new float[x.Length];
        for (int call = 0; call < 50; call++)
        {
            Array.Clear(o);
            (float first, float second) = runner.Run(x, default, o, parallel);
            Assert.Equal(x.Take(50).Sum(), first);
            Assert.Equal(x.Skip(50).Sum(), second);
            Assert.Equal(x.Select(v => 2 * v), o);
        }

        Assert.Equal(50, work.First);
        Assert.Equal(50, work.Second);
    }

    [Fact]
    public void An_exception_in_the_second_half_reaches_the_caller_and_the_worker_stays_usable()
    {
        var work = new Recorder { ThrowInSecond = true };
        var runner = new PairRunner<float>(work);
        float[] x = new float[16], o = new float[16];
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = true;
            var error = Assert.Throws<InvalidOperationException>(() => runner.Run(x, default, o, parallel: true));
            Assert.Equal("second half failed", error.Message);
            work.ThrowInSecond = false;
            runner.Run(x, default, o, parallel: true);
            Assert.Equal(2, work.First);
            Assert.Equal(1, work.Second);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }

    [Fact]
    public void Callers_on_four_threads_at_once_each_get_their_own_results()
    {
        bool saved = Parallelism.Enabled;
        try
        {
            Parallelism.Enabled = true;
            var failures = 0;
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                var work = new Recorder();
                var runner = new PairRunner<float>(work);
                float[] x = Enumerable.Range(0, 64).Select(i => (float)(i + 100 * t)).ToArray();
                var o = new float[x.Length];
                for (int call = 0; call < 2000; call++)
                {
                    (float first, float second) = runner.Run(x, default, o, parallel: true);
                    if (first != x.Take(32).Sum() || second != x.Skip(32).Sum() || !o.SequenceEqual(x.Select(v => 2 * v)))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(0, failures);
        }
        finally
        {
            Parallelism.Enabled = saved;
        }
    }
}
