namespace NetGen;

/// <summary>How <see cref="CSharpExport"/> writes the class.</summary>
public sealed class CSharpExportOptions
{
    /// <summary>The defaults: a public class in the network's own precision.</summary>
    public static CSharpExportOptions Default { get; } = new();

    /// <summary>Declare the class <c>internal</c> instead of <c>public</c> (for a file added to a library that must not expose it).</summary>
    public bool Internal { get; init; }

    /// <summary>
    /// The floating-point type of the exported code, or null for the network's own. Exporting a double network as
    /// <see cref="NetGen.Precision.Single"/> rounds every parameter to the nearest float; a float network exported as
    /// double keeps its values exactly.
    /// </summary>
    public Precision? Precision { get; init; }
}
