namespace NetGen.Generator.Tests.Fuzz;

/// <summary>What the oracle expects of one declaration.</summary>
internal enum Verdict
{
    /// <summary>Not something the generator looks at (e.g. an enum): no NG diagnostic, no file.</summary>
    Ignored,

    /// <summary>No [Network] and no layer attributes: no NG diagnostic, no file.</summary>
    Plain,

    /// <summary>Layer attributes without [Network]: exactly one NG0012 warning, no file.</summary>
    Orphan,

    /// <summary>A [Network] that breaks a rule: at least one NG error, no file.</summary>
    Invalid,

    /// <summary>A [Network] that follows every rule: no NG diagnostic, exactly one file that compiles cleanly.</summary>
    Valid,
}

/// <param name="Verdict">The expected outcome.</param>
/// <param name="UserError">The user's code has a C# error unrelated to NetGen's rules (a typo'd attribute, a member
/// that only compiles against another precision): then only "no crash" and "no unexplained errors" are checked.</param>
/// <param name="Reasons">Why the declaration is invalid, for failure messages.</param>
/// <param name="CompilerReported">Every reason is a C# error in a NetGen attribute's arguments: the compiler reports it,
/// so an NG error is not required, and a file generated from the readable arguments is tolerated if it compiles.</param>
/// <param name="Reserved">Names of the user's members that the generated code does not declare for these layers but that
/// the generator may still reserve (NG0021 on them is tolerated and counted, not required).</param>
internal sealed record Expectation(Verdict Verdict, bool UserError, IReadOnlyList<string> Reasons, bool CompilerReported = false, IReadOnlyList<string>? Reserved = null);

/// <summary>
/// An oracle written from the documented rules, independent of the generator: the topology is judged by constructing
/// the runtime's <see cref="NetworkSpec"/> (which throws for every invalid topology), the rest by the type-shape,
/// placement and member rules of docs/diagnostics. Member clashes are judged against the names the generated code
/// really declares for the same layers (learned from a clean reference run), not against the generator's own list.
/// </summary>
internal static class FuzzOracle
{
    /// <param name="generatedNames">The member names the generated part declares for this declaration's layers
    /// (null when the layers are invalid and nothing would be generated).</param>
    public static Expectation Judge(Decl decl, bool runtime, Func<Decl, IReadOnlySet<string>?> generatedNames)
    {
        var active = decl.ActiveAttributes.ToList();
        var netgen = active.Where(a => a.Item.NetGen is not null).Select(a => (Attr: a.Item.NetGen!, a.OnSecond)).ToList();
        bool typo = active.Any(a => a.Item.NetGen is null && a.Item.UserError);

        if (decl.Shape == TypeShape.Enum)
        {
            return new Expectation(Verdict.Ignored, true, ["enum"]);
        }

        var networks = netgen.Where(a => a.Attr.Kind == AttrKind.Network).ToList();
        if (networks.Count == 0)
        {
            return new Expectation(netgen.Count > 0 ? Verdict.Orphan : Verdict.Plain, typo, []);
        }

        var reasons = new List<string>();
        void Rule(bool broken, string reason)
        {
            if (broken)
            {
                reasons.Add(reason);
            }
        }

        // The type's shape (NG0001, NG0011, NG0022, NG0023).
        Rule(!runtime, "NetGen.Runtime is not referenced");
        Rule(!decl.IsClass, $"a {decl.Keyword} is not a class");
        Rule(decl.Static, "static");
        Rule(decl.TypeParameters.Length > 0, "generic");
        Rule(decl.Accessibility == "file", "file-local");
        Rule(decl.PrimaryConstructor || decl.SecondPrimaryConstructor, "primary constructor");
        Rule(!decl.Partial, "not partial");
        Rule(decl.Containers.Any(c => !c.Partial), "a containing type is not partial");
        Rule(decl.Base is BaseKind.WithIntConstructorOnly or BaseKind.WithPrivateConstructorOnly, "the base class has no accessible parameterless constructor");
        Rule(decl.Base == BaseKind.Network, "the base class is a network: its public members would be hidden");

        // The attributes (NG0002–NG0010, NG0013–NG0020).
        Rule(netgen.Any(a => a.Attr.Broken), BrokenArguments);
        Rule(networks.Count > 1, "[Network] twice");
        Attr network = networks[0].Attr;
        Rule(!network.Broken && network.Loss is < 0 or > 5, "undefined Loss (or Loss.Custom without a function)");
        Rule(!network.Broken && network.Precision is < 0 or > 1, "undefined Precision");

        var layers = netgen.Where(a => a.Attr.IsLayer).ToList();
        Rule(layers.Select(a => a.OnSecond).Distinct().Count() > 1, "layers on two partial declarations");
        var inputs = layers.Where(a => a.Attr.Kind == AttrKind.Input).ToList();
        Rule(inputs.Count == 0, "no [Input]");
        Rule(inputs.Count > 1, "[Input] twice");
        Rule(inputs.Count > 0 && layers[0].Attr.Kind != AttrKind.Input, "[Input] is not the first layer attribute");

        foreach (Attr dense in layers.Select(a => a.Attr).Where(a => a.Kind == AttrKind.Dense && !a.Broken && a.AlphaWritten))
        {
            Rule(dense.Activation is not (4 or 5), "Alpha on an activation without one");
            Rule(!double.IsFinite(dense.Alpha) || dense.Alpha < 0, "Alpha not finite and >= 0");
        }

        if (reasons.Count == 0)
        {
            // The topology: the runtime's NetworkSpec validates sizes, placements, rates, settings, the loss/output pairing and the total size.
            try
            {
                _ = Spec(decl);
            }
            catch (ArgumentException e)
            {
                reasons.Add("NetworkSpec: " + e.Message);
            }
        }

        if (reasons.Count == 0)
        {
            // Member clashes, against what the generated part really declares for these layers (NG0021).
            bool needsNames = decl.Members.Concat(decl.SecondMembers ?? []).Any(m => m.Kind == MemberKind.Named) ||
                FuzzRunner.HarvestedNames.Value.Contains(decl.SymbolName) || decl.Base == BaseKind.WithMembers;
            IReadOnlySet<string> names = needsNames ? generatedNames(decl) ?? new HashSet<string>() : new HashSet<string>();
            foreach (Member member in decl.Members.Concat(decl.SecondMembers ?? []))
            {
                Rule(member.Kind == MemberKind.ClashingConstructor, $"constructor clash: {member.Template}");
                Rule(member.Kind == MemberKind.Named && names.Contains(member.Name!), $"member clash: {member.Name}");
            }

            Rule(names.Contains(decl.SymbolName), $"the class is named like a generated member ({decl.SymbolName})");
            Rule(decl.Base == BaseKind.WithMembers && decl.BaseMemberNames.Any(names.Contains), "an inherited member is named like a generated member");
        }

        var reserved = decl.Members.Concat(decl.SecondMembers ?? []).Where(m => m.Kind == MemberKind.Named).Select(m => m.Name!)
            .Append(decl.SymbolName).Distinct(StringComparer.Ordinal).ToList();
        bool doublePrecision = !network.Broken && network.Precision == 1;
        // A class cannot be nested in an interface with a variant type parameter (CS8427).
        bool userError = typo || decl.Containers.Any(c => c.TypeParameters.Contains("out ", StringComparison.Ordinal) || c.TypeParameters.Contains("in ", StringComparison.Ordinal)) || (doublePrecision && (decl.ExplicitInterface || decl.Members.Concat(decl.SecondMembers ?? []).Any(m => m.SinglePrecisionOnly)));
        return new Expectation(reasons.Count == 0 ? Verdict.Valid : Verdict.Invalid, userError, reasons, reasons.Count > 0 && reasons.All(r => r == BrokenArguments), reserved);
    }

