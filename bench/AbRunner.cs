using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using NetGen.Benchmarks.Legacy;

namespace NetGen.Benchmarks;

/// <summary>
/// Issue 11's interleaved A/B: the frozen legacy generated code (bench/Legacy, the generator's output at d7dbb64)
/// against the current generated classes, in one process, one thread.
/// </summary>
/// <remarks>
/// <para>For each cell (topology × step × batch B) both networks are made with the same seed, checked for the same
/// outputs on the same input (before the warm-up and again after the timed rounds), warmed up together (alternating, until each has run for the warm-up time, so tiered JIT
/// has reached tier 1 for both), then timed in R rounds of a fixed number of calls sized to the round time; the order
/// alternates legacy-new, new-legacy, … so a drift of the host cancels. A step that changes the parameters (the fused
/// SGD step) gets its starting parameters back before every chunk of calls, outside the timed region.</para>
/// <para>The timing loops are generic over an empty struct naming the side, so the JIT compiles (and profiles) one
/// copy per side: each interface call site sees one class only, and neither side pays for a guarded devirtualization
/// tuned to the other.</para>
/// <para>Output: a markdown table on stdout (progress on stderr): per cell the median ns per sample of each side, new ÷
/// legacy of the medians, the per-round ratios' median and min–max (the spread), the ratio of the fastest rounds, the
/// largest |Δ| between the two sides' results, and the bytes allocated per call by each.</para>
/// </remarks>
public static class AbRunner
{
    private const float LearningRate = 1e-3f;

    /// <summary>The steps timed: the fused SGD step, the three-call training step's gradient part, inference.</summary>
    private static readonly string[] AllSteps = ["fused", "train", "infer"];

