using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetGen.Generator.Tests.Fuzz;

/// <summary>One CsCheck sample: many declarations compiled together, each in its own file.</summary>
/// <param name="Decls">The declarations (names made unique, companions added).</param>
/// <param name="Runtime">Whether NetGen.Runtime is referenced.</param>
/// <param name="Damage">Per declaration, the syntax damage applied to its file (null: none).</param>
internal sealed record Sample(Decl[] Decls, bool Runtime, (int Kind, int Position, int Token)[]?[] Damage)
{
    public override string ToString() => $"{Decls.Length} declarations, runtime {Runtime}, {Damage.Count(d => d is not null)} damaged";
}

/// <summary>Counts over the whole fuzz run.</summary>
internal sealed class FuzzStats
{
    private long _declarations, _valid, _invalid, _orphan, _plain, _ignored, _damaged, _userError, _generatedFiles, _samples;

    public long Declarations => Interlocked.Read(ref _declarations);

    /// <summary>Clean compilations run to learn the member names generated for topologies whose names this run did not show.</summary>
    public long ReferenceRuns;

    /// <summary>Milliseconds spent per phase (summed over threads).</summary>
    public ConcurrentDictionary<string, long> Phases { get; } = new(StringComparer.Ordinal);

    public T Time<T>(string phase, Func<T> action)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        T result = action();
        Phases.AddOrUpdate(phase, (long)System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds, (_, n) => n + (long)System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    public ConcurrentDictionary<string, int> KnownIssues { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> Ids { get; } = new(StringComparer.Ordinal);

    /// <summary>Simple names generated files use without declaring them (their bodies are then always compiled).</summary>
    public ConcurrentDictionary<string, int> Undeclared { get; } = new(StringComparer.Ordinal);

    /// <summary>Member names the generator reported (NG0021) although the generated code does not declare them for those layers.</summary>
    public ConcurrentDictionary<string, int> OverReserved { get; } = new(StringComparer.Ordinal);

    public void Add(Verdict verdict, bool userError, bool damaged)
    {
        Interlocked.Increment(ref _declarations);
        if (damaged)
        {
            Interlocked.Increment(ref _damaged);
            return;
        }

        if (userError)
        {
            Interlocked.Increment(ref _userError);
        }

        switch (verdict)
        {
            case Verdict.Valid: Interlocked.Increment(ref _valid); break;
            case Verdict.Invalid: Interlocked.Increment(ref _invalid); break;
            case Verdict.Orphan: Interlocked.Increment(ref _orphan); break;
            case Verdict.Plain: Interlocked.Increment(ref _plain); break;
            default: Interlocked.Increment(ref _ignored); break;
        }
    }

    private readonly ConcurrentDictionary<string, bool> _shapes = new(StringComparer.Ordinal);
    private long _bodiesBound, _bodiesSkipped;

    /// <summary>How many distinct shapes get their method bodies compiled (the rest: syntax and declarations only).</summary>
    public int BodyBudget { get; init; } = int.MaxValue;

    /// <summary>Whether this (generated code shape, context) is new and within the budget: then its method bodies are compiled.</summary>
    public bool FirstOfShape(string key)
    {
        bool first = _shapes.TryAdd(key, true) && Interlocked.Increment(ref _bodiesBound) <= BodyBudget;
        if (!first)
        {
            Interlocked.Increment(ref _bodiesSkipped);
        }

        return first;
    }

    public void AddFiles(int count)
    {
        Interlocked.Add(ref _generatedFiles, count);
        Interlocked.Increment(ref _samples);
    }

    public override string ToString() =>
        $"{Declarations} declarations in {_samples} compilations: {_valid} valid, {_invalid} invalid, {_orphan} orphan layers, {_plain} plain, " +
        $"{_ignored} enums, {_damaged} with syntax damage, {_userError} with an unrelated C# error; {_generatedFiles} generated files compiled " +
        $"(method bodies compiled for {Math.Min(_bodiesBound, BodyBudget)} distinct code shapes, of {_shapes.Count} seen; the other {_bodiesSkipped} files at the syntax and declaration level)" +
        "\nms per phase (summed over threads): " + string.Join(", ", Phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")) +
        $"; {ReferenceRuns} reference runs" +
        (Ids.IsEmpty ? "" : "\nNG ids seen: " + string.Join(", ", Ids.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}×{p.Value}"))) +
        (OverReserved.IsEmpty ? "" : "\nNG0021/NG0011 on names the generated code does not declare for those layers (tolerated): " + string.Join(", ", OverReserved.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}×{p.Value}"))) +
        (Undeclared.IsEmpty ? "" : "\nundeclared simple names in generated files (bodies compiled): " + string.Join(", ", Undeclared.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}×{p.Value}"))) +
        (KnownIssues.IsEmpty ? "" : "\nKNOWN EMITTER ISSUES (tolerated, see FuzzTests.KnownEmitterIssues): " + string.Join(", ", KnownIssues.Select(p => $"{p.Key}×{p.Value}")));
}

/// <summary>A problem of the emitted code that is known, reported and tolerated by the fuzz test until the emitter is fixed.</summary>
internal sealed record KnownIssue(string Name, Func<Decl, Diagnostic, bool> Matches);

/// <summary>Runs the generator over a sample and checks the four properties for every declaration in it.</summary>
internal static class FuzzRunner
{
    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest, preprocessorSymbols: []);

    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(INetwork<>).Assembly.Location),
    ];

    private static readonly ImmutableArray<MetadataReference> s_referencesWithoutRuntime =
        [.. s_references.Where(r => !r.Display!.Contains("NetGen.Runtime", StringComparison.Ordinal))];

    private static readonly CSharpCompilationOptions s_options = new(
        OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false);

    /// <summary>Attributes named like NetGen's in another namespace: they must be ignored.</summary>
    private const string OtherAttributes = """
        namespace Other
        {
            [global::System.AttributeUsage(global::System.AttributeTargets.All, AllowMultiple = true)]
            public sealed class DenseAttribute : global::System.Attribute { public DenseAttribute(int size) { } }
            [global::System.AttributeUsage(global::System.AttributeTargets.All)]
            public sealed class NetworkAttribute : global::System.Attribute { }
            [global::System.AttributeUsage(global::System.AttributeTargets.All)]
            public sealed class InputAttribute : global::System.Attribute { public InputAttribute(int size) { } }
        }
        """;

    private static readonly ConcurrentDictionary<string, IReadOnlySet<string>?> s_namesByTopology = new(StringComparer.Ordinal);

    /// <summary>The member names the generated part declares for a few rich networks: the pool user members and class names are drawn from.</summary>
    public static readonly Lazy<string[]> HarvestedNames = new(() =>
    {
        string[] topologies =
        [
            "[Network(Loss.CrossEntropy)] [Input(3)] [Dropout(0.1)] [Dense(4, Activation.ReLU)] [BatchNorm] [Dropout(0.2)] [Dense(5, Activation.Tanh)] [BatchNorm] [Dense(3, Activation.Softmax)]",
            "[Network(Loss.MeanSquaredError, Precision = Precision.Double)] [Input(300)] [Dense(300, Activation.ELU)] [Dense(200, Activation.LeakyReLU)] [Dense(2)]",
            "[Network(Loss.BinaryCrossEntropy)] [Input(1)] [Dense(1, Activation.Sigmoid)]",
        ];
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (IReadOnlySet<string>? set in ReferenceNames(topologies.Select(t => t.Replace("[", "[global::NetGen.", StringComparison.Ordinal)
                     .Replace("Loss.", "global::NetGen.Loss.", StringComparison.Ordinal).Replace("Activation.", "global::NetGen.Activation.", StringComparison.Ordinal)
                     .Replace("Precision = Precision.", "Precision = global::NetGen.Precision.", StringComparison.Ordinal).Replace("] [", "]\n[", StringComparison.Ordinal)).ToArray()))
        {
            names.UnionWith(set ?? throw new InvalidOperationException("a reference network generated no file"));
        }

        Assert.True(names.Count > 20, "the reference networks generated too few members: " + string.Join(", ", names));
        return [.. names];
    });

    /// <summary>Generates clean classes with the given attribute blocks and returns, per block, the names of the members the generated part declares.</summary>
    private static IReadOnlySet<string>?[] ReferenceNames(string[] attributeBlocks)
    {
        var trees = attributeBlocks.Select((block, i) => CSharpSyntaxTree.ParseText(
            $"{block.Replace("] [", "]\n[", StringComparison.Ordinal)}\npublic partial class Ref{i} {{ }}\n", s_parseOptions, path: $"Ref{i}.cs")).ToArray();
        var compilation = CSharpCompilation.Create("Reference", trees, s_references, s_options);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new NetGenGenerator().AsSourceGenerator()], parseOptions: s_parseOptions)
            .RunGenerators(compilation);
        var result = new IReadOnlySet<string>?[attributeBlocks.Length];
        foreach (GeneratedSourceResult source in driver.GetRunResult().Results.Single().GeneratedSources)
        {
            foreach (TypeDeclarationSyntax type in source.SyntaxTree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                if (type.Identifier.ValueText.StartsWith("Ref", StringComparison.Ordinal) && int.TryParse(type.Identifier.ValueText.AsSpan(3), out int i))
                {
                    result[i] = DeclaredNames(type);
                }
            }
        }

        return result;
    }

    /// <summary>The names a type declaration declares (fields, properties, methods, events, nested types; not constructors or explicit implementations).</summary>
    public static HashSet<string> DeclaredNames(TypeDeclarationSyntax type) =>
        type.Members.SelectMany(m => m switch
        {
            BaseFieldDeclarationSyntax f => f.Declaration.Variables.Select(v => v.Identifier.ValueText),
            PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } p => [p.Identifier.ValueText],
            MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method => [method.Identifier.ValueText],
            EventDeclarationSyntax { ExplicitInterfaceSpecifier: null } e => [e.Identifier.ValueText],
            BaseTypeDeclarationSyntax t => [t.Identifier.ValueText],
            DelegateDeclarationSyntax d => [d.Identifier.ValueText],
            _ => Enumerable.Empty<string>(),
        }).ToHashSet(StringComparer.Ordinal);

