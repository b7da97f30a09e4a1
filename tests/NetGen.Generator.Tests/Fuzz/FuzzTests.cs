using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of the generator with CsCheck: random declarations (attribute orders, counts and argument
/// values, type shapes, containers, bases, members, names, syntax damage), many per compilation, each checked against
/// an oracle written from the documented rules. The properties:
/// <list type="number">
/// <item>the generator never throws;</item>
/// <item>generated code never brings a compile error that neither an NG error nor an error in the user's code explains;</item>
/// <item>every invalid declaration gets an NG error (and no file); layers without [Network] get exactly NG0012;</item>
/// <item>every valid declaration gets no NG diagnostic and exactly one file that compiles without errors or new warnings.</item>
/// </list>
/// NETGEN_FUZZ_COUNT sets the number of declarations (default 10,000); NETGEN_FUZZ_BODIES the number of distinct
/// generated-code shapes whose method bodies are compiled (default 150; every generated file is compiled at the syntax
/// and declaration level, where the context-dependent errors — clashes, hiding, accessibility, partial mismatches — are);
/// Files whose method bodies are not in the budget are still fully compiled when they use a simple name they do not
/// declare (e.g. a literal written as <c>Infinityf</c>). CsCheck_Seed replays a failing run; NETGEN_FUZZ_DUMP=folder
/// writes the files of each failing compilation there.
/// <para>
/// The oracle (<see cref="FuzzOracle"/>) does not ask the generator: the topology is valid iff the runtime's
/// NetworkSpec constructor accepts it; the rest are the documented rules (one [Network] with a defined Loss and
/// Precision; one [Input], first; a written Alpha only on LeakyReLU/ELU and finite ≥ 0; all layers on one partial
/// declaration; a partial, non-generic, non-static, non-file class without a primary constructor, in partial types;
/// a base class with an accessible parameterless constructor and no accessible member named like a generated one,
/// and not itself a network; no user member, constructor signature or class name clashing with what the generated
/// code really declares for those layers — learned by compiling the generated code of a clean copy; NetGen.Runtime
/// referenced). Attributes whose arguments do not compile (wrong types, missing or duplicated arguments) only need
/// some error, NG or C#.
/// </para>
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DeclarationsPerCompilation = 30;

    /// <summary>
    /// Problems of the emitted code (not the parser) that the fuzzer found: each is counted and printed by the fuzz test
    /// instead of failing it, and reproduced by a focused test. None is known at present.
    /// </summary>
    internal static readonly KnownIssue[] KnownEmitterIssues = [];

    /// <summary>Found by the fuzzer: a double setting beyond float's range in a float network was written as "Infinityf".</summary>
    [Theory]
    [InlineData("[Dense(3)] [BatchNorm(Epsilon = double.MaxValue)] [Dense(1)]")]
    [InlineData("[Dense(3, Activation.LeakyReLU, Alpha = 1e300)] [Dense(1)]")]
    [InlineData("[Dense(3, Activation.ELU, Alpha = 1e39)] [Dense(1)]")]
    public void Settings_beyond_float_range_compile_as_infinity(string layers)
    {
        Infrastructure.GeneratorRun run = Infrastructure.GeneratorHarness.Run($"using NetGen;\n[Network(Loss.MeanSquaredError)] [Input(2)] {layers}\npublic partial class Fit {{ }}\n");
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
        Assert.Contains("float.PositiveInfinity", Assert.Single(run.Sources).Value, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by CI (seed 4d7SH8DLmPx2): two declarations named alike, one nested in containers and one not, both wrote a
    /// base class of the same name at namespace level, and the fuzzer blamed the generator for the clash.
    /// </summary>
    [Fact]
    public void Prepare_keeps_namespace_level_base_classes_unique_across_containers()
    {
        Decl Twin(Container[] containers) => new(
            "TWIN", "Samples", 1, containers, "", TypeShape.Class, true, false, false, false, "", false, BaseKind.WithPrivateMembers, ["b3"], [],
            [AttrItem.Of(new Attr(AttrKind.Network, "Network", "Loss.MeanSquaredError", false))], null, null, false, false, false);

        Sample sample = FuzzRunner.Prepare(
            [Twin([new Container("class", true, "Outer", "<T>")]), Twin([])], runtime: true, [null, null]);

        string[] bases = sample.Decls.Select(d => d.BaseName).ToArray();
        Assert.Equal(bases.Length, bases.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("TWIN", sample.Decls[0].Name);
        Assert.NotEqual("TWIN", sample.Decls[1].Name);
    }

    private static int Count(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : fallback;

    [Fact]
    public void Random_declarations_satisfy_the_four_properties() =>
        Fuzz(Count("NETGEN_FUZZ_COUNT", 10_000), Count("NETGEN_FUZZ_BODIES", 150), damaged: false);

    /// <summary>A third of the files damaged (braces, semicolons, lines removed; garbage tokens; truncation): properties 1 and 2.</summary>
    [Fact]
    public void Syntax_errors_never_crash_the_generator_or_leave_unexplained_errors() =>
        Fuzz(Math.Max(DeclarationsPerCompilation, Count("NETGEN_FUZZ_COUNT", 10_000) / 10), Math.Max(1, Count("NETGEN_FUZZ_BODIES", 150) / 3), damaged: true);

    private void Fuzz(int declarations, int bodyBudget, bool damaged)
    {
        string[] names = FuzzRunner.HarvestedNames.Value;
        var stats = new FuzzStats { BodyBudget = bodyBudget };
        var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Gen<(int, int, int)[]?> damage = damaged
            ? Gen.Frequency((2, Gen.Const(default((int, int, int)[]))), (1, FuzzGen.SyntaxDamage.Select(d => ((int, int, int)[]?)d)))
            : Gen.Const(default((int, int, int)[]));
        Gen<Sample> samples =
            from decls in FuzzGen.Declaration(names).Array[DeclarationsPerCompilation]
            from runtime in Gen.Frequency((40, Gen.Const(true)), (1, Gen.Const(false)))
            from damages in damage.Array[DeclarationsPerCompilation]
            select FuzzRunner.Prepare(decls, runtime, damages);

        int iterations = (declarations + DeclarationsPerCompilation - 1) / DeclarationsPerCompilation;
        var clock = Stopwatch.StartNew();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        string? csCheck = null;
        try
        {
            samples.Sample(
                sample =>
                {
                    List<string> found = FuzzRunner.Check(sample, stats, KnownEmitterIssues);
                    foreach (string failure in found)
                    {
                        failures.TryAdd(Signature(failure), failure);
                    }

                    if (found.Count > 0)
                    {
                        throw new InvalidOperationException(found[0]);
                    }
                },
                iter: iterations,
                threads: Environment.ProcessorCount,
                print: s => s.ToString());
        }
        catch (CsCheckException e)
        {
            csCheck = e.Message.Length > 600 ? e.Message[..600] + "…" : e.Message;
            if (failures.IsEmpty)
            {
                throw;
            }
        }

        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"{stats}\nTime: {clock.Elapsed.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU on {Environment.ProcessorCount} cores ({stats.Declarations / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F0} declarations/s).");
        if (!failures.IsEmpty)
        {
            string report = string.Join("\n\n", failures.OrderBy(f => f.Key, StringComparer.Ordinal).Take(12).Select(f => f.Value));
            output.WriteLine(report);
            Assert.Fail($"{failures.Count} distinct kinds of failure (first 12 below; CsCheck: {csCheck}).\n\n{report}");
        }

        Assert.True(stats.Declarations >= declarations, $"only {stats.Declarations} of {declarations} declarations were checked");
    }

    /// <summary>Groups failures by property and the diagnostic ids involved, so one bug shows up once.</summary>
    private static string Signature(string failure)
    {
        string first = failure.Split('\n')[0];
        IEnumerable<string> ids = System.Text.RegularExpressions.Regex.Matches(failure, @"\b(NG\d{4}|CS\d{4})\b").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);
        return first + " " + string.Join(",", ids);
    }
}
