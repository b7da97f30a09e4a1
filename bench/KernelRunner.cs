using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using NetGen.Benchmarks.Legacy;

namespace NetGen.Benchmarks;

/// <summary>
/// Issue 12's kernel A/B: each wide-layer kernel of the Fashion-MNIST network (784-256-128-10, float) at batches B, the
/// frozen kernels of 89fe483 (bench/Legacy/LegacyDense.cs) against the current NetGen.Dense, in one process, and the
/// whole ZeroGradients + BackwardBatch of the network over each set of kernels (the same engine).
/// </summary>
/// <remarks>
/// <para>For each cell (kernel × B) both sides get the same inputs, are checked for the same results (largest |Δ|
/// relative to the largest |value|), warmed up alternating, then timed in R rounds of a fixed number of calls sized to
/// the round time, the order alternating legacy-new, new-legacy, … so a drift of the host cancels. GFLOP/s: the
/// kernel's multiply-adds × 2 ÷ the median time per call.</para>
/// <para>The kernels run on the calling thread (a kernel that splits itself over two cores does so only when
/// <see cref="Parallelism.Enabled"/>); the step cells run the engine, which splits B ≥ 32 over two cores by rows, once
/// with Parallelism.Enabled on and once off.</para>
/// </remarks>
public static class KernelRunner
{
    /// <summary>Runs the A/B (<c>--kernels [--batches 16,32,64,256] [--rounds 21] [--round-ms 10] [--only name,…]</c>); returns the exit code.</summary>
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
        try
        {
            DateTime started = DateTime.UtcNow;
            string load = Load();
            var results = new List<Result>();
            foreach (int batch in options.Batches)
            {
                foreach (KernelCase cell in Cases(batch).Where(c => options.Only.Length == 0 || options.Only.Contains(c.Key)))
                {
                    Parallelism.Enabled = cell.TwoCores && parallel;
                    Console.Error.Write($"{cell.Name} B{batch} … ");
                    Result r = Measure(cell, options);
                    Console.Error.WriteLine($"legacy {r.LegacyGflops:F1} new {r.NewGflops:F1} GFLOP/s (best {r.LegacyBest:F1} / {r.NewBest:F1}), new/legacy {r.Speedup:F2}");
                    results.Add(r);
                }
            }

            Console.Out.Write(Report(results, options, started, DateTime.UtcNow - started, load, Load()));
            return results.Any(r => !(r.Difference <= 1e-5)) ? 1 : 0;
        }
        finally
        {
            Parallelism.Enabled = parallel;
        }
    }

    private static IEnumerable<KernelCase> Cases(int batch)
    {
        var data = new FashionData(batch);
        yield return new PeakCase(batch);
        yield return new GradientCase<L1>("dW1", "∂C/∂W1 += a0ᵀ δ1 (784 × 256)", data, data.A0, data.Delta1);
        yield return new GradientCase<L2>("dW2", "∂C/∂W2 += a1ᵀ δ2 (256 × 128)", data, data.A1, data.Delta2);
        yield return new GradientCase<L3>("dW3", "∂C/∂W3 += a2ᵀ δ3 (128 × 10)", data, data.A2, data.Delta3);
        yield return new BackpropagateCase<L2>("d1", "δ1 = δ2 (W2)ᵀ (128 → 256)", data, Fashion.WT2, data.Delta2, data.Delta1);
        yield return new BackpropagateCase<L3>("d2", "δ2 = δ3 (W3)ᵀ (10 → 128)", data, Fashion.WT3, data.Delta3, data.Delta2);
        yield return new ForwardCase<L1>("f1", "z1 = a0 W1 + b1, ReLU (784 → 256)", data, data.A0, data.Z1);
        yield return new ForwardCase<L2>("f2", "z2 = a1 W2 + b2, ReLU (256 → 128)", data, data.A1, data.Z2);
        yield return new StepCase("step2", "ZeroGradients + BackwardBatch, 2 cores", batch, twoCores: true);
        yield return new StepCase("step1", "ZeroGradients + BackwardBatch, 1 core", batch, twoCores: false);
    }

    private static Result Measure(KernelCase cell, Options options)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        double difference = cell.Compare();

        long warm = Stopwatch.Frequency * options.WarmupMs / 1000;
        long legacyTicks = 0, newTicks = 0;
        for (int calls = 1; legacyTicks < warm || newTicks < warm;)
        {
            long a = Time(cell, legacy: true, calls).Ticks;
            long b = Time(cell, legacy: false, calls).Ticks;
            legacyTicks += a;
            newTicks += b;
            if (Math.Max(a, b) < Stopwatch.Frequency / 100)
            {
                calls *= 2;
            }
        }

        int roundCalls = 1;
        for (long ticks; ; roundCalls *= 2)
        {
            ticks = Time(cell, legacy: true, roundCalls).Ticks;
            if (ticks >= Stopwatch.Frequency * options.RoundMs / 4000 || roundCalls >= 1 << 24)
            {
                roundCalls = (int)Math.Clamp((double)roundCalls * Stopwatch.Frequency * options.RoundMs / 1000 / Math.Max(ticks, 1), 1, 1 << 26);
                break;
            }
        }

        var legacyNs = new double[options.Rounds];
        var newNs = new double[options.Rounds];
        long legacyBytes = 0, newBytes = 0;
        double toNs = 1e9 / Stopwatch.Frequency / roundCalls;
        for (int r = 0; r < options.Rounds; r++)
        {
            Timing a, b;
            if (r % 2 == 0)
            {
                a = Time(cell, legacy: true, roundCalls);
                b = Time(cell, legacy: false, roundCalls);
            }
            else
            {
                b = Time(cell, legacy: false, roundCalls);
                a = Time(cell, legacy: true, roundCalls);
            }

            legacyNs[r] = a.Ticks * toNs;
            newNs[r] = b.Ticks * toNs;
            legacyBytes += a.Bytes;
            newBytes += b.Bytes;
        }

        difference = Math.Max(difference, cell.Compare());
        double[] ratios = legacyNs.Zip(newNs, (l, n) => l / n).ToArray();
        double legacyMedian = AbRunner.Median(legacyNs), newMedian = AbRunner.Median(newNs), totalCalls = (double)options.Rounds * roundCalls;
        return new Result(cell, legacyMedian, newMedian, cell.Flops / legacyMedian, cell.Flops / newMedian, legacyMedian / newMedian,
            AbRunner.Median(ratios), ratios.Min(), ratios.Max(), cell.Flops / legacyNs.Min(), cell.Flops / newNs.Min(), difference, legacyBytes / totalCalls, newBytes / totalCalls, roundCalls);
    }

    private static Timing Time(KernelCase cell, bool legacy, int calls)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        if (legacy)
        {
            for (int i = 0; i < calls; i++)
            {
                cell.RunLegacy();
            }
        }
        else
        {
            for (int i = 0; i < calls; i++)
            {
                cell.RunCurrent();
            }
        }

        long ticks = Stopwatch.GetTimestamp() - start;
        return new Timing(ticks, GC.GetAllocatedBytesForCurrentThread() - bytes);
    }

    private static string Report(List<Result> results, Options options, DateTime started, TimeSpan took, string loadBefore, string loadAfter)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {AbRunner.CpuModel()}, {Environment.ProcessorCount} cores; {RuntimeInformation.FrameworkDescription}; Vector<float>.Count = {Vector<float>.Count}; Avx512F.IsSupported = {Avx512F.IsSupported}{AbRunner.JitSettings()}.");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Run: {started:yyyy-MM-dd HH:mm} UTC, {took.TotalSeconds:F0} s; load average before {loadBefore}, after {loadAfter}; {options.Rounds} rounds of ~{options.RoundMs} ms per side and cell, alternating, after ≥ {options.WarmupMs} ms of warm-up per side.");
        s.AppendLine();
        s.AppendLine("Fashion-MNIST network 784-256-128-10, float. legacy = the kernels of 89fe483 (bench/Legacy/LegacyDense.cs), new = NetGen.Dense. GFLOP/s = 2 × multiply-adds ÷ median time per call (a step: forward 0.470 + backward 0.538 MFLOP per row); new ÷ legacy: speed ratio of the medians, per round: median (min–max) of the rounds' speed ratios; best: GFLOP/s of each side's fastest round (legacy / new); max rel diff: largest |Δ| between the sides' results ÷ largest |value|.");
        s.AppendLine();
        s.AppendLine("| kernel | B | legacy µs | new µs | legacy GFLOP/s | new GFLOP/s | new ÷ legacy | per round | best GFLOP/s | max rel diff | B/call legacy / new |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (Result r in results)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Case.Name} | {r.Case.Batch} | {r.LegacyNs / 1000:F2} | {r.NewNs / 1000:F2} | {r.LegacyGflops:F1} | {r.NewGflops:F1} | {r.Speedup:F2} | {r.MedianRatio:F2} ({r.MinRatio:F2}–{r.MaxRatio:F2}) | {r.LegacyBest:F1} / {r.NewBest:F1} | {r.Difference:G2} | {r.LegacyBytes:G3} / {r.NewBytes:G3} |");
        }

        return s.ToString();
    }

    private static string Load()
    {
        try
        {
            return string.Join(" ", System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (System.IO.IOException)
        {
            return "?";
        }
    }


    /// <summary>max |a − b| ÷ max |a| (0 when both are all zero).</summary>
    internal static double RelativeDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            max = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(max, d);
            scale = Math.Max(scale, Math.Abs(a[i]));
        }

        return max == 0 ? 0 : max / scale;
    }

    private readonly record struct Timing(long Ticks, long Bytes);

    private sealed record Result(KernelCase Case, double LegacyNs, double NewNs, double LegacyGflops, double NewGflops, double Speedup,
        double MedianRatio, double MinRatio, double MaxRatio, double LegacyBest, double NewBest, double Difference, double LegacyBytes, double NewBytes, int RoundCalls);

    private sealed record Options(int[] Batches, int Rounds, int RoundMs, int WarmupMs, string[] Only)
    {
        public const string Usage =
            "usage: dotnet run -c Release --project bench -- --kernels [--batches 16,32,64,256] [--rounds 21] [--round-ms 10] [--warmup-ms 300] " +
            "[--only peak,dW1,dW2,dW3,d1,d2,f1,f2,step2,step1]";

        public static Options Parse(string[] args)
        {
            int[] batches = [16, 32, 64, 256];
            int rounds = 21, roundMs = 10, warmupMs = 300;
            string[] only = [];
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                if (name == "--kernels")
                {
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"--kernels: {name} needs a value");
                }

                string value = args[++i];
                switch (name)
                {
                    case "--batches":
                        batches = value.Split(',').Select(v => Positive(name, v)).ToArray();
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
                    case "--only":
                        only = value.Split(',');
                        break;
                    default:
                        throw new ArgumentException($"--kernels: unknown option {name}");
                }
            }

            return new Options(batches, rounds, roundMs, warmupMs, only);
        }

        private static int Positive(string name, string value) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
                ? v
                : throw new ArgumentException($"--kernels: {name} needs positive integers, not '{value}'");
    }
}