    /// <summary>Makes names unique, resolves namespace/type conflicts between declarations and adds the companions (network base classes).</summary>
    public static Sample Prepare(Decl[] decls, bool runtime, (int, int, int)[]?[] damage)
    {
        var list = new List<Decl>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        bool outerNamespace = decls.Any(d => d.Namespace == "Samples.Outer_T_");
        for (int i = 0; i < decls.Length; i++)
        {
            Decl d = decls[i];

            // Containers of one declaration are its own (only the Shared ones merge across files).
            d = d with { Containers = d.Containers.Select((c, depth) => c.Shared ? c : c with { Name = $"O{i}_{depth}" }).ToArray() };
            if (outerNamespace && d.Namespace == "Samples" && d.Containers.Any(c => c.Name == "Outer_T_"))
            {
                d = d with { Containers = [], Accessibility = d.Accessibility is "public" or "internal" or "" ? d.Accessibility : "internal" };
            }

            // The class sits in its containers; its base class (Decl.RenderBase, or the companion network) is written
            // at namespace level, outside them, so the base's name is reserved there: two declarations in different
            // containers of one namespace must not both write a base named XBase.
            string path = d.Namespace + "|" + string.Join("|", d.Containers.Select(c => c.Name + c.TypeParameters.Length));
            string namespacePath = d.Namespace + "|";
            if (d.Name.Length == 0 || !Reserve(used, path, namespacePath, d))
            {
                for (int suffix = 0; ; suffix++)
                {
                    string name = "C" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + (suffix == 0 ? "" : "_" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    d = d with { Name = name };
                    if (Reserve(used, path, namespacePath, d))
                    {
                        break;
                    }
                }
            }

            list.Add(d);
        }

        var damages = damage.Take(list.Count).ToList();
        while (damages.Count < list.Count)
        {
            damages.Add(null);
        }

        foreach (Decl d in list.ToArray())
        {
            if (d.Base == BaseKind.Network)
            {
                list.Add(Companion(d));
                damages.Add(null);
            }
        }

        return new Sample([.. list], runtime, [.. damages]);
    }

    /// <summary>Reserves the declaration's class name in its containers and its base's name at namespace level; false (and nothing reserved) when either is taken.</summary>
    private static bool Reserve(HashSet<string> used, string path, string namespacePath, Decl d)
    {
        string own = path + "|" + d.SymbolName;
        string baseName = namespacePath + "|" + d.BaseName;
        if (used.Contains(own) || used.Contains(baseName))
        {
            return false;
        }

        used.Add(own);
        used.Add(baseName);
        return true;
    }

    private static Decl Companion(Decl derived) => new(
        derived.BaseName, derived.Namespace, derived.NamespaceStyle, [], "public", TypeShape.Class, true, false, false, false, "", false, BaseKind.None, [], [],
        [
            AttrItem.Of(new Attr(AttrKind.Network, "Network", "Loss.MeanSquaredError", false)),
            AttrItem.Of(new Attr(AttrKind.Input, "Input", "2", false, Size: 2)),
            AttrItem.Of(new Attr(AttrKind.Dense, "Dense", "1", false, Size: 1)),
        ],
        null, null, false, false, false);

    /// <summary>Runs the generator on the sample and returns every violated property (empty when all hold).</summary>
    public static List<string> Check(Sample sample, FuzzStats stats, IReadOnlyList<KnownIssue> knownIssues)
    {
        var failures = new List<string>();
        Decl[] decls = sample.Decls;
        string[] texts = stats.Time("render", () => decls.Select((d, i) => sample.Damage[i] is { } damage ? FuzzGen.Damage(d.Render(), damage) : d.Render()).ToArray());
        string[] paths = decls.Select((_, i) => $"Decl{i}.cs").ToArray();
        var trees = texts.Select((t, i) => CSharpSyntaxTree.ParseText(t, s_parseOptions, path: paths[i])).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(OtherAttributes, s_parseOptions, path: "Other.cs"));
        var input = CSharpCompilation.Create("Fuzz", trees, sample.Runtime ? s_references : s_referencesWithoutRuntime, s_options);


        // Property 1: the generator never throws.
        Compilation output = input;
        ImmutableArray<Diagnostic> driverDiagnostics = default;
        GeneratorDriver driver = stats.Time("generator", () => CSharpGeneratorDriver.Create([new NetGenGenerator().AsSourceGenerator()], parseOptions: s_parseOptions)
            .RunGeneratorsAndUpdateCompilation(input, out output, out driverDiagnostics));
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        if (run.Exception is not null)
        {
            failures.Add($"[1] the generator threw: {run.Exception}");
        }

        foreach (Diagnostic d in driverDiagnostics.Where(d => d.Id is "CS8784" or "CS8785" or "AD0001"))
        {
            failures.Add($"[1] generator failure diagnostic: {d}");
        }

        if (failures.Count > 0)
        {
            return failures;
        }

        // Attribute everything to a declaration: NG diagnostics and user files by path, generated files by the class they extend.
        var indexByPath = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        var ng = new List<Diagnostic>[decls.Length];
        var generated = new List<SyntaxTree>[decls.Length];
        for (int i = 0; i < decls.Length; i++)
        {
            ng[i] = [];
            generated[i] = [];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Diagnostic d in run.Diagnostics)
        {
            stats.Ids.AddOrUpdate(d.Id, 1, (_, n) => n + 1);
            // Each network nested in a non-partial type reports that type (NG0001 at its name): with two networks in
            // one shared container that is the same diagnostic twice, by design (one report per network).
            bool sharedContainer = d.Id == "NG0001" && SourceText(input, d) is "Outer" or "Outer_T_";
            if (!seen.Add($"{d.Id}|{d.Location.GetLineSpan()}|{d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}") && !sharedContainer)
            {
                failures.Add($"[dup] {d.Id} reported twice at the same place: {d}");
            }

            if (d.Location.Kind == LocationKind.None || !indexByPath.TryGetValue(d.Location.GetLineSpan().Path, out int index))
            {
                failures.Add($"[loc] NG diagnostic without a location in a user file: {d}");
                continue;
            }

            ng[index].Add(d);
        }

        var generatedTrees = run.GeneratedSources.Select(s => s.SyntaxTree).ToList();
        var treeOwner = new Dictionary<SyntaxTree, int>();
        var indexByTypePath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < decls.Length; i++)
        {
            indexByTypePath.TryAdd(TypePath(decls[i]), i);
        }

