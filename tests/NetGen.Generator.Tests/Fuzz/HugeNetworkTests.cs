using NetGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests.Fuzz;

/// <summary>
/// Huge declarations still generate code of sane size (loops, not megabytes of unrolled statements) that compiles:
/// widths of 10,000, and a network just under the largest parameter count one array holds.
/// </summary>
public sealed class HugeNetworkTests(ITestOutputHelper output)
{
    private const int MaxGeneratedChars = 200_000;

    [Theory]
    [InlineData("[Network(Loss.CrossEntropy)] [Input(10000)] [Dense(10000, Activation.ReLU)] [Dense(10, Activation.Softmax)]")]
    [InlineData("[Network(Loss.MeanSquaredError, Precision = Precision.Double)] [Input(10000)] [Dropout(0.1)] [Dense(10000, Activation.ELU)] [BatchNorm] [Dropout(0.5)] [Dense(10000, Activation.Tanh)] [Dense(1)]")]
    [InlineData("[Network(Loss.BinaryCrossEntropy)] [Input(1)] [Dense(10000, Activation.LeakyReLU, Alpha = 0.2)] [Dense(10000, Activation.Sigmoid)]")]
    [InlineData("[Network(Loss.MeanSquaredError)] [Input(46340)] [Dense(46340)]")] // 2,147,441,940 parameters: just under Array.MaxLength
    [InlineData("[Network(Loss.MeanSquaredError)] [Input(46340)] [Dense(46341)]")] // 2,147,488,281 parameters: just over, NG0016
    public void Huge_layers_generate_loops_and_compile(string attributes)
    {
        GeneratorRun run = GeneratorHarness.Run($"using NetGen;\nnamespace Samples;\n{attributes}\npublic partial class Huge {{ }}\n");
        if (run.Diagnostics.Any(d => d.Id == Diagnostics.DiagnosticDescriptors.TooLargeId))
        {
            // Beyond one array: NG0016, nothing generated (the last case).
            Assert.Empty(run.Sources);
            return;
        }

        Assert.Empty(run.Diagnostics);
        string source = Assert.Single(run.Sources).Value;
        output.WriteLine($"{attributes}: {source.Length:N0} characters");
        Assert.True(source.Length < MaxGeneratedChars, $"the generated file has {source.Length:N0} characters (limit {MaxGeneratedChars:N0})");
        Assert.Empty(run.CompilationProblems);
    }
}
