namespace NetGen.Testing;

/// <summary>
/// User-written functions for the correctness tests (issue 15): each as the C# method a user writes (float and double)
/// for the generator to differentiate, and as a <see cref="CustomActivation"/>/<see cref="CustomLoss"/> with the
/// derivative worked out by hand, for the generic engine. Generated ≡ generic then compares the generator's derivative
/// with the hand-written one, and the gradient checks compare both with finite differences.
/// </summary>
public static class TestFunctions
{
    /// <summary>Swish: z / (1 + e^−z).</summary>
    public static readonly CustomActivation Swish = new("Swish",
        z => z / (1 + Math.Exp(-z)),
        z => { double s = 1 / (1 + Math.Exp(-z)); return s * (1 + z * (1 - s)); },
        null, null, "z / (1 + e^(−z))", null, "z / (1.0 + global::System.Math.Exp(-z))");

    /// <summary>A piecewise function with a seam at z = 1 (value and slope continuous): z ≤ 1 ? z : 1 + ln z.</summary>
    public static readonly CustomActivation Knee = new("Knee",
        z => z > 1 ? 1 + Math.Log(z) : z,
        z => z > 1 ? 1 / z : 1,
        null, null, null, null, "z > 1.0 ? 1.0 + global::System.Math.Log(z) : z");

    /// <summary>Locals, an assignment and a call of another activation: ½ swish(z) + ½ tanh z · √(1 + z²)/√(1 + z²)… written with Atan.</summary>
    public static readonly CustomActivation Blend = new("Blend",
        z => 0.5 * (z / (1 + Math.Exp(-z))) + 0.5 * Math.Atan(z),
        z => { double s = 1 / (1 + Math.Exp(-z)); return 0.5 * s * (1 + z * (1 - s)) + 0.5 / (1 + z * z); },
        null, null, null, null, "0.5 * (z / (1.0 + global::System.Math.Exp(-z))) + 0.5 * global::System.Math.Atan(z)");

    /// <summary>Cauchy loss: ln(1 + (a − y)²).</summary>
    public static readonly CustomLoss Cauchy = new("Cauchy",
        (a, y) => Math.Log(1 + (a - y) * (a - y)),
        (a, y) => 2 * (a - y) / (1 + (a - y) * (a - y)));

    /// <summary>Smooth L1 (Huber with δ = 1), piecewise with a local: |d| ≤ 1 ? ½ d² : |d| − ½.</summary>
    public static readonly CustomLoss SmoothL1 = new("SmoothL1",
        (a, y) => Math.Abs(a - y) <= 1 ? 0.5 * (a - y) * (a - y) : Math.Abs(a - y) - 0.5,
        (a, y) => Math.Clamp(a - y, -1, 1));

    public static readonly CustomActivation[] Activations = [Swish, Knee, Blend];

    public static readonly CustomLoss[] Losses = [Cauchy, SmoothL1];

    /// <summary>The methods of every test function, in the precision's type, for a network class's body.</summary>
    public static string Methods(Precision precision) => precision == Precision.Single
        ? """
            [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));
            [ActivationFunction] public static float Knee(float z) => z > 1f ? 1f + MathF.Log(z) : z;
            [ActivationFunction] public static float Blend(float z) { float s = Swish(z); s = s * 0.5f; var t = MathF.Atan(z); return s + 0.5f * t; }
            [LossFunction] public static float Cauchy(float a, float y) => MathF.Log(1f + MathF.Pow(a - y, 2f));
            [LossFunction] public static float SmoothL1(float a, float y) { float d = a - y; return MathF.Abs(d) <= 1f ? 0.5f * d * d : MathF.Abs(d) - 0.5f; }
            """
        : """
            [ActivationFunction] public static double Swish(double z) => z / (1 + Math.Exp(-z));
            [ActivationFunction] public static double Knee(double z) => z > 1 ? 1 + Math.Log(z) : z;
            [ActivationFunction] public static double Blend(double z) { double s = Swish(z); s = s * 0.5; var t = Math.Atan(z); return s + 0.5 * t; }
            [LossFunction] public static double Cauchy(double a, double y) => Math.Log(1 + Math.Pow(a - y, 2));
            [LossFunction] public static double SmoothL1(double a, double y) { double d = a - y; return Math.Abs(d) <= 1 ? 0.5 * d * d : Math.Abs(d) - 0.5; }
            """;
}
