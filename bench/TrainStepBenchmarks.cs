using BenchmarkDotNet.Attributes;
using NetGen;

namespace NetGen.Benchmarks;

/// <summary>
/// One plain-SGD training step per invocation (zero the gradients, BackwardBatch, θ ← θ − η ∂C/∂θ/B) on the same
/// parameters and data, generated vs generic, and the generated network's fused step; Threads = 2 lets batches above
/// the split size use the second core.
/// </summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private INetwork<float> _generated = null!;
    private INetwork<float> _generic = null!;
    private Sgd<float> _sgd = null!;
    private float[] _x = [];
    private float[] _y = [];

    [ParamsSource(typeof(Topologies), nameof(Topologies.Selected))]
    public string Topology { get; set; } = "a";

    [Params(1, 32, 256)]
    public int Batch { get; set; } = 32;

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        Parallelism.Enabled = Threads > 1;
        _generated = Topologies.Create(Topology);
        _generic = new GenericNetwork<float>(_generated.Spec);
        _generated.Parameters.CopyTo(_generic.Parameters);
        (_x, _y) = Topologies.Data(_generated.Spec, Batch, seed: 1);
        _sgd = new Sgd<float>(1e-3 / Batch);
    }

    [Benchmark(Baseline = true)]
    public float Generic() => Step(_generic);

    [Benchmark]
    public float Generated() => Step(_generated);

    /// <summary>The same SGD step through the generated network's fused one-pass update (ISgdStep).</summary>
    [Benchmark]
    public float GeneratedFused() => ((ISgdStep<float>)_generated).TrainStep(_x, _y, 1e-3f);

    private float Step(INetwork<float> network)
    {
        network.ZeroGradients();
        float loss = network.BackwardBatch(_x, _y);
        _sgd.Step(network.Parameters, network.Gradients);
        return loss;
    }
}