/// <summary>The Fashion network's layout (the constants of the generated FashionNetwork).</summary>
internal static class Fashion
{
    public const int In = 784, H1 = 256, H2 = 128, Out = 10;
    public const int W1 = 0, B1 = W1 + In * H1, W2 = B1 + H1, B2 = W2 + H1 * H2, W3 = B2 + H2, B3 = W3 + H2 * Out, ParameterLength = B3 + Out;
    public const int WT2 = 0, WT3 = H1 * H2, TransposedLength = WT3 + H2 * Out;

    /// <summary>Multiply-adds per row of the whole step: the forward products, ∂C/∂W of every layer, δ of layers 1 and 2.</summary>
    public const double StepFlopsPerRow = 2.0 * (In * H1 + H1 * H2 + H2 * Out) * 2 + 2.0 * (H1 * H2 + H2 * Out);
}

internal struct L1 : IDenseLayer<float> { public static int In => Fashion.In; public static int Out => Fashion.H1; public static int W => Fashion.W1; public static int B => Fashion.B1; }

internal struct L2 : IDenseLayer<float> { public static int In => Fashion.H1; public static int Out => Fashion.H2; public static int W => Fashion.W2; public static int B => Fashion.B2; }

internal struct L3 : IDenseLayer<float> { public static int In => Fashion.H2; public static int Out => Fashion.Out; public static int W => Fashion.W3; public static int B => Fashion.B3; }

