using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Threading;

namespace NetGen.Benchmarks;

/// <summary>
/// Issue 12's benchmark of the real step: whole <see cref="Trainer"/>.Fit epochs, not a kernel in isolation.
/// </summary>
/// <remarks>
/// <para><b>fashion</b>: one Fit epoch of the Fashion-sized generated network (784-256-128-10 ReLU, softmax-CE, Adam
/// η = 1e-3, batch 64) on synthetic rows, as µs per training sample, GFLOP/s at the step's FLOP count (computed from the
/// layer sizes: forward 2·Σ in·out, backward 2·Σ in·out for ∂W plus 2·Σ in·out of every layer but the first for δ) and
/// % of the 2-core FMA peak measured in the same run (<see cref="PeakBenchmarks.FmaPeak"/> on two threads at once).
/// The A/B sides are Fit with <see cref="FitOptions.FusedUpdate"/> false (the separate passes) and true, interleaved,
/// on two networks made with the same seed; bytes allocated per step are read between the 3rd and the last batch.</para>
/// <para><b>foldmax</b>: the same epoch, the default fused step (max |Σ ∂C/∂θ| found by the fold of the two cores'
/// gradients) against the same step with a scan of ∂C/∂θ after the fold (FitOptions.ScanAfterFold), interleaved.</para>
/// <para><b>useractivation</b>: the same epoch of the network with a user-written activation in layer 1, Fit's copy
/// every 32 steps and replay against a copy per step (what a user callback still gets), interleaved.</para>
/// <para><b>sgd</b>: the same epoch with plain SGD (the network's one-pass step), a copy every 32 steps and a replay
/// against a copy per step.</para>
/// <para><b>phases</b>: one B = 64 step taken apart — ForwardBatch; ZeroGradients + BackwardBatch; ZeroGradients alone;
/// Adam's Step; and the passes the separate-pass Fit adds around them (row gather, the 1/B scaling pass, the finiteness
/// scan, the copy of every parameter) — each a median over interleaved rounds.</para>
/// <para><b>digits</b>: the course's job (the CLI's default: 64-100-30-10 LeakyReLU, Adam η = 1e-3, batch 16,
/// 30 epochs, validation each epoch, no training-metrics pass) on the shipped digits, split and standardized like the
/// CLI. The first Fit in the process is cold (the JIT's warm-up included); run <c>--fit --part digits --rounds 0</c>
/// in fresh processes for the cold figure alone. Then warm rounds of both sides, interleaved.</para>
/// </remarks>
public static class FitRunner
{
    private const int Batch = 64;

    public const string Usage =
        "usage: --fit [--part fashion,phases,digits,passes,sequence,inputlayer,foldmax,useractivation,sgd] [--rows 16384] [--rounds 7] [--side fused|separate] [--data-dir DIR]";

