using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace NetGen;

/// <summary>
/// A protocol-buffers message built field by field and serialized in the wire format: varints (wire type 0),
/// 32-bit little-endian (wire type 5) and length-delimited fields (wire type 2: bytes, strings, nested messages).
/// Nested messages are kept as objects and their lengths computed before writing, so large byte fields are written
/// once, straight to the output stream.
/// </summary>
internal sealed class ProtoMessage
{
    private const int WireVarint = 0;
    private const int WireFixed32 = 5;
    private const int WireLengthDelimited = 2;

    private readonly List<Field> _fields = [];
    private long _size = -1;

    /// <summary>An int32/int64/enum field (negative values take 10 bytes, as protobuf encodes them).</summary>
    public ProtoMessage Int64(int number, long value) => Add(new Field(number, WireVarint, (ulong)value, null, null));

    /// <summary>A float field.</summary>
    public ProtoMessage Float(int number, float value) =>
        Add(new Field(number, WireFixed32, BitConverter.SingleToUInt32Bits(value), null, null));

    /// <summary>A UTF-8 string field.</summary>
    public ProtoMessage String(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtoMessage Bytes(int number, byte[] value) => Add(new Field(number, WireLengthDelimited, 0, value, null));

    /// <summary>An embedded message field.</summary>
    public ProtoMessage Message(int number, ProtoMessage value) => Add(new Field(number, WireLengthDelimited, 0, null, value));

    /// <summary>The serialized size in bytes.</summary>
    public long Size
    {
        get
        {
            if (_size < 0)
            {
                long size = 0;
                foreach (Field f in _fields)
                {
                    size += VarintSize(Tag(f));
                    size += f.Wire switch
                    {
                        WireVarint => VarintSize(f.Scalar),
                        WireFixed32 => 4,
                        _ => VarintSize((ulong)PayloadSize(f)) + PayloadSize(f),
                    };
                }

                _size = size;
            }

            return _size;
        }
    }

    /// <summary>Writes the serialized message to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        Span<byte> scratch = stackalloc byte[10];
        foreach (Field f in _fields)
        {
            WriteVarint(stream, Tag(f), scratch);
            switch (f.Wire)
            {
                case WireVarint:
                    WriteVarint(stream, f.Scalar, scratch);
                    break;
                case WireFixed32:
                    BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)f.Scalar);
                    stream.Write(scratch.Slice(0, 4));
                    break;
                default:
                    WriteVarint(stream, (ulong)PayloadSize(f), scratch);
                    if (f.Bytes is not null)
                    {
                        stream.Write(f.Bytes);
                    }
                    else
                    {
                        f.Nested!.WriteTo(stream);
                    }

                    break;
            }
        }
    }

    private static ulong Tag(Field f) => ((ulong)f.Number << 3) | (uint)f.Wire;

    private static long PayloadSize(Field f) => f.Bytes?.LongLength ?? f.Nested!.Size;

    private static int VarintSize(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    private static void WriteVarint(Stream stream, ulong value, Span<byte> scratch)
    {
        int n = 0;
        while (value >= 0x80)
        {
            scratch[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        scratch[n++] = (byte)value;
        stream.Write(scratch.Slice(0, n));
    }

    private ProtoMessage Add(Field field)
    {
        _fields.Add(field);
        _size = -1;
        return this;
    }

    private sealed record Field(int Number, int Wire, ulong Scalar, byte[]? Bytes, ProtoMessage? Nested);
}
