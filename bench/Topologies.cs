using System;
using System.Collections.Generic;
using System.Linq;
using NetGen;

namespace NetGen.Benchmarks;

/// <summary>The benchmark topologies (issue #3's table), their data and their floating-point work.</summary>
public static class Topologies
{
    /// <summary>a, b, c and d, or those NETGEN_BENCH_TOPOLOGIES names (e.g. "b" or "b,c") for a run over fewer.</summary>
    public static IEnumerable<string> Selected =>
        Environment.GetEnvironmentVariable("NETGEN_BENCH_TOPOLOGIES") is { Length: > 0 } names
            ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["a", "b", "c", "d"];

    public static INetwork<float> Create(string name) => name switch
    {
        "a" => new TopologyA(1),
        "b" => new TopologyB(1),
        "c" => new TopologyC(1),
        "d" => new TopologyD(1),
        _ => throw new ArgumentException($"unknown topology {name}"),
    };

    public static string Describe(string name) => name switch
    {
        "a" => "2-2-1 sigmoid, MSE",
        "b" => "2-64-64-1 sigmoid, MSE",
        "c" => "784-128-64-10 ReLU, softmax CE",
        "d" => "64-100-30-10 LeakyReLU, softmax CE",
        _ => name,
    };

    /// <summary>Inputs ~ N(0, 1); one-hot targets for cross-entropy, N(0, 1) otherwise.</summary>
    public static (float[] X, float[] Y) Data(NetworkSpec spec, int count, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[count * spec.InputSize];
        var y = new float[count * spec.OutputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int s = 0; s < count; s++)
        {
            if (spec.Loss == Loss.CrossEntropy)
            {
                y[s * spec.OutputSize + rng.NextInt(spec.OutputSize)] = 1;
            }
            else
            {
                for (int j = 0; j < spec.OutputSize; j++)
                {
                    y[s * spec.OutputSize + j] = (float)rng.NextGaussian();
                }
            }
        }

        return (x, y);
    }

    /// <summary>
    /// Multiply-add FLOPs per sample the kernels execute: inference 2 Σ in·out; a training step adds ∂C/∂W
    /// (2 Σ in·out) and δ^{l−1} = δ^l W^lᵀ for l ≥ 2 (2 Σ_{l≥2} in·out). Activations, losses and the update are not
    /// counted (they are O(width), not O(in·out)).
    /// </summary>
    public static double FlopsPerSample(NetworkSpec spec, bool training)
    {
        double all = spec.Stages.Sum(s => (double)s.InputSize * s.OutputSize);
        double first = spec.Stages[0].InputSize * (double)spec.Stages[0].OutputSize;
        return training ? 2 * all + 2 * all + 2 * (all - first) : 2 * all;
    }
}