    public static int Run(string[] args)
    {
        string parts = Value(args, "--part") ?? "fashion,phases,digits";
        int rows = int.Parse(Value(args, "--rows") ?? "16384", CultureInfo.InvariantCulture);
        int rounds = int.Parse(Value(args, "--rounds") ?? "7", CultureInfo.InvariantCulture);
        bool coldFused = (Value(args, "--side") ?? "fused") != "separate";
        string? dataDir = Value(args, "--data-dir");
        var output = new StringBuilder();
        output.AppendLine(CultureInfo.InvariantCulture, $"# bench --fit, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.AppendLine(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} logical cores, Vector<float>.Count = {Vector<float>.Count}, AVX2 {Avx2.IsSupported}, AVX-512F {Avx512F.IsSupported}, .NET {Environment.Version}, load {Load()}");

        // The digits job first, so that its first Fit is the process's cold start.
        if (parts.Contains("digits", StringComparison.Ordinal))
        {
            Digits(output, rounds, coldFused, dataDir);
        }

        if (parts.Contains("fashion", StringComparison.Ordinal))
        {
            Fashion(output, rows, rounds);
        }

        if (parts.Contains("phases", StringComparison.Ordinal))
        {
            Phases(output, rounds);
        }

        if (parts.Contains("passes", StringComparison.Ordinal))
        {
            Passes(output, rows, rounds);
        }

        if (parts.Contains("inputlayer", StringComparison.Ordinal))
        {
            InputLayerKernel(output, rounds);
        }

        if (parts.Contains("sgd", StringComparison.Ordinal))
        {
            PlainSgd(output, rows, rounds);
        }

        if (parts.Contains("useractivation", StringComparison.Ordinal))
        {
            UserActivation(output, rows, rounds);
        }

        if (parts.Contains("foldmax", StringComparison.Ordinal))
        {
            FoldMax(output, rows, rounds);
        }

        if (parts.Contains("sequence", StringComparison.Ordinal))
        {
            Sequence(output, rows, rounds, deferred: false);
            Sequence(output, rows, rounds, deferred: true);
        }

        output.AppendLine(CultureInfo.InvariantCulture, $"load at the end {Load()}");
        Console.Out.Write(output.ToString());
        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The load average over 1, 5 and 15 minutes, from /proc/loadavg ("?" where there is none).</summary>
    internal static string LoadAverage() => Load();

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

    /// <summary>FLOPs of one training sample: forward 2·Σ in·out; backward ∂W 2·Σ in·out and δ^{l−1} 2·Σ_{l≥2} in·out.</summary>
    public static double StepFlops(NetworkSpec spec)
    {
        double forward = 0, input = 0;
        for (int l = 0; l < spec.Stages.Count; l++)
        {
            double products = (double)spec.Stages[l].InputSize * spec.Stages[l].OutputSize;
            forward += 2 * products;
            if (l == 0)
            {
                input = 2 * products;
            }
        }

        return forward + forward + (forward - input);
    }

    /// <summary>The 2-core FMA peak in GFLOP/s: the peak kernel on two threads at once, best of five.</summary>
    private static double TwoCorePeak()
    {
        var peak = new PeakBenchmarks();
        peak.FmaPeak();
        double best = 0;
        for (int trial = 0; trial < 5; trial++)
        {
            const int calls = 20;
            long[] ticks = new long[2];
            var threads = new Thread[2];
            using var start = new Barrier(2);
            for (int t = 0; t < 2; t++)
            {
                int id = t;
                threads[t] = new Thread(() =>
                {
                    var p = new PeakBenchmarks();
                    start.SignalAndWait();
                    long s = Stopwatch.GetTimestamp();
                    float sink = 0;
                    for (int i = 0; i < calls; i++)
                    {
                        sink += p.FmaPeak();
                    }

                    ticks[id] = Stopwatch.GetTimestamp() - s + (sink == 42 ? 1 : 0);
                });
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            double gflops = 2 * PeakBenchmarks.Flops * calls / (ticks.Max() / (double)Stopwatch.Frequency) / 1e9;
            best = Math.Max(best, gflops);
        }

        return best;
    }

    private static Dataset<float> Synthetic(int rows, int inputs, int classes, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[rows * inputs];
        var y = new float[rows * classes];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextDouble();
        }

        for (int r = 0; r < rows; r++)
        {
            y[r * classes + (int)(rng.NextDouble() * classes)] = 1;
        }

        return new Dataset<float>(x, y, inputs, classes);
    }

    /// <summary>Allocated bytes per step between the 3rd and the last batch of an epoch.</summary>
    private sealed class AllocationMeter : IProgress<BatchProgress>
    {
        private long _third, _last;
        private int _thirdBatch, _lastBatch;

        public void Report(BatchProgress value)
        {
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            if (value.Batch == 3)
            {
                (_third, _thirdBatch) = (bytes, 3);
            }

            (_last, _lastBatch) = (bytes, value.Batch);
        }

        public double BytesPerStep => _lastBatch > _thirdBatch ? (_last - _third) / (double)(_lastBatch - _thirdBatch) : double.NaN;
    }

    private static void Fashion(StringBuilder output, int rows, int rounds)
    {
        // Three sides, each its own network from the same seed, one epoch each per round in a rotating order: the separate
        // passes, the fused update reading ∂C/∂W1 from the gradient buffer (the default), and the fused update that forms
        // ∂C/∂W1 inside its pass over W1 (FitOptions.UpdateInsideInputLayer).
        var options = new FitOptions { Epochs = 1, BatchSize = Batch, TrainingMetrics = false, Seed = 3 };
        FashionSides(output, rows, rounds,
        [
            ("separate passes (FusedUpdate = false)", options with { FusedUpdate = false }),
            ("fused update, ∂C/∂W1 from the gradient buffer (default)", options),
            ("fused update inside the ∂C/∂W1 product", options with { UpdateInsideInputLayer = true }),
        ]);
    }

    /// <summary>The default fused step against the same step with its own scan of ∂C/∂θ after the fold (FitOptions.ScanAfterFold).</summary>
    private static void FoldMax(StringBuilder output, int rows, int rounds)
    {
        var options = new FitOptions { Epochs = 1, BatchSize = Batch, TrainingMetrics = false, Seed = 3 };
        FashionSides(output, rows, rounds,
        [
            ("fused update, max of Σ ∂C/∂θ by a scan after the fold", options with { ScanAfterFold = true }),
            ("fused update, max of Σ ∂C/∂θ found by the fold (default)", options),
        ]);
    }

    /// <summary>
    /// The Fashion-sized network with a user-written activation (softsign) in layer 1: Fit's default, a copy every 32
    /// steps and a replay should the next pass overflow, against the copy per step it made before (which a callback of
    /// the user's still asks for: here one that does nothing).
    /// </summary>
    private static void UserActivation(StringBuilder output, int rows, int rounds)
    {
        var options = new FitOptions { Epochs = 1, BatchSize = Batch, TrainingMetrics = false, Seed = 3 };
        FashionSides(output, rows, rounds,
        [
            ("softsign in layer 1, a copy of θ and Adam's state per step (a user callback)", options with { Callbacks = [new NothingCallback()] }),
            ("softsign in layer 1, a copy every 32 steps and a replay (default)", options),
        ], () => new FashionSoftsign(seed: 1), "784-256-128-10, softsign (user-written) then ReLU");
    }

    private sealed class NothingCallback : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchProgress batch)
        {
        }
    }

    /// <summary>Plain SGD's one-pass step (ISgdStep.TrainStep) on the Fashion-sized network: a copy every 32 steps and a replay (the default) against a copy per step (a user callback).</summary>
    private static void PlainSgd(StringBuilder output, int rows, int rounds)
    {
        var options = new FitOptions { Epochs = 1, BatchSize = Batch, TrainingMetrics = false, Seed = 3 };
        FashionSides(output, rows, rounds,
        [
            ("plain SGD, a copy of θ per step (a user callback)", options with { Callbacks = [new NothingCallback()] }),
            ("plain SGD, a copy every 32 steps and a replay (default)", options),
        ], optimizer: () => new Sgd<float>(0.05), topology: "784-256-128-10 ReLU, plain SGD η = 0.05,");
    }

    private static void FashionSides(StringBuilder output, int rows, int rounds, (string Name, FitOptions Options)[] configured,
        Func<INetwork<float>>? create = null, string topology = "784-256-128-10 ReLU", Func<IOptimizer<float>>? optimizer = null)
    {
        create ??= () => new FashionSized(seed: 1);
        optimizer ??= () => new Adam<float>(1e-3);
        Dataset<float> data = Synthetic(rows, 784, 10, seed: 7);
        double flops = StepFlops(create().Spec);
        long guarded = 0, copies = 0;
        (string Name, INetwork<float> Network, FitOptions Options)[] sides =
            configured.Select(c => (c.Name, create(), c.Options)).ToArray();

        double Epoch(int side, AllocationMeter? meter = null)
        {
            long start = Stopwatch.GetTimestamp();
            TrainingHistory history = sides[side].Network.Fit(data, optimizer(), sides[side].Options with { BatchProgress = meter });
            guarded += history.GuardedSteps;
            copies += history.ReplayCopies;
            return Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / rows;
        }

        // Warm-up: every side until tier 1 (a few epochs of a small slice would not reach every path).
        for (int i = 0; i < 2; i++)
        {
            for (int side = 0; side < sides.Length; side++)
            {
                Epoch(side);
            }
        }

        double peak = TwoCorePeak();
        double[][] times = sides.Select(_ => new double[rounds]).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < sides.Length; i++)
            {
                int side = (r + i) % sides.Length;
                times[side][r] = Epoch(side);
            }
        }

        AllocationMeter[] meters = sides.Select(_ => new AllocationMeter()).ToArray();
        for (int side = 0; side < sides.Length; side++)
        {
            Epoch(side, meters[side]);
        }

        double peakAfter = TwoCorePeak();
        double[] medians = times.Select(AbRunner.Median).ToArray();
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"## Fashion-sized Fit epoch: {topology} softmax-CE, {optimizer().GetType().Name.Split('`')[0]}, B = {Batch}, {rows} synthetic rows, {rounds} rounds, the sides in rotating order; {flops / 1e6:F3} MFLOP per sample; 2-core FMA peak {peak:F0} GFLOP/s before, {peakAfter:F0} after (best of 5)");
        output.AppendLine();
        output.AppendLine("| Fit | µs/sample (median) | min–max | GFLOP/s | % of 2-core peak | µs/step | B/step |");
        output.AppendLine("|---|---|---|---|---|---|---|");
        for (int side = 0; side < sides.Length; side++)
        {
            double m = medians[side], gflops = flops / (m * 1e-6) / 1e9;
            output.AppendLine(CultureInfo.InvariantCulture,
                $"| {sides[side].Name} | {m:F2} | {times[side].Min():F2}–{times[side].Max():F2} | {gflops:F1} | {100 * gflops / Math.Max(peak, peakAfter):F1} % | {m * Batch:F0} | {meters[side].BytesPerStep:F0} |");
        }

        for (int side = 1; side < sides.Length; side++)
        {
            double[] ratios = times[side].Zip(times[side - 1], (x, y) => x / y).ToArray();
            output.AppendLine(CultureInfo.InvariantCulture,
                $"{sides[side].Name} / {sides[side - 1].Name}: {medians[side] / medians[side - 1]:F3} of the medians, per-round ratios' median {AbRunner.Median(ratios):F3} (min {ratios.Min():F3}, max {ratios.Max():F3})");
        }

        output.AppendLine(CultureInfo.InvariantCulture, $"fused steps that needed the copy (guarded): {guarded}; copies for a replay: {copies}");
    }

    /// <summary>
    /// The fused-update Fit epoch with the passes over θ split over two cores (Parallelism.SplitPasses, the default)
    /// against the same passes on one core, the same network alternating per epoch in one process.
    /// </summary>
    private static void Passes(StringBuilder output, int rows, int rounds)
    {
        Dataset<float> data = Synthetic(rows, 784, 10, seed: 7);
        var network = new FashionSized(seed: 1);
        var options = new FitOptions { Epochs = 1, BatchSize = Batch, TrainingMetrics = false, Seed = 3 };
        var optimizer = new Adam<float>(1e-3);
        double Epoch(bool split)
        {
            Parallelism.SplitPasses = split;
            long start = Stopwatch.GetTimestamp();
            network.Fit(data, optimizer, options);
            return Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / rows;
        }

        try
        {
            Epoch(true);
            Epoch(false);
            var on = new double[rounds];
            var off = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    on[r] = Epoch(true);
                    off[r] = Epoch(false);
                }
                else
                {
                    off[r] = Epoch(false);
                    on[r] = Epoch(true);
                }
            }

            double[] ratios = on.Zip(off, (a, b) => a / b).ToArray();
            output.AppendLine();
            output.AppendLine(CultureInfo.InvariantCulture,
                $"## The passes over θ on two cores or one: Fashion-sized Fit epoch (fused update, Adam, B = {Batch}, {rows} rows), {rounds} rounds alternating in one process");
            output.AppendLine();
            output.AppendLine(CultureInfo.InvariantCulture,
                $"split (default): {AbRunner.Median(on):F2} µs/sample ({on.Min():F2}–{on.Max():F2}); one core: {AbRunner.Median(off):F2} ({off.Min():F2}–{off.Max():F2}); split ÷ one core per round: median {AbRunner.Median(ratios):F3} (min {ratios.Min():F3}, max {ratios.Max():F3})");
        }
        finally
        {
            Parallelism.SplitPasses = true;
        }
    }

    /// <summary>
    /// The fused step's phases in the order Fit runs them, on fresh shuffled rows each step (the caches as a Fit step
    /// finds them, unlike <see cref="Phases"/>, which repeats one phase on one batch): the row gather, ZeroGradients,
    /// BackwardBatch, the max |Σ ∂C/∂θ| scan and Adam's fused update, each timed on every step; against whole Fit epochs
    /// of the same network, interleaved by round.
    /// </summary>
    private static void Sequence(StringBuilder output, int rows, int rounds, bool deferred)
    {
        Dataset<float> data = Synthetic(rows, 784, 10, seed: 7);
        var net = new FashionSized(seed: 1);
        var fitNet = new FashionSized(seed: 1);
        IFusedOptimizer<float> adam = new Adam<float>(1e-3);
        adam.Bind(net.Spec);
        var options = new FitOptions { Epochs = 1, BatchSize = Batch, TrainingMetrics = false, Seed = 3 };
        var inputs = new UpdateInputs<float>(1f / Batch, 0, 0, null);
        var blockMaxima = new double[net.Spec.Layout.Count];
        var x = new float[Batch * 784];
        var y = new float[Batch * 10];
        int[] order = Enumerable.Range(0, rows).ToArray();
        new Random(5).Shuffle(order);
        string[] names = deferred
            ? ["row gather", "(no ZeroGradients)", "BackwardDeferringInputLayer (clears the other blocks)", "max |Σ ∂C/∂θ| of the other blocks (the fold's), the δ1 bound", "Adam fused update, W1 and b1 inside their product", "whole step (sum of the timed phases and the timer reads)"]
            : ["row gather", "ZeroGradients", "BackwardBatch (its fold finds max |Σ ∂C/∂θ|)", "max |Σ ∂C/∂θ| (the fold's; a scan where none ran)", "Adam fused update", "whole step (sum of the timed phases and the timer reads)"];
        ITrainingEngine<float> engine = ((IEngineBacked<float>)net).Engine;
        int steps = rows / Batch;
        var perStep = new double[names.Length][];
        for (int p = 0; p < names.Length; p++)
        {
            perStep[p] = new double[rounds * steps];
        }

        var fit = new double[rounds];
        var ticks = new long[names.Length];
        float sink = 0;
        void Epoch(int round)
        {
            for (int s = 0; s < steps; s++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int r = 0; r < Batch; r++)
                {
                    int row = order[s * Batch + r];
                    data.Features.AsSpan(row * 784, 784).CopyTo(x.AsSpan(r * 784));
                    data.Targets.AsSpan(row * 10, 10).CopyTo(y.AsSpan(r * 10));
                }

                long t1 = Stopwatch.GetTimestamp(), t2, t3, t4, t5;
                if (deferred)
                {
                    t2 = Stopwatch.GetTimestamp();
                    sink += engine.BackwardDeferringInputLayer(x, y);
                    t3 = Stopwatch.GetTimestamp();
                    InputLayerGradients<float> layer = engine.DeferredInputLayer(x);
                    sink += (float)(engine.TryFoldedMaxMagnitude(layer.RestStart, out double max) ? max : TwoCorePasses.MaxMagnitude<float>(net.Gradients.Slice(layer.RestStart)));
                    sink += (float)engine.DeferredDeltaBound();
                    t4 = Stopwatch.GetTimestamp();
                    adam.FusedStep(net.Spec, net.Parameters, net.Gradients, inputs, blockMaxima, layer);
                    t5 = Stopwatch.GetTimestamp();
                }
                else
                {
                    net.ZeroGradients();
                    t2 = Stopwatch.GetTimestamp();
                    sink += net.BackwardBatch(x, y);
                    t3 = Stopwatch.GetTimestamp();
                    sink += (float)(engine.TryFoldedMaxMagnitude(0, out double max) ? max : TwoCorePasses.MaxMagnitude<float>(net.Gradients));
                    t4 = Stopwatch.GetTimestamp();
                    adam.FusedStep(net.Spec, net.Parameters, net.Gradients, inputs, blockMaxima);
                    t5 = Stopwatch.GetTimestamp();
                }

                if (round >= 0)
                {
                    int i = round * steps + s;
                    long[] t = [t0, t1, t2, t3, t4, t5];
                    for (int p = 0; p < 5; p++)
                    {
                        perStep[p][i] = (t[p + 1] - t[p]) * 1e6 / Stopwatch.Frequency;
                    }

                    perStep[5][i] = (t5 - t0) * 1e6 / Stopwatch.Frequency;
                }
            }
        }

        double FitEpoch()
        {
            long start = Stopwatch.GetTimestamp();
            fitNet.Fit(data, new Adam<float>(1e-3), options);
            return Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / rows * Batch;
        }

        for (int i = 0; i < 2; i++)
        {
            Epoch(-1);
            FitEpoch();
        }

        var loop = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                long start = Stopwatch.GetTimestamp();
                Epoch(r);
                loop[r] = Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / steps;
                fit[r] = FitEpoch();
            }
            else
            {
                fit[r] = FitEpoch();
                long start = Stopwatch.GetTimestamp();
                Epoch(r);
                loop[r] = Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / steps;
            }
        }

        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"## The fused step in Fit's order, timed phase by phase{(deferred ? ", ∂C/∂W1 formed inside the update" : ", ∂C/∂W1 through the gradient buffer")} (784-256-128-10, Adam, B = {Batch}, {rows} shuffled rows, {rounds} rounds of {steps} steps, interleaved with whole Fit epochs)");
        output.AppendLine();
        output.AppendLine("| phase | µs per step (median) | p10–p90 |");
        output.AppendLine("|---|---|---|");
        for (int p = 0; p < names.Length; p++)
        {
            double[] sorted = perStep[p].Order().ToArray();
            output.AppendLine(CultureInfo.InvariantCulture,
                $"| {names[p]} | {AbRunner.Median(perStep[p]):F1} | {sorted[sorted.Length / 10]:F1}–{sorted[sorted.Length * 9 / 10]:F1} |");
        }

        output.AppendLine(CultureInfo.InvariantCulture,
            $"| this loop's epoch ÷ steps | {AbRunner.Median(loop):F1} | {loop.Min():F1}–{loop.Max():F1} (min–max of rounds) |");
        output.AppendLine(CultureInfo.InvariantCulture,
            $"| Fit's epoch ÷ steps (FusedUpdate, the default) | {AbRunner.Median(fit):F1} | {fit.Min():F1}–{fit.Max():F1} (min–max of rounds) |");
        if (sink == 42)
        {
            output.AppendLine();
        }
    }

    /// <summary>The first layer's pass repeated on one batch (its data in cache): the sums alone, the sums with Adam's update, against the backward's own ∂C/∂W1 and the separate update.</summary>
    private static void InputLayerKernel(StringBuilder output, int rounds)
    {
        Dataset<float> data = Synthetic(Batch, 784, 10, seed: 7);
        var net = new FashionSized(seed: 1);
        foreach (string name in new[] { "adam", "momentum", "rmsprop" })
        {
            InputLayerKernel(output, rounds, name, data, net);
        }
    }

    private static void InputLayerKernel(StringBuilder output, int rounds, string optimizer, Dataset<float> data, FashionSized net)
    {
        var adam = (IFusedOptimizer<float>)NetGen.Optimizers.Create<float>(optimizer, 1e-3);
        adam.Bind(net.Spec);
        var inputs = new UpdateInputs<float>(1f / Batch, 0, 0, null);
        var blockMaxima = new double[net.Spec.Layout.Count];
        ITrainingEngine<float> engine = ((IEngineBacked<float>)net).Engine;
        float[] x = data.Features, y = data.Targets;
        var sides = new (string Name, Action Run)[]
        {
            ("ZeroGradients + BackwardBatch (∂C/∂W1 in it)", () => { net.ZeroGradients(); net.BackwardBatch(x, y); }),
            ("BackwardDeferringInputLayer", () => engine.BackwardDeferringInputLayer(x, y)),
            ($"{optimizer} fused update, all of θ from the buffer", () => adam.FusedStep(net.Spec, net.Parameters, net.Gradients, inputs, blockMaxima)),
            ($"{optimizer} fused update, W1 inside the pass (after one BackwardDeferringInputLayer)", () => adam.FusedStep(net.Spec, net.Parameters, net.Gradients, inputs, blockMaxima, engine.DeferredInputLayer(x))),
            ("the pass's sums alone (after one BackwardDeferringInputLayer)", () => InputLayerPass.Form(engine.DeferredInputLayer(x), net.Gradients)),
        };
        const int calls = 200;
        var times = sides.Select(_ => new double[rounds]).ToArray();
        for (int r = -2; r < rounds; r++)
        {
            for (int i = 0; i < sides.Length; i++)
            {
                engine.BackwardDeferringInputLayer(x, y);
                long start = Stopwatch.GetTimestamp();
                for (int c = 0; c < calls; c++)
                {
                    sides[i].Run();
                }

                if (r >= 0)
                {
                    times[i][r] = Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / calls;
                }
            }
        }

        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture, $"## The first layer's pass on one batch of {Batch} (in cache), {calls} calls per round, {rounds} rounds");
        output.AppendLine("| call | µs (median) | min–max |");
        output.AppendLine("|---|---|---|");
        for (int i = 0; i < sides.Length; i++)
        {
            output.AppendLine(CultureInfo.InvariantCulture, $"| {sides[i].Name} | {AbRunner.Median(times[i]):F1} | {times[i].Min():F1}–{times[i].Max():F1} |");
        }
    }

    private static void Phases(StringBuilder output, int rounds)
    {
        var net = new FashionSized(seed: 1);
        Dataset<float> data = Synthetic(4096, 784, 10, seed: 9);
        float[] x = data.Features.AsSpan(0, Batch * 784).ToArray();
        float[] y = data.Targets.AsSpan(0, Batch * 10).ToArray();
        var outputs = new float[Batch * 10];
        var adam = new Adam<float>(1e-3);
        adam.Bind(net.Spec);
        var copy = new float[net.ParameterCount];
        IFusedOptimizer<float> fusedAdam = new Adam<float>(1e-3);
        fusedAdam.Bind(net.Spec);
        var inputs = new UpdateInputs<float>(1f / Batch, 0, 0, null);
        var blockMaxima = new double[net.Spec.Layout.Count];
        var gatherX = new float[Batch * 784];
        var gatherY = new float[Batch * 10];
        var order = Enumerable.Range(0, 4096).Reverse().ToArray();
        float sink = 0;
        var phases = new (string Name, Action Run)[]
        {
            ("ForwardBatch (inference, B = 64)", () => net.ForwardBatch(x, outputs)),
            ("ZeroGradients + BackwardBatch", () => { net.ZeroGradients(); sink += net.BackwardBatch(x, y); }),
            ("ZeroGradients alone", () => net.ZeroGradients()),
            ("Adam.Step", () => adam.Step(net.Parameters, net.Gradients)),
            ("row gather (64 shuffled rows)", () =>
            {
                for (int r = 0; r < Batch; r++)
                {
                    int row = order[r * 37 % 4096];
                    data.Features.AsSpan(row * 784, 784).CopyTo(gatherX.AsSpan(r * 784));
                    data.Targets.AsSpan(row * 10, 10).CopyTo(gatherY.AsSpan(r * 10));
                }
            }),
            ("1/B scaling pass over ∂C/∂θ", () => TensorPrimitives.Multiply(net.Gradients, 1f / Batch, net.Gradients)),
            ("finiteness scan of ∂C/∂θ", () => sink += Finite(net.Gradients) ? 0 : 1),
            ("copy of every parameter (last-good snapshot)", () => net.Parameters.CopyTo(copy)),
            ("max |Σ ∂C/∂θ| scan (fused path's check)", () => sink += (float)FusedUpdate.MaxMagnitude<float>(net.Gradients)),
            ("Adam fused update (1/B, checks, maxima)", () => fusedAdam.FusedStep(net.Spec, net.Parameters, net.Gradients, inputs, blockMaxima)),
        };

        net.ZeroGradients();
        net.BackwardBatch(x, y);
        var times = new double[phases.Length][];
        for (int p = 0; p < phases.Length; p++)
        {
            times[p] = new double[rounds];
            for (int i = 0; i < 200; i++)
            {
                phases[p].Run();
            }
        }

        const int calls = 100;
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < phases.Length; k++)
            {
                int p = r % 2 == 0 ? k : phases.Length - 1 - k;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    phases[p].Run();
                }

                times[p][r] = Stopwatch.GetElapsedTime(start).TotalSeconds * 1e6 / calls;
            }
        }

        NetworkSpec spec = net.Spec;
        double forwardFlops = 0;
        foreach (DenseStage s in spec.Stages)
        {
            forwardFlops += 2.0 * s.InputSize * s.OutputSize;
        }

        double backwardFlops = StepFlops(spec) - forwardFlops;
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture, $"## One B = {Batch} step of the Fashion-sized network, by phase ({rounds} rounds × {calls} calls, interleaved; {net.ParameterCount} parameters)");
        output.AppendLine();
        output.AppendLine("| phase | µs (median) | min–max | GFLOP/s |");
        output.AppendLine("|---|---|---|---|");
        for (int p = 0; p < phases.Length; p++)
        {
            double m = AbRunner.Median(times[p]);
            string gflops = p switch
            {
                0 => (forwardFlops * Batch / (m * 1e-6) / 1e9).ToString("F1", CultureInfo.InvariantCulture),
                1 => ((forwardFlops + backwardFlops) * Batch / (m * 1e-6) / 1e9).ToString("F1", CultureInfo.InvariantCulture),
                _ => "",
            };
            output.AppendLine(CultureInfo.InvariantCulture, $"| {phases[p].Name} | {m:F1} | {times[p].Min():F1}–{times[p].Max():F1} | {gflops} |");
        }

        if (sink == 42)
        {
            output.AppendLine();
        }
    }

    private static bool Finite(ReadOnlySpan<float> values)
    {
        var acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(values.Slice(i));
            acc += v - v;
        }

        float probe = Vector.Sum(acc);
        for (; i < values.Length; i++)
        {
            probe += values[i] - values[i];
        }

        return float.IsFinite(probe);
    }

    private static void Digits(StringBuilder output, int rounds, bool coldFused, string? dataDir)
    {
        long processStart = Environment.TickCount64;
        Dataset<float> all = KnownDatasets.Digits<float>(dataDir);
        (Dataset<float> train, Dataset<float> validation, _) = DataSplit.TrainValidationTest(all, 0.1, 0.2, seed: 42);
        Standardizer scaler = Standardizer.Fit(train);
        scaler.TransformInPlace(train);
        scaler.TransformInPlace(validation);
        var options = new FitOptions { Epochs = 30, BatchSize = 16, TrainingMetrics = false, Seed = 42 };

        (double Seconds, TrainingHistory History) Job(bool fusedUpdate)
        {
            var network = new TopologyD(seed: 42);
            long start = Stopwatch.GetTimestamp();
            TrainingHistory history = network.Fit(train, new Adam<float>(1e-3), options with { FusedUpdate = fusedUpdate }, validation);
            return (Stopwatch.GetElapsedTime(start).TotalSeconds, history);
        }

        long methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
        TimeSpan jitBefore = System.Runtime.JitInfo.GetCompilationTime(currentThread: false);
        (double cold, TrainingHistory coldHistory) = Job(coldFused);
        long methods = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false) - methodsBefore;
        TimeSpan jit = System.Runtime.JitInfo.GetCompilationTime(currentThread: false) - jitBefore;
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"## Digits job: 64-100-30-10 LeakyReLU, Adam 1e-3, B = 16, 30 epochs, {train.Count} training rows, {validation.Count} validation rows");
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"cold (first Fit in the process, {(coldFused ? "fused update" : "separate passes")}): {cold:F3} s; epoch 1 {coldHistory.Epochs[0].Duration.TotalMilliseconds:F1} ms, epochs 2–5 {coldHistory.Epochs.Skip(1).Take(4).Sum(e => e.Duration.TotalMilliseconds):F1} ms, last epoch {coldHistory.Epochs[^1].Duration.TotalMilliseconds:F2} ms; final validation accuracy {coldHistory.Epochs[^1].Validation?.Accuracy:F4}");
        output.AppendLine(CultureInfo.InvariantCulture, $"JIT during the cold job (System.Runtime.JitInfo, all threads): {methods} method bodies compiled in {jit.TotalMilliseconds:F0} ms (tier 0, tier 1 and OSR; the background tier-1 compiles run on another core)");
        output.AppendLine(CultureInfo.InvariantCulture, $"process start to the end of the cold job: {Environment.TickCount64 - processStart} ms after Main (the runtime's own start not included)");
        if (rounds <= 0)
        {
            return;
        }

        var a = new double[rounds];
        var b = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                a[r] = Job(false).Seconds;
                b[r] = Job(true).Seconds;
            }
            else
            {
                b[r] = Job(true).Seconds;
                a[r] = Job(false).Seconds;
            }
        }

        output.AppendLine(CultureInfo.InvariantCulture,
            $"warm, {rounds} rounds interleaved: separate passes {AbRunner.Median(a) * 1e3:F1} ms (min {a.Min() * 1e3:F1}), fused update {AbRunner.Median(b) * 1e3:F1} ms (min {b.Min() * 1e3:F1}); fused / separate {AbRunner.Median(b) / AbRunner.Median(a):F3}");
    }

}
