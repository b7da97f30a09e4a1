using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;

namespace NetGen.Benchmarks;

/// <summary>
/// The cost of handing the second half of a split to the other core (<c>--handoff [--rounds 3000]</c>): a
/// <see cref="PairRunner{T}"/> call whose two halves each spin for 20 µs, after an idle gap of 0, 50, 200 and 1,000 µs on
/// the caller (the time a training step spends outside the split), against the same call over the thread pool with a
/// ManualResetEventSlim — the design PairRunner had before it ran on SecondCore — interleaved call by call. The
/// ideal is 20 µs: both halves at once, no hand-off.
/// </summary>
public static class HandoffRunner
{
    private const int HalfMicroseconds = 20;

    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--rounds");
        int rounds = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 3000;
        bool parallel = Parallelism.Enabled;
        Parallelism.Enabled = true;
        try
        {
            var work = new SpinWork();
            var current = new PairRunner<float>(work);
            var pool = new PoolPair(work);
            float[] buffer = new float[16];
            var output = new StringBuilder();
            output.AppendLine(CultureInfo.InvariantCulture, $"# bench --handoff, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, load {FitRunner.LoadAverage()}");
            output.AppendLine();
            output.AppendLine(CultureInfo.InvariantCulture, $"Two halves of {HalfMicroseconds} µs each; µs per call, {rounds} calls per side and gap, interleaved.");
            output.AppendLine();
            output.AppendLine("| idle gap before the call | SecondCore (PairRunner) median | p10–p90 | thread pool + event median | p10–p90 |");
            output.AppendLine("|---|---|---|---|---|");
            foreach (int gap in new[] { 0, 50, 200, 1000 })
            {
                var a = new List<double>(rounds);
                var b = new List<double>(rounds);
                for (int i = 0; i < 2 * rounds + 200; i++)
                {
                    bool second = (i & 1) == 1;
                    SpinWork.Spin(gap);
                    long start = Stopwatch.GetTimestamp();
                    if (second)
                    {
                        pool.Run();
                    }
                    else
                    {
                        current.Run(buffer, buffer, buffer, parallel: true);
                    }

                    double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    if (i >= 200)
                    {
                        (second ? b : a).Add(us);
                    }
                }

                a.Sort();
                b.Sort();
                output.AppendLine(CultureInfo.InvariantCulture,
                    $"| {gap} µs | {a[a.Count / 2]:F1} | {a[a.Count / 10]:F1}–{a[a.Count * 9 / 10]:F1} | {b[b.Count / 2]:F1} | {b[b.Count / 10]:F1}–{b[b.Count * 9 / 10]:F1} |");
            }

            Console.Out.Write(output.ToString());
            return 0;
        }
        finally
        {
            Parallelism.Enabled = parallel;
        }
    }

    private sealed class SpinWork : IPairedWork<float>
    {
        public float RunPart(int part, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Span<float> outputs)
        {
            Spin(HalfMicroseconds);
            return part;
        }

        public static void Spin(int microseconds)
        {
            long end = Stopwatch.GetTimestamp() + microseconds * Stopwatch.Frequency / 1_000_000;
            while (Stopwatch.GetTimestamp() < end)
            {
            }
        }
    }

    /// <summary>The previous hand-off: the second half queued to the thread pool, the caller waiting on an event.</summary>
    private sealed class PoolPair(IPairedWork<float> work) : IThreadPoolWorkItem
    {
        private readonly ManualResetEventSlim _done = new(false);

        public void Run()
        {
            _done.Reset();
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            work.RunPart(0, default, default, default);
            _done.Wait();
        }

        void IThreadPoolWorkItem.Execute()
        {
            work.RunPart(1, default, default, default);
            _done.Set();
        }
    }
}
