using System;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace NetGen;

/// <summary>Opens data files for reading, decompressing gzip transparently (detected by its magic bytes 0x1f 0x8b, not by the name).</summary>
public static class DataFile
{
    /// <summary>Whether the file starts with the gzip magic bytes 0x1f 0x8b.</summary>
    /// <param name="path">The file.</param>
    public static bool IsGzip(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return StartsWithGzipMagic(stream);
    }

    /// <summary>
    /// Opens a file for sequential reading: the decompressed bytes when it is gzip, else the bytes as they are.
    /// Reading corrupt or truncated gzip data throws <see cref="InvalidDataException"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Stream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            if (StartsWithGzipMagic(file))
            {
                return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens a text file (UTF-8, or the encoding its byte-order mark names), decompressing gzip transparently.</summary>
    /// <param name="path">The file.</param>
    public static TextReader OpenText(string path) =>
        new StreamReader(OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);

    private static bool StartsWithGzipMagic(FileStream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
