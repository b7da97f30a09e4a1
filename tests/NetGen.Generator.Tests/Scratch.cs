using NetGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests;

public class Scratch(ITestOutputHelper output)
{
    [Fact]
    public void Print()
    {
        var run = GeneratorHarness.Run("""
            using NetGen;
            namespace Demo;
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(2, Activation.Sigmoid)]
            [Dense(1)]
            public partial class QuadraticFit { }

            [Network(Loss.CrossEntropy)]
            [Input(64)]
            [Dense(32, Activation.ReLU)]
            [Dropout(0.5)]
            [Dense(10, Activation.Softmax)]
            public partial class Digits { }
            """);
        foreach (var d in run.Diagnostics) output.WriteLine(d.ToString());
        foreach (var d in run.CompilationProblems) output.WriteLine(d.ToString());
        File.WriteAllText("/tmp/gen_221.cs", run.Sources.Values.First());
        File.WriteAllText("/tmp/gen_digits.cs", run.Sources.Values.Last());
    }
}
