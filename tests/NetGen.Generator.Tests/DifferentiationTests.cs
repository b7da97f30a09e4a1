using NetGen.Generator.Differentiation;
using NetGen.Generator.Model;
using NetGen.Generator.Tests.Infrastructure;

namespace NetGen.Generator.Tests;

/// <summary>
/// The differentiator (issue 15): a table test per rule (the derivative it writes equals the textbook one and central
/// finite differences on random inputs), the simplifier's rewrites, the printer's dialects and shared subexpressions,
/// user-written functions read from C# (piecewise boundaries included), and the built-ins it defines against the
/// runtime's hand-vectorized kernels.
/// </summary>
public sealed class DifferentiationTests
{
    private static readonly Expr Z = new Var("z");
    private static readonly Expr Y = new Var("y");

    private static Expr F(Fn f, params Expr[] args) => new Call(f, args);

    /// <summary>One row per rule: f(z), its derivative as written in a calculus book, and where to sample z.</summary>
    private static readonly Dictionary<string, (Expr F, Func<double, double> D, double Lo, double Hi)> s_rules = new()
    {
        ["constant"] = (3.5, _ => 0, -3, 3),
        ["variable"] = (Z, _ => 1, -3, 3),
        ["other variable"] = (Y * Y, _ => 0, -3, 3),
        ["negation"] = (-Z, _ => -1, -3, 3),
        ["sum"] = (Z + Z * Z, z => 1 + 2 * z, -3, 3),
        ["difference"] = (Z * Z - Z, z => 2 * z - 1, -3, 3),
        ["product"] = (Z * F(Fn.Sin, Z), z => Math.Sin(z) + z * Math.Cos(z), -3, 3),
        ["quotient"] = (Z / (1 + Z * Z), z => (1 - z * z) / ((1 + z * z) * (1 + z * z)), -3, 3),
        ["quotient by a constant"] = (Z / 4, _ => 0.25, -3, 3),
        ["exp"] = (F(Fn.Exp, 2 * Z), z => 2 * Math.Exp(2 * z), -3, 3),
        ["log"] = (F(Fn.Log, Z), z => 1 / z, 0.1, 5),
        ["sqrt"] = (F(Fn.Sqrt, Z * Z + 1), z => z / Math.Sqrt(z * z + 1), -3, 3),
        ["power, constant exponent"] = (F(Fn.Pow, Z, 2.5), z => 2.5 * Math.Pow(z, 1.5), 0.1, 3),
        ["power, integer exponent"] = (F(Fn.Pow, Z, 3), z => 3 * z * z, -3, 3),
        ["power, variable exponent"] = (F(Fn.Pow, Z, Z), z => Math.Pow(z, z) * (Math.Log(z) + 1), 0.1, 3),
        ["abs"] = (F(Fn.Abs, Z), z => Math.Sign(z), -3, 3),
        ["tanh"] = (F(Fn.Tanh, Z), z => 1 - Math.Tanh(z) * Math.Tanh(z), -3, 3),
        ["sinh"] = (F(Fn.Sinh, Z), Math.Cosh, -3, 3),
        ["cosh"] = (F(Fn.Cosh, Z), Math.Sinh, -3, 3),
        ["sin"] = (F(Fn.Sin, Z), Math.Cos, -3, 3),
        ["cos"] = (F(Fn.Cos, Z), z => -Math.Sin(z), -3, 3),
        ["atan"] = (F(Fn.Atan, Z), z => 1 / (1 + z * z), -3, 3),
        ["max"] = (F(Fn.Max, Z, 0.5), z => z > 0.5 ? 1 : z < 0.5 ? 0 : 0.5, -3, 3),
        ["min"] = (F(Fn.Min, Z * Z, 1), z => z * z < 1 ? 2 * z : z * z > 1 ? 0 : z, -3, 3),
        ["piecewise"] = (new Cond(Cmp.Greater, Z, 0, Z * Z, -Z), z => z > 0 ? 2 * z : -1, -3, 3),
        ["chain"] = (F(Fn.Exp, F(Fn.Sin, Z * Z)), z => Math.Exp(Math.Sin(z * z)) * Math.Cos(z * z) * 2 * z, -2, 2),
    };

