using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Threading;
using NetGen.Benchmarks.Legacy;

namespace NetGen.Benchmarks;

/// <summary>
/// Issue 13's scaling check: inference on ONE shared instance from one thread and from two threads at once, against
/// two separate instances (one per thread) as the control that shows what the machine itself allows.
/// </summary>
/// <remarks>
/// <para>For each cell (topology × network × call) — generated (<c>TopologyB</c> … <c>TopologyD</c>) and
/// <see cref="GenericNetwork{T}"/> over the same spec and parameters; <c>Forward</c> (B = 1) and <c>ForwardBatch</c> at
/// B = 1 and B = 32 — with <see cref="Parallelism.Enabled"/> = false (so a batch never takes the second core by
/// itself), three configurations are timed: <b>1 thread</b> (one instance, one thread), <b>2 threads, shared</b> (one
/// instance, both threads) and <b>2 threads, separate</b> (the control: one instance per thread). Every thread has its
/// own input (a different one per thread, so a race that mixes the threads' rows shows) and its own output buffer.</para>
/// <para>Two dedicated worker threads run every configuration; a <see cref="Barrier"/> starts them together, and each
/// runs calls in chunks of ~0.25 ms until its ~50 ms round is over, reading the clock between chunks only. A
/// configuration's throughput (rows/s) is the sum over its threads of rows ÷ that thread's own time. R rounds (default
/// 9) run the three configurations in alternating order (1, shared, separate; then separate, shared, 1; …) after a
/// warm-up of every configuration (and a first warm-up-only pass over all cells), so a drift of the host cancels; the report gives the medians, the ratios of the
/// medians (2 threads ÷ 1 thread; ideal 2.0) and, in brackets, the min–max of the per-round ratios.</para>
/// <para>Correctness: each thread's output is compared bit for bit with a sequential reference (the same call on the same
/// instance, one thread, before the rounds) after the first call of every round and after every chunk; any mismatch is
/// counted, shown in the table and warned about on stderr. The bytes each thread allocates are counted as well (a
/// concurrent call that finds the instance's cached workspace in use makes a new one).</para>
/// </remarks>
public static class ScalingRunner
{
    private static readonly string[] AllTopologies = ["a", "b", "c", "d"];

    private static readonly string[] AllNetworks = ["generated", "generic", "legacy"];

    /// <summary>The calls timed: name, whether it is <c>Forward</c> (one row) or <c>ForwardBatch</c>, and the batch B.</summary>
    private static readonly (string Name, bool Single, int Batch)[] Calls =
        [("Forward", true, 1), ("ForwardBatch", false, 1), ("ForwardBatch", false, 32)];