/// <summary>Random parameters, activations and errors of one batch (the same for both sides).</summary>
internal sealed class FashionData
{
    public FashionData(int batch)
    {
        Batch = batch;
        var random = new Random(12);
        float Uniform(float scale) => (float)(random.NextDouble() * 2 - 1) * scale;
        Parameters = Enumerable.Range(0, Fashion.ParameterLength).Select(_ => Uniform(0.1f)).ToArray();
        Transposed = new float[Fashion.TransposedLength];
        VectorMath.Transpose<float>(Parameters.AsSpan(Fashion.W2, Fashion.H1 * Fashion.H2), Fashion.H1, Fashion.H2, Transposed.AsSpan(Fashion.WT2));
        VectorMath.Transpose<float>(Parameters.AsSpan(Fashion.W3, Fashion.H2 * Fashion.Out), Fashion.H2, Fashion.Out, Transposed.AsSpan(Fashion.WT3));
        A0 = Enumerable.Range(0, batch * Fashion.In).Select(_ => Math.Max(0, Uniform(1))).ToArray();
        A1 = Enumerable.Range(0, batch * Fashion.H1).Select(_ => Math.Max(0, Uniform(1))).ToArray();
        A2 = Enumerable.Range(0, batch * Fashion.H2).Select(_ => Math.Max(0, Uniform(1))).ToArray();
        Delta1 = Enumerable.Range(0, batch * Fashion.H1).Select(_ => Uniform(0.01f)).ToArray();
        Delta2 = Enumerable.Range(0, batch * Fashion.H2).Select(_ => Uniform(0.01f)).ToArray();
        Delta3 = Enumerable.Range(0, batch * Fashion.Out).Select(_ => Uniform(0.1f)).ToArray();
        Z1 = new float[batch * Fashion.H1];
        Z2 = new float[batch * Fashion.H2];
        Work = new Workspace<float>([1]);
    }