        foreach (SyntaxTree tree in output.SyntaxTrees.Where(t => !indexByPath.ContainsKey(t.FilePath) && t.FilePath != "Other.cs"))
        {
            // By the names in the file (cheap), else by the symbol the file's types merge with (for damaged sources).
            stats.Time("parse generated", () => tree.GetRoot());
            int owner = stats.Time("attribution", () => OwnerByName(tree, indexByTypePath));
            if (owner < 0)
            {
                owner = stats.Time("attribution (semantic)", () => Owner(output, tree, indexByPath));
            }

            if (owner < 0)
            {
                // Damaged sources can leave a class in a namespace without a name ('namespace ;'): its file then lands
                // elsewhere. Only intact compilations must have every generated file extend a user class.
                if (sample.Damage.All(d => d is null))
                {
                    failures.Add($"[attr] generated file {Path.GetFileName(tree.FilePath)} does not extend any user class:\n{Excerpt(tree.ToString())}");
                }

                continue;
            }

            treeOwner[tree] = owner;
            generated[owner].Add(tree);
        }

        stats.AddFiles(generatedTrees.Count);

        // The oracle. Member clashes are judged against the names the generated code declares for the same layers:
        // read from this run's file when there is one, else learned from one clean reference run.
        var namesFromRun = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        for (int i = 0; i < decls.Length; i++)
        {
            if (generated[i].Count == 1 && sample.Damage[i] is null && NetworkClass(generated[i][0], decls[i]) is { } type)
            {
                namesFromRun.TryAdd(FuzzOracle.TopologyKey(decls[i]), DeclaredNames(type));
            }
        }

