using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>Writes little-endian fields to a stream and keeps the CRC-32 of everything written.</summary>
internal sealed class ModelWriter
{
    private const int ChunkBytes = 1 << 16;
    private readonly Stream _stream;
    private readonly byte[] _scratch = new byte[ChunkBytes];

    public ModelWriter(Stream stream) => _stream = stream;

    /// <summary>The CRC-32 of every byte written so far.</summary>
    public uint Crc { get; private set; }

    /// <summary>The number of bytes written so far.</summary>
    public long Position { get; private set; }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        Crc = Crc32.Append(Crc, bytes);
        Position += bytes.Length;
    }

    public void WriteByte(byte value) => WriteBytes([value]);

    public void WriteInt32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        WriteBytes(b);
    }

    public void WriteUInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        WriteBytes(b);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        WriteBytes(b);
    }

    public void WriteDouble(double value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        WriteBytes(b);
    }

    /// <summary>Writes the current CRC (of all bytes before it) as a field.</summary>
    public void WriteChecksum() => WriteUInt32(Crc);

    /// <summary>Writes float or double values in their own width, IEEE 754 little-endian, bit for bit.</summary>
    public void WriteValues<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = ValueCodec.Width<T>();
        int perChunk = ChunkBytes / width;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            ReadOnlySpan<T> chunk = values.Slice(start, Math.Min(perChunk, values.Length - start));
            Span<byte> bytes = _scratch.AsSpan(0, chunk.Length * width);
            ValueCodec.Encode(chunk, bytes);
            WriteBytes(bytes);
        }
    }
}

/// <summary>
/// Reads little-endian fields from a stream, keeps the CRC-32 of everything read, and turns a premature end into a
/// <see cref="ModelFormatException"/> that says where and while reading what.
/// </summary>
internal sealed class ModelReader
{
    private const int ChunkBytes = 1 << 16;
    private readonly Stream _stream;
    private readonly byte[] _scratch = new byte[ChunkBytes];

    public ModelReader(Stream stream, string description, string? fileName)
    {
        _stream = stream;
        Description = description;
        FileName = fileName;
    }

    /// <summary>"model file '/full/path'" or "the model stream", for messages.</summary>
    public string Description { get; }

    /// <summary>The full path, or null for a stream.</summary>
    public string? FileName { get; }

    /// <summary>The CRC-32 of every byte read so far.</summary>
    public uint Crc { get; private set; }

    /// <summary>The number of bytes read so far.</summary>
    public long Position { get; private set; }

    /// <summary>The file length the header declares, once it has been read (for messages).</summary>
    public ulong? DeclaredLength { get; set; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes, fewer only at the end of the stream.</summary>
    public int ReadUpTo(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer.Slice(total));
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        Crc = Crc32.Append(Crc, buffer.Slice(0, total));
        Position += total;
        return total;
    }

    public void ReadExactly(Span<byte> buffer, string what)
    {
        long start = Position;
        int n = ReadUpTo(buffer);
        if (n < buffer.Length)
        {
            throw Truncated(what, start);
        }
    }

    public byte ReadByte(string what)
    {
        Span<byte> b = stackalloc byte[1];
        ReadExactly(b, what);
        return b[0];
    }

    public int ReadInt32(string what)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b, what);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    public uint ReadUInt32(string what)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public ulong ReadUInt64(string what)
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(b, what);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public double ReadDouble(string what)
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(b, what);
        return BinaryPrimitives.ReadDoubleLittleEndian(b);
    }

    /// <summary>Reads <paramref name="destination"/>.Length values stored in <paramref name="stored"/> precision, converting to T.</summary>
    public void ReadValues<T>(Span<T> destination, Precision stored, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = stored == Precision.Single ? 4 : 8;
        int perChunk = ChunkBytes / width;
        for (int start = 0; start < destination.Length; start += perChunk)
        {
            int count = Math.Min(perChunk, destination.Length - start);
            Span<byte> bytes = _scratch.AsSpan(0, count * width);
            ReadExactly(bytes, what);
            ValueCodec.Decode(bytes, stored, destination.Slice(start, count));
        }
    }

    public ModelFormatException Error(string problem, Exception? inner = null) =>
        new($"{Capitalize(Description)} {problem}", FileName, inner);

    private ModelFormatException Truncated(string what, long offset)
    {
        string declared = DeclaredLength is ulong length
            ? string.Create(CultureInfo.InvariantCulture, $"; its header declares {length} bytes")
            : "";
        return Error(string.Create(
            CultureInfo.InvariantCulture,
            $"is truncated or corrupted: it ends after {Position} bytes, while reading {what} (at byte offset {offset}){declared}."));
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
}

/// <summary>Float and double values to and from IEEE 754 little-endian bytes, independent of the machine.</summary>
internal static class ValueCodec
{
    /// <summary>4 for float, 8 for double; throws for any other type.</summary>
    public static int Width<T>() where T : unmanaged, IFloatingPointIeee754<T> => PrecisionOf<T>() == Precision.Single ? 4 : 8;

    /// <summary>The precision of T; throws <see cref="NotSupportedException"/> unless T is float or double.</summary>
    public static Precision PrecisionOf<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Precision.Single;
        }

        if (typeof(T) == typeof(double))
        {
            return Precision.Double;
        }

        throw new NotSupportedException($"Networks of {typeof(T).Name} are not supported: use float or double.");
    }

    /// <summary>Writes values in T's own width, bit for bit (NaN payloads and signed zeros included).</summary>
    public static void Encode<T>(ReadOnlySpan<T> values, Span<byte> bytes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> f = MemoryMarshal.Cast<T, float>(values);
            for (int i = 0; i < f.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.Slice(4 * i, 4), f[i]);
            }
        }
        else
        {
            ReadOnlySpan<double> d = MemoryMarshal.Cast<T, double>(values);
            for (int i = 0; i < d.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.Slice(8 * i, 8), d[i]);
            }
        }
    }

    /// <summary>
    /// Reads values stored in <paramref name="stored"/> precision into T: exact when they agree or when float widens to
    /// double; double narrows to float by rounding to nearest (IEEE 754 conversion).
    /// </summary>
    public static void Decode<T>(ReadOnlySpan<byte> bytes, Precision stored, Span<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool toFloat = typeof(T) == typeof(float);
        if (stored == Precision.Single)
        {
            if (toFloat)
            {
                Span<float> f = MemoryMarshal.Cast<T, float>(values);
                for (int i = 0; i < f.Length; i++)
                {
                    f[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i, 4));
                }
            }
            else
            {
                Span<double> d = MemoryMarshal.Cast<T, double>(values);
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i, 4));
                }
            }
        }
        else if (toFloat)
        {
            Span<float> f = MemoryMarshal.Cast<T, float>(values);
            for (int i = 0; i < f.Length; i++)
            {
                f[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(8 * i, 8));
            }
        }
        else
        {
            Span<double> d = MemoryMarshal.Cast<T, double>(values);
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(8 * i, 8));
            }
        }
    }
}
