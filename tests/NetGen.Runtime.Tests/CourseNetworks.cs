namespace NetGen.Runtime.Tests;

/// <summary>The course's networks, generated at build time by NetGen.Generator.</summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(1)]
[Dense(1)]
public partial class Perceptron { }

[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(1)]
[Dense(1, Activation.Sigmoid)]
[Dense(1)]
public partial class OneHiddenNode { }

[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1)]
public partial class QuadraticFit { }

[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1)]
public partial class QuadraticFitDouble { }

[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(2)]
[Dense(10, Activation.Sigmoid)]
[Dense(1)]
public partial class QuadraticFitWide { }

[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(100, Activation.LeakyReLU)]
[Dense(30, Activation.LeakyReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }
