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
    }
}
