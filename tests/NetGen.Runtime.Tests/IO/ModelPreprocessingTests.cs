using System.Buffers.Binary;
using System.Numerics;
using static NetGen.Runtime.Tests.IO.IoTestSupport;

namespace NetGen.Runtime.Tests.IO;

/// <summary>Format version 2: the preprocessing section round-trips, version 1 files still load, damage is reported.</summary>
public sealed class ModelPreprocessingTests : IDisposable
{
    private static readonly NetworkSpec Classifier = NetworkSpec.Input(3).Dense(5, Activation.Tanh).BatchNorm(0.9, 1e-3)
        .Dense(4, Activation.Softmax).Build(Loss.CrossEntropy);

    private static readonly NetworkSpec Regressor = NetworkSpec.Input(3).Dense(6, Activation.ReLU).Dense(2).Build(Loss.MeanSquaredError);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Rows with features of very different offsets and spreads, so that a lost or wrong scaling shows.</summary>
    private static T[] RawRows<T>(int count, int width, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new SplitMix64(seed);
        var x = new T[count * width];
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % width;
            x[i] = T.CreateChecked(Math.Pow(10, j) * (rng.NextDouble() * 4 - 1) + 100 * j);
        }

        return x;
    }

    public static TheoryData<string> Cases() => ["standard inputs", "minmax inputs", "labels", "standard targets", "minmax targets", "metadata only", "everything for a classifier", "everything for a regressor"];

    private static (NetworkSpec Spec, Preprocessing Preprocessing) Case(string name)
    {
        float[] rows = RawRows<float>(20, 3, 5);
        float[] targets = RawRows<float>(20, 2, 6);
        var meta = new Dictionary<string, string> { ["dataset"] = "synthetic", ["seed"] = "7", ["note"] = "µ, σ — ünïcödé ✓" };
        return name switch
        {
            "standard inputs" => (Classifier, new Preprocessing(Standardizer.Fit<float>(rows, 3))),
            "minmax inputs" => (Classifier, new Preprocessing(MinMaxScaler.Fit<float>(rows, 3))),
            "labels" => (Classifier, new Preprocessing(classLabels: ["cat", "dog", "", "日本語"])),
            "standard targets" => (Regressor, new Preprocessing(targetScaling: Standardizer.Fit<float>(targets, 2))),
            "minmax targets" => (Regressor, new Preprocessing(targetScaling: MinMaxScaler.Fit<float>(targets, 2))),
            "metadata only" => (Regressor, new Preprocessing(metadata: meta)),
            "everything for a classifier" => (Classifier, new Preprocessing(MinMaxScaler.Fit<float>(rows, 3), ["a", "b", "c", "d"], metadata: meta)),
            _ => (Regressor, new Preprocessing(Standardizer.Fit<float>(rows, 3), targetScaling: Standardizer.Fit<float>(targets, 2), metadata: meta)),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Preprocessing_round_trips_through_files_and_streams_in_both_precisions(string name)
    {
        (NetworkSpec spec, Preprocessing preprocessing) = Case(name);
        RoundTrip<float>(spec, preprocessing);
        RoundTrip<double>(spec.WithPrecision(Precision.Double), preprocessing);
    }

    private void RoundTrip<T>(NetworkSpec spec, Preprocessing preprocessing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var original = new GenericNetwork<T>(spec, 3);
        Randomize(original, 11);
        string path = _dir.File("model.ngm");
        original.Save(path, preprocessing);

        Predictor<T> loaded = Predictor<T>.Load(path);
        AssertSame(preprocessing, loaded.Preprocessing);
        AssertBitsEqual<T>(original.Parameters, loaded.Network.Parameters, "parameters");
        AssertBitsEqual<T>(original.State, loaded.Network.State, "state");
        AssertSame(preprocessing, ModelFile.ReadPreprocessing(path));

        // Into an existing network, and through a forward-only stream.
        var into = new GenericNetwork<T>(spec, 99);
        AssertSame(preprocessing, Predictor<T>.Load(into, path).Preprocessing);
        AssertBitsEqual<T>(original.Parameters, into.Parameters, "parameters loaded into a network");
        using var stream = new MemoryStream();
        new Predictor<T>(original, preprocessing).Save(stream);
        Assert.Equal(File.ReadAllBytes(path), stream.ToArray());
        stream.Position = 0;
        AssertSame(preprocessing, Predictor<T>.Load(new ForwardOnlyStream(stream)).Preprocessing);

        // The plain entry points read the same file and ignore the section.
        var plain = new GenericNetwork<T>(spec, 98);
        plain.Load(path);
        AssertBitsEqual<T>(original.Parameters, plain.Parameters, "parameters through ModelFile.Load");
        Assert.Equal(spec, ModelFile.ReadSpec(path));
    }

    /// <summary>Statistics bit for bit, labels and metadata exactly.</summary>
    private static void AssertSame(Preprocessing expected, Preprocessing actual)
    {
        AssertSame(expected.InputScaling, actual.InputScaling, "input scaling");
        AssertSame(expected.TargetScaling, actual.TargetScaling, "target scaling");
        Assert.Equal(expected.ClassLabels, actual.ClassLabels);
        Assert.Equal(expected.Metadata.ToArray(), actual.Metadata.ToArray());
        Assert.Equal(expected.IsEmpty, actual.IsEmpty);
    }

    private static void AssertSame(FeatureScaler? expected, FeatureScaler? actual, string what)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        AssertBitsEqual(expected.Offsets, actual.Offsets, $"{what} offsets");
        AssertBitsEqual(expected.Scales, actual.Scales, $"{what} scales");
    }

    [Fact]
    public void Committed_version_1_files_still_load_everywhere()
    {
        // Written by ModelFile.Save before format version 2 existed (commit d7dbb64); parameters and state follow a formula.
        string folder = Path.Combine(AppContext.BaseDirectory, "IO", "Data");
        var f = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(4, Activation.Tanh).BatchNorm(0.9, 1e-3).Dropout(0.25)
            .Dense(2, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Single), 5);
        Predictor<float> pf = Predictor<float>.Load(f, Path.Combine(folder, "v1-float.ngm"));
        AssertFormula<float>(f);
        Assert.True(pf.Preprocessing.IsEmpty);

        string doublePath = Path.Combine(folder, "v1-double.ngm");
        Predictor<double> pd = Predictor<double>.Load(doublePath);
        Assert.Equal(NetworkSpec.Input(2).Dense(3, Activation.LeakyReLU, 0.2).Dense(1).Build(Loss.MeanSquaredError, Precision.Double), pd.Network.Spec);
        AssertFormula<double>(pd.Network);
        Assert.True(pd.Preprocessing.IsEmpty);
        Assert.True(ModelFile.ReadPreprocessing(doublePath).IsEmpty);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(doublePath).AsSpan(8)));

        static void AssertFormula<T>(INetwork<T> n) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < n.Parameters.Length; i++)
            {
                Assert.Equal(T.CreateChecked(((i * 37) % 17 - 8) / 16.0), n.Parameters[i]);
            }

            for (int i = 0; i < n.State.Length; i++)
            {
                Assert.Equal(T.CreateChecked(0.25 + (i % 5) / 8.0), n.State[i]);
            }

            Assert.Equal(0x0123456789ABCDEFUL, n.RandomState);
        }
    }

    [Theory]
    [MemberData(nameof(ModelFileRoundTripTests.SpecNames), MemberType = typeof(ModelFileRoundTripTests))]
    public void Version_1_files_of_every_topology_load_bit_for_bit(string name, Precision precision)
    {
        if (precision == Precision.Single)
        {
            Version1<float>(Specs(precision).Single(s => s.Name == name).Spec);
        }
        else
        {
            Version1<double>(Specs(precision).Single(s => s.Name == name).Spec);
        }
    }

    private static void Version1<T>(NetworkSpec spec) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var original = new GenericNetwork<T>(spec, 3);
        Randomize(original, 21);
        using var v1 = new MemoryStream();
        ModelFile.SaveVersion1(original, v1);
        using var v2 = new MemoryStream();
        ModelFile.Save(original, v2);
        // Version 2 without preprocessing is version 1 plus the 5 bytes of an empty section (u32 length 1, flags 0).
        Assert.Equal(v1.Length + 5, v2.Length);

        v1.Position = 0;
        Predictor<T> loaded = Predictor<T>.Load(v1);
        Assert.True(loaded.Preprocessing.IsEmpty);
        AssertBitsEqual<T>(original.Parameters, loaded.Network.Parameters, "parameters");
        AssertBitsEqual<T>(original.State, loaded.Network.State, "state");
        Assert.Equal(original.RandomState, loaded.Network.RandomState);
    }

    [Fact]
    public void The_section_layout_matches_the_documented_format()
    {
        var net = new GenericNetwork<float>(Classifier, 1);
        var preprocessing = new Preprocessing(
            new Standardizer([1.0, 2.0, 3.0], [0.5, 0.25, 4.0]), ["x", "ÿ", "z", "w"], metadata: new Dictionary<string, string> { ["k"] = "v" });
        using var stream = new MemoryStream();
        ModelFile.Save(net, stream, preprocessing);
        byte[] b = stream.ToArray();

        using var v1 = new MemoryStream();
        ModelFile.SaveVersion1(net, v1);
        int o = (int)v1.Length - 4;              // where version 1 puts its checksum, version 2 puts the section
        int length = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o));
        Assert.Equal(b.Length, o + 4 + length + 4);
        Assert.Equal((ulong)b.Length, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(12)));
        o += 4;
        Assert.Equal(1 | 2 | 8, b[o++]);                                 // flags: input scaling, labels, metadata
        Assert.Equal(1, b[o++]);                                         // standardization
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o)));
        o += 4;
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 0.5, 0.25, 4.0 }, Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o + 8 * i))).ToArray());
        o += 48;
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o)));
        o += 4;
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o)));
        Assert.Equal((byte)'x', b[o + 4]);
        o += 5;
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o)));   // "ÿ" is 2 bytes of UTF-8
        Assert.Equal(new byte[] { 0xC3, 0xBF }, b[(o + 4)..(o + 6)]);
        o += 6 + 5 + 5;
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o)));   // one metadata entry
        o += 4 + 5 + 5;
        Assert.Equal(b.Length - 4, o);
        Assert.Equal(Crc32.Append(0, b.AsSpan(0, o)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(o)));
    }

    [Fact]
    public void Preprocessing_that_does_not_fit_the_network_is_refused_when_saving()
    {
        var net = new GenericNetwork<float>(Classifier, 1);
        string path = _dir.File("model.ngm");
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(net, path, new Preprocessing(new Standardizer([0.0, 0.0], [1.0, 1.0]))));
        Assert.Contains("statistics for 2 features, but the network takes 3 inputs", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ModelFile.Save(net, path, new Preprocessing(classLabels: ["a", "b", "c"])));
        Assert.Contains("3 class labels are given, but the network has 4 outputs", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ModelFile.Save(net, path, new Preprocessing(targetScaling: new Standardizer([0.0], [1.0]))));
        Assert.Contains("1 targets, but the network has 4 outputs", e.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.Entries());

        Assert.Throws<ArgumentException>(() => new Preprocessing(classLabels: ["a", "a"]));
        Assert.Throws<ArgumentException>(() => new Preprocessing(classLabels: ["a", null!]));
        Assert.Throws<ArgumentException>(() => new Preprocessing(classLabels: ["a", "b"], targetScaling: new Standardizer([0.0], [1.0])));
        Assert.Throws<ArgumentException>(() => new Preprocessing(metadata: new Dictionary<string, string> { [""] = "x" }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(net, new MemoryStream(), new Preprocessing(classLabels: ["a", "b", "c", "\ud800"])));

        // A single sigmoid output has two classes.
        var binary = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy), 1);
        ModelFile.Save(binary, path, new Preprocessing(classLabels: ["no", "yes"]));
        Assert.Equal(["no", "yes"], ModelFile.ReadPreprocessing(path).ClassLabels!);
    }

    private byte[] Everything()
    {
        (NetworkSpec spec, Preprocessing preprocessing) = Case("everything for a classifier");
        var net = new GenericNetwork<float>(spec, 1);
        Randomize(net, 3);
        using var stream = new MemoryStream();
        ModelFile.Save(net, stream, preprocessing);
        return stream.ToArray();
    }

    private ModelFormatException AssertRejected(byte[] bytes, params string[] parts) => AssertRejected(bytes, streamToo: true, parts);

    private ModelFormatException AssertRejected(byte[] bytes, bool streamToo, params string[] parts)
    {
        string path = _dir.File("damaged.ngm");
        File.WriteAllBytes(path, bytes);
        var target = new GenericNetwork<float>(Classifier, 42);
        Snapshot<float> before = Take(target);
        var e = Assert.Throws<ModelFormatException>(() => Predictor<float>.Load(target, path));
        Assert.Equal(Path.GetFullPath(path), e.FileName);
        foreach (string part in parts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        AssertUnchanged(before, target);
        Assert.Throws<ModelFormatException>(() => Predictor<float>.Load(path));
        Assert.Throws<ModelFormatException>(() => ModelFile.ReadPreprocessing(path));
        Assert.Throws<ModelFormatException>(() => ModelFile.Load(target, path));
        if (streamToo)
        {
            Assert.Throws<ModelFormatException>(() => Predictor<float>.Load(new ForwardOnlyStream(new MemoryStream(bytes))));
        }

        AssertUnchanged(before, target);
        return e;
    }

    [Fact]
    public void Every_truncation_and_every_flipped_byte_of_a_file_with_preprocessing_is_rejected()
    {
        byte[] good = Everything();
        for (int length = 0; length < good.Length; length++)
        {
            ModelFormatException e = AssertRejected(good[..length]);
            Assert.True(e.Message.Contains("truncated", StringComparison.Ordinal) || e.Message.Contains("empty", StringComparison.Ordinal), $"{length} bytes: {e.Message}");
        }

        for (int i = 0; i < good.Length; i++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[i] ^= 0x41;
            AssertRejected(bad);
        }

        // A file must end at its checksum; a stream may go on after the model (the next model, other data).
        byte[] longer = [.. good, 0];
        AssertRejected(longer, streamToo: false, "more than");
        using var stream = new MemoryStream(longer);
        Predictor<float>.Load(stream);
        Assert.Equal(good.Length, stream.Position);
    }

    /// <summary>Damage with resealed checksums: the content itself is wrong, and the message says what and where.</summary>
    [Theory]
    [InlineData("flags", "preprocessing flags are 0x")]
    [InlineData("scaler kind", "has kind 9, expected 1 (standardization) or 2 (min–max)")]
    [InlineData("feature count", "the input scaling has statistics for 2 features, but the network takes 3 inputs")]
    [InlineData("minimum above maximum", "the input scaling: maximums[0]")]
    [InlineData("duplicate label", "repeats an earlier label")]
    [InlineData("label length", "declares 1000 bytes")]
    [InlineData("invalid UTF-8", "is not valid UTF-8")]
    [InlineData("section length", "the preprocessing section at byte offset")]
    public void Invalid_content_with_valid_checksums_is_named_with_its_offset(string damage, string message)
    {
        byte[] good = Everything();
        using var v1 = new MemoryStream();
        ModelFile.SaveVersion1(new GenericNetwork<float>(Classifier, 1), v1);
        int section = (int)v1.Length - 4 + 4;   // the first byte of the section (after its u32 length)
        int labels = section + 1 + 1 + 4 + 48;   // the label count, after the flags and the min–max scaler of 3 features
        byte[] bad = (byte[])good.Clone();
        switch (damage)
        {
            case "flags": bad[section] |= 0x40; break;
            case "scaler kind": bad[section + 1] = 9; break;
            case "feature count":
                bad = Splice(good, section + 2, 4 + 48, [2, 0, 0, 0, .. good[(section + 6)..(section + 22)], .. good[(section + 30)..(section + 46)]], section - 4);
                break;
            case "minimum above maximum": BinaryPrimitives.WriteDoubleLittleEndian(bad.AsSpan(section + 6), 1e9); break;
            case "duplicate label": bad[labels + 4 + 5 + 4] = (byte)'a'; break;    // "b" → "a"
            case "label length": BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(labels + 4), 1000); break;
            case "invalid UTF-8": bad[labels + 4 + 4] = 0xFF; break;
            case "section length": BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(section - 4), 7); break;
        }

        Reseal(bad);
        ModelFormatException e = AssertRejected(bad, message);
        Assert.Contains("byte offset", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Replaces <paramref name="count"/> bytes at <paramref name="at"/>, fixing the declared file length and the section length.</summary>
    private static byte[] Splice(byte[] bytes, int at, int count, byte[] replacement, int sectionLengthAt)
    {
        byte[] result = [.. bytes[..at], .. replacement, .. bytes[(at + count)..]];
        int delta = replacement.Length - count;
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(12), (ulong)result.Length);
        int section = BinaryPrimitives.ReadInt32LittleEndian(result.AsSpan(sectionLengthAt));
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(sectionLengthAt), section + delta);
        return result;
    }

    /// <summary>Recomputes the header checksum and the final checksum after a deliberate edit, so that only the edit's meaning is tested.</summary>
    private static void Reseal(byte[] bytes)
    {
        int headerEnd = 30 + Classifier.Layers.Sum(l => l switch { DenseLayerSpec => 14, DropoutLayerSpec => 9, _ => 17 }) + 8;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(headerEnd), Crc32.Append(0, bytes.AsSpan(0, headerEnd)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Append(0, bytes.AsSpan(0, bytes.Length - 4)));
    }
}
