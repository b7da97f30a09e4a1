using System.Buffers.Binary;
using static NetGen.Runtime.Tests.IO.IoTestSupport;

namespace NetGen.Runtime.Tests.IO;

public sealed class ModelFileCorruptionTests : IDisposable
{
    private static readonly NetworkSpec SmallSpec = NetworkSpec.Input(2).Dense(3, Activation.Tanh).BatchNorm(0.9, 0.01).Dropout(0.25)
        .Dense(2, Activation.Softmax).Build(Loss.CrossEntropy);

    private readonly TempDirectory _dir = new();
    private readonly byte[] _good;

    public ModelFileCorruptionTests()
    {
        var net = new GenericNetwork<float>(SmallSpec, 1);
        Randomize(net, 7);
        using var stream = new MemoryStream();
        ModelFile.Save(net, stream);
        _good = stream.ToArray();
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A target with its own distinct parameters, state, random state and gradients.</summary>
    private static GenericNetwork<float> Target()
    {
        var net = new GenericNetwork<float>(SmallSpec, 42);
        Randomize(net, 43);
        net.Gradients.Fill(0.5f);
        return net;
    }

    private string Write(byte[] bytes, string name = "model.ngm")
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Loads through every entry point; each must throw, name the file, and leave the target as it was.</summary>
    private ModelFormatException AssertRejected(byte[] bytes, params string[] messageParts)
    {
        string path = Write(bytes);
        GenericNetwork<float> target = Target();
        Snapshot<float> before = Take(target);

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(target, path));
        Assert.Equal(Path.GetFullPath(path), e.FileName);
        Assert.Contains(Path.GetFullPath(path), e.Message, StringComparison.Ordinal);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        AssertUnchanged(before, target);
        Assert.Throws<ModelFormatException>(() => ModelFile.LoadGeneric<float>(path));

        // Streams: seekable and forward-only.
        Assert.Throws<ModelFormatException>(() => ModelFile.Load(target, new MemoryStream(bytes)));
        Assert.Throws<ModelFormatException>(() => ModelFile.Load(target, new ForwardOnlyStream(new MemoryStream(bytes))));
        AssertUnchanged(before, target);
        return e;
    }

    [Fact]
    public void The_good_file_loads()
    {
        GenericNetwork<float> target = Target();
        ModelFile.Load(target, Write(_good));
        Assert.Equal(0f, target.Gradients[0]);
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        for (int length = 0; length < _good.Length; length++)
        {
            ModelFormatException e = AssertRejected(_good[..length]);
            Assert.True(
                e.Message.Contains("truncated", StringComparison.Ordinal) || e.Message.Contains("empty", StringComparison.Ordinal),
                $"prefix of {length} bytes: {e.Message}");
            Assert.Throws<ModelFormatException>(() => ModelFile.ReadSpec(_dir.File("model.ngm")));
        }
    }

