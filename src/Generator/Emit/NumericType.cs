using System.Globalization;

namespace NetGen.Generator.Emit;

/// <summary>The spellings the emitter needs for float or double code: type, literals, math and vector names.</summary>
internal sealed class NumericType
{
    public static readonly NumericType Single = new("float", "global::System.MathF", "f");
    public static readonly NumericType Double = new("double", "global::System.Math", "");

    private readonly string _suffix;

    private NumericType(string name, string math, string suffix)
    {
        Name = name;
        Math = math;
        _suffix = suffix;
        Vector = $"global::System.Numerics.Vector<{name}>";
    }

    /// <summary>"float" or "double".</summary>
    public string Name { get; }

    /// <summary>The scalar math class.</summary>
    public string Math { get; }

    /// <summary>The vector type, e.g. <c>global::System.Numerics.Vector&lt;float&gt;</c>.</summary>
    public string Vector { get; }

    /// <summary>The static vector helpers.</summary>
    public string V => "global::System.Numerics.Vector";

    /// <summary>The precision enum member.</summary>
    public string Precision => Name == "float" ? "Single" : "Double";

    /// <summary>The size of one value in bytes.</summary>
    public int Bytes => Name == "float" ? 4 : 8;

    /// <summary>A culture-invariant, round-trippable literal of this type.</summary>
    public string Lit(double value)
    {
        double rounded = Name == "float" ? (float)value : value;
        if (double.IsNaN(rounded))
        {
            return $"{Name}.NaN";
        }

        if (double.IsInfinity(rounded))
        {
            // A setting finite in double but beyond float's range becomes ∞ in a float network, as (float)value does.
            return rounded > 0 ? $"{Name}.PositiveInfinity" : $"{Name}.NegativeInfinity";
        }

        string text = Name == "float"
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
        if (Name == "double" && text.IndexOfAny(['.', 'E', 'e']) < 0)
        {
            text += ".0";
        }

        return text + _suffix;
    }

    /// <summary>A culture-invariant, round-trippable double literal (for runtime API arguments).</summary>
    public static string DoubleText(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) < 0 ? text + ".0" : text;
    }

    /// <summary>A broadcast vector of a constant: Vector&lt;T&gt;.One and .Zero by name, else new Vector&lt;T&gt;(literal).</summary>
    public string VecLit(double value) => value == 1 ? $"{Vector}.One" : value == 0 && 1 / value > 0 ? $"{Vector}.Zero" : $"new {Vector}({Lit(value)})";

    /// <summary>A broadcast vector of an expression.</summary>
    public string Vec(string value) => $"new {Vector}({value})";

    /// <summary>The runtime's vector helpers, called by full name so that no member of the user's class can hide them.</summary>
    public const string VM = "global::NetGen.VectorMath";
}
