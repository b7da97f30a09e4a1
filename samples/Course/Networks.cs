namespace NetGen.Samples.Course;

/// <summary>The course's first example: one input, one output, no hidden layer: a1 = z1 = w1 x + b1.</summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(1)]
[Dense(1)]
public partial class Perceptron { }

/// <summary>One hidden node: z1 = w1 x + b1, a1 = σ(z1), z2 = w2 a1 + b2, a2 = z2.</summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(1)]
[Dense(1, Activation.Sigmoid)]
[Dense(1)]
public partial class OneHiddenNode { }

/// <summary>The course's 2-2-1 network with sigmoid hidden units and a linear output (see its generated file).</summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1)]
public partial class QuadraticFit { }

/// <summary>The same problem with ten hidden units.</summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(2)]
[Dense(10, Activation.Sigmoid)]
[Dense(1)]
public partial class QuadraticFitWide { }

/// <summary>
/// The lecture's closing challenge — change the activation and derive it automatically — answered at compile time: the
/// 2-2-1 fit with an activation written in C#. The generator differentiates Swish's syntax tree and writes σ' into the
/// generated file (and into <c>Spec.DenseLayers[0].Function.DerivativeFormula</c>, which the sample prints).
/// </summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(2)]
[Dense(2, nameof(Swish))]
[Dense(1)]
public partial class QuadraticFitSwish
{
    /// <summary>Swish (SiLU): σ(z) = z / (1 + e^−z).</summary>
    [ActivationFunction] public static double Swish(double z) => z / (1 + System.Math.Exp(-z));
}
