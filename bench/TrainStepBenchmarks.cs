using NetGen;
using System;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// One SGD training step (zero gradients, BackwardBatch, update) per invocation, generated vs generic on the
/// same parameters and data. Reported per batch; divide by the batch size for ns/sample.
/// </summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private INetwork<float> _generated = null!;
    private INetwork<float> _generic = null!;
    private Sgd<float> _sgd = null!;
    private float[] _x = [];
    private float[] _y = [];

    [Params("a", "b", "c", "d")]
    public string Topology { get; set; } = "a";

    [Params(1, 32, 256)]
    public int Batch { get; set; } = 32;

    [GlobalSetup]
    public void Setup()
    {
        _generated = Topologies.Create(Topology);
        _generic = new GenericNetwork<float>(_generated.Spec);
        _generated.Parameters.CopyTo(_generic.Parameters);
        (_x, _y) = Topologies.Data(_generated.Spec, Batch, seed: 1);
        _sgd = new Sgd<float>(1e-3);
    }

    [Benchmark(Baseline = true)]
    public float Generic() => Step(_generic);

    [Benchmark]
    public float Generated() => Step(_generated);

    private float Step(INetwork<float> network)
    {
        network.ZeroGradients();
        float loss = network.BackwardBatch(_x, _y);
        _sgd.Step(network.Parameters, network.Gradients);
        return loss;
    }
}

/// <summary>Inference on a batch, generated vs generic.</summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private INetwork<float> _generated = null!;
    private INetwork<float> _generic = null!;
    private float[] _x = [];
    private float[] _out = [];

    [Params("b", "c", "d")]
    public string Topology { get; set; } = "c";

    [Params(32, 256)]
    public int Batch { get; set; } = 32;

    [GlobalSetup]
    public void Setup()
    {
        _generated = Topologies.Create(Topology);
        _generic = new GenericNetwork<float>(_generated.Spec);
        _generated.Parameters.CopyTo(_generic.Parameters);
        (_x, _) = Topologies.Data(_generated.Spec, Batch, seed: 1);
        _out = new float[Batch * _generated.OutputSize];
    }

    [Benchmark(Baseline = true)]
    public void Generic() => _generic.ForwardBatch(_x, _out);

    [Benchmark]
    public void Generated() => _generated.ForwardBatch(_x, _out);
}

/// <summary>The benchmark topologies and their data.</summary>
public static class Topologies
{
    public static INetwork<float> Create(string name) => name switch
    {
        "a" => new TopologyA(1),
        "b" => new TopologyB(1),
        "c" => new TopologyC(1),
        "d" => new TopologyD(1),
        _ => throw new ArgumentException($"unknown topology {name}"),
    };

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
}
