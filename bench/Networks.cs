using NetGen;
namespace NetGen.Benchmarks;

/// <summary>a: the course's 2-2-1 sigmoid network.</summary>
[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1)]
public partial class TopologyA { }

/// <summary>b: 2-64-64-1 sigmoid.</summary>
[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(64, Activation.Sigmoid)]
[Dense(64, Activation.Sigmoid)]
[Dense(1)]
public partial class TopologyB { }

/// <summary>c: 784-128-64-10 ReLU, softmax cross-entropy (MNIST-sized).</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(64, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class TopologyC { }

/// <summary>d: the course's digits network, 64-100-30-10 LeakyReLU, softmax cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(100, Activation.LeakyReLU)]
[Dense(30, Activation.LeakyReLU)]
[Dense(10, Activation.Softmax)]
public partial class TopologyD { }
