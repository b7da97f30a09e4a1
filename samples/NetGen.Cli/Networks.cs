namespace NetGen.Cli;

// The networks the tool trains by default, one (or more) per data set. NetGen's source generator turns each
// declaration into a partial class with the forward pass and back-propagation written out for exactly this topology;
// ModelCatalog lists them under the names `--network` accepts.

/// <summary>Digits (8×8 images, 10 classes): 64 → 100 → 30 → 10, LeakyReLU, softmax + cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(100, Activation.LeakyReLU)]
[Dense(30, Activation.LeakyReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }

/// <summary>Digits, the course's small sigmoid network: 64 → 30 → 10, sigmoid, softmax + cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(30, Activation.Sigmoid)]
[Dense(10, Activation.Softmax)]
public partial class DigitsSigmoidNet { }

/// <summary>Iris (4 measurements, 3 species): 4 → 16 → 3, tanh, softmax + cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(4)]
[Dense(16, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class IrisNet { }

/// <summary>Wine (13 chemical measurements, 3 cultivars): 13 → 32 → 3, ReLU, softmax + cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(13)]
[Dense(32, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class WineNet { }

/// <summary>Breast cancer (30 features, malignant/benign): 30 → 32 → 2, ReLU, softmax + cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(30)]
[Dense(32, Activation.ReLU)]
[Dense(2, Activation.Softmax)]
public partial class BreastCancerNet { }

/// <summary>Breast cancer as one probability: 30 → 16 → 1, ReLU, sigmoid + binary cross-entropy (target: benign = 1).</summary>
[Network(Loss.BinaryCrossEntropy)]
[Input(30)]
[Dense(16, Activation.ReLU)]
[Dense(1, Activation.Sigmoid)]
public partial class BreastCancerSigmoidNet { }

/// <summary>Diabetes (10 features, disease progression): 10 → 32 → 1, ReLU, identity + mean squared error.</summary>
[Network(Loss.MeanSquaredError)]
[Input(10)]
[Dense(32, Activation.ReLU)]
[Dense(1)]
public partial class DiabetesNet { }

/// <summary>Fashion-MNIST (28×28 images, 10 classes): 784 → 256 → 128 → 10, ReLU, softmax + cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionNet { }
