using System.Globalization;
using System.Text;

namespace NetGen.Generator.Tests.Fuzz;

/// <summary>An attribute argument as written, and the constant the compiler makes of it (null: it does not compile).</summary>
internal sealed record Arg(string Text, object? Value)
{
    public bool Broken => Value is null;

    public static Arg Int(int value) => new(value.ToString(CultureInfo.InvariantCulture), value);

    public static Arg Double(double value) => new(FuzzText.Double(value), value);

    public override string ToString() => Text;
}

internal enum AttrKind
{
    Network,
    Input,
    Dense,
    Dropout,
    BatchNorm,
}

/// <summary>
/// A NetGen attribute as written (<see cref="Text"/>) and what it means. <see cref="Broken"/>: the C# compiler rejects
/// its arguments (wrong type, missing, duplicated, unknown named argument), so it has no meaning.
/// </summary>
internal sealed record Attr(
    AttrKind Kind,
    string Name,
    string? Args,
    bool Broken,
    int Loss = 0,
    int Precision = 0,
    int Size = 0,
    int Activation = 0,
    bool AlphaWritten = false,
    double Alpha = double.NaN,
    double Rate = 0,
    double Momentum = 0.99,
    double Epsilon = 0.001)
{
    public string Text => Args is null ? Name : $"{Name}({Args})";

    public bool IsLayer => Kind != AttrKind.Network;

    /// <summary>The same meaning, written plainly (for the reference run that learns the generated member names).</summary>
    public string Canonical => Kind switch
    {
        AttrKind.Network => $"global::NetGen.Network((global::NetGen.Loss)({Loss}), Precision = (global::NetGen.Precision)({Precision}))",
        AttrKind.Input => $"global::NetGen.Input({Size})",
        AttrKind.Dense => AlphaWritten
            ? $"global::NetGen.Dense({Size}, (global::NetGen.Activation)({Activation}), Alpha = {FuzzText.Double(Alpha)})"
            : $"global::NetGen.Dense({Size}, (global::NetGen.Activation)({Activation}))",
        AttrKind.Dropout => $"global::NetGen.Dropout({FuzzText.Double(Rate)})",
        _ => $"global::NetGen.BatchNorm(Momentum = {FuzzText.Double(Momentum)}, Epsilon = {FuzzText.Double(Epsilon)})",
    };

    public override string ToString() => Text;
}

/// <summary>
/// One item of an attribute list: a NetGen attribute, or another attribute (a decoy, or a typo that does not bind).
/// <see cref="NewList"/>: starts a new <c>[...]</c> list (else joins the previous one with a comma);
/// <see cref="Inactive"/>: written inside <c>#if NEVER</c>, so it does not exist.
/// </summary>
internal sealed record AttrItem(string Text, Attr? NetGen, bool UserError, bool NewList = true, bool TypeTarget = false, bool Inactive = false)
{
    public static AttrItem Of(Attr attr) => new(attr.Text, attr, attr.Broken);

    public override string ToString() => (Inactive ? "#if NEVER " : "") + Text;
}

internal enum MemberKind
{
    /// <summary>Never the name of a generated member.</summary>
    Safe,

    /// <summary>A constructor with a signature the generated part declares: (), (int), (int, Initializer).</summary>
    ClashingConstructor,

    /// <summary>A name the generated part may declare (whether it does depends on the layers).</summary>
    Named,
}

/// <summary>A member of the user's class. <see cref="Template"/> uses {0} for the class name.</summary>
/// <param name="NeedsGenerated">It uses generated members, so it compiles only once the network is generated.</param>
/// <param name="SinglePrecisionOnly">It compiles only against INetwork&lt;float&gt;.</param>
internal sealed record Member(MemberKind Kind, string Template, string? Name = null, bool NeedsGenerated = false, bool SinglePrecisionOnly = false)
{
    public string Render(string className) => Template.Replace("{0}", className, StringComparison.Ordinal);

    public override string ToString() => Template;
}

/// <summary>A type containing the network: <c>{Keyword} {Name}{TypeParameters}</c>.</summary>
internal sealed record Container(string Keyword, bool Partial, string Name, string TypeParameters = "", bool Shared = false)
{
    public bool IsStatic => Keyword.StartsWith("static", StringComparison.Ordinal);

    public bool IsInterface => Keyword == "interface";

    public override string ToString() => $"{(Partial ? "partial " : "")}{Keyword} {Name}{TypeParameters}";
}

internal enum BaseKind
{
    None,
    Object,
    WithParameterlessConstructor,
    WithOptionalParameter,
    WithProtectedConstructor,
    WithIntConstructorOnly,
    WithPrivateConstructorOnly,
    WithMembers,
    WithPrivateMembers,
    Exception,
    Attribute,
    RecordBase,
    Network,
}