    public static TheoryData<string> Rules() => new(s_rules.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_gives_the_textbook_derivative_and_matches_finite_differences(string rule)
    {
        (Expr f, Func<double, double> expected, double lo, double hi) = s_rules[rule];
        Expr derivative = Derivative.Of(f, "z");
        var random = new Random(rule.Length);
        for (int i = 0; i < 200; i++)
        {
            double z = lo + (hi - lo) * random.NextDouble();
            double actual = derivative.Evaluate(v => v == "z" ? z : 0.7);
            Assert.True(Math.Abs(actual - expected(z)) <= 1e-12 * Math.Max(1, Math.Abs(expected(z))), $"{rule} at z = {z:R}: {actual:R} vs {expected(z):R}; d/dz = {ExprEmitter.Print(derivative, Dialect.Math)}");
            double numeric = Central(x => f.Evaluate(v => v == "z" ? x : 0.7), z, out bool smooth);
            if (smooth)
            {
                Assert.True(Math.Abs(actual - numeric) <= 1e-7 * Math.Max(1, Math.Abs(actual)), $"{rule} at z = {z:R}: {actual:R} vs finite differences {numeric:R}");
            }
        }
    }

    [Theory]
    [InlineData("2 · 3 + z · 1 + 0", "6 + z")]
    [InlineData("z · 0", "0")]
    [InlineData("0 − z", "−z")]
    [InlineData("−(−z)", "z")]
    [InlineData("z^2", "z · z")]
    [InlineData("z^1", "z")]
    [InlineData("z^0.5", "√(z)")]
    [InlineData("e^0", "1")]
    [InlineData("z / 1", "z")]
    [InlineData("2 · (3 · z)", "6 · z")]
    [InlineData("z + (−y)", "z − y")]
    [InlineData("1 > 0 ? z : y", "z")]
    [InlineData("z > 0 ? y : y", "y")]
    public void The_simplifier_folds_constants_and_drops_neutral_terms(string before, string after)
    {
        Expr e = before switch
        {
            "2 · 3 + z · 1 + 0" => (new Num(2) * 3) + (Z * 1) + 0,
            "z · 0" => Z * 0,
            "0 − z" => new Num(0) - Z,
            "−(−z)" => -(-Z),
            "z^2" => F(Fn.Pow, Z, 2),
            "z^1" => F(Fn.Pow, Z, 1),
            "z^0.5" => F(Fn.Pow, Z, 0.5),
            "e^0" => F(Fn.Exp, 0),
            "z / 1" => Z / 1,
            "2 · (3 · z)" => 2 * (3 * Z),
            "z + (−y)" => Z + (-Y),
            "1 > 0 ? z : y" => new Cond(Cmp.Greater, 1, 0, Z, Y),
            _ => new Cond(Cmp.Greater, Z, 0, Y, Y),
        };
        Assert.Equal(after, ExprEmitter.Print(Simplifier.Simplify(e), Dialect.Math));
    }

    [Fact]
    public void Shared_subexpressions_become_locals_declared_before_use()
    {
        Expr e = F(Fn.Exp, -Z) / ((1 + F(Fn.Exp, -Z)) * (1 + F(Fn.Exp, -Z)));
        (List<string> locals, string result) = ExprEmitter.Statements(e, Dialect.Scalar(Emit.NumericType.Single));
        Assert.Equal(["float t0 = global::System.MathF.Exp(-z);", "float t1 = 1f + t0;"], locals);
        Assert.Equal("t0 / (t1 * t1)", result);
    }

    [Fact]
    public void The_vector_dialect_calls_the_runtime_helpers_and_selects_for_piecewise_functions()
    {
        Expr e = new Cond(Cmp.LessOrEqual, F(Fn.Abs, Z), 1, 0.5 * Z, F(Fn.Sqrt, Z) - 2);
        string text = ExprEmitter.Print(e, Dialect.Vector(Emit.NumericType.Double));
        Assert.Equal("global::NetGen.VectorMath.IfLessOrEqual(global::NetGen.VectorMath.Abs(z), global::System.Numerics.Vector<double>.One, new global::System.Numerics.Vector<double>(0.5) * z, global::NetGen.VectorMath.Sqrt(z) - new global::System.Numerics.Vector<double>(2.0))", text);
        Assert.Equal("global::System.MathF.Abs(z) <= 1f ? 0.5f * z : global::System.MathF.Sqrt(z) - 2f", ExprEmitter.Print(e, Dialect.Scalar(Emit.NumericType.Single)));
    }

    // ───── user-written functions, read from C# ─────

    private const string Functions = """
        using System;
        using NetGen;
        namespace Samples;
        [Network(nameof(Pinball))]
        [Input(2)]
        [Dense(3, nameof(Swish))]
        [Dense(3, nameof(LogKnee))]
        [Dense(3, nameof(Stateful))]
        [Dense(3, nameof(Composed))]
        [Dense(3, nameof(Trig))]
        [Dense(2, nameof(Clamp))]
        public partial class Fit
        {
            private const float K = 0.25f;
            [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));
            [ActivationFunction] public static float LogKnee(float z) => z > 1f ? 1f + MathF.Log(z) : z;
            [ActivationFunction] public static float Stateful(float z) { float s = 1f / (1f + MathF.Exp(-z)); s *= z; var u = s - K * z; u = u + MathF.Pow(z, 2f) * K; return u; }
            [ActivationFunction] public static float Soft(float z) => MathF.Max(z, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));
            [ActivationFunction] public static float Composed(float z) => z * MathF.Tanh(Soft(z));
            [ActivationFunction] public static float Trig(float z) => MathF.Atan(z) + MathF.Sinh(z / 3f) - MathF.Cosh(z / 4f) + MathF.Sin(z) * MathF.Cos(z) + MathF.Sqrt(z * z + 1f) + (float)Math.PI;
            [ActivationFunction] public static float Clamp(float z) => MathF.Min(MathF.Max(z, -1f), 1f);
            [LossFunction] public static float Pinball(float a, float y) { float d = y - a; return d >= 0f ? 0.9f * d : (0.9f - 1f) * d; }
            [LossFunction] public static float Huber(float a, float y) { float d = a - y; return MathF.Abs(d) <= 1f ? 0.5f * d * d : MathF.Abs(d) - 0.5f; }
        }
        """;

    private static IReadOnlyList<FunctionModel> Read(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        NetworkModel model = run.Result.Results.Single().TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs).Select(o => o.Value).OfType<NetworkModel>().Single();
        return model.Functions.ToList();
    }

