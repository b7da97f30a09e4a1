using System;

namespace NetGen.Cli;

/// <summary>
/// The command line asks for something impossible (an unknown data set, layer sizes that do not fit the data, an
/// output file that already exists…). The tool prints the message, without a stack trace, and exits with
/// <see cref="ExitCodes.Usage"/>.
/// </summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception with the message shown to the user.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message shown to the user and the cause.</summary>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public UsageException()
        : base("Invalid command line.")
    {
    }
}

/// <summary>The exit codes of the tool.</summary>
public static class ExitCodes
{
    /// <summary>Trained or evaluated, and every file was written.</summary>
    public const int Success = 0;

    /// <summary>Something failed while running: missing or malformed data, a model file that does not load, training diverged, a file could not be written.</summary>
    public const int Failure = 1;

    /// <summary>The command line is invalid (unknown option or value, out-of-range number, layers that do not fit the data…).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Interrupted = 130;
}
