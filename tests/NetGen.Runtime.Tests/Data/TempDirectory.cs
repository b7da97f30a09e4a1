using System.IO.Compression;
using System.Text;

namespace NetGen.Runtime.Tests.Data;

/// <summary>A fresh temporary folder, deleted with everything in it on Dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Root = Directory.CreateTempSubdirectory("netgen-data-tests-").FullName;

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Writes text (UTF-8, no BOM) and returns the path.</summary>
    public string WriteText(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes bytes and returns the path.</summary>
    public string WriteBytes(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Writes text gzip-compressed and returns the path.</summary>
    public string WriteGzipText(string name, string text) => WriteBytes(name, Gzip(Encoding.UTF8.GetBytes(text)));

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
