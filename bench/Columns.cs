using System;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks;

/// <summary>ns per sample, GFLOP/s (the multiply-add work the kernels execute) and % of the FMA peak measured in the same run.</summary>
public sealed class WorkColumn(string name, Func<Summary, BenchmarkCase, string> value) : IColumn
{
    public static readonly IColumn NsPerSample = new WorkColumn("ns/sample", (summary, benchmark) =>
        Median(summary, benchmark) is { } ns && Batch(benchmark) is { } batch ? (ns / batch).ToString("N1", CultureInfo.InvariantCulture) : "-");

    public static readonly IColumn GflopsPerSecond = new WorkColumn("GFLOP/s", (summary, benchmark) =>
        Gflops(summary, benchmark) is { } g ? g.ToString("N1", CultureInfo.InvariantCulture) : "-");

    public static readonly IColumn PercentOfPeak = new WorkColumn("% of peak", (summary, benchmark) =>
    {
        // The FmaPeak benchmark of the same summary when it ran there; otherwise (each class gets its own summary, so
        // that Ratio is against its own generic baseline) the same kernel timed once in this host process.
        BenchmarkCase? peak = summary.BenchmarksCases.FirstOrDefault(b => b.Descriptor.WorkloadMethod.Name == nameof(PeakBenchmarks.FmaPeak));
        double? p = peak is not null ? Gflops(summary, peak) : HostPeak.Gflops;
        return Gflops(summary, benchmark) is { } g && p is > 0
            ? (100 * g / p.Value).ToString("N0", CultureInfo.InvariantCulture) + " %"
            : "-";
    });

    public string Id => name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => name switch
    {
        "ns/sample" => "median time per invocation divided by the batch size",
        "GFLOP/s" => "multiply-add FLOPs the kernels execute (Topologies.FlopsPerSample) per second, at the median",
        _ => "GFLOP/s relative to the FmaPeak benchmark of the same summary, or to the same kernel timed in the host process (best of 200 calls)",
    };

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    private static double? Median(Summary summary, BenchmarkCase benchmark) => summary[benchmark]?.ResultStatistics?.Median;

    private static int? Batch(BenchmarkCase benchmark) =>
        benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Batch")?.Value is int b ? b : null;

    private static string? Topology(BenchmarkCase benchmark) =>
        benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Topology")?.Value as string;

    private static double? Gflops(Summary summary, BenchmarkCase benchmark)
    {
        if (Median(summary, benchmark) is not { } ns || ns <= 0)
        {
            return null;
        }

        if (benchmark.Descriptor.WorkloadMethod.Name == nameof(PeakBenchmarks.FmaPeak))
        {
            return PeakBenchmarks.Flops / ns;
        }

        if (Topology(benchmark) is not { } topology || Batch(benchmark) is not { } batch)
        {
            return null;
        }

        bool training = benchmark.Descriptor.Type == typeof(TrainStepBenchmarks);
        double flops = Topologies.FlopsPerSample(Topologies.Create(topology).Spec, training) * batch;
        return flops / ns;
    }
}

/// <summary>GFLOP/s of <see cref="PeakBenchmarks.FmaPeak"/> in this process: the best of 200 calls (after tiering).</summary>
internal static class HostPeak
{
    private static readonly Lazy<double> s_gflops = new(() =>
    {
        var peak = new PeakBenchmarks();
        double best = double.PositiveInfinity;
        for (int i = 0; i < 200; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            peak.FmaPeak();
            best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }

        return PeakBenchmarks.Flops / best;
    });

    public static double Gflops => s_gflops.Value;
}