        Expectation[] expectations = stats.Time("oracle", () => Judge(sample, namesFromRun, stats));

        // Compiler diagnostics before and after generation, by declaration.
        // The user's own problems (before generation), per file, only where they are needed: binding is the cost.
        var inputCache = new List<Diagnostic>?[decls.Length];
        List<Diagnostic> InputProblems(int i) => inputCache[i] ??= stats.Time("compile input", () =>
            input.GetSemanticModel(trees[i]).GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList());
        var outputProblems = Problems(stats.Time("compile output", () => OutputDiagnostics(output, generatedTrees, treeOwner, decls, stats)), indexByPath, treeOwner, decls.Length);

        bool damagedSample = sample.Damage.Any(d => d is not null);
        for (int i = 0; i < decls.Length; i++)
        {
            Decl decl = decls[i];
            Expectation expect = expectations[i];
            bool damaged = sample.Damage[i] is not null;
            stats.Add(expect.Verdict, expect.UserError, damaged);

            var inputKeys = (outputProblems[i].Count > 0 ? InputProblems(i) : []).Select(Key).ToHashSet(StringComparer.Ordinal);
            var introduced = outputProblems[i].Where(d => !inputKeys.Contains(Key(d))).ToList();
            var known = introduced.Where(d => knownIssues.Any(k => k.Matches(decl, d))).ToList();
            foreach (Diagnostic d in known)
            {
                stats.KnownIssues.AddOrUpdate(knownIssues.First(k => k.Matches(decl, d)).Name, 1, (_, n) => n + 1);
            }

            introduced = introduced.Except(known).ToList();
            var ngErrors = ng[i].Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            bool userHadErrors = (introduced.Count > 0 || (expect.CompilerReported && ngErrors.Count == 0)) && InputProblems(i).Any(d => d.Severity == DiagnosticSeverity.Error);
            string Describe(string property) => Report(property, i, decl, texts[i], expect, ng[i], outputProblems[i], generated[i]);

            // Property 2: generated code never brings errors that no diagnostic explains.
            if (introduced.Any(d => d.Severity == DiagnosticSeverity.Error) && ngErrors.Count == 0 && !userHadErrors)
            {
                failures.Add(Describe("[2] generation introduced compile errors, but there is no NG error and the user's code had none"));
            }

            // A damaged file can reach into the others (e.g. garbage that parses as a top-level statement declaring a
            // local named like a using alias, or a truncation that turns class C19 into C1 and merges it with an intact
            // partial C1): in a damaged compilation, an intact declaration whose file has errors of its own before
            // generation, or whose class or a container of it also has a part in a damaged file, is checked for properties 1 and 2 only.
            if (damaged || (damagedSample && (InputProblems(i).Any(d => d.Severity == DiagnosticSeverity.Error) || SharesClassWithDamagedFile(input, trees[i], decl, sample.Damage, indexByPath))))
            {
                continue;
            }

            switch (expect.Verdict)
            {
                case Verdict.Ignored or Verdict.Plain:
                    if (ng[i].Count > 0 || generated[i].Count > 0)
                    {
                        failures.Add(Describe("[3] no NetGen diagnostic or file expected"));
                    }

                    break;

                case Verdict.Orphan:
                    if (ng[i].Count != 1 || ng[i][0].Id != "NG0012" || generated[i].Count > 0)
                    {
                        failures.Add(Describe("[3] exactly one NG0012 warning expected (layers without [Network])"));
                    }

                    break;

                case Verdict.Invalid when expect.CompilerReported:
                    if (ngErrors.Count == 0 && !userHadErrors)
                    {
                        failures.Add(Describe("[3] an attribute that does not compile must be reported by the compiler or NetGen"));
                    }

                    break;

                case Verdict.Invalid:
                    if (ngErrors.Count == 0 || generated[i].Count > 0)
                    {
                        failures.Add(Describe("[3] an invalid declaration must get an NG error and no generated file"));
                    }

                    break;

                case Verdict.Valid when !expect.UserError && ng[i].Count > 0 && ng[i].All(d => d.Id is "NG0021" or "NG0011" && expect.Reserved?.Contains(SourceText(input, d)) == true):
                    // NG0021 (a member) or NG0011 (the class) on a name the generated code does not declare for these
                    // layers: the generator reserves more names than it uses; tolerated, and counted.
                    foreach (Diagnostic d in ng[i])
                    {
                        stats.OverReserved.AddOrUpdate(SourceText(input, d), 1, (_, n) => n + 1);
                    }

                    if (generated[i].Count > 0)
                    {
                        failures.Add(Describe("[3] a declaration with an NG error must get no generated file"));
                    }

                    break;

                case Verdict.Valid when !expect.UserError:
                    // Property 4: no NG diagnostic, exactly one file, and it compiles without errors or new warnings.
                    var errors = outputProblems[i].Where(d => d.Severity == DiagnosticSeverity.Error && !known.Contains(d)).ToList();
                    if (ng[i].Count > 0 || generated[i].Count != 1 || errors.Count > 0 || introduced.Count > 0)
                    {
                        failures.Add(Describe("[4] a valid declaration must get no NG diagnostic and exactly one file that compiles without errors or warnings"));
                    }

                    break;
            }
        }

