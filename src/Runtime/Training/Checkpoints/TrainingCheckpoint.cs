using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

/// <summary>
/// Everything a training run needs to continue bit for bit where it stopped: the network (parameters, batch-normalization
/// state, dropout generator state, as a <see cref="ModelFile"/>), the optimizer's buffers and step count, the trainer's
/// step count and learning rates (the schedule's position), the shuffling generator and row order, and the number of
/// epochs done. Taken by <see cref="ModelCheckpoint"/> or <see cref="TrainingContext.CreateCheckpoint"/> at the end of
/// an epoch; <see cref="FitOptions.ResumeFrom"/> continues from it.
/// </summary>
/// <remarks>
/// <para>
/// Resuming needs the same data, the same <see cref="FitOptions"/> (seed, batch size, validation, penalties, schedule)
/// and a new optimizer of the same kind and hyperparameters; the network may be a new object of the same topology.
/// Then training 3 epochs, saving, and resuming to 6 gives the same parameters, bit for bit, as 6 epochs straight.
/// Callback state (early stopping's patience counter, the best value of a plateau) is not part of it and starts afresh.
/// </para>
/// <para>
/// File format 1, little-endian: the magic <c>NGCKPT</c> + two zero bytes; u32 version; u8 precision (0 float, 1 double);
/// i32 epoch; i64 trainer steps; f64 base learning rate; f64 learning rate; u64 shuffling generator state; i32 n,
/// n × i32 row order; i32 length + UTF-8 optimizer kind; i64 optimizer step count; i32 buffer count, each buffer i32
/// length + values; i32 length + the model file; u32 CRC-32 of every byte before it (<c>docs/checkpoint-format.md</c>). Saving is atomic.
/// </para>
/// </remarks>
public sealed class TrainingCheckpoint
{
    /// <summary>The version of the file format written.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "NGCKPT\0\0"u8;

    private readonly byte[] _model;
    private readonly int[] _order;
    private readonly byte[][] _optimizerBuffers;

    internal TrainingCheckpoint(
        Precision precision, int epoch, long steps, double baseLearningRate, double learningRate, ulong shuffleState, int[] order,
        string optimizerKind, long optimizerSteps, byte[][] optimizerBuffers, byte[] model)
    {
        Precision = precision;
        Epoch = epoch;
        Steps = steps;
        BaseLearningRate = baseLearningRate;
        LearningRate = learningRate;
        ShuffleState = shuffleState;
        _order = order;
        OptimizerKind = optimizerKind;
        OptimizerSteps = optimizerSteps;
        _optimizerBuffers = optimizerBuffers;
        _model = model;
        Spec = ModelFile.ReadSpec(new MemoryStream(model, writable: false));
    }

    /// <summary>The topology (and precision) of the network.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The precision of the values.</summary>
    public Precision Precision { get; }

    /// <summary>The epochs completed; a resumed Fit starts with epoch <c>Epoch + 1</c>.</summary>
    public int Epoch { get; }

    /// <summary>The optimizer steps the trainer had taken (the schedule's step).</summary>
    public long Steps { get; }

    /// <summary>The base learning rate η₀ (changed by <see cref="ReduceLearningRateOnPlateau"/>, scaled by a schedule).</summary>
    public double BaseLearningRate { get; }

    /// <summary>The optimizer's learning rate at the last step.</summary>
    public double LearningRate { get; }

    /// <summary>The kind of optimizer whose state is stored, e.g. <c>Adam</c>.</summary>
    public string OptimizerKind { get; }

    /// <summary>The optimizer's own step count (Adam's t).</summary>
    public long OptimizerSteps { get; }

    /// <summary>The number of training rows the row order is for.</summary>
    public int TrainingRows => _order.Length;

    internal ulong ShuffleState { get; }

    internal ReadOnlySpan<int> Order => _order;

    /// <summary>Loads only the network part into <paramref name="network"/> (for inference, or to inspect a checkpoint).</summary>
    /// <exception cref="ModelFormatException">The network's topology or precision differs.</exception>
    public void RestoreNetwork<T>(INetwork<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ModelFile.Load(network, new MemoryStream(_model, writable: false));
    }

