using System;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using NetGen.Benchmarks;

// dotnet run -c Release --project bench -- --filter '*'               everything (the table in bench/README.md)
// dotnet run -c Release --project bench -- --filter '*' --job short   a quick look
// dotnet run -c Release --project bench -- --filter '*TrainStep*' --anyCategories ...  (BenchmarkDotNet's usual options)
// dotnet run -c Release --project bench -- --ab [--topologies a,b,c,d] [--rounds 15]
//     issue 11's interleaved A/B of the frozen legacy generated code (bench/Legacy) and the current one (AbRunner)
// dotnet run -c Release --project bench -- --scaling [--topologies b,c,d] [--rounds 9]
//     issue 13's scaling check: one shared instance from 1 and 2 threads, two instances as the control (ScalingRunner)
// dotnet run -c Release --project bench -- --fit [--part fashion,phases,digits] [--rows 16384] [--rounds 7]
//     issue 12's real step: Fit epochs of the Fashion-sized network (µs/sample, GFLOP/s, % of the 2-core peak), a B = 64
//     step by phase, the digits job cold and warm; separate-pass and fused-update Fit interleaved (FitRunner)
// dotnet run -c Release --project bench -- --kernels [--batches 16,32,64,256] [--rounds 21] [--only dW1,d1,step2,…]
//     issue 12's kernel A/B: each wide-layer kernel of the Fashion network, frozen (bench/Legacy/LegacyDense.cs) vs current (KernelRunner)
// dotnet run -c Release --project bench -- --ab --topologies ha,hb   issue 12's hand-written kernels (bench/Hand) against the generated networks
// dotnet run -c Release --project bench -- --handoff [--rounds 3000]
//     the cost of handing a split's second half to the other core: SecondCore (PairRunner) against the thread pool (HandoffRunner)
if (Array.IndexOf(args, "--fit") >= 0)
{
    return FitRunner.Run(args);
}

if (Array.IndexOf(args, "--ab") >= 0)
{
    return AbRunner.Run(args);
}

if (Array.IndexOf(args, "--kernels") >= 0)
{
    return KernelRunner.Run(args);
}

if (Array.IndexOf(args, "--handoff") >= 0)
{
    return HandoffRunner.Run(args);
}

if (Array.IndexOf(args, "--scaling") >= 0)
{
    return ScalingRunner.Run(args);
}

IConfig config = DefaultConfig.Instance
    .AddColumn(WorkColumn.NsPerSample, WorkColumn.GflopsPerSecond, WorkColumn.PercentOfPeak);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
return 0;