        if (failures.Count > 0 && Environment.GetEnvironmentVariable("NETGEN_FUZZ_DUMP") is { Length: > 0 } dump)
        {
            // Every file of the failing compilation, to replay it outside the fuzzer.
            string folder = Path.Combine(dump, Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < texts.Length; i++)
            {
                File.WriteAllText(Path.Combine(folder, paths[i]), texts[i]);
            }

            File.WriteAllText(Path.Combine(folder, "failures.txt"), string.Join("\n\n", failures));
        }

        return failures;
    }

    /// <summary>
    /// The compiler's diagnostics after generation: user files fully; generated files always at the declaration level,
    /// and their method bodies once per distinct (code shape, context) — the bodies of two files that differ only in
    /// names and numbers, compiled in the same kind of class, bind the same way, and binding bodies is most of the cost.
    /// </summary>
    private static ImmutableArray<Diagnostic> OutputDiagnostics(Compilation output, List<SyntaxTree> generatedTrees, Dictionary<SyntaxTree, int> treeOwner, Decl[] decls, FuzzStats stats)
    {
        var all = ImmutableArray.CreateBuilder<Diagnostic>();
        var userFilesWithOutput = treeOwner.Values.Select(i => $"Decl{i}.cs").ToHashSet(StringComparer.Ordinal);
        var generated = new HashSet<SyntaxTree>(generatedTrees);
        foreach (SyntaxTree tree in output.SyntaxTrees)
        {
            if (!generated.Contains(tree))
            {
                // A user file whose class got no generated code cannot have gained problems from generation.
                if (userFilesWithOutput.Contains(tree.FilePath))
                {
                    all.AddRange(stats.Time("compile user files", () => output.GetSemanticModel(tree).GetDiagnostics()));
                }

                continue;
            }

            SemanticModel model = output.GetSemanticModel(tree);

            all.AddRange(stats.Time("compile generated declarations", () => model.GetSyntaxDiagnostics().AddRange(model.GetDeclarationDiagnostics())));
            bool bind = !treeOwner.TryGetValue(tree, out int owner) || stats.FirstOfShape(ShapeKey(tree.ToString(), decls[owner])) ||
                stats.Time("scan generated names", () => HasUndeclaredName(tree, stats));
            if (bind)
            {
                all.AddRange(stats.Time("compile generated bodies", () => model.GetMethodBodyDiagnostics()));
            }
        }

        return all.ToImmutable();
    }

    /// <summary>
    /// Whether the file uses a simple name it does not declare (a member, local, parameter, type parameter, label) —
    /// e.g. a number written as <c>Infinityf</c>. Such a file gets its method bodies compiled whatever the budget.
    /// Qualified names (<c>global::X.Y</c>, <c>a.B</c>) and a few contextual words are not looked at.
    /// </summary>
    private static bool HasUndeclaredName(SyntaxTree tree, FuzzStats stats)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal) { "var", "nameof", "value", "_", "dynamic", "unmanaged", "notnull", "nint", "nuint", "global" };
        var used = new HashSet<string>(StringComparer.Ordinal);

        // One walk that does not enter using directives, namespace names or qualified names (global::X.Y, A.B<T>).
        foreach (SyntaxNode node in tree.GetRoot().DescendantNodes(n => n is not (UsingDirectiveSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax) &&
                     !(n is NameSyntax && n.Parent is BaseNamespaceDeclarationSyntax)))
        {
            switch (node)
            {
                case IdentifierNameSyntax name when !(name.Parent is MemberAccessExpressionSyntax ma && ma.Name == name) && name.Parent is not (MemberBindingExpressionSyntax or NameColonSyntax or NameEqualsSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax or BaseNamespaceDeclarationSyntax):
                    used.Add(name.Identifier.ValueText);
                    break;
                case VariableDeclaratorSyntax v: declared.Add(v.Identifier.ValueText); break;
                case ParameterSyntax p: declared.Add(p.Identifier.ValueText); break;
                case TypeParameterSyntax t: declared.Add(t.Identifier.ValueText); break;
                case SingleVariableDesignationSyntax d: declared.Add(d.Identifier.ValueText); break;
                case ForEachStatementSyntax f: declared.Add(f.Identifier.ValueText); break;
                case LocalFunctionStatementSyntax l: declared.Add(l.Identifier.ValueText); break;
                case MethodDeclarationSyntax m: declared.Add(m.Identifier.ValueText); break;
                case PropertyDeclarationSyntax pr: declared.Add(pr.Identifier.ValueText); break;
                case BaseTypeDeclarationSyntax bt: declared.Add(bt.Identifier.ValueText); break;
                case EventDeclarationSyntax e: declared.Add(e.Identifier.ValueText); break;
                case LabeledStatementSyntax lb: declared.Add(lb.Identifier.ValueText); break;
                case CatchDeclarationSyntax c: declared.Add(c.Identifier.ValueText); break;
                case QueryClauseSyntax or QueryContinuationSyntax: return true;
            }
        }

        used.ExceptWith(declared);
        foreach (string name in used)
        {
            stats.Undeclared.AddOrUpdate(name, 1, (_, n) => n + 1);
        }

        return used.Count > 0;
    }

    /// <summary>
    /// The shape of generated code in its context: the set of distinct lines of the generated text with numbers, the
    /// class name and comments masked (so layer sizes, counts and order do not make new shapes, but every kind of
    /// statement the emitter writes does), the magnitude of the largest number (so huge sizes are bound on their own),
    /// and the user's declaration without attributes and namespace (members, base, containers, modifiers).
    /// </summary>
    private static string ShapeKey(string generatedText, Decl decl)
    {
        int digits = System.Text.RegularExpressions.Regex.Matches(generatedText, @"\d+").Select(m => m.Length).DefaultIfEmpty(0).Max();
        string Mask(string text) => System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(text, @"\b" + System.Text.RegularExpressions.Regex.Escape(decl.SymbolName) + @"\b", "$C"), @"\d+(\.\d+)?([eE][-+]?\d+)?", "#");
        IEnumerable<string> lines = Mask(generatedText).Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith("namespace", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        string context = Mask((decl.Namespace is "Samples.System" or "Lonely.NetGen" ? decl : decl with { Namespace = "" }).Render(withAttributes: false));
        return string.Join("\n", lines) + "\n" + digits.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + context;
    }

    private static TypeDeclarationSyntax? NetworkClass(SyntaxTree tree, Decl decl) =>
        tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>().FirstOrDefault(t => t.Identifier.ValueText == decl.SymbolName);

    private static Expectation[] Judge(Sample sample, Dictionary<string, IReadOnlySet<string>> namesFromRun, FuzzStats stats)
    {
        // Dry run: which topologies need their generated names?
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (Decl d in sample.Decls)
        {
            FuzzOracle.Judge(d, sample.Runtime, decl =>
            {
                string key = FuzzOracle.TopologyKey(decl);
                if (!namesFromRun.ContainsKey(key) && !s_namesByTopology.ContainsKey(key))
                {
                    needed.Add(key);
                }

                return new HashSet<string>();
            });
        }

        if (needed.Count > 0)
        {
            string[] keys = [.. needed];
            Interlocked.Increment(ref stats.ReferenceRuns);
            IReadOnlySet<string>?[] names = ReferenceNames(keys.Select(k => string.Join("\n", k.Split('\n').Select(a => $"[{a}]"))).ToArray());
            for (int i = 0; i < keys.Length; i++)
            {
                s_namesByTopology.TryAdd(keys[i], names[i]);
            }
        }

        return sample.Decls.Select(d => FuzzOracle.Judge(d, sample.Runtime, decl =>
            namesFromRun.TryGetValue(FuzzOracle.TopologyKey(decl), out IReadOnlySet<string>? names) ? names : s_namesByTopology[FuzzOracle.TopologyKey(decl)] ?? new HashSet<string>())).ToArray();
    }

    /// <summary>Namespace segments and type names (with arity) down to the declared class, as the compiler sees them.</summary>
    private static string TypePath(Decl decl) =>
        string.Join(".", decl.Namespace.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(FuzzText.SymbolName)) + "|" +
        string.Join("|", decl.Containers.Select(c => c.Name + "`" + (c.TypeParameters.Length == 0 ? 0 : c.TypeParameters.Count(ch => ch == ',') + 1))
            .Append(decl.SymbolName + "`" + (decl.TypeParameters.Length == 0 ? 0 : 1)));

    /// <summary>The declaration whose type path matches the deepest type declared in a generated file, or -1.</summary>
    private static int OwnerByName(SyntaxTree tree, Dictionary<string, int> indexByTypePath)
    {
        int owner = -1;
        foreach (TypeDeclarationSyntax type in tree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax).OfType<TypeDeclarationSyntax>())
        {
            string ns = string.Join(".", type.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse()
                .SelectMany(n => n.Name.DescendantNodesAndSelf().OfType<SimpleNameSyntax>().Select(x => x.Identifier.ValueText)));
            string types = string.Join("|", type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Reverse()
                .Select(t => t.Identifier.ValueText + "`" + (t.TypeParameterList?.Parameters.Count ?? 0)));
            if (indexByTypePath.TryGetValue(ns + "|" + types, out int index))
            {
                owner = index;
            }
        }

        return owner;
    }

    /// <summary>The declaration whose class a generated file extends: the deepest type in it that also has a declaration in a user file.</summary>
    private static int Owner(Compilation output, SyntaxTree tree, Dictionary<string, int> indexByPath)
    {
        SemanticModel model = output.GetSemanticModel(tree);
        int owner = -1, depth = -1;
        foreach (TypeDeclarationSyntax type in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(type) is not INamedTypeSymbol symbol)
            {
                continue;
            }

            foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
            {
                int d = type.Ancestors().OfType<TypeDeclarationSyntax>().Count();
                if (indexByPath.TryGetValue(reference.SyntaxTree.FilePath, out int index) && d > depth &&
                    reference.GetSyntax() is TypeDeclarationSyntax user && IsNetworkCandidate(user))
                {
                    owner = index;
                    depth = d;
                }
            }
        }

        return owner;
    }

    /// <summary>
    /// Whether the declaration's class, or a class containing it, also has a partial declaration in a damaged file (which
    /// then changes what it declares: a truncated <c>partial</c> on a shared container is rightly reported there, NG0001).
    /// </summary>
    private static bool SharesClassWithDamagedFile(Compilation input, SyntaxTree tree, Decl decl, (int, int, int)[]?[] damage, Dictionary<string, int> indexByPath)
    {
        SemanticModel model = input.GetSemanticModel(tree);
        return tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(t => t.Identifier.ValueText == decl.SymbolName)
            .Select(t => model.GetDeclaredSymbol(t))
            .OfType<INamedTypeSymbol>()
            .SelectMany(SelfAndContainers)
            .SelectMany(symbol => symbol.DeclaringSyntaxReferences)
            .Any(r => indexByPath.TryGetValue(r.SyntaxTree.FilePath, out int other) && damage[other] is not null);

        static IEnumerable<INamedTypeSymbol> SelfAndContainers(INamedTypeSymbol symbol)
        {
            for (INamedTypeSymbol? t = symbol; t is not null; t = t.ContainingType)
            {
                yield return t;
            }
        }
    }

    /// <summary>Shared containers live in several files; the network class is the one declared with attributes or in a single file.</summary>
    private static bool IsNetworkCandidate(TypeDeclarationSyntax user) => user.Identifier.ValueText is not ("Outer" or "Outer_T_");

    private static List<Diagnostic>[] Problems(ImmutableArray<Diagnostic> diagnostics, Dictionary<string, int> indexByPath, Dictionary<SyntaxTree, int> treeOwner, int count)
    {
        var result = new List<Diagnostic>[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = [];
        }

        foreach (Diagnostic d in diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning))
        {
            SyntaxTree? tree = d.Location.SourceTree;
            if (tree is null)
            {
                continue;
            }

            if (indexByPath.TryGetValue(tree.FilePath, out int index) || treeOwner.TryGetValue(tree, out index))
            {
                result[index].Add(d);
            }
        }

        return result;
    }

    private static string SourceText(Compilation input, Diagnostic d) =>
        input.SyntaxTrees.FirstOrDefault(t => t.FilePath == d.Location.GetLineSpan().Path)?.GetText().ToString(d.Location.SourceSpan) ?? "";

    private static string Key(Diagnostic d) => $"{d.Id}|{d.Location.SourceTree?.FilePath}|{d.Location.SourceSpan}";

    private static string Report(string property, int index, Decl decl, string text, Expectation expect, List<Diagnostic> ng, List<Diagnostic> problems, List<SyntaxTree> generated)
    {
        var sb = new StringBuilder();
        sb.Append(property).Append('\n');
        sb.Append($"  Decl{index}.cs: expected {expect.Verdict}{(expect.UserError ? " (with an unrelated C# error)" : "")}{(expect.Reasons.Count > 0 ? ": " + string.Join("; ", expect.Reasons) : "")}\n");
        sb.Append("  NG diagnostics: ").Append(ng.Count == 0 ? "none" : string.Join("\n    ", ng.Select(d => d.ToString()))).Append('\n');
        sb.Append("  generated files: ").Append(generated.Count == 0 ? "none" : string.Join(", ", generated.Select(t => Path.GetFileName(t.FilePath)))).Append('\n');
        sb.Append("  compiler problems after generation: ").Append(problems.Count == 0 ? "none" : string.Join("\n    ", problems.Take(8).Select(d => $"{Path.GetFileName(d.Location.SourceTree?.FilePath)}{d.Location.GetLineSpan().StartLinePosition}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"))).Append('\n');
        sb.Append("  source:\n").Append(Indent(text));
        return sb.ToString();
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(l => "    | " + l)) + "\n";

    private static string Excerpt(string text) => Indent(text.Length > 1500 ? text[..1500] + "…" : text);
}
