using System;
using System.IO;

namespace NetGen;

/// <summary>
/// Writes a file so that a crash or an error never leaves a half-written file at the target: the content goes to a
/// temporary file in the same directory, is flushed to disk, and is then renamed over the target in one step.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through a temporary file; on any failure the temporary file is deleted and the target is untouched.</summary>
    /// <param name="path">The target file; its directory must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <param name="wrapForTesting">Wraps the temporary file's stream (tests inject failures with it), or null.</param>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrapForTesting = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        if (fileName.Length == 0)
        {
            throw new ArgumentException($"'{path}' names a directory, not a file.", nameof(path));
        }

        string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"Cannot write '{fullPath}': a directory of that name exists.");
        }

        string temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Stream target = wrapForTesting?.Invoke(file) ?? file;
                write(target);
                target.Flush();
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more; a leftover temporary file is harmless and clearly named.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