    [Fact]
    public void Custom_functions_match_finite_differences_in_double_including_their_piecewise_boundaries()
    {
        IReadOnlyList<FunctionModel> functions = Read(Functions);
        Assert.Equal(["Swish", "LogKnee", "Stateful", "Composed", "Trig", "Clamp", "Pinball"], functions.Select(f => f.Name));
        var random = new Random(15);
        double worst = 0;
        foreach (FunctionModel f in functions)
        {
            string x = f.IsLoss ? "a" : "z";
            // Random inputs, and the boundaries of the pieces (z = 1 for LogKnee, ±1 for Clamp, a = y for Pinball).
            double[] points = [.. Enumerable.Range(0, 300).Select(_ => -4 + 8 * random.NextDouble()), 1, -1, 1 + 1e-9, 1 - 1e-9, 0.3];
            foreach (double point in points)
            {
                double y = f.IsLoss ? (point == 0.3 ? 0.3 : 0.5) : 0;
                double Value(double p) => f.Forward.Evaluate(v => v == x ? p : y);
                double analytic = f.Derivative.Evaluate(v => v == x ? point : y);
                double numeric = Central(Value, point, out bool smooth);
                if (!smooth)
                {
                    // A seam of the pieces inside the stencil: one-sided differences. Where the pieces join smoothly
                    // (LogKnee at 1) both equal the derivative; at a kink (Clamp at ±1, Pinball at a = y) the derivative
                    // written is one of the one-sided ones or their mean (a subgradient).
                    (double left, double right) = OneSided(Value, point);
                    bool matches = new[] { left, right, (left + right) / 2 }.Any(n => Math.Abs(analytic - n) <= 1e-6 * Math.Max(1, Math.Abs(n)));
                    Assert.True(matches, $"{f.Name} at {x} = {point:R}: analytic {analytic:R}, one-sided {left:R} and {right:R}");
                    if (Math.Abs(left - right) > 1e-6)
                    {
                        continue;
                    }

                    numeric = right;
                }

                double error = Math.Abs(analytic - numeric) / Math.Max(1, Math.Abs(numeric));
                worst = Math.Max(worst, error);
                Assert.True(error <= 1e-7, $"{f.Name} at {x} = {point:R}: analytic {analytic:R}, numeric {numeric:R}; derivative {ExprEmitter.Print(f.Derivative, Dialect.Math)}");
            }
        }

        Console.WriteLine($"largest relative error of a custom function's derivative against central differences: {worst:E2}");
    }

