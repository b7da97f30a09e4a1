namespace NetGen.Testing;

/// <summary>The topologies the correctness tests run: every valid output activation × loss, every hidden activation.</summary>
public static class Specs
{
    public static readonly Activation[] HiddenActivations =
        [Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.ReLU, Activation.LeakyReLU, Activation.ELU];

    /// <summary>Every valid (output activation, loss) pair.</summary>
    public static readonly (Activation Output, Loss Loss)[] OutputCombinations =
    [
        (Activation.Identity, Loss.MeanSquaredError),
        (Activation.Sigmoid, Loss.MeanSquaredError),
        (Activation.Tanh, Loss.MeanSquaredError),
        (Activation.ReLU, Loss.MeanSquaredError),
        (Activation.LeakyReLU, Loss.MeanSquaredError),
        (Activation.ELU, Loss.MeanSquaredError),
        (Activation.Softmax, Loss.MeanSquaredError),
        (Activation.Sigmoid, Loss.BinaryCrossEntropy),
        (Activation.Softmax, Loss.CrossEntropy),
    ];

    /// <summary>The activations added in issue 15 (through the differentiator).</summary>
    public static readonly Activation[] AddedActivations = [Activation.SiLU, Activation.GELU, Activation.Softplus, Activation.Mish];

    /// <summary>Output combinations with the activations and losses added in issue 15.</summary>
    public static readonly (Activation Output, Loss Loss)[] AddedOutputCombinations =
    [
        (Activation.SiLU, Loss.MeanSquaredError),
        (Activation.GELU, Loss.MeanSquaredError),
        (Activation.Softplus, Loss.MeanSquaredError),
        (Activation.Mish, Loss.MeanSquaredError),
        (Activation.Identity, Loss.Huber),
        (Activation.Tanh, Loss.LogCosh),
        (Activation.Identity, Loss.MeanAbsoluteError),
        (Activation.Softmax, Loss.Huber),
        (Activation.Mish, Loss.LogCosh),
    ];

    /// <summary>
    /// For each output combination and each hidden activation, a small net (every layer unrolled) and a wide one
    /// (Vector&lt;T&gt; loops, widths that are not multiples of the vector width).
    /// </summary>
    public static IEnumerable<(string Name, NetworkSpec Spec)> Matrix(Precision precision)
    {
        foreach ((Activation output, Loss loss) in OutputCombinations)
        {
            foreach (Activation hidden in HiddenActivations)
            {
                string name = $"{hidden}->{output}/{loss}";
                yield return ($"small {name}", NetworkSpec.Input(3).Dense(4, hidden).Dense(3, output).Build(loss, precision));
                yield return ($"wide {name}", NetworkSpec.Input(9).Dense(13, hidden).Dense(7, hidden).Dense(11, output).Build(loss, precision));
            }
        }

        // Issue 15: each added activation in the hidden layers, each added output and loss, and user-written functions.
        static Func<NetworkSpecBuilder, int, NetworkSpecBuilder> Of(Activation a) => (b, n) => b.Dense(n, a);
        static Func<NetworkSpecBuilder, int, NetworkSpecBuilder> OfCustom(CustomActivation a) => (b, n) => b.Dense(n, a);
        var pairs = new List<(string Name, Func<NetworkSpecBuilder, int, NetworkSpecBuilder> Hidden, Func<NetworkSpecBuilder, int, NetworkSpecBuilder> Output, Func<NetworkSpecBuilder, NetworkSpec> Build)>();
        foreach (Activation hidden in AddedActivations)
        {
            pairs.Add(($"{hidden}->Identity/MeanSquaredError", Of(hidden), Of(Activation.Identity), b => b.Build(Loss.MeanSquaredError, precision)));
            pairs.Add(($"{hidden}->Softmax/CrossEntropy", Of(hidden), Of(Activation.Softmax), b => b.Build(Loss.CrossEntropy, precision)));
        }

        foreach ((Activation output, Loss loss) in AddedOutputCombinations)
        {
            pairs.Add(($"Tanh->{output}/{loss}", Of(Activation.Tanh), Of(output), b => b.Build(loss, precision)));
            pairs.Add(($"SiLU->{output}/{loss}", Of(Activation.SiLU), Of(output), b => b.Build(loss, precision)));
        }

        foreach (CustomActivation custom in TestFunctions.Activations)
        {
            pairs.Add(($"{custom.Name}->Identity/MeanSquaredError", OfCustom(custom), Of(Activation.Identity), b => b.Build(Loss.MeanSquaredError, precision)));
            pairs.Add(($"{custom.Name}->Softmax/CrossEntropy", OfCustom(custom), Of(Activation.Softmax), b => b.Build(Loss.CrossEntropy, precision)));
            pairs.Add(($"Tanh->{custom.Name}/MeanSquaredError", Of(Activation.Tanh), OfCustom(custom), b => b.Build(Loss.MeanSquaredError, precision)));
        }

        foreach (CustomLoss custom in TestFunctions.Losses)
        {
            pairs.Add(($"Tanh->Identity/{custom.Name}", Of(Activation.Tanh), Of(Activation.Identity), b => b.Build(custom, precision)));
            pairs.Add(($"Tanh->Softmax/{custom.Name}", Of(Activation.Tanh), Of(Activation.Softmax), b => b.Build(custom, precision)));
            pairs.Add(($"Swish->Swish/{custom.Name}", OfCustom(TestFunctions.Swish), OfCustom(TestFunctions.Swish), b => b.Build(custom, precision)));
        }

        foreach (var (name, hidden, output, build) in pairs)
        {
            yield return ($"small {name}", build(output(hidden(NetworkSpec.Input(3), 4), 3)));
            yield return ($"wide {name}", build(output(hidden(hidden(NetworkSpec.Input(9), 13), 7), 11)));
        }
    }
}
