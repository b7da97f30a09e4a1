using System;

namespace NetGen.Generator.Differentiation;

/// <summary>
/// The defining expressions of the built-ins added with the differentiator (issue 15). The calculus table takes their
/// forward formulas from here and their derivatives from <see cref="Derivative"/>, and a test checks that the runtime's
/// hand-vectorized counterparts (NetGen.Activations, NetGen.Losses, ActivationMath, LossMath) equal them.
/// </summary>
internal static class BuiltinFunctions
{
    private static readonly Expr Z = new Var("z");
    private static readonly Expr A = new Var("a");
    private static readonly Expr Y = new Var("y");

    /// <summary>softplus(z) = ln(1 + e^z), written max(z, 0) + ln(1 + e^(−|z|)) so that it never overflows.</summary>
    private static Expr Softplus(Expr z) => new Call(Fn.Max, z, 0) + new Call(Fn.Log, 1 + new Call(Fn.Exp, -new Call(Fn.Abs, z)));

    /// <summary>SiLU/Swish: z / (1 + e^(−z)).</summary>
    public static readonly Expr SiLU = Z / (1 + new Call(Fn.Exp, -Z));

    /// <summary>GELU, tanh form: ½ z (1 + tanh(√(2/π) (z + 0.044715 z³))).</summary>
    public static readonly Expr GELU = 0.5 * Z * (1 + new Call(Fn.Tanh, Math.Sqrt(2 / Math.PI) * (Z + 0.044715 * (Z * Z * Z))));

    /// <summary>Softplus: max(z, 0) + ln(1 + e^(−|z|)).</summary>
    public static readonly Expr SoftplusZ = Softplus(Z);

    /// <summary>Mish: z tanh(softplus(z)).</summary>
    public static readonly Expr Mish = Z * new Call(Fn.Tanh, Softplus(Z));

    /// <summary>Huber with δ = 1: |d| ≤ 1 ? ½ d² : |d| − ½, d = a − y.</summary>
    public static readonly Expr Huber = new Cond(Cmp.LessOrEqual, new Call(Fn.Abs, A - Y), 1, 0.5 * ((A - Y) * (A - Y)), new Call(Fn.Abs, A - Y) - 0.5);

    /// <summary>Log-cosh: ln cosh(a − y), written |d| + ln(1 + e^(−2|d|)) − ln 2.</summary>
    public static readonly Expr LogCosh = new Call(Fn.Abs, A - Y) + new Call(Fn.Log, 1 + new Call(Fn.Exp, -2 * new Call(Fn.Abs, A - Y))) - Math.Log(2);

    /// <summary>Mean absolute error: |a − y| (subgradient 0 at a = y).</summary>
    public static readonly Expr MeanAbsoluteError = new Call(Fn.Abs, A - Y);
}
