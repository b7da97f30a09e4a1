using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench -- --filter '*'          (everything)
// dotnet run -c Release --project bench -- --filter '*' --job short   (a quick look)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