    /// <summary>Copies the stored optimizer state into <paramref name="optimizer"/>, which must be bound to the same network.</summary>
    internal void RestoreOptimizer<T>(IOptimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (optimizer is not IResumableOptimizer<T> resumable)
        {
            throw new NotSupportedException(
                $"The checkpoint holds {OptimizerKind} state, but {optimizer.Name} does not implement IResumableOptimizer<T>, so its state cannot be restored.");
        }

        string kind = KindOf(optimizer);
        if (!string.Equals(kind, OptimizerKind, StringComparison.Ordinal) || resumable.StateBufferCount != _optimizerBuffers.Length)
        {
            throw new ArgumentException(
                $"The checkpoint holds the state of {OptimizerKind} ({_optimizerBuffers.Length} buffers), but the optimizer is {optimizer.Name}; " +
                "resume with a new optimizer of the same kind and hyperparameters.", nameof(optimizer));
        }

        for (int b = 0; b < _optimizerBuffers.Length; b++)
        {
            Span<T> target = resumable.StateBuffer(b);
            ReadOnlySpan<T> source = MemoryMarshal.Cast<byte, T>(_optimizerBuffers[b]);
            if (source.Length != target.Length)
            {
                throw new ArgumentException(
                    $"The checkpoint's {OptimizerKind} buffer {b} holds {source.Length} values, but the optimizer's holds {target.Length} " +
                    "(another configuration, e.g. centered or momentum, or another network).", nameof(optimizer));
            }

            source.CopyTo(target);
        }

        resumable.RestoreStepCount(OptimizerSteps);
    }

    /// <summary>Takes a checkpoint of a running Fit (called by the trainer at the end of an epoch).</summary>
    internal static TrainingCheckpoint Create<T>(
        INetwork<T> network, IOptimizer<T> optimizer, int epoch, long steps, double baseRate, ulong shuffleState, ReadOnlySpan<int> order)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (optimizer is not IResumableOptimizer<T> resumable)
        {
            throw new NotSupportedException($"{optimizer.Name} does not implement IResumableOptimizer<T>, so a checkpoint cannot hold its state.");
        }

        var buffers = new byte[resumable.StateBufferCount][];
        for (int b = 0; b < buffers.Length; b++)
        {
            buffers[b] = MemoryMarshal.AsBytes(resumable.StateBuffer(b)).ToArray();
        }

