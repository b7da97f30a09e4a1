using System.Buffers.Binary;

namespace NetGen.Runtime.Tests.Data;

/// <summary>The IDX reader on hand-made files (raw and gzip), and every malformation rejected with a clear message.</summary>
public class IdxTests
{
    private const int Count = 5, Rows = 3, Columns = 4;

    /// <summary>An IDX file written byte by byte here (not by Idx.Write*), so reader and writer cannot share a mistake.</summary>
    private static byte[] IdxBytes(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        }

        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Pixels()
    {
        var pixels = new byte[Count * Rows * Columns];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 37 % 256);
        }

        pixels[7] = 255;
        pixels[8] = 0;
        return pixels;
    }

    private static readonly byte[] Labels = [3, 0, 9, 1, 3];

    private static byte[] ImagesFile() => IdxBytes(0x00000803, [Count, Rows, Columns], Pixels());

    private static byte[] LabelsFile() => IdxBytes(0x00000801, [Count], Labels);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Hand_made_files_load_raw_or_gzip(bool gzip)
    {
        using var temp = new TempDirectory();
        string images = temp.WriteBytes("images", gzip ? TempDirectory.Gzip(ImagesFile()) : ImagesFile());
        string labels = temp.WriteBytes("labels", gzip ? TempDirectory.Gzip(LabelsFile()) : LabelsFile());

        IdxImages read = Idx.LoadImages(images);
        Assert.Equal((Count, Rows, Columns), (read.Count, read.Rows, read.Columns));
        Assert.Equal(Pixels(), read.Pixels);
        Assert.Equal(Pixels().AsSpan(2 * Rows * Columns, Rows * Columns).ToArray(), read.Image(2).ToArray());
        Assert.Equal(Labels, Idx.LoadLabels(labels));

        Dataset<float> scaled = Idx.LoadDataset<float>(images, labels);
        Assert.Equal(Count, scaled.Count);
        Assert.Equal(Rows * Columns, scaled.FeatureCount);
        Assert.Equal(10, scaled.TargetCount);
        Assert.Equal(Labels.Select(b => (int)b), scaled.Labels!);
        Assert.Equal(1f, scaled.Features[7]);
        Assert.Equal(0f, scaled.Features[8]);
        Assert.Equal(Pixels()[13] / 255f, scaled.Features[13]);
        Assert.Equal(1f, scaled.TargetRow(2)[9]);
        Assert.Equal(1f, scaled.TargetRow(2).ToArray().Sum());

        Dataset<double> raw = Idx.LoadDataset<double>(images, labels, scale: false);
        Assert.Equal(Pixels().Select(b => (double)b), raw.Features);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Writer_round_trips(bool gzip)
    {
        using var temp = new TempDirectory();
        var images = new IdxImages(Pixels(), Count, Rows, Columns);
        Idx.WriteImages(temp.PathOf("i"), images, gzip);
        Idx.WriteLabels(temp.PathOf("l"), Labels, gzip);
        Assert.Equal(gzip, DataFile.IsGzip(temp.PathOf("i")));
        if (!gzip)
        {
            Assert.Equal(ImagesFile(), File.ReadAllBytes(temp.PathOf("i")));
            Assert.Equal(LabelsFile(), File.ReadAllBytes(temp.PathOf("l")));
        }

        Assert.Equal(Pixels(), Idx.LoadImages(temp.PathOf("i")).Pixels);
        Assert.Equal(Labels, Idx.LoadLabels(temp.PathOf("l")));
    }

    [Fact]
    public void Wrong_magic_says_expected_and_found()
    {
        using var temp = new TempDirectory();
        string labels = temp.WriteBytes("labels", LabelsFile());
        var swapped = Assert.Throws<DataFormatException>(() => Idx.LoadImages(labels));
        Assert.Contains(labels, swapped.Message, StringComparison.Ordinal);
        Assert.Contains("expected the magic number 0x00000803", swapped.Message, StringComparison.Ordinal);
        Assert.Contains("found 0x00000801", swapped.Message, StringComparison.Ordinal);
        Assert.Contains("swapped", swapped.Message, StringComparison.Ordinal);

        string text = temp.WriteBytes("text", "hello, world, not idx"u8.ToArray());
        var notIdx = Assert.Throws<DataFormatException>(() => Idx.LoadLabels(text));
        Assert.Contains("expected the magic number 0x00000801", notIdx.Message, StringComparison.Ordinal);
        Assert.Contains("not an IDX file", notIdx.Message, StringComparison.Ordinal);

        string floats = temp.WriteBytes("floats", IdxBytes(0x00000D03, [1, 1, 1], [0, 0, 0, 0]));
        var type = Assert.Throws<DataFormatException>(() => Idx.LoadImages(floats));
        Assert.Contains("found 0x00000D03", type.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_data_says_expected_and_found_length(bool gzip)
    {
        using var temp = new TempDirectory();
        byte[] full = ImagesFile();
        byte[] cut = full[..^1];
        string path = temp.WriteBytes("cut", gzip ? TempDirectory.Gzip(cut) : cut);
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadImages(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"needs exactly {full.Length} bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"is {full.Length - 1} bytes long", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Header_claiming_a_huge_file_is_reported_as_truncated(bool gzip)
    {
        using var temp = new TempDirectory();
        byte[] lying = IdxBytes(0x00000803, [2_000_000, 28, 28], new byte[100]);
        string path = temp.WriteBytes("lying", gzip ? TempDirectory.Gzip(lying) : lying);
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadImages(path));
        Assert.Contains("2000000 × 28 × 28 images needs exactly 1568000016 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is 116 bytes long", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_header_and_empty_file_are_reported()
    {
        using var temp = new TempDirectory();
        string header = temp.WriteBytes("header", ImagesFile()[..10]);
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadImages(header));
        Assert.Contains("header is truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("16-byte header", ex.Message, StringComparison.Ordinal);

        string empty = temp.WriteBytes("empty", []);
        var ex2 = Assert.Throws<DataFormatException>(() => Idx.LoadLabels(empty));
        Assert.Contains("0 bytes long", ex2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trailing_bytes_are_rejected(bool gzip)
    {
        using var temp = new TempDirectory();
        byte[] longer = [.. LabelsFile(), 1, 2, 3];
        string path = temp.WriteBytes("long", gzip ? TempDirectory.Gzip(longer) : longer);
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadLabels(path));
        Assert.Contains("3 trailing bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"needs exactly {LabelsFile().Length} bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_is_reported()
    {
        using var temp = new TempDirectory();
        byte[] packed = TempDirectory.Gzip(ImagesFile());
        string path = temp.WriteBytes("cut.gz", packed[..(packed.Length - 12)]);
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadImages(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Count_mismatch_between_images_and_labels_is_reported()
    {
        using var temp = new TempDirectory();
        string images = temp.WriteBytes("images", ImagesFile());
        string labels = temp.WriteBytes("labels", IdxBytes(0x00000801, [Count - 1], Labels[..^1]));
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadDataset<float>(images, labels));
        Assert.Contains($"{Count - 1} labels", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Count} images", ex.Message, StringComparison.Ordinal);
        Assert.Contains(images, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_out_of_range_is_reported()
    {
        using var temp = new TempDirectory();
        string images = temp.WriteBytes("images", ImagesFile());
        string labels = temp.WriteBytes("labels", IdxBytes(0x00000801, [Count], [1, 2, 10, 3, 4]));
        var ex = Assert.Throws<DataFormatException>(() => Idx.LoadDataset<float>(images, labels));
        Assert.Contains("label 10 of item 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0..9", ex.Message, StringComparison.Ordinal);

        // With fewer classes the bound moves.
        string small = temp.WriteBytes("small", IdxBytes(0x00000801, [Count], [1, 2, 0, 3, 1]));
        var ex2 = Assert.Throws<DataFormatException>(() => Idx.LoadDataset<float>(images, small, classCount: 3));
        Assert.Contains("label 3 of item 3", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_or_zero_dimensions_are_rejected()
    {
        using var temp = new TempDirectory();
        string negative = temp.WriteBytes("neg", IdxBytes(0x00000803, [-1, 2, 2], []));
        Assert.Contains("cannot be negative", Assert.Throws<DataFormatException>(() => Idx.LoadImages(negative)).Message, StringComparison.Ordinal);

        string zero = temp.WriteBytes("zero", IdxBytes(0x00000803, [2, 0, 5], []));
        Assert.Contains("at least 1", Assert.Throws<DataFormatException>(() => Idx.LoadImages(zero)).Message, StringComparison.Ordinal);
    }
}
