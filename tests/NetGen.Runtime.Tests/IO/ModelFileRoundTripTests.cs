using System.Buffers.Binary;
using System.Numerics;
using static NetGen.Runtime.Tests.IO.IoTestSupport;

namespace NetGen.Runtime.Tests.IO;

public sealed class ModelFileRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, Precision> SpecNames()
    {
        var data = new TheoryData<string, Precision>();
        foreach (Precision precision in new[] { Precision.Single, Precision.Double })
        {
            foreach ((string name, _) in Specs(precision))
            {
                data.Add(name, precision);
            }
        }

        return data;
    }

    private static NetworkSpec Spec(string name, Precision precision) => Specs(precision).Single(s => s.Name == name).Spec;

    [Theory]
    [MemberData(nameof(SpecNames))]
    public void Generic_round_trip_restores_everything(string name, Precision precision)
    {
        if (precision == Precision.Single)
        {
            RoundTrip<float>(Spec(name, precision));
        }
        else
        {
            RoundTrip<double>(Spec(name, precision));
        }
    }

    private void RoundTrip<T>(NetworkSpec spec) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var original = new GenericNetwork<T>(spec, seed: 3);
        Randomize(original, 11);
        Train(original, steps: 3, seed: 5);
        string path = _dir.File("model.ngm");
        original.Save(path);

        var fresh = new GenericNetwork<T>(spec, seed: 99);
        fresh.Gradients.Fill(T.One);
        fresh.Load(path);
        AssertBitsEqual<T>(original.Parameters, fresh.Parameters, "parameters");
        AssertBitsEqual<T>(original.State, fresh.State, "state");
        Assert.Equal(original.RandomState, fresh.RandomState);
        Assert.All(fresh.Gradients.ToArray(), g => Assert.Equal(T.Zero, g));

        T[] x = Batch<T>(9, spec.InputSize, 77);
        AssertBitsEqual<T>(Outputs(original, x), Outputs(fresh, x), "ForwardBatch outputs");

        Assert.Equal(original.Spec, ModelFile.ReadSpec(path));
        GenericNetwork<T> loaded = ModelFile.LoadGeneric<T>(path);
        Assert.Equal(original.Spec, loaded.Spec);
        AssertBitsEqual<T>(original.Parameters, loaded.Parameters, "LoadGeneric parameters");
        AssertBitsEqual<T>(original.State, loaded.State, "LoadGeneric state");
        Assert.Equal(original.RandomState, loaded.RandomState);
        AssertBitsEqual<T>(Outputs(original, x), Outputs(loaded, x), "LoadGeneric outputs");

        // The same dropout masks follow: one training step from each gives the same gradients.
        if (spec.HasTrainingBehavior)
        {
            original.ZeroGradients();
            fresh.ZeroGradients();
            var y = new T[9 * spec.OutputSize];
            original.BackwardBatch(x, y);
            fresh.BackwardBatch(x, y);
            AssertBitsEqual<T>(original.Gradients, fresh.Gradients, "gradients after one training step");
            AssertBitsEqual<T>(original.State, fresh.State, "state after one training step");
            Assert.Equal(original.RandomState, fresh.RandomState);
        }

        Assert.Equal(new[] { "model.ngm" }, _dir.Entries());
    }

    [Fact]
    public void Generated_DigitsNet_round_trips_bit_for_bit()
    {
        var original = new DigitsNet(1);
        Train(original, steps: 4, seed: 2);
        string path = _dir.File("digits.ngm");
        ModelFile.Save(original, path);

        var fresh = new DigitsNet(2);
        ModelFile.Load(fresh, path);
        AssertBitsEqual<float>(original.Parameters, fresh.Parameters, "parameters");
        Assert.Equal(original.RandomState, fresh.RandomState);
        float[] x = Batch<float>(13, 64, 4);
        AssertBitsEqual<float>(Outputs(original, x), Outputs(fresh, x), "outputs");

        // The file also opens as a generic network of the same topology and parameters.
        Assert.Equal(original.Spec, ModelFile.ReadSpec(path));
        GenericNetwork<float> generic = ModelFile.LoadGeneric<float>(path);
        Assert.Equal(original.Spec, generic.Spec);
        AssertBitsEqual<float>(original.Parameters, generic.Parameters, "generic parameters");
        Assert.True(Compare.ScaledError(Outputs(generic, x), Outputs(original, x)) < 1e-5);
    }

    [Fact]
    public void Generated_double_networks_round_trip_bit_for_bit()
    {
        var original = new QuadraticFitWide(5);
        Train(original, steps: 3, seed: 6);
        string path = _dir.File("wide.ngm");
        original.Save(path);
        var fresh = new QuadraticFitWide(6);
        fresh.Load(path);
        AssertBitsEqual<double>(original.Parameters, fresh.Parameters, "parameters");
        double[] x = Batch<double>(5, 2, 8);
        AssertBitsEqual<double>(Outputs(original, x), Outputs(fresh, x), "outputs");
    }

    [Fact]
    public void Generated_and_generic_networks_share_files()
    {
        var generic = new GenericNetwork<float>(new QuadraticFit().Spec, seed: 4);
        Randomize(generic, 3);
        string path = _dir.File("q.ngm");
        generic.Save(path);
        var generated = new QuadraticFit();
        generated.Load(path);
        AssertBitsEqual<float>(generic.Parameters, generated.Parameters, "parameters");
    }

    [Fact]
    public void Special_values_are_stored_bit_for_bit()
    {
        var net = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(3).Build(Loss.MeanSquaredError));
        float[] special = [float.NaN, -0.0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue,
            BitConverter.Int32BitsToSingle(0x7FC0_1234), -1.5f, 1e-42f];
        special.CopyTo(net.Parameters);
        using var stream = new MemoryStream();
        ModelFile.Save(net, stream);
        stream.Position = 0;
        var fresh = new GenericNetwork<float>(net.Spec, 1);
        ModelFile.Load(fresh, stream);
        AssertBitsEqual<float>(special, fresh.Parameters, "parameters");
    }

    [Fact]
    public void Streams_hold_models_back_to_back_and_are_left_after_each()
    {
        var a = new GenericNetwork<double>(Spec("batchnorm+dropout", Precision.Double), 1);
        var b = new GenericNetwork<float>(Spec("plain", Precision.Single), 2);
        Randomize(a, 1);
        Randomize(b, 2);
        using var stream = new MemoryStream();
        ModelFile.Save(a, stream);
        long first = stream.Position;
        ModelFile.Save(b, stream);
        stream.WriteByte(0xAB);

        stream.Position = 0;
        GenericNetwork<double> a2 = ModelFile.LoadGeneric<double>(stream);
        Assert.Equal(first, stream.Position);
        Assert.Equal(b.Spec, ModelFile.ReadSpec(stream));
        stream.Position = first;
        var b2 = new GenericNetwork<float>(b.Spec, 9);
        ModelFile.Load(b2, new ForwardOnlyStream(stream));
        Assert.Equal(0xAB, stream.ReadByte());
        AssertBitsEqual<double>(a.Parameters, a2.Parameters, "first model");
        AssertBitsEqual<float>(b.Parameters, b2.Parameters, "second model");
    }

    [Fact]
    public void Stored_spec_equals_the_original_with_default_and_explicit_alphas()
    {
        NetworkSpec spec = NetworkSpec.Input(2).Dense(3, Activation.LeakyReLU).Dense(3, Activation.ELU, 1.0)
            .Dense(3, Activation.LeakyReLU, 0.01).Dense(2, Activation.ELU).Build(Loss.MeanSquaredError, Precision.Double);
        var net = new GenericNetwork<double>(spec);
        string path = _dir.File("alpha.ngm");
        net.Save(path);
        NetworkSpec stored = ModelFile.ReadSpec(path);
        Assert.Equal(spec, stored);
        Assert.True(double.IsNaN(((DenseLayerSpec)stored.Layers[0]).Alpha));
        Assert.Equal(1.0, ((DenseLayerSpec)stored.Layers[1]).Alpha);
    }

    [Fact]
    public void A_default_alpha_loads_into_the_same_alpha_given_explicitly()
    {
        var saved = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(3, Activation.LeakyReLU).Dense(1).Build(Loss.MeanSquaredError), 1);
        string path = _dir.File("a.ngm");
        saved.Save(path);
        var explicitAlpha = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(3, Activation.LeakyReLU, 0.01).Dense(1).Build(Loss.MeanSquaredError), 2);
        explicitAlpha.Load(path);
        AssertBitsEqual<float>(saved.Parameters, explicitAlpha.Parameters, "parameters");
    }

    [Fact]
    public void Precision_conversion_is_explicit()
    {
        NetworkSpec spec = Spec("batchnorm+dropout", Precision.Single);
        var single = new GenericNetwork<float>(spec, 1);
        Randomize(single, 4);
        string floatPath = _dir.File("f.ngm");
        single.Save(floatPath);

        var widened = new GenericNetwork<double>(spec, 2);
        Snapshot<double> before = Take(widened);
        var e = Assert.Throws<ModelFormatException>(() => widened.Load(floatPath));
        Assert.Contains("float", e.Message, StringComparison.Ordinal);
        Assert.Contains("double", e.Message, StringComparison.Ordinal);
        Assert.Contains("convertPrecision", e.Message, StringComparison.Ordinal);
        AssertUnchanged(before, widened);
        Assert.Throws<ModelFormatException>(() => ModelFile.LoadGeneric<double>(floatPath));

        widened.Load(floatPath, convertPrecision: true);
        for (int i = 0; i < spec.ParameterCount; i++)
        {
            Assert.Equal((double)single.Parameters[i], widened.Parameters[i]);
        }

        string doublePath = _dir.File("d.ngm");
        widened.Parameters[0] = 0.1;
        widened.Save(doublePath);
        GenericNetwork<float> narrowed = ModelFile.LoadGeneric<float>(doublePath, convertPrecision: true);
        Assert.Equal(0.1f, narrowed.Parameters[0]);
        Assert.Equal(Precision.Single, narrowed.Spec.Precision);
        Assert.Equal(Precision.Double, ModelFile.ReadSpec(doublePath).Precision);
    }

    [Fact]
    public void Layout_matches_the_documented_format()
    {
        NetworkSpec spec = NetworkSpec.Input(2).Dense(3, Activation.LeakyReLU, 0.25).BatchNorm(0.9, 0.001).Dropout(0.5)
            .Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy, Precision.Double);
        var net = new GenericNetwork<double>(spec, 1);
        Randomize(net, 2);
        using var stream = new MemoryStream();
        ModelFile.Save(net, stream);
        byte[] b = stream.ToArray();

        Assert.Equal("NETGEN\0\0"u8.ToArray(), b[..8]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)));
        Assert.Equal((ulong)b.Length, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(12)));
        Assert.Equal(1, b[20]);                                  // double
        Assert.Equal(1, b[21]);                                  // BinaryCrossEntropy
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22)));
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(26)));
        int o = 30;
        Assert.Equal(1, b[o]);                                    // Dense(3, LeakyReLU, 0.25)
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o + 1)));
        Assert.Equal((byte)Activation.LeakyReLU, b[o + 5]);
        Assert.Equal(0.25, BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o + 6)));
        o += 14;
        Assert.Equal(3, b[o]);                                    // BatchNorm(0.9, 0.001)
        Assert.Equal(0.9, BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o + 1)));
        Assert.Equal(0.001, BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o + 9)));
        o += 17;
        Assert.Equal(2, b[o]);                                    // Dropout(0.5)
        Assert.Equal(0.5, BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o + 1)));
        o += 9;
        Assert.Equal(1, b[o]);                                    // Dense(1, Sigmoid), default α = NaN
        Assert.True(double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o + 6))));
        o += 14;
        Assert.Equal(spec.ParameterCount, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o)));
        Assert.Equal(spec.StateCount, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(o + 4)));
        Assert.Equal(Crc32.Append(0, b.AsSpan(0, o + 8)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(o + 8)));
        o += 12;
        for (int i = 0; i < spec.ParameterCount; i++, o += 8)
        {
            Assert.Equal(net.Parameters[i], BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o)));
        }

        for (int i = 0; i < spec.StateCount; i++, o += 8)
        {
            Assert.Equal(net.State[i], BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(o)));
        }

        Assert.Equal(net.RandomState, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(o)));
        o += 8;
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(o)));   // the preprocessing section: 1 byte,
        Assert.Equal(0, b[o + 4]);                                               // no flags (nothing stored)
        o += 5;
        Assert.Equal(Crc32.Append(0, b.AsSpan(0, o)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(o)));
        Assert.Equal(b.Length, o + 4);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));
        Assert.Equal(0xCBF43926u, Crc32.Append(Crc32.Append(0, "1234"u8), "56789"u8));
        Assert.Equal(0u, Crc32.Append(0, []));
    }

    [Fact]
    public void Saving_twice_gives_identical_bytes()
    {
        var net = new DigitsNet(3);
        string a = _dir.File("a.ngm"), b = _dir.File("b.ngm");
        net.Save(a);
        net.Save(b);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }
}
