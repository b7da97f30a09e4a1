using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// A data file (CSV or IDX) is malformed. The message names the file, and for text files the 1-based line and
/// column, and says what was expected and what was found; the same facts are available as properties.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates an exception with a message only.</summary>
    public DataFormatException()
        : base("The data file is malformed.")
    {
        SourceName = string.Empty;
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">The full message.</param>
    public DataFormatException(string message)
        : base(message)
    {
        SourceName = string.Empty;
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="innerException">The cause.</param>
    public DataFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
        SourceName = string.Empty;
    }

    /// <summary>
    /// Creates an exception whose message is <c>"{source}, line {line}, column {column}: {problem}"</c> (the line and
    /// column parts only when given).
    /// </summary>
    /// <param name="sourceName">The file path, or a name for a reader that is not a file.</param>
    /// <param name="line">The 1-based line number, if the problem is on one line.</param>
    /// <param name="column">The 1-based column (CSV cell) number, if the problem is in one cell.</param>
    /// <param name="problem">What was wrong: what was expected and what was found.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DataFormatException(string sourceName, int? line, int? column, string problem, Exception? innerException = null)
        : base(Compose(sourceName, line, column, problem), innerException)
    {
        SourceName = sourceName ?? string.Empty;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file path, or the name given for a reader; empty when not known.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line number, or null when the problem is not on one line.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column (CSV cell) number, or null when the problem is not in one cell.</summary>
    public int? Column { get; }

    /// <summary>What was wrong, without the location; null when the exception was created from a message only.</summary>
    public string? Problem { get; }

    private static string Compose(string sourceName, int? line, int? column, string problem)
    {
        string where = string.IsNullOrEmpty(sourceName) ? "<data>" : sourceName;
        if (line is int l)
        {
            where += string.Create(CultureInfo.InvariantCulture, $", line {l}");
        }

        if (column is int c)
        {
            where += string.Create(CultureInfo.InvariantCulture, $", column {c}");
        }

        return where + ": " + problem;
    }
}