    [Fact]
    public void Every_flipped_byte_is_rejected()
    {
        for (int i = 0; i < _good.Length; i++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] bad = (byte[])_good.Clone();
                bad[i] ^= mask;
                AssertRejected(bad);
            }
        }
    }

    [Fact]
    public void Corrupted_values_fail_the_checksum()
    {
        byte[] bad = (byte[])_good.Clone();
        bad[^20] ^= 0x10;
        AssertRejected(bad, "is corrupted", "checksum");
    }

    [Fact]
    public void A_corrupted_topology_fails_the_header_checksum()
    {
        byte[] bad = (byte[])_good.Clone();
        bad[31] ^= 0x01;   // the size of the first dense layer
        AssertRejected(bad, "header checksum");
    }

    [Fact]
    public void Trailing_bytes_are_rejected_in_files_and_left_unread_in_streams()
    {
        byte[] longer = [.. _good, 0];
        string path = Write(longer);
        GenericNetwork<float> target = Target();
        Snapshot<float> before = Take(target);
        var e = Assert.Throws<ModelFormatException>(() => target.Load(path));
        Assert.Contains("1 more than", e.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFormatException>(() => ModelFile.ReadSpec(path));
        AssertUnchanged(before, target);

        // A stream may go on after the model (several models, or other data): the load stops after the checksum.
        using var stream = new MemoryStream(longer);
        ModelFile.Load(target, stream);
        Assert.Equal(_good.Length, stream.Position);
    }

    [Fact]
    public void Wrong_magic_is_rejected_with_what_was_expected_and_found()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. _good[8..]];
        AssertRejected(png, "not a NetGen model file", "4E455447454E0000", "89504E470D0A1A0A");
        AssertRejected("hello"u8.ToArray(), "not a NetGen model file", "68656C6C6F");
        AssertRejected("NET"u8.ToArray(), "truncated");
        AssertRejected([], "empty");
    }

    [Fact]
    public void Unknown_versions_are_rejected()
    {
        foreach (uint version in new uint[] { 0, 3, 0xFFFF_FFFF })
        {
            byte[] bad = (byte[])_good.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(8), version);
            AssertRejected(bad, $"format version {version}", "only format versions 1 to 2");
        }
    }

    [Fact]
    public void A_header_with_a_valid_checksum_but_an_invalid_topology_is_rejected()
    {
        byte[] bad = (byte[])_good.Clone();
        bad[30 + 5] = 42;   // activation of the first dense layer
        Reseal(bad);
        AssertRejected(bad, "invalid topology", "activation 42");

        bad = (byte[])_good.Clone();
        bad[21] = 7;        // loss
        Reseal(bad);
        AssertRejected(bad, "loss byte is 7");

        bad = (byte[])_good.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(bad.AsSpan(30 + 14 + 1), 1.5);   // BatchNorm momentum
        Reseal(bad);
        AssertRejected(bad, "invalid topology", "momentum");

        bad = (byte[])_good.Clone();
        bad[30] = 9;        // kind of the first layer record
        Reseal(bad);
        AssertRejected(bad, "kind 9");
    }

    [Fact]
    public void Topology_mismatch_names_both_topologies()
    {
        var other = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(4, Activation.Tanh).BatchNorm(0.9, 0.01).Dropout(0.25)
            .Dense(2, Activation.Softmax).Build(Loss.CrossEntropy), 5);
        Snapshot<float> before = Take(other);
        string path = Write(_good);
        var e = Assert.Throws<ModelFormatException>(() => other.Load(path));
        Assert.Contains(SmallSpec.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(other.Spec.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("Layer 1 differs", e.Message, StringComparison.Ordinal);
        AssertUnchanged(before, other);

        var digits = new DigitsNet(1);
        Snapshot<float> digitsBefore = Take(digits);
        e = Assert.Throws<ModelFormatException>(() => digits.Load(path));
        Assert.Contains(digits.Spec.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("input sizes differ", e.Message, StringComparison.Ordinal);
        AssertUnchanged(digitsBefore, digits);
    }

    [Fact]
    public void Loss_and_hyperparameter_mismatches_are_rejected()
    {
        string path = Write(_good);
        NetworkSpec[] others =
        [
            SmallSpec.WithLoss(Loss.MeanSquaredError),
            NetworkSpec.Input(2).Dense(3, Activation.Tanh).BatchNorm(0.99, 0.01).Dropout(0.25).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy),
            NetworkSpec.Input(2).Dense(3, Activation.Tanh).BatchNorm(0.9, 0.01).Dropout(0.5).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy),
            NetworkSpec.Input(2).Dense(3, Activation.Tanh).BatchNorm(0.9, 0.01).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy),
            NetworkSpec.Input(2).Dense(3, Activation.Sigmoid).BatchNorm(0.9, 0.01).Dropout(0.25).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy),
        ];
        foreach (NetworkSpec spec in others)
        {
            var net = new GenericNetwork<float>(spec, 3);
            Snapshot<float> before = Take(net);
            var e = Assert.Throws<ModelFormatException>(() => net.Load(path));
            Assert.Contains("does not fit", e.Message, StringComparison.Ordinal);
            AssertUnchanged(before, net);
        }
    }

    [Fact]
    public void Precision_mismatch_is_rejected_unless_conversion_is_asked_for()
    {
        string path = Write(_good);
        var wide = new GenericNetwork<double>(SmallSpec, 3);
        Snapshot<double> before = Take(wide);
        var e = Assert.Throws<ModelFormatException>(() => wide.Load(path));
        Assert.Contains("stores float (Single, 32-bit) values, but the network computes in double (Double, 64-bit)", e.Message, StringComparison.Ordinal);
        AssertUnchanged(before, wide);
    }

    [Fact]
    public void A_missing_file_is_an_ordinary_FileNotFoundException()
    {
        GenericNetwork<float> target = Target();
        Assert.Throws<FileNotFoundException>(() => target.Load(_dir.File("missing.ngm")));
    }

    /// <summary>Recomputes both checksums after a deliberate edit, so that only the edit's meaning is tested.</summary>
    private static void Reseal(byte[] bytes)
    {
        int headerEnd = 30;
        int layers = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(26));
        for (int i = 0; i < layers; i++)
        {
            headerEnd += SmallSpec.Layers[i] switch
            {
                DenseLayerSpec => 14,
                DropoutLayerSpec => 9,
                _ => 17,
            };
        }

        headerEnd += 8;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(headerEnd), Crc32.Append(0, bytes.AsSpan(0, headerEnd)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Append(0, bytes.AsSpan(0, bytes.Length - 4)));
    }
}