    public int Batch { get; }

    public float[] Parameters { get; }

    public float[] Transposed { get; }

    public float[] A0 { get; }

    public float[] A1 { get; }

    public float[] A2 { get; }

    public float[] Delta1 { get; }

    public float[] Delta2 { get; }

    public float[] Delta3 { get; }

    public float[] Z1 { get; }

    public float[] Z2 { get; }

    public Workspace<float> Work { get; }
}

/// <summary>One cell of the A/B: a kernel (or the whole step) on one batch, over the legacy and the current code.</summary>
internal abstract class KernelCase(string key, string name, int batch, double flops, bool twoCores)
{
    public string Key { get; } = key;

    public string Name { get; } = name;

    public int Batch { get; } = batch;

    /// <summary>Floating-point operations per call.</summary>
    public double Flops { get; } = flops;

    /// <summary>Whether the cell runs with <see cref="Parallelism.Enabled"/> (when the machine has two cores).</summary>
    public bool TwoCores { get; } = twoCores;

    public abstract void RunLegacy();

    public abstract void RunCurrent();

    /// <summary>The largest relative difference between the two sides' results from the same start.</summary>
    public abstract double Compare();
}

internal sealed class GradientCase<TLayer>(string key, string name, FashionData data, float[] a, float[] delta)
    : KernelCase(key, name, data.Batch, 2.0 * data.Batch * TLayer.In * TLayer.Out + (double)data.Batch * TLayer.Out, twoCores: true)
    where TLayer : struct, IDenseLayer<float>
{
    private readonly float[] _legacy = new float[Fashion.ParameterLength];
    private readonly float[] _current = new float[Fashion.ParameterLength];

    public override void RunLegacy() => LegacyDense.AccumulateGradients<float, TLayer>(_legacy, a, delta, data.Batch, 1f);

    public override void RunCurrent() => Dense.AccumulateGradients<float, TLayer>(_current, a, delta, data.Batch, 1f);

    public override double Compare()
    {
        Array.Clear(_legacy);
        Array.Clear(_current);
        RunLegacy();
        RunCurrent();
        double d = KernelRunner.RelativeDifference(_legacy, _current);
        // and once more with a scale and a gradient that is not zero (the fused step's θ += scale · ∂C/∂θ)
        LegacyDense.AccumulateGradients<float, TLayer>(_legacy, a, delta, data.Batch, -0.01f);
        Dense.AccumulateGradients<float, TLayer>(_current, a, delta, data.Batch, -0.01f);
        return Math.Max(d, KernelRunner.RelativeDifference(_legacy, _current));
    }
}

internal sealed class BackpropagateCase<TLayer>(string key, string name, FashionData data, int offset, float[] delta, float[] previous)
    : KernelCase(key, name, data.Batch, 2.0 * data.Batch * TLayer.In * TLayer.Out, twoCores: true)
    where TLayer : struct, IDenseLayer<float>
{
    private readonly float[] _legacy = new float[previous.Length];
    private readonly float[] _current = new float[previous.Length];

    public override void RunLegacy() => LegacyDense.Backpropagate<float, TLayer>(data.Parameters, data.Transposed, offset, delta, _legacy, data.Batch);

    public override void RunCurrent() => Dense.Backpropagate<float, TLayer>(data.Parameters, data.Transposed, offset, delta, _current, data.Batch);

    public override double Compare()
    {
        RunLegacy();
        RunCurrent();
        return KernelRunner.RelativeDifference(_legacy, _current);
    }
}

