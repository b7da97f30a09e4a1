using System;
using System.Text;

namespace NetGen.Generator.Emit;

/// <summary>A small indenting text writer with <c>using (writer.Block("header"))</c> braces.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public int Length => _sb.Length;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4);
            _sb.Append(text);
        }

        _sb.Append('\n');
        return this;
    }

    /// <summary>Writes several lines (split on '\n'), each at the current indentation.</summary>
    public SourceWriter Lines(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Line(line.TrimEnd('\r'));
        }

        return this;
    }

    public IDisposable Block(string header)
    {
        Line(header);
        return Block();
    }

    public IDisposable Block()
    {
        Line("{");
        _indent++;
        return new Closer(this, "}");
    }

    /// <summary>Opens a block that ends with <paramref name="close"/>, e.g. "};".</summary>
    public IDisposable Block(string header, string close)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Closer(this, close);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _sb.ToString();

    private sealed class Closer(SourceWriter writer, string close) : IDisposable
    {
        public void Dispose()
        {
            writer._indent--;
            writer.Line(close);
        }
    }
}