        using var model = new MemoryStream();
        ModelFile.Save(network, model);
        return new TrainingCheckpoint(
            network.Spec.Precision, epoch, steps, baseRate, optimizer.LearningRate, shuffleState, order.ToArray(),
            KindOf(optimizer), resumable.StepCount, buffers, model.ToArray());
    }

    internal static string KindOf<T>(IOptimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = optimizer.GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (a temporary file renamed over the target).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, Save);
    }

    /// <summary>Writes the checkpoint to a stream, from its current position; the stream is left open.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write((uint)FormatVersion);
            w.Write((byte)(Precision == Precision.Double ? 1 : 0));
            w.Write(Epoch);
            w.Write(Steps);
            w.Write(BaseLearningRate);
            w.Write(LearningRate);
            w.Write(ShuffleState);
            w.Write(_order.Length);
            w.Write(MemoryMarshal.AsBytes(_order.AsSpan()));
            byte[] kind = Encoding.UTF8.GetBytes(OptimizerKind);
            w.Write(kind.Length);
            w.Write(kind);
            w.Write(OptimizerSteps);
            w.Write(_optimizerBuffers.Length);
            foreach (byte[] b in _optimizerBuffers)
            {
                w.Write(b.Length / Width(Precision));
                w.Write(b);
            }

            w.Write(_model.Length);
            w.Write(_model);
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Training checkpoints are written on little-endian machines only.");
        }

        ReadOnlySpan<byte> bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        stream.Write(bytes);
        Span<byte> crc = stackalloc byte[4];
        BitConverter.TryWriteBytes(crc, Crc32.Append(0, bytes));
        stream.Write(crc);
    }

    /// <summary>Reads a checkpoint file, verifying its magic, version and checksum.</summary>
    /// <exception cref="ModelFormatException">The file is not a checkpoint, is damaged or truncated, or has another version.</exception>
    public static TrainingCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream file = File.OpenRead(path);
        return Load(file, path);
    }

    /// <summary>Reads a checkpoint from a stream (to its end), verifying its magic, version and checksum.</summary>
    /// <exception cref="ModelFormatException">The data are not a checkpoint, are damaged or truncated, or have another version.</exception>
    public static TrainingCheckpoint Load(Stream stream) => Load(stream, null);

    private static TrainingCheckpoint Load(Stream stream, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] all = copy.ToArray();
        string where = fileName is null ? "The training checkpoint" : $"The training checkpoint '{fileName}'";
        if (all.Length < Magic.Length + 8 || !all.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFormatException($"{where} does not start with the checkpoint magic 'NGCKPT' (is it a model file? load those with ModelFile.Load).", fileName);
        }

        uint stored = BitConverter.ToUInt32(all, all.Length - 4);
        if (Crc32.Append(0, all.AsSpan(0, all.Length - 4)) != stored)
        {
            throw new ModelFormatException($"{where} is damaged or truncated: its CRC-32 does not match ({all.Length} bytes).", fileName);
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(all, 0, all.Length - 4, writable: false), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            uint version = r.ReadUInt32();
            if (version != FormatVersion)
            {
                throw new ModelFormatException($"{where} has format version {version}; this NetGen reads version {FormatVersion}.", fileName);
            }

            byte precisionByte = r.ReadByte();
            if (precisionByte > 1)
            {
                throw new ModelFormatException($"{where} has an unknown precision code {precisionByte}.", fileName);
            }

            Precision precision = precisionByte == 1 ? Precision.Double : Precision.Single;
            int epoch = NonNegative(r.ReadInt32(), "epoch", where, fileName);
            long steps = r.ReadInt64();
            double baseRate = r.ReadDouble();
            double rate = r.ReadDouble();
            ulong shuffle = r.ReadUInt64();
            int n = NonNegative(r.ReadInt32(), "row count", where, fileName);
            int[] order = MemoryMarshal.Cast<byte, int>(Exactly(r, checked(n * 4), where, fileName)).ToArray();
            string kind = Encoding.UTF8.GetString(Exactly(r, NonNegative(r.ReadInt32(), "optimizer name length", where, fileName), where, fileName));
            long optimizerSteps = r.ReadInt64();
            int count = NonNegative(r.ReadInt32(), "optimizer buffer count", where, fileName);
            var buffers = new List<byte[]>();
            for (int b = 0; b < count; b++)
            {
                int length = NonNegative(r.ReadInt32(), "optimizer buffer length", where, fileName);
                buffers.Add(Exactly(r, checked(length * Width(precision)), where, fileName));
            }

            byte[] model = Exactly(r, NonNegative(r.ReadInt32(), "model length", where, fileName), where, fileName);
            if (r.BaseStream.Position != r.BaseStream.Length)
            {
                throw new ModelFormatException($"{where} has {r.BaseStream.Length - r.BaseStream.Position} unexpected bytes before its checksum.", fileName);
            }

            return new TrainingCheckpoint(precision, epoch, steps, baseRate, rate, shuffle, order, kind, optimizerSteps, buffers.ToArray(), model);
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException or IOException and not ModelFormatException)
        {
            throw new ModelFormatException($"{where} is malformed: {e.Message}", fileName, e);
        }
    }

    private static int Width(Precision precision) => precision == Precision.Double ? 8 : 4;

    private static int NonNegative(int value, string what, string where, string? fileName) =>
        value >= 0 ? value : throw new ModelFormatException($"{where} has a negative {what} ({value}).", fileName);

    private static byte[] Exactly(BinaryReader reader, int count, string where, string? fileName)
    {
        byte[] bytes = reader.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new ModelFormatException($"{where} ends inside a field ({bytes.Length} of {count} bytes).", fileName);
    }
}