internal sealed class ForwardCase<TLayer>(string key, string name, FashionData data, float[] a, float[] z)
    : KernelCase(key, name, data.Batch, 2.0 * data.Batch * TLayer.In * TLayer.Out, twoCores: true)
    where TLayer : struct, IDenseLayer<float>
{
    private readonly float[] _legacyA = new float[z.Length];
    private readonly float[] _currentA = new float[z.Length];
    private readonly float[] _legacyZ = new float[z.Length];

    public override void RunLegacy() => LegacyDense.Forward<float, TLayer, Activations.ReLU>(data.Parameters, a, _legacyZ, _legacyA, data.Batch, data.Work);

    public override void RunCurrent() => Dense.Forward<float, TLayer, Activations.ReLU>(data.Parameters, a, z, _currentA, data.Batch, data.Work);

    public override double Compare()
    {
        RunLegacy();
        RunCurrent();
        return Math.Max(KernelRunner.RelativeDifference(_legacyZ, z), KernelRunner.RelativeDifference(_legacyA, _currentA));
    }
}

/// <summary>The one-core FMA peak (both sides the same loop: 12 independent chains, as PeakBenchmarks), for % of peak in the same run.</summary>
internal sealed class PeakCase(int batch) : KernelCase("peak", "FMA peak (12 chains, 1 core)", batch, 2.0 * 12 * Vector<float>.Count * Iterations, twoCores: false)
{
    private const int Iterations = 20_000;

    public float Result { get; private set; }

    public override void RunLegacy() => Result = Peak();

    public override void RunCurrent() => Result = Peak();

    public override double Compare() => 0;

    private static float Peak()
    {
        var m = new Vector<float>(0.999f);
        var c = new Vector<float>(1e-3f);
        Vector<float> a0 = Vector<float>.One, a1 = a0 * 2, a2 = a0 * 3, a3 = a0 * 4, a4 = a0 * 5, a5 = a0 * 6;
        Vector<float> a6 = a0 * 7, a7 = a0 * 8, a8 = a0 * 9, a9 = a0 * 10, a10 = a0 * 11, a11 = a0 * 12;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Vector.FusedMultiplyAdd(a0, m, c);
            a1 = Vector.FusedMultiplyAdd(a1, m, c);
            a2 = Vector.FusedMultiplyAdd(a2, m, c);
            a3 = Vector.FusedMultiplyAdd(a3, m, c);
            a4 = Vector.FusedMultiplyAdd(a4, m, c);
            a5 = Vector.FusedMultiplyAdd(a5, m, c);
            a6 = Vector.FusedMultiplyAdd(a6, m, c);
            a7 = Vector.FusedMultiplyAdd(a7, m, c);
            a8 = Vector.FusedMultiplyAdd(a8, m, c);
            a9 = Vector.FusedMultiplyAdd(a9, m, c);
            a10 = Vector.FusedMultiplyAdd(a10, m, c);
            a11 = Vector.FusedMultiplyAdd(a11, m, c);
        }

        return Vector.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}

/// <summary>The whole ZeroGradients + BackwardBatch of the network: the generated FashionNetwork against the same engine over the legacy kernels.</summary>
internal sealed class StepCase : KernelCase
{
    private readonly FashionNetwork _current = new(1);
    private readonly LegacyFashionNetwork _legacy = new();
    private readonly float[] _x, _y;

    public StepCase(string key, string name, int batch, bool twoCores)
        : base(key, name, batch, Fashion.StepFlopsPerRow * batch, twoCores)
    {
        _legacy.Engine.Initialize(1, Initializer.GlorotUniform);
        (_x, _y) = Topologies.Data(_current.Spec, batch, seed: 1);
    }

    public override void RunLegacy()
    {
        _legacy.Engine.ZeroGradients();
        _legacy.Engine.BackwardBatch(_x, _y);
    }

    public override void RunCurrent()
    {
        _current.ZeroGradients();
        _current.BackwardBatch(_x, _y);
    }

    public override double Compare()
    {
        double d = KernelRunner.RelativeDifference(_legacy.Engine.Parameters, _current.Parameters);
        RunLegacy();
        RunCurrent();
        return Math.Max(d, KernelRunner.RelativeDifference(_legacy.Engine.Gradients, _current.Gradients));
    }
}
