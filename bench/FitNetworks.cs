using NetGen;
namespace NetGen.Benchmarks;

/// <summary>The Fashion-MNIST-sized network of issue 12 (the CLI's fashion-mnist default): 784-256-128-10 ReLU, softmax cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionSized { }

/// <summary>
/// The Fashion-sized network with a user-written activation in its first layer (softsign): the pass bound cannot clear
/// its steps, so Fit protects them with a copy every few steps and a replay instead of a copy per step.
/// </summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, nameof(Softsign))]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionSoftsign
{
    /// <summary>z / (1 + |z|).</summary>
    [ActivationFunction] public static float Softsign(float z) => z / (1 + System.MathF.Abs(z));
}