    private const string BrokenArguments = "an attribute's arguments do not compile";

    /// <summary>The attributes of a declaration whose topology is to be judged, in the order they are written.</summary>
    public static IReadOnlyList<Attr> NetGenAttributes(Decl decl) =>
        decl.ActiveAttributes.Where(a => a.Item.NetGen is not null).Select(a => a.Item.NetGen!).ToList();

    /// <summary>The runtime's spec of the declared layers; throws <see cref="ArgumentException"/> when they are invalid.</summary>
    public static NetworkSpec Spec(Decl decl)
    {
        IReadOnlyList<Attr> attrs = NetGenAttributes(decl);
        Attr network = attrs.First(a => a.Kind == AttrKind.Network);
        Attr input = attrs.First(a => a.Kind == AttrKind.Input);
        var layers = new List<LayerSpec>();
        foreach (Attr a in attrs.Where(a => a.Kind is AttrKind.Dense or AttrKind.Dropout or AttrKind.BatchNorm))
        {
            layers.Add(a.Kind switch
            {
                AttrKind.Dense => new DenseLayerSpec(a.Size, (Activation)a.Activation, a.AlphaWritten ? a.Alpha : double.NaN),
                AttrKind.Dropout => new DropoutLayerSpec(a.Rate),
                _ => new BatchNormLayerSpec(a.Momentum, a.Epsilon),
            });
        }

        return new NetworkSpec(input.Size, layers, (Loss)network.Loss, (Precision)network.Precision);
    }

    /// <summary>A key of what the generated member names can depend on: the layers, loss and precision.</summary>
    public static string TopologyKey(Decl decl) => string.Join("\n", NetGenAttributes(decl).Select(a => a.Canonical));
}
