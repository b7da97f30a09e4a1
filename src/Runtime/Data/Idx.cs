using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Numerics;

namespace NetGen;

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> unsigned-byte pixels, row by row.</summary>
public sealed class IdxImages
{
    /// <summary>Wraps pixel data (no copy).</summary>
    /// <param name="pixels">count × rows × columns bytes, image after image, each row by row.</param>
    /// <param name="count">The number of images (≥ 0).</param>
    /// <param name="rows">The rows of an image (≥ 1).</param>
    /// <param name="columns">The columns of an image (≥ 1).</param>
    public IdxImages(byte[] pixels, int count, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (pixels.Length != (long)count * rows * columns)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{count} images of {rows}×{columns} need {(long)count * rows * columns} pixels, but there are {pixels.Length}."),
                nameof(pixels));
        }

        Pixels = pixels;
        Count = count;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>All pixels, image after image, each row by row.</summary>
    public byte[] Pixels { get; }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>The rows of an image.</summary>
    public int Rows { get; }

    /// <summary>The columns of an image.</summary>
    public int Columns { get; }

    /// <summary>Pixels per image (<see cref="Rows"/> × <see cref="Columns"/>).</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }
}

/// <summary>
/// Reads and writes the IDX files of MNIST and Fashion-MNIST (gzip or not, detected by the magic bytes 0x1f 0x8b):
/// images (magic 0x00000803: unsigned bytes, 3 dimensions count × rows × columns) and labels (magic 0x00000801:
/// unsigned bytes, 1 dimension). All integers in the header are big-endian. A file must be exactly as long as its
/// header says (4 + 4 × dimensions + product of the dimensions bytes, after decompression); a truncated file or one
/// with trailing bytes is rejected with a <see cref="DataFormatException"/> that says what was expected and found.
/// </summary>
public static class Idx
{
    /// <summary>The magic number of an IDX images file: unsigned bytes (0x08), 3 dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of an IDX labels file: unsigned bytes (0x08), 1 dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file.</summary>
    /// <param name="path">The file (gzip or not).</param>
    /// <exception cref="DataFormatException">The file is not a well-formed IDX images file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxImages LoadImages(string path)
    {
        (int[] dims, byte[] data) = Read(path, ImagesMagic, "images");
        if (dims[1] == 0 || dims[2] == 0)
        {
            throw new DataFormatException(
                path, null, null,
                string.Create(CultureInfo.InvariantCulture, $"the images are {dims[1]}×{dims[2]} pixels; rows and columns must be at least 1"));
        }

        return new IdxImages(data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a labels file: one byte per item.</summary>
    /// <param name="path">The file (gzip or not).</param>
    /// <exception cref="DataFormatException">The file is not a well-formed IDX labels file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] LoadLabels(string path) => Read(path, LabelsMagic, "labels").Data;

    /// <summary>
    /// Reads an images file and its labels file into a classification dataset: one row per image with its pixels
    /// as features (row by row), one-hot targets and <see cref="Dataset{T}.Labels"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="imagesPath">The images file (gzip or not).</param>
    /// <param name="labelsPath">The labels file (gzip or not), one label per image.</param>
    /// <param name="scale">
    /// True (the default) divides every pixel by 255 so features lie in [0, 1], the usual input range for a network;
    /// false keeps the raw values 0..255.
    /// </param>
    /// <param name="classCount">The number of classes (10 for MNIST and Fashion-MNIST); every label must be below it.</param>
    /// <param name="classNames">The class names in label order (e.g. <see cref="KnownDatasets.FashionMnistClassNames"/>), or null.</param>
    /// <exception cref="DataFormatException">A file is malformed, the counts differ, or a label is out of range.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static Dataset<T> LoadDataset<T>(string imagesPath, string labelsPath, bool scale = true, int classCount = 10, IReadOnlyList<string>? classNames = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);
        string[]? names = null;
        if (classNames is not null)
        {
            if (classNames.Count != classCount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{classNames.Count} class names are given for {classCount} classes."), nameof(classNames));
            }

            names = new string[classCount];
            for (int i = 0; i < classCount; i++)
            {
                names[i] = classNames[i] ?? throw new ArgumentException($"classNames[{i}] is null.", nameof(classNames));
            }
        }

        IdxImages images = LoadImages(imagesPath);
        byte[] labelBytes = LoadLabels(labelsPath);
        if (labelBytes.Length != images.Count)
        {
            throw new DataFormatException(
                labelsPath, null, null,
                string.Create(CultureInfo.InvariantCulture, $"it holds {labelBytes.Length} labels, but the images file {imagesPath} holds {images.Count} images; there must be one label per image"));
        }

        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] >= classCount)
            {
                throw new DataFormatException(
                    labelsPath, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"label {labelBytes[i]} of item {i} (byte offset {8 + i}) is out of range: expected a class 0..{classCount - 1}"));
            }

            labels[i] = labelBytes[i];
        }

        // Every byte maps to one of 256 values: look them up.
        Span<T> lookup = stackalloc T[256];
        T divisor = T.CreateChecked(255);
        for (int v = 0; v < 256; v++)
        {
            T value = T.CreateChecked(v);
            lookup[v] = scale ? value / divisor : value;
        }

        byte[] pixels = images.Pixels;
        var features = new T[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            features[i] = lookup[pixels[i]];
        }

        T[] targets = OneHot.Encode<T>(labels, classCount);
        return new Dataset<T>(features, targets, images.PixelsPerImage, classCount, labels, names);
    }

    /// <summary>Writes an images file (magic 0x00000803).</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="images">The images.</param>
    /// <param name="gzip">Whether to compress it with gzip.</param>
    public static void WriteImages(string path, IdxImages images, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        Write(path, ImagesMagic, [images.Count, images.Rows, images.Columns], images.Pixels, gzip);
    }

    /// <summary>Writes a labels file (magic 0x00000801).</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="labels">One byte per item.</param>
    /// <param name="gzip">Whether to compress it with gzip.</param>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip = false) =>
        Write(path, LabelsMagic, [labels.Length], labels, gzip);

    private static void Write(string path, int magic, int[] dims, ReadOnlySpan<byte> data, bool gzip)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : file;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        stream.Write(word);
        foreach (int dim in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, dim);
            stream.Write(word);
        }

        stream.Write(data);
    }

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => "an IDX images file",
        LabelsMagic => "an IDX labels file",
        _ when (magic & unchecked((int)0xFFFF0000)) != 0 => "not an IDX file: the first two bytes of an IDX file are zero",
        _ => string.Create(CultureInfo.InvariantCulture, $"IDX data of type 0x{(magic >> 8) & 0xFF:X2} with {magic & 0xFF} dimensions"),
    };

    private static (int[] Dims, byte[] Data) Read(string path, int expectedMagic, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using Stream stream = DataFile.OpenRead(path);
        string length = stream is CheckedGzipStream ? "the decompressed file" : "the file";
        try
        {
            int dimCount = expectedMagic & 0xFF;
            int headerLength = 4 + 4 * dimCount;
            Span<byte> header = stackalloc byte[headerLength];
            int got = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
            if (got < 4)
            {
                throw new DataFormatException(
                    path, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"{length} is {got} bytes long; an IDX {what} file starts with the 4-byte magic number 0x{expectedMagic:X8}"));
            }

            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
            {
                string hint = magic == (expectedMagic == ImagesMagic ? LabelsMagic : ImagesMagic) ? " — are the images and labels files swapped?" : string.Empty;
                throw new DataFormatException(
                    path, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"expected the magic number 0x{expectedMagic:X8} ({Describe(expectedMagic)}), found 0x{magic:X8} ({Describe(magic)}){hint}"));
            }

            got = stream.ReadAtLeast(header[4..], headerLength - 4, throwOnEndOfStream: false);
            if (got < headerLength - 4)
            {
                throw new DataFormatException(
                    path, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"the header is truncated: {what} need a {headerLength}-byte header (magic and {dimCount} dimension sizes), but {length} is {4 + got} bytes long"));
            }

            var dims = new int[dimCount];
            long product = 1;
            for (int i = 0; i < dimCount; i++)
            {
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(header.Slice(4 + 4 * i));
                if (dims[i] < 0)
                {
                    throw new DataFormatException(
                        path, null, null,
                        string.Create(CultureInfo.InvariantCulture, $"dimension {i + 1} of the header is {dims[i]} (0x{(uint)dims[i]:X8}); sizes cannot be negative"));
                }

                product *= dims[i];
                if (product > Array.MaxLength)
                {
                    throw new DataFormatException(
                        path, null, null,
                        string.Create(CultureInfo.InvariantCulture, $"the header's dimensions ({string.Join(" × ", dims[..(i + 1)])}…) describe more than {Array.MaxLength} bytes, more than one array holds"));
                }
            }

            string shape = string.Join(" × ", dims);
            long expectedLength = headerLength + product;
            if (stream is FileStream raw && raw.Length != expectedLength)
            {
                // Known before reading: a lying header must not make us allocate its size first.
                got = (int)Math.Min(product, Math.Max(0, raw.Length - headerLength));
            }
            else
            {
                got = -1;
            }

            byte[] data = got >= 0 && got < product ? [] : ReadUpTo(stream, (int)product, out got);
            if (got < product)
            {
                throw new DataFormatException(
                    path, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"the file is truncated: a header of {shape} {what} needs exactly {expectedLength} bytes, but {length} is {headerLength + got} bytes long"));
            }

            long trailing = CountRemaining(stream);
            if (trailing > 0)
            {
                throw new DataFormatException(
                    path, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"the file has {trailing} trailing bytes: a header of {shape} {what} needs exactly {expectedLength} bytes, but {length} is {expectedLength + trailing} bytes long"));
            }

            return (dims, data);
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(path, null, null, $"the gzip data is corrupt or truncated: {ex.Message}", ex);
        }
    }

    /// <summary>Reads up to <paramref name="expected"/> bytes, growing the buffer as data arrive (a header cannot force a large allocation on a short file).</summary>
    private static byte[] ReadUpTo(Stream stream, int expected, out int got)
    {
        var data = new byte[Math.Min(expected, 1 << 20)];
        got = 0;
        while (true)
        {
            int read = stream.ReadAtLeast(data.AsSpan(got), data.Length - got, throwOnEndOfStream: false);
            got += read;
            if (got < data.Length || data.Length == expected)
            {
                return data;
            }

            Array.Resize(ref data, (int)Math.Min(expected, 2L * data.Length));
        }
    }

    private static long CountRemaining(Stream stream)
    {
        Span<byte> buffer = stackalloc byte[4096];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}