    [Fact]
    public void A_call_of_another_activation_function_is_differentiated_through_by_the_chain_rule()
    {
        FunctionModel composed = Read(Functions).Single(f => f.Name == "Composed");
        // mish'(z) = tanh(sp) + z (1 − tanh² sp) σ(z) with sp = softplus z
        foreach (double z in new[] { -3.0, -0.5, 0.25, 2.0 })
        {
            double sp = Math.Log(1 + Math.Exp(z)), t = Math.Tanh(sp);
            double expected = t + z * (1 - t * t) / (1 + Math.Exp(-z));
            Assert.Equal(expected, composed.Derivative.Evaluate(_ => z), 12);
        }
    }

    // ───── the built-ins defined through the differentiator, against the runtime's kernels ─────

    public static TheoryData<string> BuiltinActivations() => new(["SiLU", "GELU", "Softplus", "Mish"]);

    [Theory]
    [MemberData(nameof(BuiltinActivations))]
    public void Builtin_activation_kernels_equal_the_differentiated_definition(string name)
    {
        Expr forward = name switch { "SiLU" => BuiltinFunctions.SiLU, "GELU" => BuiltinFunctions.GELU, "Softplus" => BuiltinFunctions.SoftplusZ, _ => BuiltinFunctions.Mish };
        Expr derivative = Derivative.Of(forward, "z");
        var activation = Enum.Parse<Activation>(name);
        var random = new Random(3);
        double[] z = [.. Enumerable.Range(0, 256).Select(_ => -8 + 16 * random.NextDouble()), 0, -30, 30];
        var a = new double[z.Length];
        var delta = new double[z.Length];
        var ones = Enumerable.Repeat(1.0, z.Length).ToArray();
        ActivationMath.Activate(activation, 0.0, z, a);
        ActivationMath.Backprop(activation, 0.0, z, a, ones, delta);
        for (int i = 0; i < z.Length; i++)
        {
            double f = forward.Evaluate(_ => z[i]), d = derivative.Evaluate(_ => z[i]);
            Assert.True(Math.Abs(a[i] - f) <= 1e-13 * Math.Max(1, Math.Abs(f)), $"{name}({z[i]:R}) = {a[i]:R}, defined {f:R}");
            Assert.True(Math.Abs(delta[i] - d) <= 1e-12 * Math.Max(1, Math.Abs(d)), $"{name}'({z[i]:R}) = {delta[i]:R}, differentiated {d:R} = {ExprEmitter.Print(derivative, Dialect.Math)}");
            double numeric = Central(x => forward.Evaluate(_ => x), z[i], out bool smooth);
            Assert.True(!smooth || Math.Abs(d - numeric) <= 1e-7 * Math.Max(1, Math.Abs(d)), $"{name}'({z[i]:R}) = {d:R}, finite differences {numeric:R}");
        }
    }

