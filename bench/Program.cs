using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using NetGen.Benchmarks;

// dotnet run -c Release --project bench -- --filter '*'               everything (the table in bench/README.md)
// dotnet run -c Release --project bench -- --filter '*' --job short   a quick look
// dotnet run -c Release --project bench -- --filter '*TrainStep*' --anyCategories ...  (BenchmarkDotNet's usual options)
IConfig config = DefaultConfig.Instance
    .AddColumn(WorkColumn.NsPerSample, WorkColumn.GflopsPerSecond, WorkColumn.PercentOfPeak);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