    /// <summary>Runs the A/B from the command line (<c>--ab [--topologies a,b,c,d] [--rounds N] …</c>); returns the exit code.</summary>
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
        Parallelism.Enabled = options.Threads == 2;   // one thread by default: batches above a split size run their halves one after the other
        try
        {
            var started = DateTime.UtcNow;
            var rows = new List<CellResult>();
            foreach (string topology in options.Topologies)
            {
                foreach (string step in options.Steps.Where(step => !(step == "fused" && topology[0] == 'g') && !(step == "train" && topology[0] == 'h')))   // GenericNetwork has no fused step, the hand kernels only that
                {
                    foreach (int batch in options.Batches)
                    {
                        Console.Error.Write($"{topology} {step} B{batch} … ");
                        CellResult result = options.Isolate ? RunCellInChild(topology, step, batch, options) : RunCell(topology, step, batch, options);
                        if (options.CellOutput)
                        {
                            Console.Out.WriteLine(Serialize(result));
                            continue;
                        }

                        Console.Error.WriteLine(
                            $"legacy {Ns(result.LegacyNs)} new {Ns(result.NewNs)} ns/sample, new/legacy {result.Ratio:F3}");
                        rows.Add(result);
                    }
                }
            }

            if (options.CellOutput)
            {
                return 0;
            }

            Console.Out.Write(Report(rows, options, started, DateTime.UtcNow - started));
            CellResult[] differ = rows.Where(r => r.MaxDifference != 0f).ToArray();
            if (differ.Length > 0)
            {
                Console.Error.WriteLine(
                    $"warning: legacy and new results differ in {differ.Length} of {rows.Count} cells (largest |Δ| {differ.Max(r => r.MaxDifference):G3}); see 'max abs diff'");
            }

            return 0;
        }
        finally
        {
            Parallelism.Enabled = parallel;
        }
    }

    /// <summary>The current generated network (B of the A/B).</summary>
    private static INetwork<float> CreateNew(string topology, int seed) => topology switch
    {
        "a" => new TopologyA(seed),
        "b" => new TopologyB(seed),
        "c" => new TopologyC(seed),
        "d" => new TopologyD(seed),
        ['g', var t] => new GenericNetwork<float>(CreateNew(t.ToString(), seed).Spec, seed),
        ['h', var t] => CreateNew(t.ToString(), seed),
        _ => throw new ArgumentException($"unknown topology '{topology}' (expected a, b, c or d, ga … gd, or ha, hb, hc)", nameof(topology)),
    };

    /// <summary>The frozen legacy generated network (A of the A/B); for ga … gd, GenericNetwork before issue 13.</summary>
    private static INetwork<float> CreateLegacy(string topology, int seed) => topology switch
    {
        "a" => new LegacyTopologyA(seed),
        "b" => new LegacyTopologyB(seed),
        "c" => new LegacyTopologyC(seed),
        "d" => new LegacyTopologyD(seed),
        ['g', var t] => new LegacyGenericNetwork<float>(CreateNew(t.ToString(), seed).Spec, seed),
        "ha" => new Hand.HandNetwork(new Hand.HandA(), CreateNew("a", seed)),
        "hb" => new Hand.HandNetwork(new Hand.HandB(), CreateNew("b", seed)),
        "hc" => new Hand.HandNetwork(new Hand.HandC(), CreateNew("c", seed)),
        _ => throw new ArgumentException($"unknown topology '{topology}' (expected a, b, c or d, ga … gd, or ha, hb, hc)", nameof(topology)),
    };

    private static CellResult RunCell(string topology, string step, int batch, Options options)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        INetwork<float> legacy = CreateLegacy(topology, seed: 1);
        INetwork<float> current = CreateNew(topology, seed: 1);
        (float[] x, float[] y) = Topologies.Data(legacy.Spec, batch, seed: 1);
        var output = new float[batch * legacy.OutputSize];

        // The same seed must give the same parameters; if it does not, the new network gets the legacy ones so the
        // outputs below still compare the math (the difference is reported).
        float initDifference = MaxAbsDifference(legacy.Parameters, current.Parameters);
        if (initDifference != 0f)
        {
            legacy.Parameters.CopyTo(current.Parameters);
        }

        float maxDifference = Math.Max(initDifference, CompareOutputs(legacy, current, step, x, y));
        float[] initial = legacy.Parameters.ToArray();
        var work = new Work(step, x, y, output, initial);

        // Warm-up, alternating, in chunks that grow to ~10 ms, until each side has run for the warm-up time.
        long warm = Stopwatch.Frequency * options.WarmupMs / 1000;
        long legacyTicks = 0, newTicks = 0;
        for (int calls = 1; legacyTicks < warm || newTicks < warm;)
        {
            long a = Measure<LegacySide>(legacy, work, calls).Ticks;
            long b = Measure<NewSide>(current, work, calls).Ticks;
            legacyTicks += a;
            newTicks += b;
            if (Math.Max(a, b) < Stopwatch.Frequency / 100)
            {
                calls *= 2;
            }
        }

        // Calls per round: the round time on the legacy side.
        int roundCalls = 1;
        for (long ticks = 0; ; roundCalls *= 2)
        {
            ticks = Measure<LegacySide>(legacy, work, roundCalls).Ticks;
            if (ticks >= Stopwatch.Frequency * options.RoundMs / 4000 || roundCalls >= 1 << 24)
            {
                roundCalls = (int)Math.Clamp((double)roundCalls * Stopwatch.Frequency * options.RoundMs / 1000 / Math.Max(ticks, 1), 1, 1 << 26);
                break;
            }
        }

        var legacyNs = new double[options.Rounds];
        var newNs = new double[options.Rounds];
        long legacyBytes = 0, newBytes = 0;
        double toNs = 1e9 / Stopwatch.Frequency / ((double)roundCalls * batch);
        for (int r = 0; r < options.Rounds; r++)
        {
            Timing a, b;
            if (r % 2 == 0)
            {
                a = Measure<LegacySide>(legacy, work, roundCalls);
                b = Measure<NewSide>(current, work, roundCalls);
            }
            else
            {
                b = Measure<NewSide>(current, work, roundCalls);
                a = Measure<LegacySide>(legacy, work, roundCalls);
            }

            legacyNs[r] = a.Ticks * toNs;
            newNs[r] = b.Ticks * toNs;
            legacyBytes += a.Bytes;
            newBytes += b.Bytes;
        }

        // Once more with the tier-1 code the rounds ran (the first comparison ran the freshly jitted code).
        maxDifference = Math.Max(maxDifference, CompareOutputs(legacy, current, step, x, y));
        double[] ratios = legacyNs.Zip(newNs, (l, n) => n / l).ToArray();
        double legacyMedian = Median(legacyNs), newMedian = Median(newNs);
        double totalCalls = (double)options.Rounds * roundCalls;
        return new CellResult(topology, step, batch, roundCalls, legacyMedian, newMedian, newMedian / legacyMedian,
            Median(ratios), ratios.Min(), ratios.Max(), newNs.Min() / legacyNs.Min(), maxDifference, initDifference, legacyBytes / totalCalls, newBytes / totalCalls);
    }

    /// <summary>
    /// One cell in a process of its own (<c>--isolate</c>): the JIT's profile of the shared code (the timing loop, the
    /// engine's entry points, the kernels) then comes from this cell's calls only, as in a program that calls one
    /// network with one batch size. In one process the cells that ran first tune tiered PGO for the ones after them.
    /// </summary>
    private static CellResult RunCellInChild(string topology, string step, int batch, Options options)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), Path.GetFileNameWithoutExtension(typeof(AbRunner).Assembly.Location), StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(AbRunner).Assembly.Location);   // run as 'dotnet bench.dll'
        }

        foreach (string arg in (string[])["--ab", "--cell-output", "1", "--topologies", topology, "--steps", step, "--batches", batch.ToString(CultureInfo.InvariantCulture),
                     "--rounds", options.Rounds.ToString(CultureInfo.InvariantCulture), "--round-ms", options.RoundMs.ToString(CultureInfo.InvariantCulture),
                     "--warmup-ms", options.WarmupMs.ToString(CultureInfo.InvariantCulture), "--threads", options.Threads.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("--isolate: could not start the child process");
        string text = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = text.Split('\n').FirstOrDefault(l => l.StartsWith("cell|", StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"--isolate: the child process for {topology} {step} B{batch} exited with {child.ExitCode} and printed no result:\n{text}");
        }

        return Deserialize(line.TrimEnd('\r'));
    }

    private static string Serialize(CellResult r) => string.Join('|', (string[])["cell", r.Topology, r.Step,
        .. new[] { r.Batch, r.RoundCalls }.Select(v => v.ToString(CultureInfo.InvariantCulture)),
        .. new[] { r.LegacyNs, r.NewNs, r.Ratio, r.MedianRatio, r.MinRatio, r.MaxRatio, r.BestRatio, r.MaxDifference, r.InitDifference, r.LegacyBytes, r.NewBytes }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]);

    private static CellResult Deserialize(string line)
    {
        string[] f = line.Split('|');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new CellResult(f[1], f[2], int.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture),
            D(5), D(6), D(7), D(8), D(9), D(10), D(11), (float)D(12), (float)D(13), D(14), D(15));
    }

    /// <summary>
    /// Largest |Δ| between the two sides' results of one call of the step from the same parameters (the legacy ones,
    /// which both sides get back afterwards).
    /// </summary>
    private static float CompareOutputs(INetwork<float> legacy, INetwork<float> current, string step, float[] x, float[] y)
    {
        float[] start = legacy.Parameters.ToArray();
        start.CopyTo(current.Parameters);
        float difference;
        switch (step)
        {
            case "infer":
                var a = new float[y.Length];
                var b = new float[y.Length];
                legacy.ForwardBatch(x, a);
                current.ForwardBatch(x, b);
                difference = MaxAbsDifference(a, b);
                break;
            case "train":
                legacy.ZeroGradients();
                current.ZeroGradients();
                float la = legacy.BackwardBatch(x, y), lb = current.BackwardBatch(x, y);
                difference = Math.Max(Math.Abs(la - lb), MaxAbsDifference(legacy.Gradients, current.Gradients));
                break;
            default:
                float fa = ((ISgdStep<float>)legacy).TrainStep(x, y, LearningRate);
                float fb = ((ISgdStep<float>)current).TrainStep(x, y, LearningRate);
                difference = Math.Max(Math.Abs(fa - fb), MaxAbsDifference(legacy.Parameters, current.Parameters));
                break;
        }

        start.CopyTo(legacy.Parameters);
        start.CopyTo(current.Parameters);
        return float.IsNaN(difference) ? float.PositiveInfinity : difference;
    }

    /// <summary>
    /// <paramref name="calls"/> calls of the step on <paramref name="network"/>, timed, with the bytes this thread
    /// allocated meanwhile. One compiled copy per <typeparamref name="TSide"/> (a struct), so one call site per side.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Timing Measure<TSide>(INetwork<float> network, Work work, int calls) where TSide : struct
    {
        ReadOnlySpan<float> x = work.X, y = work.Y;
        Span<float> output = work.Output;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        long start;
        switch (work.Step)
        {
            case "infer":
                start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    network.ForwardBatch(x, output);
                }

                break;
            case "train":
                start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    network.ZeroGradients();
                    network.BackwardBatch(x, y);
                }

                break;
            default:
                var sgd = (ISgdStep<float>)network;
                work.Initial.CopyTo(network.Parameters);
                bytes = GC.GetAllocatedBytesForCurrentThread();
                start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    sgd.TrainStep(x, y, LearningRate);
                }

                break;
        }

        long ticks = Stopwatch.GetTimestamp() - start;
        return new Timing(ticks, GC.GetAllocatedBytesForCurrentThread() - bytes);
    }

    private static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            return float.PositiveInfinity;
        }

        float max = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            float d = Math.Abs(a[i] - b[i]);
            if (!(d <= max))
            {
                max = float.IsNaN(d) ? (float.IsNaN(a[i]) && float.IsNaN(b[i]) ? max : float.PositiveInfinity) : d;
            }
        }

        return max;
    }

    /// <summary>The median (NaN for no values); the bench runners' one copy.</summary>
    internal static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static string Report(List<CellResult> rows, Options options, DateTime started, TimeSpan took)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {CpuModel()}, {Environment.ProcessorCount} cores; {RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.OSDescription}; Vector<float>.Count = {Vector<float>.Count}; Avx512F.IsSupported = {Avx512F.IsSupported}{JitSettings()}.");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Run: {started:yyyy-MM-dd HH:mm} UTC, {took.TotalSeconds:F0} s; {(options.Threads == 2 ? "two cores where a side splits its batch (Parallelism.Enabled = true; the hand kernels use one)" : "one thread (Parallelism.Enabled = false)")}; {(options.Isolate ? "each cell in a process of its own (--isolate); " : "")}{options.Rounds} rounds of ~{options.RoundMs} ms per side and cell, alternating (legacy first in even rounds), after ≥ {options.WarmupMs} ms of warm-up per side.");
        s.AppendLine();
        s.AppendLine("Steps: fused = ISgdStep.TrainStep (the fused SGD step); train = ZeroGradients + BackwardBatch; infer = ForwardBatch. ns/sample: median over the rounds; new ÷ legacy: of those medians; per round: the ratio of the two sides' times in the same round, median (min–max); best: fastest round ÷ fastest round; max abs diff: the largest |Δ| between the two sides' outputs (infer), loss and gradients (train), loss and updated parameters (fused) after one call on the same input.");
        s.AppendLine();
        s.AppendLine("| topology | step | B | legacy ns/sample | new ns/sample | new ÷ legacy | per round: median (min–max) | best | max abs diff | B/call legacy / new | calls/round |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (CellResult r in rows)
        {
            string diff = r.MaxDifference == 0f ? "0" : r.MaxDifference.ToString("G3", CultureInfo.InvariantCulture);
            if (r.InitDifference != 0f)
            {
                diff += " (initial parameters differ)";
            }

            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Topology} | {r.Step} | {r.Batch} | {Ns(r.LegacyNs)} | {Ns(r.NewNs)} | {r.Ratio:F2} | {r.MedianRatio:F2} ({r.MinRatio:F2}–{r.MaxRatio:F2}) | {r.BestRatio:F2} | {diff} | {Bytes(r.LegacyBytes)} / {Bytes(r.NewBytes)} | {r.RoundCalls:N0} |");
        }

        return s.ToString();
    }

    private static string Ns(double ns) =>
        ns >= 100 ? ns.ToString("N0", CultureInfo.InvariantCulture) : ns.ToString("G3", CultureInfo.InvariantCulture);

    private static string Bytes(double bytes) =>
        bytes == 0 ? "0" : bytes.ToString(bytes >= 10 ? "N0" : "G2", CultureInfo.InvariantCulture);

    internal static string CpuModel()
    {
        try
        {
            // "model name", "cpu family" and "model" of the first processor (a VM may name only the vendor).
            string[] lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToArray();
            string? Field(string name) => lines
                .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l[name.Length..].TrimStart().StartsWith(':'))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
            string model = Field("model name") ?? "unknown CPU";
            return Field("cpu family") is { } family && Field("model") is { } number ? $"{model} (family {family} model {number})" : model;
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown CPU";
        }
    }

    /// <summary>The DOTNET_ variables that change the JIT's code, when set (e.g. DOTNET_MaxVectorTBitWidth=512).</summary>
    internal static string JitSettings()
    {
        string[] names = ["DOTNET_MaxVectorTBitWidth", "DOTNET_TieredPGO", "DOTNET_TieredCompilation", "DOTNET_TC_QuickJitForLoops", "DOTNET_ReadyToRun"];
        string set = string.Join(", ", names
            .Select(n => (n, v: Environment.GetEnvironmentVariable(n)))
            .Where(p => !string.IsNullOrEmpty(p.v))
            .Select(p => $"{p.n}={p.v}"));
        return set.Length == 0 ? "" : "; " + set;
    }

    /// <summary>Empty type arguments that give <see cref="Measure{TSide}"/> one compiled copy per side.</summary>
    private readonly struct LegacySide;

    /// <inheritdoc cref="LegacySide"/>
    private readonly struct NewSide;

    private readonly record struct Timing(long Ticks, long Bytes);

    private sealed record Work(string Step, float[] X, float[] Y, float[] Output, float[] Initial);

    private sealed record CellResult(
        string Topology, string Step, int Batch, int RoundCalls, double LegacyNs, double NewNs, double Ratio,
        double MedianRatio, double MinRatio, double MaxRatio, double BestRatio, float MaxDifference, float InitDifference, double LegacyBytes, double NewBytes);

    private sealed record Options(string[] Topologies, string[] Steps, int[] Batches, int Rounds, int RoundMs, int WarmupMs, int Threads, bool Isolate, bool CellOutput)
    {
        public const string Usage =
            "usage: dotnet run -c Release --project bench -- --ab [--topologies a,b,c,d,ga,gb,gc,gd,ha,hb,hc] [--steps fused,train,infer] " +
            "[--batches 1,32,256] [--rounds 15] [--round-ms 20] [--warmup-ms 500] [--threads 1|2] [--isolate] (each cell in a process of its own)";

        public static Options Parse(string[] args)
        {
            string[] topologies = ["a", "b", "c", "d"];
            string[] steps = AllSteps;
            int[] batches = [1, 32, 256];
            int rounds = 15, roundMs = 20, warmupMs = 500, threads = 1;
            bool isolate = false, cellOutput = false;
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                if (name == "--ab")
                {
                    continue;
                }

                if (name == "--isolate")
                {
                    isolate = true;
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"--ab: {name} needs a value");
                }

                string value = args[++i];
                switch (name)
                {
                    case "--topologies":
                        topologies = List(name, value, v => v is "a" or "b" or "c" or "d" or "ga" or "gb" or "gc" or "gd" or "ha" or "hb" or "hc", "a, b, c or d (generated), ga … gd (GenericNetwork of the same topology: before and after issue 13; no fused step), ha, hb, hc (issue 12's hand kernels, in bench/Hand, as the A side against the generated network; fused and infer only)");
                        break;
                    case "--steps":
                        steps = List(name, value, v => AllSteps.Contains(v), string.Join(", ", AllSteps));
                        break;
                    case "--batches":
                        batches = List(name, value, v => int.TryParse(v, CultureInfo.InvariantCulture, out int b) && b > 0, "positive integers")
                            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
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
                    case "--cell-output":   // internal: the child process of --isolate prints its cells as lines, no table
                        cellOutput = value == "1";
                        break;
                    case "--threads":
                        threads = value is "1" or "2" ? int.Parse(value, CultureInfo.InvariantCulture) : throw new ArgumentException($"--ab: --threads is 1 or 2, not '{value}'");
                        break;
                    default:
                        throw new ArgumentException($"--ab: unknown option '{name}'");
                }
            }

            return new Options(topologies, steps, batches, rounds, roundMs, warmupMs, threads, isolate && !cellOutput, cellOutput);
        }

        private static string[] List(string name, string value, Func<string, bool> valid, string expected)
        {
            string[] items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string? bad = items.FirstOrDefault(v => !valid(v));
            if (items.Length == 0 || bad is not null)
            {
                throw new ArgumentException($"--ab: {name} '{value}': '{bad ?? value}' is not one of {expected}");
            }

            return items;
        }

        private static int Positive(string name, string value) =>
            int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n
                : throw new ArgumentException($"--ab: {name} '{value}' is not a positive integer");
    }
}
