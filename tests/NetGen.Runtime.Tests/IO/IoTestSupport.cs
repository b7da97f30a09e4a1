using System.Numerics;

namespace NetGen.Runtime.Tests.IO;

/// <summary>A unique temporary directory, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "netgen-io-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Entries() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).ToArray()!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Networks with non-trivial parameters, state and random state, and snapshots to prove nothing changed.</summary>
public static class IoTestSupport
{
    /// <summary>Specs covering dense, dropout (input and hidden), batch norm, every activation, explicit and default α, every loss.</summary>
    public static IEnumerable<(string Name, NetworkSpec Spec)> Specs(Precision precision)
    {
        yield return ("plain", NetworkSpec.Input(3).Dense(4, Activation.Tanh).Dense(2).Build(Loss.MeanSquaredError, precision));
        yield return ("batchnorm+dropout", NetworkSpec.Input(5).Dense(6, Activation.ReLU).BatchNorm(0.9, 1e-3).Dropout(0.25)
            .Dense(4, Activation.ELU, 0.7).BatchNorm().Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, precision));
        yield return ("input dropout", NetworkSpec.Input(4).Dropout(0.1).Dense(5, Activation.LeakyReLU).Dense(1, Activation.Sigmoid)
            .Build(Loss.BinaryCrossEntropy, precision));
        yield return ("explicit alphas", NetworkSpec.Input(2).Dense(3, Activation.LeakyReLU, 0.2).Dense(3, Activation.ELU)
            .Dense(2, Activation.Identity).Build(Loss.MeanSquaredError, precision));
        yield return ("batchnorm output", NetworkSpec.Input(3).Dense(7, Activation.Sigmoid).BatchNorm(0.5, 0.01)
            .Dense(2, Activation.Tanh).BatchNorm().Build(Loss.MeanSquaredError, precision));
    }

    /// <summary>Random parameters, running means, positive running variances and random state.</summary>
    public static void Randomize<T>(INetwork<T> network, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new SplitMix64(seed);
        Span<T> p = network.Parameters;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = T.CreateChecked(rng.NextGaussian() * 0.6);
        }

        foreach (DenseStage stage in network.Spec.Stages.Where(s => s.BatchNorm is not null))
        {
            for (int j = 0; j < stage.OutputSize; j++)
            {
                network.State[stage.MeanOffset + j] = T.CreateChecked(rng.NextGaussian() * 0.5);
                network.State[stage.VarianceOffset + j] = T.CreateChecked(0.3 + 2 * rng.NextDouble());
            }
        }

        network.RandomState = rng.NextUInt64();
    }

    /// <summary>A few training steps so that parameters, running statistics and the dropout generator have all moved.</summary>
    public static void Train<T>(INetwork<T> network, int steps, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int batch = 8;
        T[] x = Batch<T>(batch, network.InputSize, seed);
        var y = new T[batch * network.OutputSize];
        for (int s = 0; s < batch; s++)
        {
            y[s * network.OutputSize + (s % network.OutputSize)] = T.One;
        }

        var sgd = new Sgd<T>(0.05);
        for (int i = 0; i < steps; i++)
        {
            network.ZeroGradients();
            network.BackwardBatch(x, y);
            sgd.Step(network.Parameters, network.Gradients);
        }
    }

    public static T[] Batch<T>(int count, int width, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new SplitMix64(seed);
        var x = new T[count * width];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateChecked(rng.NextDouble() * 4 - 2);
        }

        return x;
    }

    public static T[] Outputs<T>(INetwork<T> network, T[] inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new T[inputs.Length / network.InputSize * network.OutputSize];
        network.ForwardBatch(inputs, y);
        return y;
    }

    /// <summary>Parameters, state, random state and gradients, copied.</summary>
    public static Snapshot<T> Take<T>(INetwork<T> network) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(network.Parameters.ToArray(), network.State.ToArray(), network.RandomState, network.Gradients.ToArray());

    /// <summary>Bit-for-bit equality (NaN payloads and signed zeros included).</summary>
    public static void AssertBitsEqual<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {expected.Length} values expected, {actual.Length} found");
        ReadOnlySpan<byte> e = System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected);
        ReadOnlySpan<byte> a = System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual);
        int size = e.Length / Math.Max(1, expected.Length);
        for (int i = 0; i < e.Length; i++)
        {
            if (e[i] != a[i])
            {
                Assert.Fail($"{what}: value {i / size} differs: expected {expected[i / size]}, found {actual[i / size]}");
            }
        }
    }

    public static void AssertUnchanged<T>(Snapshot<T> before, INetwork<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        AssertBitsEqual<T>(before.Parameters, network.Parameters, "parameters");
        AssertBitsEqual<T>(before.State, network.State, "state");
        AssertBitsEqual<T>(before.Gradients, network.Gradients, "gradients");
        Assert.Equal(before.RandomState, network.RandomState);
    }
}

public sealed record Snapshot<T>(T[] Parameters, T[] State, ulong RandomState, T[] Gradients);

/// <summary>A read-only, forward-only view of a stream (no seeking, no length), as a network socket would be.</summary>
public sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 3));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Passes writes through until <paramref name="failAfter"/> bytes, then throws, as a full disk would.</summary>
public sealed class FailingStream(Stream inner, long failAfter, bool failOnFlush = false) : Stream
{
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        long room = failAfter - _written;
        if (room < buffer.Length)
        {
            inner.Write(buffer.Slice(0, (int)Math.Max(0, room)));
            _written = failAfter;
            throw new IOException("Simulated failure: no space left on device.");
        }

        inner.Write(buffer);
        _written += buffer.Length;
    }

    public override void Flush()
    {
        inner.Flush();
        if (failOnFlush)
        {
            throw new IOException("Simulated failure while flushing.");
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
