using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using NetGen;

namespace NetGen.Benchmarks;

/// <summary>Inference on a batch: generated vs generic vs ONNX Runtime (the same weights exported with OnnxExport, one intra-op thread).</summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private INetwork<float> _generated = null!;
    private INetwork<float> _generic = null!;
    private float[] _x = [];
    private float[] _out = [];
    private InferenceSession _session = null!;
    private OrtValue _input = null!;
    private OrtValue _output = null!;
    private RunOptions _runOptions = null!;
    private readonly string[] _inputNames = ["input"];
    private readonly string[] _outputNames = ["output"];
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];

    [ParamsSource(typeof(Topologies), nameof(Topologies.Selected))]
    public string Topology { get; set; } = "c";

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
        (_x, _) = Topologies.Data(_generated.Spec, Batch, seed: 1);
        _out = new float[Batch * _generated.OutputSize];

        using var model = new MemoryStream();
        OnnxExport.Export(_generated, model);
        var options = new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(model.ToArray(), options);
        _input = OrtValue.CreateTensorValueFromMemory(_x, [Batch, _generated.InputSize]);
        _output = OrtValue.CreateTensorValueFromMemory(_out, [Batch, _generated.OutputSize]);
        _inputs = [_input];
        _outputs = [_output];
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Generic() => _generic.ForwardBatch(_x, _out);

    [Benchmark]
    public void Generated() => _generated.ForwardBatch(_x, _out);

    [Benchmark]
    public void OnnxRuntime() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
}