internal enum TypeShape
{
    Class,
    Record,
    RecordClass,
    Struct,
    RecordStruct,
    Interface,
    Enum,
}

/// <summary>One random declaration: a type with attributes, members, containers and a base, in its own file.</summary>
internal sealed record Decl(
    string Name,
    string Namespace,
    int NamespaceStyle,
    Container[] Containers,
    string Accessibility,
    TypeShape Shape,
    bool Partial,
    bool Static,
    bool Abstract,
    bool Sealed,
    string TypeParameters,
    bool PrimaryConstructor,
    BaseKind Base,
    string[] BaseMemberNames,
    Member[] Members,
    AttrItem[] Attributes,
    AttrItem[]? SecondAttributes,
    Member[]? SecondMembers,
    bool SecondPrimaryConstructor,
    bool Disposable,
    bool ExplicitInterface)
{
    /// <summary>The class name as the compiler sees it (without '@', escapes decoded).</summary>
    public string SymbolName => FuzzText.SymbolName(Name);

    public bool IsClass => Shape is TypeShape.Class or TypeShape.Record or TypeShape.RecordClass;

    public bool IsRecord => Shape is TypeShape.Record or TypeShape.RecordClass;

    public string Keyword => Shape switch
    {
        TypeShape.Class => "class",
        TypeShape.Record => "record",
        TypeShape.RecordClass => "record class",
        TypeShape.Struct => "struct",
        TypeShape.RecordStruct => "record struct",
        TypeShape.Interface => "interface",
        _ => "enum",
    };

    /// <summary>Every attribute that exists (not in an inactive region), main declaration first.</summary>
    public IEnumerable<(AttrItem Item, bool OnSecond)> ActiveAttributes =>
        Attributes.Where(a => !a.Inactive).Select(a => (a, false))
            .Concat((SecondAttributes ?? []).Where(a => !a.Inactive).Select(a => (a, true)));

    public string BaseName => SymbolName + "Base";

    /// <summary>The C# source of the file.</summary>
    public string Render() => Render(withAttributes: true);

    /// <summary>The C# source of the file, optionally without the attribute lists (the context the generated code compiles in).</summary>
    public string Render(bool withAttributes)
    {
        var sb = new StringBuilder();
        sb.Append("using NetGen;\nusing NG = NetGen;\n");
        string indent = "";
        bool fileScoped = Namespace.Length > 0 && NamespaceStyle == 0;
        if (Namespace.Length > 0)
        {
            if (fileScoped)
            {
                sb.Append("namespace ").Append(Namespace).Append(";\n");
            }
            else if (NamespaceStyle == 2 && Namespace.Contains('.', StringComparison.Ordinal))
            {
                // Nested namespace blocks: namespace A { namespace B { ... } }
                string[] parts = Namespace.Split('.');
                foreach (string part in parts)
                {
                    sb.Append(indent).Append("namespace ").Append(part).Append("\n").Append(indent).Append("{\n");
                    indent += "    ";
                }
            }
            else
            {
                sb.Append("namespace ").Append(Namespace).Append("\n{\n");
                indent = "    ";
            }
        }

        RenderBase(sb, indent);
        foreach (Container container in Containers)
        {
            string keyword = container.Partial && container.IsStatic ? "static partial class" : (container.Partial ? "partial " : "") + container.Keyword;
            sb.Append(indent).Append(keyword).Append(' ').Append(container.Name).Append(container.TypeParameters).Append('\n');
            sb.Append(indent).Append("{\n");
            indent += "    ";
        }

        if (withAttributes)
        {
            RenderAttributes(sb, indent, Attributes);
        }

        sb.Append(indent);
        if (Accessibility.Length > 0)
        {
            sb.Append(Accessibility).Append(' ');
        }

        if (Static)
        {
            sb.Append("static ");
        }

        if (Abstract)
        {
            sb.Append("abstract ");
        }

        if (Sealed)
        {
            sb.Append("sealed ");
        }

        if (Partial)
        {
            sb.Append("partial ");
        }

        sb.Append(Keyword).Append(' ').Append(Name).Append(TypeParameters);
        if (PrimaryConstructor)
        {
            sb.Append(IsRecord ? "(int Width)" : "(int width)");
        }

        var bases = new List<string>();
        string? baseType = Base switch
        {
            BaseKind.None => null,
            BaseKind.Object => "object",
            BaseKind.Exception => "global::System.Exception",
            BaseKind.Attribute => "global::System.Attribute",
            _ => BaseName,
        };
        if (baseType is not null)
        {
            bases.Add(baseType);
        }

        if (Disposable)
        {
            bases.Add("global::System.IDisposable");
        }

        if (ExplicitInterface)
        {
            bases.Add("global::NetGen.INetwork<float>");
        }

        if (bases.Count > 0)
        {
            sb.Append(" : ").Append(string.Join(", ", bases));
        }

        if (Shape == TypeShape.Enum)
        {
            sb.Append("\n").Append(indent).Append("{\n").Append(indent).Append("    A, B,\n").Append(indent).Append("}\n");
        }
        else
        {
            sb.Append('\n').Append(indent).Append("{\n");
            foreach (Member member in Members)
            {
                sb.Append(indent).Append("    ").Append(member.Render(Name)).Append('\n');
            }

            if (Disposable)
            {
                sb.Append(indent).Append("    public void Dispose() { }\n");
            }

            sb.Append(indent).Append("}\n");
        }

        if (SecondAttributes is not null || SecondMembers is not null || SecondPrimaryConstructor)
        {
            sb.Append('\n');
            if (withAttributes)
            {
                RenderAttributes(sb, indent, SecondAttributes ?? []);
            }

            sb.Append(indent).Append("partial ").Append(Keyword).Append(' ').Append(Name).Append(TypeParameters);
            if (SecondPrimaryConstructor)
            {
                sb.Append("(int depth)");
            }

            sb.Append('\n').Append(indent).Append("{\n");
            foreach (Member member in SecondMembers ?? [])
            {
                sb.Append(indent).Append("    ").Append(member.Render(Name)).Append('\n');
            }

            sb.Append(indent).Append("}\n");
        }

        for (int i = 0; i < Containers.Length; i++)
        {
            indent = indent[..^4];
            sb.Append(indent).Append("}\n");
        }

        while (indent.Length > 0)
        {
            indent = indent[..^4];
            sb.Append(indent).Append("}\n");
        }

        return sb.ToString();
    }

    private void RenderBase(StringBuilder sb, string indent)
    {
        string b = BaseName;
        string? text = Base switch
        {
            BaseKind.WithParameterlessConstructor => $"public class {b} {{ public {b}() {{ }} public {b}(string name) {{ }} }}",
            BaseKind.WithOptionalParameter => $"public class {b} {{ public {b}(int size = 3, params string[] names) {{ }} }}",
            BaseKind.WithProtectedConstructor => $"public abstract class {b} {{ protected {b}() {{ }} }}",
            BaseKind.WithIntConstructorOnly => $"public class {b} {{ public {b}(int size) {{ }} }}",
            BaseKind.WithPrivateConstructorOnly => $"public class {b} {{ private {b}() {{ }} public static int Count => 0; }}",
            BaseKind.WithMembers => $"public class {b} {{ {string.Join(" ", BaseMemberNames.Select(n => $"public int {n};"))} }}",
            BaseKind.WithPrivateMembers => $"public class {b} {{ {string.Join(" ", BaseMemberNames.Select(n => $"private int {n} = 1;"))} public int Sum() => {string.Join(" + ", BaseMemberNames.Append("0"))}; }}",
            BaseKind.RecordBase => $"public abstract record {b};",
            _ => null,
        };
        if (text is not null)
        {
            sb.Append(indent).Append(text).Append('\n');
        }
    }

    private void RenderAttributes(StringBuilder sb, string indent, AttrItem[] items)
    {
        // Inside a namespace with a NetGen segment, 'NetGen.' would bind to that namespace: qualify from the global namespace.
        bool qualify = Namespace.Split('.').Contains("NetGen");
        bool open = false;
        foreach (AttrItem item in items)
        {
            string text = qualify && item.Text.StartsWith("NetGen.", StringComparison.Ordinal) ? "global::" + item.Text : item.Text;
            if (item.Inactive)
            {
                if (open)
                {
                    sb.Append("]\n");
                    open = false;
                }

                sb.Append("#if NEVER\n").Append(indent).Append('[').Append(text).Append("]\n#endif\n");
                continue;
            }

            if (open && !item.NewList)
            {
                sb.Append(", ").Append(text);
                continue;
            }

            if (open)
            {
                sb.Append("]\n");
            }

            sb.Append(indent).Append('[').Append(item.TypeTarget ? "type: " : "").Append(text);
            open = true;
        }

        if (open)
        {
            sb.Append("]\n");
        }
    }

    public override string ToString() => Render();
}

/// <summary>Invariant C# literal text.</summary>
internal static class FuzzText
{
    public static string Double(double value) =>
        double.IsNaN(value) ? "double.NaN"
        : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) is string s && (s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal)) ? s : value.ToString("R", CultureInfo.InvariantCulture) + ".0";

    /// <summary>The identifier the compiler sees: '@' removed, \uXXXX escapes decoded.</summary>
    public static string SymbolName(string written)
    {
        string name = written.StartsWith('@') ? written[1..] : written;
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && i + 5 < name.Length && name[i + 1] == 'u')
            {
                sb.Append((char)int.Parse(name.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else
            {
                sb.Append(name[i]);
            }
        }

        return sb.ToString();
    }
}