    /// <summary>Runs the scaling check from the command line (<c>--scaling [--topologies b,c,d] [--rounds N] …</c>); returns the exit code.</summary>
    public static int Run(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        bool parallel = Parallelism.Enabled;
        Parallelism.Enabled = false;   // a batch never uses the second core by itself: only the callers' threads do
        using var crew = new Crew(2);
        try
        {
            var started = DateTime.UtcNow;

            // A first pass over every cell, warm-up only: every network's methods reach tier 1 before any cell is
            // timed (on a busy host the background JIT can lag a single cell's warm-up).
            Console.Error.Write("warm-up pass … ");
            foreach (string topology in options.Topologies)
            {
                foreach (string network in options.Networks)
                {
                    foreach ((string name, bool single, int batch) in Calls)
                    {
                        RunCell(crew, topology, network, name, single, batch, options, warmOnly: true);
                    }
                }
            }

            Console.Error.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F0} s");
            var rows = new List<CellResult>();
            foreach (string topology in options.Topologies)
            {
                foreach (string network in options.Networks)
                {
                    foreach ((string name, bool single, int batch) in Calls)
                    {
                        Console.Error.Write($"{topology} {network} {name} B{batch} … ");
                        CellResult r = RunCell(crew, topology, network, name, single, batch, options, warmOnly: false)!;
                        Console.Error.WriteLine(
                            $"1T {Rate(r.One)} 2T shared {Rate(r.Shared)} ({r.SharedRatio:F2}×) 2T separate {Rate(r.Separate)} ({r.SeparateRatio:F2}×) rows/s{(r.Mismatches > 0 ? $", {r.Mismatches} MISMATCHES" : "")}");
                        rows.Add(r);
                    }
                }
            }

            Console.Out.Write(Report(rows, options, started, DateTime.UtcNow - started));
            CellResult[] wrong = rows.Where(r => r.Mismatches > 0).ToArray();
            if (wrong.Length > 0)
            {
                Console.Error.WriteLine(
                    $"warning: concurrent outputs differ from the sequential reference in {wrong.Length} of {rows.Count} cells ({string.Join(", ", wrong.Select(r => $"{r.Topology} {r.Network} {r.Call} B{r.Batch}: {r.Mismatches} of {r.Checks} checks"))})");
            }

            return 0;
        }
        finally
        {
            Parallelism.Enabled = parallel;
        }
    }

    private static INetwork<float> CreateGenerated(string topology) => topology switch
    {
        "a" => new TopologyA(1),
        "b" => new TopologyB(1),
        "c" => new TopologyC(1),
        "d" => new TopologyD(1),
        _ => throw new ArgumentException($"unknown topology '{topology}' (expected a, b, c or d)", nameof(topology)),
    };

    /// <summary>
    /// The frozen pre-issue-13 generated code (bench/Legacy), which writes into one per-instance workspace: not safe to
    /// share, so <c>--networks legacy</c> shows that the mismatch check catches a race.
    /// </summary>
    private static INetwork<float> CreateLegacy(string topology) => topology switch
    {
        "a" => new LegacyTopologyA(1),
        "b" => new LegacyTopologyB(1),
        "c" => new LegacyTopologyC(1),
        "d" => new LegacyTopologyD(1),
        _ => throw new ArgumentException($"unknown topology '{topology}' (expected a, b, c or d)", nameof(topology)),
    };

    /// <summary>
    /// The network of one cell: generated (seed 1), generic over the generated type's <c>Spec</c> with its parameters,
    /// or the legacy generated code.
    /// </summary>
    private static INetwork<float> Create(string topology, string network)
    {
        if (network == "legacy")
        {
            return CreateLegacy(topology);
        }

        INetwork<float> generated = CreateGenerated(topology);
        if (network == "generated")
        {
            return generated;
        }

        var generic = new GenericNetwork<float>(generated.Spec);
        generated.Parameters.CopyTo(generic.Parameters);
        return generic;
    }

    /// <summary>Times one cell (or only warms it up, returning null, when <paramref name="warmOnly"/>).</summary>
    private static CellResult? RunCell(Crew crew, string topology, string network, string call, bool single, int batch, Options options, bool warmOnly)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        INetwork<float> shared = Create(topology, network);
        INetwork<float> second = Create(topology, network);   // the control's second instance, the same parameters

        // One input per thread (different seeds) and its sequential reference, computed on the shared instance.
        var inputs = new float[2][];
        var references = new float[2][];
        for (int t = 0; t < 2; t++)
        {
            (inputs[t], _) = Topologies.Data(shared.Spec, batch, seed: 1 + t);
            references[t] = new float[batch * shared.OutputSize];
            Invoke(shared, single, inputs[t], references[t]);
        }

        Lane MakeLane(INetwork<float> n, int t) => new(n, single, inputs[t], new float[references[t].Length], references[t]);
        Lane[] one = [MakeLane(shared, 0)];
        Lane[] both = [MakeLane(shared, 0), MakeLane(shared, 1)];
        Lane[] separate = [MakeLane(shared, 0), MakeLane(second, 1)];

        // Chunk size: ~0.25 ms of calls on one thread (the clock is read between chunks only).
        int chunk = 1;
        for (long ticks = 0; ; chunk *= 2)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < chunk; i++)
            {
                Invoke(shared, single, inputs[0], one[0].Output);
            }

            ticks = Stopwatch.GetTimestamp() - start;
            if (ticks >= Stopwatch.Frequency / 8000 || chunk >= 1 << 20)
            {
                chunk = (int)Math.Clamp((double)chunk * Stopwatch.Frequency / 4000 / Math.Max(ticks, 1), 1, 1 << 22);
                break;
            }
        }

        // Warm-up: every configuration (the contended paths get jitted and tiered up too).
        long warmTicks = Stopwatch.Frequency * options.WarmupMs / 1000 / 3;
        var tally = new Tally();
        foreach (Lane[] lanes in new[] { one, both, separate })
        {
            tally.Add(crew.Run(lanes, warmTicks, chunk), rows: batch);
        }

        if (warmOnly)
        {
            return null;
        }

        long roundTicks = Stopwatch.Frequency * options.RoundMs / 1000;
        var oneRates = new double[options.Rounds];
        var sharedRates = new double[options.Rounds];
        var separateRates = new double[options.Rounds];
        var oneTally = new Tally();
        var sharedTally = new Tally();
        var separateTally = new Tally();
        for (int r = 0; r < options.Rounds; r++)
        {
            if (r % 2 == 0)
            {
                oneRates[r] = oneTally.Add(crew.Run(one, roundTicks, chunk), batch);
                sharedRates[r] = sharedTally.Add(crew.Run(both, roundTicks, chunk), batch);
                separateRates[r] = separateTally.Add(crew.Run(separate, roundTicks, chunk), batch);
            }
            else
            {
                separateRates[r] = separateTally.Add(crew.Run(separate, roundTicks, chunk), batch);
                sharedRates[r] = sharedTally.Add(crew.Run(both, roundTicks, chunk), batch);
                oneRates[r] = oneTally.Add(crew.Run(one, roundTicks, chunk), batch);
            }
        }

        double oneMedian = AbRunner.Median(oneRates), sharedMedian = AbRunner.Median(sharedRates), separateMedian = AbRunner.Median(separateRates);
        double[] sharedRatios = sharedRates.Zip(oneRates, (s, o) => s / o).ToArray();
        double[] separateRatios = separateRates.Zip(oneRates, (s, o) => s / o).ToArray();
        long mismatches = tally.Mismatches + oneTally.Mismatches + sharedTally.Mismatches + separateTally.Mismatches;
        long checks = tally.Checks + oneTally.Checks + sharedTally.Checks + separateTally.Checks;
        return new CellResult(topology, network, call, batch, chunk, oneMedian, sharedMedian, separateMedian,
            sharedMedian / oneMedian, sharedRatios.Min(), sharedRatios.Max(),
            separateMedian / oneMedian, separateRatios.Min(), separateRatios.Max(),
            oneTally.BytesPerCall, sharedTally.BytesPerCall, separateTally.BytesPerCall, mismatches, checks);
    }

    private static void Invoke(INetwork<float> network, bool single, ReadOnlySpan<float> input, Span<float> output)
    {
        if (single)
        {
            network.Forward(input, output);
        }
        else
        {
            network.ForwardBatch(input, output);
        }
    }

    /// <summary>
    /// One thread's round: one checked call, then chunks of <paramref name="chunk"/> calls until
    /// <paramref name="roundTicks"/> have passed, the output checked after every chunk.
    /// </summary>
    private static ThreadResult RunLane(Lane lane, long roundTicks, int chunk)
    {
        INetwork<float> network = lane.Network;
        ReadOnlySpan<float> x = lane.Input;
        Span<float> output = lane.Output;
        ReadOnlySpan<float> reference = lane.Reference;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        int mismatches = 0, checks = 1;
        output.Clear();
        Invoke(network, lane.Single, x, output);
        if (!Same(output, reference))
        {
            mismatches++;
        }

        long calls = 0, start = Stopwatch.GetTimestamp(), now;
        do
        {
            if (lane.Single)
            {
                for (int i = 0; i < chunk; i++)
                {
                    network.Forward(x, output);
                }
            }
            else
            {
                for (int i = 0; i < chunk; i++)
                {
                    network.ForwardBatch(x, output);
                }
            }

            calls += chunk;
            checks++;
            if (!Same(output, reference))
            {
                mismatches++;
            }

            now = Stopwatch.GetTimestamp();
        }
        while (now - start < roundTicks);

        return new ThreadResult(calls, now - start, GC.GetAllocatedBytesForCurrentThread() - bytes, calls + 1, mismatches, checks);
    }

    /// <summary>Bit for bit.</summary>
    private static bool Same(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));


    private static string Report(List<CellResult> rows, Options options, DateTime started, TimeSpan took)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Command line: `{Environment.CommandLine}`");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {AbRunner.CpuModel()}, {Environment.ProcessorCount} cores; {RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.OSDescription}; Vector<float>.Count = {Vector<float>.Count}; Avx512F.IsSupported = {Avx512F.IsSupported}; Server GC = {System.Runtime.GCSettings.IsServerGC}{AbRunner.JitSettings()}.");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Run: {started:yyyy-MM-dd HH:mm} UTC, {took.TotalSeconds:F0} s; Parallelism.Enabled = false; {options.Rounds} rounds of ~{options.RoundMs} ms per configuration and cell, the three configurations in alternating order, after a warm-up-only pass over all cells and ~{options.WarmupMs} ms of warm-up per cell.");
        s.AppendLine();
        s.AppendLine("rows/s: median over the rounds of the configuration's throughput (Σ over its threads of rows ÷ the thread's time). 1 thread: one instance, one thread; shared: ONE instance called from 2 threads at once; separate (the control): two instances, one per thread. ×: that median ÷ the 1-thread median (ideal 2.00), and in brackets the min–max of the per-round ratios. B/call: bytes allocated per call (1 thread / shared / separate). mismatches: outputs that differ from the sequential reference (bit for bit), of the checks made.");
        s.AppendLine();
        s.AppendLine("| topology | network | call | B | 1 thread rows/s | 2 threads, shared rows/s | shared × | 2 threads, separate rows/s | separate × | B/call | mismatches |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (CellResult r in rows)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Topology} | {r.Network} | {r.Call} | {r.Batch} | {Rate(r.One)} | {Rate(r.Shared)} | {r.SharedRatio:F2} ({r.SharedMin:F2}–{r.SharedMax:F2}) | {Rate(r.Separate)} | {r.SeparateRatio:F2} ({r.SeparateMin:F2}–{r.SeparateMax:F2}) | {Bytes(r.OneBytes)} / {Bytes(r.SharedBytes)} / {Bytes(r.SeparateBytes)} | {r.Mismatches} of {r.Checks:N0} |");
        }

        return s.ToString();
    }

    private static string Rate(double rowsPerSecond) => rowsPerSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(double bytes) =>
        bytes == 0 ? "0" : bytes.ToString(bytes >= 10 ? "N0" : "G2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Dedicated worker threads that run one configuration at a time: a <see cref="Barrier"/> (the workers and the
    /// caller) starts them together; the workers beyond the configuration's lanes go straight to the end barrier.
    /// </summary>
    private sealed class Crew : IDisposable
    {
        private readonly Thread[] _threads;
        private readonly Barrier _start, _end;
        private readonly ThreadResult[] _results;
        private Lane[] _lanes = [];
        private long _roundTicks;
        private int _chunk;
        private bool _stop;

        public Crew(int count)
        {
            _start = new Barrier(count + 1);
            _end = new Barrier(count + 1);
            _results = new ThreadResult[count];
            _threads = new Thread[count];
            for (int i = 0; i < count; i++)
            {
                int index = i;
                _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"scaling worker {i}" };
                _threads[i].Start();
            }
        }

        /// <summary>Runs <paramref name="lanes"/> (one per thread) at once for about <paramref name="roundTicks"/> each.</summary>
        public ThreadResult[] Run(Lane[] lanes, long roundTicks, int chunk)
        {
            if (lanes.Length > _threads.Length)
            {
                throw new ArgumentException($"{lanes.Length} lanes for {_threads.Length} threads", nameof(lanes));
            }

            _lanes = lanes;
            _roundTicks = roundTicks;
            _chunk = chunk;
            _start.SignalAndWait();   // the barrier's phase change publishes the fields above to the workers
            _end.SignalAndWait();
            return _results[..lanes.Length];
        }

        public void Dispose()
        {
            _stop = true;
            _start.SignalAndWait();
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }

            _start.Dispose();
            _end.Dispose();
        }

        private void Work(int index)
        {
            while (true)
            {
                _start.SignalAndWait();
                if (_stop)
                {
                    return;
                }

                if (index < _lanes.Length)
                {
                    _results[index] = RunLane(_lanes[index], _roundTicks, _chunk);
                }

                _end.SignalAndWait();
            }
        }
    }

    /// <summary>Sums the rounds of one configuration (calls, bytes, checks).</summary>
    private sealed class Tally
    {
        private long _bytes, _calls;

        public long Mismatches { get; private set; }

        public long Checks { get; private set; }

        public double BytesPerCall => _calls == 0 ? 0 : (double)_bytes / _calls;

        /// <summary>Adds one round; returns its throughput, Σ over threads of rows ÷ the thread's time, in rows/s.</summary>
        public double Add(ThreadResult[] results, int rows)
        {
            double rate = 0;
            foreach (ThreadResult t in results)
            {
                rate += (double)t.Calls * rows * Stopwatch.Frequency / Math.Max(t.Ticks, 1);
                _bytes += t.Bytes;
                _calls += t.AllCalls;
                Mismatches += t.Mismatches;
                Checks += t.Checks;
            }

            return rate;
        }
    }

    private sealed record Lane(INetwork<float> Network, bool Single, float[] Input, float[] Output, float[] Reference);

    /// <summary>One thread's round: timed calls and their ticks; bytes allocated over all its calls (AllCalls, the checked first one included).</summary>
    private readonly record struct ThreadResult(long Calls, long Ticks, long Bytes, long AllCalls, int Mismatches, int Checks);

    private sealed record CellResult(
        string Topology, string Network, string Call, int Batch, int Chunk, double One, double Shared, double Separate,
        double SharedRatio, double SharedMin, double SharedMax, double SeparateRatio, double SeparateMin, double SeparateMax,
        double OneBytes, double SharedBytes, double SeparateBytes, long Mismatches, long Checks);

    private sealed record Options(string[] Topologies, string[] Networks, int Rounds, int RoundMs, int WarmupMs)
    {
        public const string Usage =
            "usage: dotnet run -c Release --project bench -- --scaling [--topologies b,c,d] [--networks generated,generic] [--rounds 9] [--round-ms 50] [--warmup-ms 600]";

        public static Options Parse(string[] args)
        {
            string[] topologies = ["b", "c", "d"];
            string[] networks = ["generated", "generic"];
            int rounds = 9, roundMs = 50, warmupMs = 600;
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                if (name == "--scaling")
                {
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"--scaling: {name} needs a value");
                }

                string value = args[++i];
                switch (name)
                {
                    case "--topologies":
                        topologies = List(name, value, AllTopologies);
                        break;
                    case "--networks":
                        networks = List(name, value, AllNetworks);
                        break;
                    case "--rounds":
                        rounds = Positive(name, value);
                        break;
                    case "--round-ms":
                        roundMs = Positive(name, value);
                        break;
                    case "--warmup-ms":
                        warmupMs = Positive(name, value);
                        break;
                    default:
                        throw new ArgumentException($"--scaling: unknown option '{name}'");
                }
            }

            return new Options(topologies, networks, rounds, roundMs, warmupMs);
        }

        private static string[] List(string name, string value, string[] allowed)
        {
            string[] items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string? bad = items.FirstOrDefault(v => !allowed.Contains(v));
            if (items.Length == 0 || bad is not null)
            {
                throw new ArgumentException($"--scaling: {name} '{value}': '{bad ?? value}' is not one of {string.Join(", ", allowed)}");
            }

            return items;
        }

        private static int Positive(string name, string value) =>
            int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n
                : throw new ArgumentException($"--scaling: {name} '{value}' is not a positive integer");
    }
}
