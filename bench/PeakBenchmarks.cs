using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// The single-core FMA peak: 12 independent Vector&lt;float&gt; fused multiply-add chains (enough to cover the FMA
/// latency on two ports), 2 FLOPs per lane per FMA. Every run measures it, so % of peak is taken on the same machine.
/// </summary>
public class PeakBenchmarks
{
    public const int Iterations = 100_000;

    /// <summary>FLOPs of one invocation.</summary>
    public static double Flops => 2.0 * 12 * Vector<float>.Count * Iterations;

    [Benchmark]
    public float FmaPeak()
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
