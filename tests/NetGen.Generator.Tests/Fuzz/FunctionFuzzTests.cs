using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using CsCheck;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Differentiation;
using NetGen.Generator.Model;
using NetGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of the differentiator (issue 15): random user-written activations (nested Math calls,
/// conditionals, locals, calls of another [ActivationFunction]), many per compilation. The properties:
/// <list type="number">
/// <item>the generator never throws, reports no diagnostic, and the generated code compiles without errors or warnings;</item>
/// <item>the expression it read equals the C# method the user wrote (both run on random inputs);</item>
/// <item>the derivative it wrote matches central finite differences of that expression wherever it is smooth;</item>
/// <item>a body with one construct it cannot differentiate (a loop, an unknown call, a field, % …) gets NG0028 and no file.</item>
/// </list>
/// </summary>
public sealed class FunctionFuzzTests(ITestOutputHelper output)
{
    private const int FunctionsPerCompilation = 12;

    // Expressions defined on every real number, so any composition is too.
    private static Gen<string> Expression(int depth)
    {
        Gen<string> leaf = Gen.OneOf<string>("z", "z", "0.5f", "2f", "1.5f", "K");
        if (depth == 0)
        {
            return leaf;
        }

        Gen<string> sub = Expression(depth - 1);
        return Gen.Frequency(
            (3, leaf),
            (2, sub.Select(e => $"-({e})")),
            (6, Gen.Select(Gen.OneOf<string>("Tanh", "Sin", "Cos", "Atan", "Abs"), sub, (f, e) => $"MathF.{f}({e})")),
            (2, sub.Select(e => $"MathF.Exp(MathF.Tanh({e}))")),
            (2, sub.Select(e => $"MathF.Sqrt(1f + ({e}) * ({e}))")),
            (2, sub.Select(e => $"MathF.Log(1f + ({e}) * ({e}))")),
            (2, sub.Select(e => $"MathF.Pow({e}, 2f)")),
            (2, sub.Select(e => $"Helper({e})")),
            (8, Gen.Select(Gen.OneOf<string>("+", "-", "*"), sub, sub, (op, l, r) => $"({l}) {op} ({r})")),
            (2, Gen.Select(sub, sub, (l, r) => $"({l}) / (1f + ({r}) * ({r}))")),
            (2, Gen.Select(Gen.OneOf<string>("Max", "Min"), sub, sub, (f, l, r) => $"MathF.{f}({l}, {r})")),
            (2, Gen.Select(Gen.OneOf<string>(">", "<=", ">="), sub, sub, sub, sub, (op, a, b, t, e) => $"({a} {op} {b} ? {t} : {e})")));
    }

    /// <summary>A body: an expression, or locals (assigned and reassigned) and a return.</summary>
    private static readonly Gen<string> Body =
        Gen.Frequency(
            (2, Expression(3).Select(e => $"=> {e};")),
            (1, Gen.Select(Expression(2), Expression(2), Expression(2), (a, b, c) => $"{{ float u = {a}; var v = u * ({b}); u += v; return {c} + u; }}")));

    private static readonly string[] Forbidden =
    [
        "{ float s = 0f; for (int i = 0; i < 2; i++) { s += z; } return s; }",
        "=> MathF.Floor(z);",
        "=> Other(z);",
        "=> z * Field;",
        "=> z % 2f;",
        "{ if (z > 0f) return z; return 0f; }",
        "{ Count = 2; return z; }",
        "=> z > 0f && z < 1f ? z : 0f;",
    ];

    private static string Source(IReadOnlyList<string> bodies, string? forbidden)
    {
        var sb = new System.Text.StringBuilder("using System;\nusing NetGen;\nnamespace Fuzzed;\n");
        for (int i = 0; i < bodies.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3, nameof(F))] [Dense(1)]\npublic partial class Net{i}\n{{\n");
            sb.Append("    private const float K = 0.75f;\n    public static float Field = 1f;\n    public static int Count;\n    private static float Other(float x) => x;\n");
            sb.Append("    [ActivationFunction] public static float Helper(float x) => x * MathF.Tanh(x);\n");
            sb.Append(CultureInfo.InvariantCulture, $"    [ActivationFunction] public static float F(float z) {(i == 0 && forbidden is not null ? forbidden : bodies[i])}\n}}\n");
        }

        return sb.ToString();
    }

    [Fact]
    public void Random_functions_are_read_exactly_and_differentiated_correctly()
    {
        int checkedFunctions = 0, smoothPoints = 0;
        double worst = 0;
        Body.Array[FunctionsPerCompilation].Sample(bodies =>
        {
            GeneratorRun run = GeneratorHarness.Run(Source(bodies, null));
            Assert.Empty(run.Diagnostics);
            Assert.Empty(run.CompilationProblems.Where(d => d.Location.GetLineSpan().Path.EndsWith(".g.cs", StringComparison.Ordinal) || d.Severity == DiagnosticSeverity.Error));
            Assert.Equal(bodies.Length, run.Sources.Count);
            var models = run.Result.Results.Single().TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs).Select(o => o.Value).OfType<NetworkModel>()
                .ToDictionary(m => m.Type.Name, m => m.Layers[0].Function!);

            using var stream = new MemoryStream();
            Assert.True(run.Output.Emit(stream).Success);
            stream.Position = 0;
            var context = new AssemblyLoadContext("FunctionFuzz", isCollectible: true);
            try
            {
                Assembly assembly = context.LoadFromStream(stream);
                var random = new Random(bodies.Length + bodies[0].Length);
                for (int i = 0; i < bodies.Length; i++)
                {
                    FunctionModel f = models[$"Net{i}"];
                    MethodInfo method = assembly.GetType($"Fuzzed.Net{i}", throwOnError: true)!.GetMethod("F")!;
                    for (int k = 0; k < 12; k++)
                    {
                        double z = -3 + 6 * random.NextDouble();
                        double read = f.Forward.Evaluate(_ => z);
                        float written = (float)method.Invoke(null, [(float)z])!;
                        // the C# ran in float: agreement to float's rounding of a few operations, relative to the value's scale
                        Assert.True(Math.Abs(read - written) <= 2e-4 * Math.Max(1, Math.Abs(read)) || Sensitive(f.Forward, z), $"{bodies[i]} at z = {z:R}: read {read:R}, the method gives {written:R}");

                        double analytic = f.Derivative.Evaluate(_ => z);
                        if (Smooth(f.Forward, z, out double numeric))
                        {
                            double error = Math.Abs(analytic - numeric) / Math.Max(1, Math.Abs(numeric));
                            worst = Math.Max(worst, error);
                            smoothPoints++;
                            Assert.True(error <= 1e-6, $"{bodies[i]} at z = {z:R}: derivative {analytic:R}, finite differences {numeric:R}; σ' = {ExprEmitter.Print(f.Derivative, Dialect.Math)}");
                        }
                    }

                    checkedFunctions++;
                }
            }
            finally
            {
                context.Unload();
            }
        }, iter: 6, threads: 1);
        output.WriteLine($"{checkedFunctions} random functions, {smoothPoints} smooth points: largest derivative error {worst:E2}");
    }

    [Fact]
    public void A_construct_that_cannot_be_differentiated_is_NG0028_and_generates_nothing()
    {
        foreach (string forbidden in Forbidden)
        {
            GeneratorRun run = GeneratorHarness.Run(Source(["=> z;", "=> MathF.Tanh(z);"], forbidden));
            Assert.Contains(run.Diagnostics, d => d.Id == "NG0028" && d.Location.GetLineSpan().StartLinePosition.Line > 0);
            Assert.DoesNotContain(run.Sources.Keys, k => k.Contains("Net0", StringComparison.Ordinal));
            Assert.Contains(run.Sources.Keys, k => k.Contains("Net1", StringComparison.Ordinal));
            Assert.DoesNotContain(run.Input.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }
    }

    /// <summary>Whether the value at z is sensitive to rounding (a conditional's sides within float rounding): float may take the other branch.</summary>
    private static bool Sensitive(Expr e, double z) =>
        e switch
        {
            Cond c => Math.Abs(c.L.Evaluate(_ => z) - c.R.Evaluate(_ => z)) <= 1e-3 * Math.Max(1, Math.Abs(c.R.Evaluate(_ => z))) || e.Children.Any(x => Sensitive(x, z)),
            Call { F: Fn.Max or Fn.Min or Fn.Abs } call => e.Children.Any(x => Sensitive(x, z)) || (call.F != Fn.Abs && Math.Abs(call.Args[0].Evaluate(_ => z) - call.Args[1].Evaluate(_ => z)) <= 1e-3),
            _ => e.Children.Any(x => Sensitive(x, z)),
        };

    /// <summary>The fourth-order central difference, and whether the function is smooth there (two step sizes and both one-sided differences agree).</summary>
    private static bool Smooth(Expr e, double x, out double numeric)
    {
        double F(double v) => e.Evaluate(_ => v);
        double Stencil(double h) => (F(x - 2 * h) - 8 * F(x - h) + 8 * F(x + h) - F(x + 2 * h)) / (12 * h);
        double n1 = Stencil(1e-3), n2 = Stencil(2.5e-4);
        double hs = 1e-5, left = (3 * F(x) - 4 * F(x - hs) + F(x - 2 * hs)) / (2 * hs), right = (-3 * F(x) + 4 * F(x + hs) - F(x + 2 * hs)) / (2 * hs);
        numeric = n2;
        double scale = Math.Max(1, Math.Abs(n2));
        return Math.Abs(n1 - n2) <= 1e-7 * scale && Math.Abs(left - right) <= 1e-4 * scale && !Sensitive(e, x);
    }
}