    public static TheoryData<string> BuiltinLosses() => new(["Huber", "LogCosh", "MeanAbsoluteError"]);

    [Theory]
    [MemberData(nameof(BuiltinLosses))]
    public void Builtin_loss_kernels_equal_the_differentiated_definition(string name)
    {
        Expr loss = name switch { "Huber" => BuiltinFunctions.Huber, "LogCosh" => BuiltinFunctions.LogCosh, _ => BuiltinFunctions.MeanAbsoluteError };
        Expr derivative = Derivative.Of(loss, "a");
        var kind = Enum.Parse<Loss>(name);
        var random = new Random(4);
        double[] a = [.. Enumerable.Range(0, 256).Select(_ => -5 + 10 * random.NextDouble()), 0.25, 1.25, -0.75, 40];
        double y = 0.25;   // a = y (MAE's subgradient 0), a − y = ±1 (Huber's seam), a far away (log-cosh's tail)
        foreach (double ai in a)
        {
            double expected = loss.Evaluate(v => v == "a" ? ai : y), d = derivative.Evaluate(v => v == "a" ? ai : y);
            double cost = LossMath.Cost(kind, [ai], [ai], [y]);
            var delta = new double[1];
            LossMath.OutputDelta(kind, Activation.Identity, 0.0, [ai], [ai], [y], delta);
            Assert.True(Math.Abs(cost - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{name}({ai:R}) = {cost:R}, defined {expected:R}");
            Assert.True(Math.Abs(delta[0] - d) <= 1e-13, $"∂{name}/∂a({ai:R}) = {delta[0]:R}, differentiated {d:R}");
        }

        Assert.Equal(0.0, derivative.Evaluate(v => v == "a" ? y : y));   // MAE: the subgradient 0 at a = y; Huber and log-cosh: 0 there as well
    }

    [Fact]
    public void The_model_enums_mirror_the_public_ones_and_the_attribute_names_are_the_metadata_names()
    {
        Assert.Equal(Enum.GetNames<Activation>(), Enum.GetNames<ActivationKind>());
        Assert.Equal(Enum.GetValues<Activation>().Select(v => (int)v), Enum.GetValues<ActivationKind>().Select(v => (int)v));
        Assert.Equal(Enum.GetNames<Loss>(), Enum.GetNames<LossKind>());
        Assert.Equal(Enum.GetValues<Loss>().Select(v => (int)v), Enum.GetValues<LossKind>().Select(v => (int)v));
        Assert.Equal(KnownNames.ActivationFunction, typeof(ActivationFunctionAttribute).FullName);
        Assert.Equal(KnownNames.LossFunction, typeof(LossFunctionAttribute).FullName);
        Assert.Equal(KnownNames.Network, typeof(NetworkAttribute).FullName);
        Assert.Equal(KnownNames.Dense, typeof(DenseAttribute).FullName);
    }

    /// <summary>Second-order one-sided differences from the left and from the right, h = 1e-5.</summary>
    private static (double Left, double Right) OneSided(Func<double, double> f, double x)
    {
        double h = 1e-5 * Math.Max(1, Math.Abs(x));
        return ((3 * f(x) - 4 * f(x - h) + f(x - 2 * h)) / (2 * h), (-3 * f(x) + 4 * f(x + h) - f(x + 2 * h)) / (2 * h));
    }

    /// <summary>The fourth-order central difference at two step sizes; <paramref name="smooth"/> is false where they disagree (a kink).</summary>
    private static double Central(Func<double, double> f, double x, out bool smooth)
    {
        static double Stencil(Func<double, double> f, double x, double h) => (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
        double h = 1e-3 * Math.Max(1, Math.Abs(x));
        double n1 = Stencil(f, x, h), n2 = Stencil(f, x, h / 4);
        (double left, double right) = OneSided(f, x);
        smooth = Math.Abs(n1 - n2) <= 1e-6 * Math.Max(1, Math.Abs(n2)) && Math.Abs(left - right) <= 1e-4 * Math.Max(1, Math.Abs(n2));
        return n2;
    }
}
