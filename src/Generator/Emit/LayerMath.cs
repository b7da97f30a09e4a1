using System;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The whole calculus NetGen emits, on one screen: for each activation its forward formula and the product
/// g ∘ σ'(z) that back-propagation needs; for each loss its cost and output error δ^L. Each row gives the
/// comment written above the emitted block and the scalar and vector C# expressions. The runtime's
/// ActivationMath/LossMath are the generic engine's counterpart; tests prove both agree with finite differences.
/// </summary>
internal static class LayerMath
{
    /// <summary>One activation: σ and σ' as math text and as C# expressions over scalars and Vector&lt;T&gt;.</summary>
    /// <param name="Name">The lower-case name.</param>
    /// <param name="Forward">σ(z) as math.</param>
    /// <param name="Derivative">σ'(z) as math (a = σ(z)).</param>
    /// <param name="Scalar">(T, z, α) → σ(z).</param>
    /// <param name="Vector">(T, z, α) → σ(z) for a vector z, using the vector helpers every generated class declares (Vec, Exp, Tanh, Max0, Min0, IfPositive).</param>
    /// <param name="ScalarDelta">(T, g, z, a, α) → g σ'(z).</param>
    /// <param name="VectorDelta">(T, g, z, a, α) → g ∘ σ'(z) for vectors.</param>
    internal sealed record ActivationRule(
        string Name,
        string Forward,
        string Derivative,
        Func<NumericType, string, string, string> Scalar,
        Func<NumericType, string, string, string> Vector,
        Func<NumericType, string, string, string, string, string> ScalarDelta,
        Func<NumericType, string, string, string, string, string> VectorDelta);

    // activation      forward σ(z)                         backward g ∘ σ'(z)
    private static readonly ActivationRule[] s_activations =
    [
        new("identity", "σ(z) = z", "σ'(z) = 1",
            (t, z, _) => z,
            (t, z, _) => z,
            (t, g, z, a, _) => g,
            (t, g, z, a, _) => g),
        new("sigmoid", "σ(z) = 1 / (1 + e^(−z))", "σ'(z) = a (1 − a)",
            (t, z, _) => $"{t.Lit(1)} / ({t.Lit(1)} + {t.Math}.Exp(-{z}))",
            (t, z, _) => $"{t.VecLit(1)} / ({t.VecLit(1)} + Exp(-{z}))",
            (t, g, z, a, _) => $"{g} * {a} * ({t.Lit(1)} - {a})",
            (t, g, z, a, _) => $"{g} * {a} * ({t.VecLit(1)} - {a})"),
        new("tanh", "σ(z) = tanh z", "σ'(z) = 1 − a²",
            (t, z, _) => $"{t.Math}.Tanh({z})",
            (t, z, _) => $"Tanh({z})",
            (t, g, z, a, _) => $"{g} * ({t.Lit(1)} - {a} * {a})",
            (t, g, z, a, _) => $"{g} * ({t.VecLit(1)} - {a} * {a})"),
        new("relu", "σ(z) = max(0, z)", "σ'(z) = 1[z > 0]",
            (t, z, _) => $"{t.Math}.Max({z}, {t.Lit(0)})",
            (t, z, _) => $"Max0({z})",
            (t, g, z, a, _) => $"({z} > {t.Lit(0)} ? {g} : {t.Lit(0)})",
            (t, g, z, a, _) => $"IfPositive({z}, {g}, {t.VecLit(0)})"),
        new("leaky_relu", "σ(z) = z > 0 ? z : α z", "σ'(z) = z > 0 ? 1 : α",
            (t, z, alpha) => $"({z} > {t.Lit(0)} ? {z} : {alpha} * {z})",
            (t, z, alpha) => $"IfPositive({z}, {z}, {alpha} * {z})",
            (t, g, z, a, alpha) => $"({z} > {t.Lit(0)} ? {g} : {alpha} * {g})",
            (t, g, z, a, alpha) => $"IfPositive({z}, {g}, {alpha} * {g})"),
        new("elu", "σ(z) = z > 0 ? z : α (e^z − 1)", "σ'(z) = z > 0 ? 1 : a + α",
            (t, z, alpha) => $"({z} > {t.Lit(0)} ? {z} : {alpha} * ({t.Math}.Exp({z}) - {t.Lit(1)}))",
            (t, z, alpha) => $"IfPositive({z}, {z}, {alpha} * (Exp(Min0({z})) - {t.VecLit(1)}))",
            (t, g, z, a, alpha) => $"({z} > {t.Lit(0)} ? {g} : {g} * ({a} + {alpha}))",
            (t, g, z, a, alpha) => $"IfPositive({z}, {g}, {g} * ({a} + Vec({alpha})))"),
        new("softmax", "a_j = e^(z_j − max z) / Σ_k e^(z_k − max z)", "g ∘ σ'(z) = a ∘ (g − (g·a))  (Jacobian-vector product)",
            (t, z, _) => throw new InvalidOperationException("softmax is emitted row-wise"),
            (t, z, _) => throw new InvalidOperationException("softmax is emitted row-wise"),
            (t, g, z, a, _) => throw new InvalidOperationException("softmax is emitted row-wise"),
            (t, g, z, a, _) => throw new InvalidOperationException("softmax is emitted row-wise")),
    ];

    /// <summary>One loss: its cost and output error as math, for the comments above the emitted code.</summary>
    /// <param name="Name">The loss.</param>
    /// <param name="Cost">C as math.</param>
    /// <param name="StableCost">How the code computes C without ever taking ln 0.</param>
    /// <param name="Delta">δ^L as math.</param>
    internal sealed record LossRule(string Name, string Cost, string StableCost, string Delta);

    // loss              cost C                                  computed as                                        δ^L = ∂C/∂z^L
    private static readonly LossRule[] s_losses =
    [
        new("mean squared error", "C = ½ Σ_j (a_j − y_j)²", "C = ½ Σ_j (a_j − y_j)²", "δ^L = σ'(z^L) ∘ (a^L − y)"),
        new("binary cross-entropy", "C = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]", "C = Σ_j max(z_j, 0) − z_j y_j + ln(1 + e^(−|z_j|))", "δ^L = a^L − y"),
        new("cross-entropy", "C = −Σ_j y_j ln a_j", "C = Σ_j y_j (lse − z_j),  lse = max z + ln Σ_k e^(z_k − max z)", "δ^L = a^L Σ_j y_j − y  (= a^L − y for one-hot or probability targets)"),
    ];

    public static ActivationRule For(ActivationKind activation) => s_activations[(int)activation];

    public static LossRule For(LossKind loss) => s_losses[(int)loss];
}
