using NetGen;
namespace NetGen.Benchmarks;

/// <summary>The Fashion-MNIST network of issue 12: 784-256-128-10 ReLU, softmax cross-entropy, float.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionNetwork { }
