using System;
using System.IO;
using System.Buffers.Binary;
using System.Globalization;
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
    /// Reading corrupt or truncated gzip data throws <see cref="InvalidDataException"/> (at the latest when the end is
    /// reached: unlike <see cref="GZipStream"/> alone, a file cut short, a missing trailer or bytes after the last
    /// gzip member are errors). Files of several concatenated gzip members are read as one.
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
                return new CheckedGzipStream(file);
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

/// <summary>
/// Decompresses a gzip file and, at its end, checks that it really ended: <see cref="GZipStream"/> verifies each
/// member's CRC when it reaches the member's trailer, but returns end-of-stream without complaint when the file stops
/// before that (a truncated download). The fast check compares the last member's ISIZE (the last four bytes of the
/// file) with the number of bytes decompressed; when it differs (several members, or a damaged file) every member is
/// walked again to find where it ends.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private const int MinimumMemberLength = 18;
    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private long _length;
    private bool _verified;

    public CheckedGzipStream(FileStream file)
    {
        _file = file;
        _gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = _gzip.Read(buffer);
        _length += read;
        if (read == 0 && buffer.Length > 0 && !_verified)
        {
            _verified = true;
            Verify();
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Verify()
    {
        long fileLength = RandomAccess.GetLength(_file.SafeFileHandle);
        if (fileLength >= MinimumMemberLength)
        {
            Span<byte> size = stackalloc byte[4];
            if (RandomAccess.Read(_file.SafeFileHandle, size, fileLength - 4) == 4 &&
                BinaryPrimitives.ReadUInt32LittleEndian(size) == (uint)_length)
            {
                return;
            }
        }

        WalkMembers(_file.Name, fileLength);
    }

    /// <summary>Decompresses every member again, feeding the inflater one byte at a time so that each member's end is known exactly.</summary>
    private static void WalkMembers(string path, long fileLength)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        byte[] scratch = new byte[1 << 16];
        Span<byte> trailer = stackalloc byte[8];
        for (int member = 1; ; member++)
        {
            long start = file.Position;
            SkipHeader(file, member, start, fileLength);
            long decompressed = 0;
            var feeder = new OneByteStream(file);
            using (var deflate = new DeflateStream(feeder, CompressionMode.Decompress, leaveOpen: true))
            {
                int read;
                while ((read = deflate.Read(scratch)) > 0)
                {
                    decompressed += read;
                }
            }

            int got = feeder.ReachedEnd ? 0 : file.ReadAtLeast(trailer, 8, throwOnEndOfStream: false);
            if (got < 8)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the file ({fileLength} bytes) ends inside gzip member {member} (which starts at byte {start}) before its 8-byte trailer"));
            }

            uint size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
            if (size != (uint)decompressed)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"gzip member {member}: its trailer gives {size} bytes (mod 2^32), but it decompresses to {decompressed}"));
            }

            if (file.Position == fileLength)
            {
                return;
            }

            int b0 = file.ReadByte(), b1 = file.ReadByte();
            if (b0 != 0x1f || b1 != 0x8b)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the file has {fileLength - file.Position + (b1 < 0 ? 1 : 2)} unexpected trailing bytes after the gzip data (which ends at byte {file.Position - (b1 < 0 ? 1 : 2)})"));
            }

            file.Position -= 2;
        }
    }

    /// <summary>Skips a member's header (RFC 1952: magic, method, flags, time, extra flags, OS, then the optional fields).</summary>
    private static void SkipHeader(FileStream file, int member, long start, long fileLength)
    {
        Span<byte> fixedPart = stackalloc byte[10];
        if (file.ReadAtLeast(fixedPart, 10, throwOnEndOfStream: false) < 10)
        {
            throw Truncated();
        }

        if (fixedPart[0] != 0x1f || fixedPart[1] != 0x8b || fixedPart[2] != 8)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture, $"gzip member {member} (at byte {start}) does not start with 1f 8b 08"));
        }

        byte flags = fixedPart[3];
        if ((flags & 4) != 0)
        {
            int lo = file.ReadByte(), hi = file.ReadByte();
            if (hi < 0)
            {
                throw Truncated();
            }

            long skip = lo | (hi << 8);
            if (file.Position + skip > fileLength)
            {
                throw Truncated();
            }

            file.Position += skip;
        }

        for (int bit = 8; bit <= 16; bit <<= 1)
        {
            if ((flags & bit) != 0)
            {
                int c;
                while ((c = file.ReadByte()) > 0)
                {
                }

                if (c < 0)
                {
                    throw Truncated();
                }
            }
        }

        if ((flags & 2) != 0)
        {
            if (file.Position + 2 > fileLength)
            {
                throw Truncated();
            }

            file.Position += 2;
        }

        InvalidDataException Truncated() => new(string.Create(
            CultureInfo.InvariantCulture, $"the file ({fileLength} bytes) ends inside the header of gzip member {member} (at byte {start})"));
    }

    /// <summary>Hands the inflater one byte per read, so that it never reads past the end of the deflate data.</summary>
    private sealed class OneByteStream(Stream inner) : Stream
    {
        public bool ReachedEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            int b = inner.ReadByte();
            if (b < 0)
            {
                ReachedEnd = true;
                return 0;
            }

            buffer[0] = (byte)b;
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
