using System;
using NetGen.Generator.Differentiation;
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
    /// <param name="Vector">(T, z, α) → σ(z) for a vector z, using the runtime's vector helpers by full name (NetGen.VectorMath: Exp, Tanh, Max0, Min0, IfPositive).</param>
    /// <param name="ScalarDelta">(T, g, z, a, α) → g σ'(z).</param>
    /// <param name="VectorDelta">(T, g, z, a, α) → g ∘ σ'(z) for vectors.</param>
    /// <param name="Kernel">The runtime type the wide-layer kernels take as their activation argument (null for softmax, which runs row-wise).</param>
    internal sealed record ActivationRule(
        string Name,
        string Forward,
        string Derivative,
        Func<NumericType, string, string, string> Scalar,
        Func<NumericType, string, string, string> Vector,
        Func<NumericType, string, string, string, string, string> ScalarDelta,
        Func<NumericType, string, string, string, string, string> VectorDelta,
        string? Kernel = null)
    {
        /// <summary>Softmax: each a_j depends on the whole row, so it has no element-wise form.</summary>
        public bool RowWise => Kernel is null;
    }

    // activation      forward σ(z)                         backward g ∘ σ'(z)
    private static readonly ActivationRule[] s_activations =
    [
        new("identity", "σ(z) = z", "σ'(z) = 1",
            (t, z, _) => z,
            (t, z, _) => z,
            (t, g, z, a, _) => g,
            (t, g, z, a, _) => g,
            "global::NetGen.Activations.Identity"),
        new("sigmoid", "σ(z) = 1 / (1 + e^(−z))", "σ'(z) = a (1 − a)",
            (t, z, _) => $"{t.Lit(1)} / ({t.Lit(1)} + {t.Math}.Exp(-{z}))",
            (t, z, _) => $"{t.VecLit(1)} / ({t.VecLit(1)} + {NumericType.VM}.Exp(-{z}))",
            (t, g, z, a, _) => $"{g} * {a} * ({t.Lit(1)} - {a})",
            (t, g, z, a, _) => $"{g} * {a} * ({t.VecLit(1)} - {a})",
            "global::NetGen.Activations.Sigmoid"),
        new("tanh", "σ(z) = tanh z", "σ'(z) = 1 − a²",
            (t, z, _) => $"{t.Math}.Tanh({z})",
            (t, z, _) => $"{NumericType.VM}.Tanh({z})",
            (t, g, z, a, _) => $"{g} * ({t.Lit(1)} - {a} * {a})",
            (t, g, z, a, _) => $"{g} * ({t.VecLit(1)} - {a} * {a})",
            "global::NetGen.Activations.Tanh"),
        new("relu", "σ(z) = max(0, z)", "σ'(z) = 1[z > 0]",
            (t, z, _) => $"{t.Math}.Max({z}, {t.Lit(0)})",
            (t, z, _) => $"{NumericType.VM}.Max0({z})",
            (t, g, z, a, _) => $"({z} > {t.Lit(0)} ? {g} : {t.Lit(0)})",
            (t, g, z, a, _) => $"{NumericType.VM}.IfPositive({z}, {g}, {t.VecLit(0)})",
            "global::NetGen.Activations.ReLU"),
        new("leaky_relu", "σ(z) = z > 0 ? z : α z", "σ'(z) = z > 0 ? 1 : α",
            (t, z, alpha) => $"({z} > {t.Lit(0)} ? {z} : {alpha} * {z})",
            (t, z, alpha) => $"{NumericType.VM}.IfPositive({z}, {z}, {alpha} * {z})",
            (t, g, z, a, alpha) => $"({z} > {t.Lit(0)} ? {g} : {alpha} * {g})",
            (t, g, z, a, alpha) => $"{NumericType.VM}.IfPositive({z}, {g}, {alpha} * {g})",
            "global::NetGen.Activations.LeakyReLU"),
        new("elu", "σ(z) = z > 0 ? z : α (e^z − 1)", "σ'(z) = z > 0 ? 1 : a + α",
            (t, z, alpha) => $"({z} > {t.Lit(0)} ? {z} : {alpha} * ({t.Math}.Exp({z}) - {t.Lit(1)}))",
            (t, z, alpha) => $"{NumericType.VM}.IfPositive({z}, {z}, {alpha} * ({NumericType.VM}.Exp({NumericType.VM}.Min0({z})) - {t.VecLit(1)}))",
            (t, g, z, a, alpha) => $"({z} > {t.Lit(0)} ? {g} : {g} * ({a} + {alpha}))",
            (t, g, z, a, alpha) => $"{NumericType.VM}.IfPositive({z}, {g}, {g} * ({a} + {t.Vec(alpha)}))",
            "global::NetGen.Activations.ELU"),
        new("softmax", "a_j = e^(z_j − max z) / Σ_k e^(z_k − max z)", "g ∘ σ'(z) = a ∘ (g − (g·a))  (Jacobian-vector product)",
            (t, z, _) => $"global::NetGen.Softmax.Forward({z})",
            (t, z, _) => $"global::NetGen.Softmax.Forward({z})",
            (t, g, z, a, _) => $"{a} * ({g} - {g}·{a})",
            (t, g, z, a, _) => $"{a} * ({g} - {g}·{a})"),

        // Added through the differentiator: the forward formula is the defining expression, the derivative the
        // differentiator's (a test checks the runtime's hand-vectorized kernels against both).
        Differentiated("silu", BuiltinFunctions.SiLU, "global::NetGen.Activations.SiLU"),
        Differentiated("gelu", BuiltinFunctions.GELU, "global::NetGen.Activations.GELU"),
        Differentiated("softplus", BuiltinFunctions.SoftplusZ, "global::NetGen.Activations.Softplus"),
        Differentiated("mish", BuiltinFunctions.Mish, "global::NetGen.Activations.Mish"),
    ];

    /// <summary>
    /// A row from a defining expression σ(z): the forward formula printed in each dialect, σ' from <see cref="Derivative"/>.
    /// Element-wise code calls the runtime kernel type <paramref name="kernel"/> for g σ'(z), which binds the shared
    /// subexpressions of σ' to locals; tiny layers inline the forward expression.
    /// </summary>
    private static ActivationRule Differentiated(string name, Expr forward, string kernel)
    {
        Expr derivative = Differentiation.Derivative.Of(forward, "z");
        return new(name, "σ(z) = " + ExprEmitter.Print(forward, Dialect.Math), "σ'(z) = " + ExprEmitter.Print(derivative, Dialect.Math),
            (t, z, _) => ExprEmitter.Print(ExprEmitter.Replace(forward, new Var("z"), new Var(z)), Dialect.Scalar(t)),
            (t, z, _) => ExprEmitter.Print(ExprEmitter.Replace(forward, new Var("z"), new Var(z)), Dialect.Vector(t)),
            (t, g, z, a, _) => $"{kernel}.Delta({g}, {z}, {a}, {t.Lit(0)})",
            (t, g, z, a, _) => $"{kernel}.Delta({g}, {z}, {a}, {t.Lit(0)})",
            kernel);
    }

    /// <summary>The rule of a user-written activation: its generated <see cref="FunctionStruct"/> does the work.</summary>
    private static ActivationRule Custom(FunctionModel function, NumericType type)
    {
        string fn = FunctionStruct(function);

        // Tiny layers inline an expression without shared subexpressions (z / (1 + e^(−z)) reads best where it is used);
        // one with them calls the struct, which binds them to locals.
        // (call null: the derivative, in parentheses when inlined, as the right operand of g *)
        string Inline(Expr e, string z, string? call, NumericType t) =>
            ExprEmitter.Statements(e, Dialect.Scalar(t)).Locals.Count > 0 ? call ?? $"{fn}.Derivative({z})"
            : call is null ? $"({ExprEmitter.Print(ExprEmitter.Replace(e, new Var("z"), new Var(z)), Dialect.Scalar(t))})"
            : ExprEmitter.Print(ExprEmitter.Replace(e, new Var("z"), new Var(z)), Dialect.Scalar(t));
        return new(function.Name, $"σ(z) = {function.Name}(z) = {ExprEmitter.Print(function.Forward, Dialect.Math)}", "σ'(z) = " + ExprEmitter.Print(function.Derivative, Dialect.Math),
            (t, z, _) => Inline(function.Forward, z, $"{fn}.Apply({z})", t),
            (t, z, _) => $"{fn}.Apply({z})",
            (t, g, z, a, _) => $"{g} * {Inline(function.Derivative, z, null, t)}",
            (t, g, z, a, _) => $"{g} * {fn}.Derivative({z})",
            $"global::NetGen.Activations.Custom<{type.Name}, {fn}>");
    }

    /// <summary>The generated struct that holds a user-written function and its derivative (inside Kernels).</summary>
    public static string FunctionStruct(FunctionModel function) => function.Name.TrimStart('@') + (function.IsLoss ? "Loss" : "Activation");

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
        ElementLoss("huber (δ = 1)", BuiltinFunctions.Huber),
        ElementLoss("log-cosh", BuiltinFunctions.LogCosh),
        ElementLoss("mean absolute error", BuiltinFunctions.MeanAbsoluteError, "  (subgradient 0 at a = y)"),
    ];

    /// <summary>A loss C = Σ_j ℓ(a_j, y_j) with ∂ℓ/∂a from the differentiator; δ^L = σ'(z^L) ∘ ∂ℓ/∂a.</summary>
    private static LossRule ElementLoss(string name, Expr loss, string note = "")
    {
        string l = ExprEmitter.Print(loss, Dialect.Math), d = ExprEmitter.Print(Differentiation.Derivative.Of(loss, "a"), Dialect.Math);
        return new(name, $"C = Σ_j ℓ(a_j, y_j),  ℓ(a, y) = {l}", $"C = Σ_j ℓ(a_j, y_j),  ℓ(a, y) = {l}", $"δ^L = σ'(z^L) ∘ ∂ℓ/∂a,  ∂ℓ/∂a = {d}{note}");
    }

    /// <summary>Whether the loss is a sum of a per-output ℓ(a_j, y_j) run by NetGen.Losses.Elementwise.</summary>
    public static bool IsElementLoss(LossKind loss) => loss is LossKind.Huber or LossKind.LogCosh or LossKind.MeanAbsoluteError or LossKind.Custom;

    public static ActivationRule For(ActivationKind activation) => s_activations[(int)activation];

    /// <summary>The rule of a layer's activation, built-in or user-written.</summary>
    public static ActivationRule For(LayerModel layer, NumericType type) =>
        layer.Function is not null ? Custom(layer.Function, type) : For(layer.Activation);

    public static LossRule For(LossKind loss) => s_losses[(int)loss];

    /// <summary>The rule of the network's loss, built-in or user-written.</summary>
    public static LossRule For(NetworkModel model) =>
        model.LossFunction is { } f
            ? ElementLoss($"{f.Name} (user-written)", f.Forward) with { Delta = $"δ^L = σ'(z^L) ∘ ∂ℓ/∂a,  ∂ℓ/∂a = {ExprEmitter.Print(f.Derivative, Dialect.Math)}" }
            : For(model.Loss);

    // ───── the layer kinds: the equations written above each block (l is the layer's index) ─────

    /// <summary>z^l = W^l a^{l−1} + b^l, with the element formula and where w_jk is.</summary>
    public static string DenseForward(int l, int outputs) =>
        $"z{l} = W{l} a{l - 1} + b{l}      z{l}_j = Σ_k w{l}_jk a{l - 1}_k + b{l}_j,  w{l}_jk at W{l} + k·{outputs} + j";

    /// <summary>Batch normalization after the product.</summary>
    public static string BatchNormForward(int l, string momentum) =>
        $"v{l} = γ{l} ∘ (z{l} − μ) / √(σ² + ε) + β{l}   (batch normalization; training: μ, σ² of this batch, running ← {momentum}·running + (1 − {momentum})·batch; inference: running statistics)";

    /// <summary>Dropout on the activations of layer l (0 = the input).</summary>
    public static string DropoutForward(string a, string h, string m, string rate) =>
        $"{a} = {h} ∘ {m} in training, {m}_j = 1/(1 − p) with probability 1 − p, else 0 (p = {rate}); {a} = {h} in inference";

    /// <summary>δ^{l−1} through the weights and the previous layer's activation.</summary>
    public static string Backpropagate(int l, string actIn) => $"δ{l - 1} = ((W{l})ᵀ δ{l}) ∘ σ'({actIn})";

    /// <summary>The gradients of layer l.</summary>
    public static string Gradients(int l) => $"∂C/∂W{l}_jk += δ{l}_j a{l - 1}_k,   ∂C/∂b{l}_j += δ{l}_j";

    /// <summary>Batch normalization, backward.</summary>
    public static string BatchNormBackward(int l) =>
        $"∂C/∂γ{l} += Σ_s ∂C/∂v ∘ ẑ,   ∂C/∂β{l} += Σ_s ∂C/∂v,   δ{l} = γ{l} / √(σ² + ε) ∘ (∂C/∂v − mean_s ∂C/∂v − ẑ ∘ mean_s(∂C/∂v ∘ ẑ))";

    /// <summary>The runtime kernel that computes a loss and δ^L over a tile (see NetGen.Losses).</summary>
    /// <summary>The runtime type of an element-wise loss ℓ(a, y) (the argument of NetGen.Losses.Elementwise).</summary>
    public static string ElementLossType(NetworkModel model, NumericType type) =>
        model.LossFunction is { } f ? $"global::NetGen.Losses.Custom<{type.Name}, {FunctionStruct(f)}>" : $"global::NetGen.Losses.{model.Loss}";

    /// <summary>The runtime kernel of a built-in loss of the first three kinds.</summary>
    public static string LossKernel(LossKind loss, bool softmaxOutput) => loss switch
    {
        LossKind.MeanSquaredError when softmaxOutput => "global::NetGen.Losses.SoftmaxMeanSquaredError",
        LossKind.MeanSquaredError => "global::NetGen.Losses.MeanSquaredError",
        LossKind.BinaryCrossEntropy => "global::NetGen.Losses.BinaryCrossEntropy",
        _ => "global::NetGen.Losses.CrossEntropy",
    };
}
