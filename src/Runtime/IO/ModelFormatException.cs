using System;
using System.IO;

namespace NetGen;

/// <summary>
/// A model file could not be read: it is not a NetGen model file, it is truncated or corrupted, it uses a format
/// version this library does not read, or it does not fit the network it is loaded into. The message names the
/// file, what was expected and what was found.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so code that handles
/// unreadable files catches it too. A failed load never modifies the target network.
/// </remarks>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public ModelFormatException()
        : base("The model file is invalid.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file, what was expected and what was found.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception around the error that revealed the problem.</summary>
    /// <param name="message">What is wrong, naming the file, what was expected and what was found.</param>
    /// <param name="innerException">The error that revealed the problem.</param>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a named file or stream.</summary>
    /// <param name="message">What is wrong, naming the file, what was expected and what was found.</param>
    /// <param name="fileName">The full path of the file, or null when the model was read from a stream.</param>
    /// <param name="innerException">The error that revealed the problem, or null.</param>
    public ModelFormatException(string message, string? fileName, Exception? innerException = null)
        : base(message, innerException)
    {
        FileName = fileName;
    }

    /// <summary>The full path of the model file, or null when the model was read from a stream.</summary>
    public string? FileName { get; }
}
