using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text;

namespace NetGen;

/// <summary>
/// Saves and loads a network's trained parameters, batch-normalization state and dropout generator state together
/// with its topology and, optionally, its <see cref="Preprocessing"/> (input scaling, class labels, target scaling,
/// metadata), in the versioned, machine-independent binary format described below and in
/// <c>docs/model-format.md</c>. Works for every <see cref="INetwork{T}"/>, generated or generic, float or double.
/// </summary>
/// <remarks>
/// <para>
/// Format version 2 (version 1, written before preprocessing existed, is still read: it is version 2 without the
/// preprocessing section). Every number is little-endian; values are IEEE 754 binary32 (float) or binary64 (double),
/// written bit for bit. Offsets are in bytes.
/// </para>
/// <code>
/// offset size  field
/// 0      8     magic: the ASCII bytes "NETGEN" then two zero bytes (4E 45 54 47 45 4E 00 00)
/// 8      4     u32 format version = 2
/// 12     8     u64 length of the whole file in bytes, checksum included
/// 20     1     u8  precision: 0 = float (binary32), 1 = double (binary64) — the width w of every value below
/// 21     1     u8  loss: 0 = MeanSquaredError, 1 = BinaryCrossEntropy, 2 = CrossEntropy, 3 = Huber, 4 = LogCosh,
///                  5 = MeanAbsoluteError, 6 = Custom (a user-written loss, named after the layer records)
/// 22     4     i32 input size
/// 26     4     i32 n, the number of layer records
/// 30     …     n layer records, in the order the layers apply:
///                kind u8 = 1 Dense:     i32 size, u8 activation (Identity 0, Sigmoid 1, Tanh 2, ReLU 3,
///                                       LeakyReLU 4, ELU 5, Softmax 6, SiLU 7, GELU 8, Softplus 9, Mish 10,
///                                       Custom 11), f64 α (NaN = the default α), and for Custom the
///                                       function's name as a string
///                kind u8 = 2 Dropout:   f64 rate
///                kind u8 = 3 BatchNorm: f64 momentum, f64 ε
/// …      …     for loss 6 only: the loss function's name as a string
///                kind u8 = 2 Dropout:   f64 rate
///                kind u8 = 3 BatchNorm: f64 momentum, f64 ε
/// h      4     i32 P, the parameter count
/// h+4    4     i32 S, the state count
/// h+8    4     u32 header checksum: CRC-32 of bytes [0, h+8)
/// h+12   P·w   the parameters, in the layout of <see cref="INetwork{T}.Parameters"/> (W1, b1, [γ1, β1], W2, …)
/// …      S·w   the state, in the layout of <see cref="INetwork{T}.State"/> (running mean, running variance per BN layer)
/// …      8     u64 <see cref="INetwork{T}.RandomState"/>
/// …      4     u32 m, the length of the preprocessing section (version 2 only)
/// …      m     the preprocessing section (version 2 only):
///                u8 flags: 1 input scaling, 2 class labels, 4 target scaling, 8 metadata (other bits 0)
///                [input scaling]  scaler: u8 kind (1 standardization, 2 min–max), i32 k, k f64 means or minimums,
///                                 k f64 standard deviations or maximums
///                [class labels]   i32 c, c strings
///                [target scaling] scaler
///                [metadata]       i32 e, e pairs of strings (key, value), keys distinct and in ordinal order
///                a string is an i32 byte count and that many bytes of UTF-8
/// end−4  4     u32 checksum: CRC-32 of every byte before it
/// </code>
/// <para>
/// A user-written function (<see cref="CustomActivation"/>, <see cref="CustomLoss"/>) is stored by name only: loading
/// such a model into a network takes the network's functions of those names; loading it into a new generic network
/// needs them supplied (<see cref="LoadGeneric{T}(string, IEnumerable{CustomFunction}, bool)"/>, e.g. from the generated
/// network's <c>Spec.CustomFunctions</c>), and says which are missing otherwise.
/// </para>
/// <para>
/// CRC-32 is the zlib/PNG one (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF). α is
/// stored as given (NaN when the layer uses its default), so the stored <see cref="NetworkSpec"/> equals the
/// original under <see cref="NetworkSpec.Equals(NetworkSpec)"/>; NaN is written as the canonical quiet NaN.
/// </para>
/// <para>
/// Loading reads and verifies the whole file (magic, version, header checksum, topology, lengths, checksum) before
/// it copies anything into the network, so a failed load leaves the network as it was. Errors are
/// <see cref="ModelFormatException"/>s that name the file, what was expected and what was found.
/// </para>
/// <para>
/// Precision: a file is loaded only into a network of the same precision unless <c>convertPrecision</c> is true;
/// then float values widen to double exactly and double values round to the nearest float.
/// </para>
/// <para>
/// Saving to a path writes a temporary file in the same directory, flushes it to disk and renames it over the
/// target, so a failure or crash never leaves a half-written model where a good one was; the temporary file is
/// deleted on failure.
/// </para>
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this library writes; it reads this one and every earlier one.</summary>
    public const int FormatVersion = 2;

    /// <summary>The first format version, without a preprocessing section; still read.</summary>
    internal const int FormatVersion1 = 1;

    /// <summary>The largest preprocessing section read (64 MiB: millions of labels), so a damaged length cannot ask for gigabytes.</summary>
    internal const int MaxPreprocessingBytes = 1 << 26;

    private const byte HasInputScaling = 1, HasClassLabels = 2, HasTargetScaling = 4, HasMetadata = 8;
    private const byte ScalerStandardization = 1, ScalerMinMax = 2;

    /// <summary>UTF-8 that throws on what it cannot round-trip (lone surrogates when writing, invalid bytes when reading).</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal const byte KindDense = 1;
    internal const byte KindDropout = 2;
    internal const byte KindBatchNorm = 3;

    /// <summary>The 8 bytes every model file starts with: ASCII "NETGEN" and two zero bytes.</summary>
    internal static ReadOnlySpan<byte> Magic => "NETGEN\0\0"u8;

    /// <summary>Saves the network's parameters, state, random state and topology to <paramref name="path"/>, atomically.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The model file; its directory must exist. An existing file is replaced only once the new one is completely written.</param>
    public static void Save<T>(INetwork<T> network, string path) where T : unmanaged, IFloatingPointIeee754<T> =>
        Save(network, path, preprocessing: null, wrapForTesting: null);

    /// <summary>
    /// Saves the network together with its preprocessing (input scaling, class labels, target scaling, metadata) to
    /// <paramref name="path"/>, atomically: one self-contained file that <see cref="Predictor{T}.Load(string, bool)"/>
    /// turns back into predictions on raw rows.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The model file; its directory must exist. An existing file is replaced only once the new one is completely written.</param>
    /// <param name="preprocessing">What to store with it; null for none.</param>
    /// <exception cref="ArgumentException">The preprocessing does not fit the network's input or output size.</exception>
    public static void Save<T>(INetwork<T> network, string path, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T> =>
        Save(network, path, preprocessing, wrapForTesting: null);

    /// <summary>Writes the model to a stream, from its current position; the stream is left open.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to save.</param>
    /// <param name="stream">A writable stream.</param>
    public static void Save<T>(INetwork<T> network, Stream stream) where T : unmanaged, IFloatingPointIeee754<T> =>
        Save(network, stream, preprocessing: null);

    /// <summary>Writes the model with its preprocessing to a stream, from its current position; the stream is left open.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to save.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="preprocessing">What to store with it; null for none.</param>
    /// <exception cref="ArgumentException">The preprocessing does not fit the network's input or output size.</exception>
    public static void Save<T>(INetwork<T> network, Stream stream, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        NetworkSpec spec = CheckedSpec(network, nameof(network));
        byte[] section = PreprocessingSection(preprocessing, spec);
        Write(network, spec, section, FormatVersion, stream);
    }

    /// <summary>The same as <see cref="Save{T}(INetwork{T}, string, Preprocessing?)"/>, with a hook that wraps the temporary file's stream (tests inject write failures with it).</summary>
    internal static void Save<T>(INetwork<T> network, string path, Preprocessing? preprocessing, Func<Stream, Stream>? wrapForTesting) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        NetworkSpec spec = CheckedSpec(network, nameof(network));
        byte[] section = PreprocessingSection(preprocessing, spec);
        AtomicFile.Write(path, stream => Write(network, spec, section, FormatVersion, stream), wrapForTesting);
    }

    /// <summary>The same as <see cref="Save{T}(INetwork{T}, string)"/>, with the test hook.</summary>
    internal static void Save<T>(INetwork<T> network, string path, Func<Stream, Stream>? wrapForTesting) where T : unmanaged, IFloatingPointIeee754<T> =>
        Save(network, path, preprocessing: null, wrapForTesting);

    /// <summary>Writes a model in format version 1, as NetGen did before preprocessing was stored (tests prove such files still load).</summary>
    internal static void SaveVersion1<T>(INetwork<T> network, Stream stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        NetworkSpec spec = CheckedSpec(network, nameof(network));
        Write(network, spec, [], FormatVersion1, stream);
    }

    /// <summary>
    /// Loads a model file into <paramref name="into"/>: its parameters, state and <see cref="INetwork{T}.RandomState"/>
    /// are replaced and its gradients zeroed. The whole file is verified first; on any error the network is unchanged.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="into">The network to load into; its topology and loss must be those stored.</param>
    /// <param name="path">The model file.</param>
    /// <param name="convertPrecision">
    /// Whether a file of the other precision is accepted: float values widen to double exactly, double values round to
    /// the nearest float. When false (the default) a precision mismatch is an error.
    /// </param>
    /// <exception cref="ModelFormatException">The file is not a valid model file or does not fit the network.</exception>
    public static void Load<T>(INetwork<T> into, string path, bool convertPrecision = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        LoadWithPreprocessing(into, path, convertPrecision);

    /// <summary><see cref="Load{T}(INetwork{T}, string, bool)"/>, returning the preprocessing stored with the network (<see cref="Preprocessing.None"/> for none).</summary>
    internal static Preprocessing LoadWithPreprocessing<T>(INetwork<T> into, string path, bool convertPrecision) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        NetworkSpec target = CheckedSpec(into, nameof(into));
        Precision precision = ValueCodec.PrecisionOf<T>();
        Contents<T> contents = ReadFile<T>(path, (header, reader) => CheckFits(reader, header, target, precision, convertPrecision));
        Apply(into, contents);
        return contents.Preprocessing;
    }

    /// <summary>
    /// Loads one model from a stream, from its current position, into <paramref name="into"/>; the stream is left open
    /// just after the model. The whole model is verified first; on any error the network is unchanged.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="into">The network to load into; its topology and loss must be those stored.</param>
    /// <param name="stream">A readable stream.</param>
    /// <param name="convertPrecision">Whether a model of the other precision is accepted (see <see cref="Load{T}(INetwork{T}, string, bool)"/>).</param>
    /// <exception cref="ModelFormatException">The stream does not hold a valid model, or it does not fit the network.</exception>
    public static void Load<T>(INetwork<T> into, Stream stream, bool convertPrecision = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        LoadWithPreprocessing(into, stream, convertPrecision);

    /// <summary><see cref="Load{T}(INetwork{T}, Stream, bool)"/>, returning the preprocessing stored with the network.</summary>
    internal static Preprocessing LoadWithPreprocessing<T>(INetwork<T> into, Stream stream, bool convertPrecision) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(stream);
        NetworkSpec target = CheckedSpec(into, nameof(into));
        var reader = new ModelReader(stream, "the model stream", fileName: null);
        Header header = ReadHeader(reader, stream, requireEnd: false);
        CheckFits(reader, header, target, ValueCodec.PrecisionOf<T>(), convertPrecision);
        Contents<T> contents = ReadBody<T>(reader, header, stream, requireEnd: false);
        Apply(into, contents);
        return contents.Preprocessing;
    }

    /// <summary>
    /// Reads a model file into a new <see cref="GenericNetwork{T}"/> of the stored topology with the stored parameters,
    /// state and random state.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The model file.</param>
    /// <param name="convertPrecision">Whether a file of the other precision is accepted (see <see cref="Load{T}(INetwork{T}, string, bool)"/>).</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or its precision is not T's.</exception>
    public static GenericNetwork<T> LoadGeneric<T>(string path, bool convertPrecision = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        LoadGenericWithPreprocessing<T>(path, convertPrecision).Network;

    /// <summary>
    /// Reads a model file that uses user-written functions into a new <see cref="GenericNetwork{T}"/>, taking the
    /// functions by name from <paramref name="functions"/> (e.g. <c>new MyNetwork().Spec.CustomFunctions</c>).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or its precision is not T's.</exception>
    /// <exception cref="ArgumentException">A function the model names is not among <paramref name="functions"/>.</exception>
    public static GenericNetwork<T> LoadGeneric<T>(string path, IEnumerable<CustomFunction> functions, bool convertPrecision = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(functions);
        Precision precision = ValueCodec.PrecisionOf<T>();
        Contents<T> contents = ReadFile<T>(path, (header, reader) => CheckPrecision(reader, header, precision, convertPrecision));
        var network = new GenericNetwork<T>(contents.Spec.WithFunctions(functions));
        Apply(network, contents);
        return network;
    }

    /// <summary><see cref="LoadGeneric{T}(string, bool)"/>, with the preprocessing stored with the network.</summary>
    internal static (GenericNetwork<T> Network, Preprocessing Preprocessing) LoadGenericWithPreprocessing<T>(string path, bool convertPrecision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Precision precision = ValueCodec.PrecisionOf<T>();
        Contents<T> contents = ReadFile<T>(path, (header, reader) => CheckPrecision(reader, header, precision, convertPrecision));
        var network = new GenericNetwork<T>(contents.Spec);
        Apply(network, contents);
        return (network, contents.Preprocessing);
    }

    /// <summary>Reads one model from a stream into a new <see cref="GenericNetwork{T}"/>; the stream is left open just after the model.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="stream">A readable stream.</param>
    /// <param name="convertPrecision">Whether a model of the other precision is accepted (see <see cref="Load{T}(INetwork{T}, string, bool)"/>).</param>
    /// <exception cref="ModelFormatException">The stream does not hold a valid model, or its precision is not T's.</exception>
    public static GenericNetwork<T> LoadGeneric<T>(Stream stream, bool convertPrecision = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        LoadGenericWithPreprocessing<T>(stream, convertPrecision).Network;

    /// <summary><see cref="LoadGeneric{T}(Stream, bool)"/>, with the preprocessing stored with the network.</summary>
    internal static (GenericNetwork<T> Network, Preprocessing Preprocessing) LoadGenericWithPreprocessing<T>(Stream stream, bool convertPrecision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        Precision precision = ValueCodec.PrecisionOf<T>();
        var reader = new ModelReader(stream, "the model stream", fileName: null);
        Header header = ReadHeader(reader, stream, requireEnd: false);
        CheckPrecision(reader, header, precision, convertPrecision);
        Contents<T> contents = ReadBody<T>(reader, header, stream, requireEnd: false);
        var network = new GenericNetwork<T>(contents.Spec);
        Apply(network, contents);
        return (network, contents.Preprocessing);
    }

    /// <summary>
    /// Reads the preprocessing stored in a model file (<see cref="Preprocessing.None"/> for a file of format version 1
    /// or one saved without). The whole file is verified, as by a load.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file.</exception>
    public static Preprocessing ReadPreprocessing(string path) =>
        ReadFile<double>(path, static (_, _) => { }).Preprocessing;

    /// <summary>
    /// Reads the topology stored in a model file, in the stored precision. Only the header is read: its checksum and
    /// the file's length are verified, the values and the final checksum are not (a load verifies everything).
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <exception cref="ModelFormatException">The header is not a valid model header, or the file's length is not the one it declares.</exception>
    public static NetworkSpec ReadSpec(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        using FileStream stream = OpenRead(fullPath);
        var reader = new ModelReader(stream, $"model file '{fullPath}'", fullPath);
        return ReadHeader(reader, stream, requireEnd: true).Spec;
    }

    /// <summary>Reads the topology of the model at the stream's current position (header only, see <see cref="ReadSpec(string)"/>); the stream is left just after the header.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <exception cref="ModelFormatException">The stream does not start with a valid model header.</exception>
    public static NetworkSpec ReadSpec(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new ModelReader(stream, "the model stream", fileName: null);
        return ReadHeader(reader, stream, requireEnd: false).Spec;
    }

    // ---- writing ----

    private static void Write<T>(INetwork<T> network, NetworkSpec spec, byte[] section, int version, Stream stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = new ModelWriter(stream);
        int width = ValueCodec.Width<T>();
        w.WriteBytes(Magic);
        w.WriteUInt32((uint)version);
        w.WriteUInt64((ulong)(ExpectedLength(spec, width) + (version >= 2 ? 4 + section.Length : 0)));
        w.WriteByte((byte)spec.Precision);
        w.WriteByte((byte)spec.Loss);
        w.WriteInt32(spec.InputSize);
        w.WriteInt32(spec.Layers.Count);
        foreach (LayerSpec layer in spec.Layers)
        {
            switch (layer)
            {
                case DenseLayerSpec dense:
                    w.WriteByte(KindDense);
                    w.WriteInt32(dense.Size);
                    w.WriteByte((byte)dense.Activation);
                    w.WriteDouble(double.IsNaN(dense.Alpha) ? double.NaN : dense.Alpha);
                    if (dense.Function is not null)
                    {
                        WriteString(w, dense.Function.Name);
                    }

                    break;
                case DropoutLayerSpec dropout:
                    w.WriteByte(KindDropout);
                    w.WriteDouble(dropout.Rate);
                    break;
                case BatchNormLayerSpec batchNorm:
                    w.WriteByte(KindBatchNorm);
                    w.WriteDouble(batchNorm.Momentum);
                    w.WriteDouble(batchNorm.Epsilon);
                    break;
                default:
                    throw new NotSupportedException($"Layers of type {layer.GetType().Name} cannot be saved in model format version {FormatVersion}.");
            }
        }

        if (spec.LossFunction is not null)
        {
            WriteString(w, spec.LossFunction.Name);
        }

        w.WriteInt32(spec.ParameterCount);
        w.WriteInt32(spec.StateCount);
        w.WriteChecksum();
        w.WriteValues<T>(network.Parameters);
        w.WriteValues<T>(network.State);
        w.WriteUInt64(network.RandomState);
        if (version >= 2)
        {
            w.WriteUInt32((uint)section.Length);
            w.WriteBytes(section);
        }

        w.WriteChecksum();
    }

    /// <summary>The bytes of the preprocessing section (see the layout in the remarks), after checking that it fits the network.</summary>
    private static byte[] PreprocessingSection(Preprocessing? preprocessing, NetworkSpec spec)
    {
        preprocessing ??= Preprocessing.None;
        preprocessing.CheckFits(spec, nameof(preprocessing));
        using var buffer = new MemoryStream();
        var w = new ModelWriter(buffer);
        byte flags = 0;
        flags |= preprocessing.InputScaling is null ? (byte)0 : HasInputScaling;
        flags |= preprocessing.ClassLabels is null ? (byte)0 : HasClassLabels;
        flags |= preprocessing.TargetScaling is null ? (byte)0 : HasTargetScaling;
        flags |= preprocessing.Metadata.Count == 0 ? (byte)0 : HasMetadata;
        w.WriteByte(flags);
        if (preprocessing.InputScaling is { } input)
        {
            WriteScaler(w, input);
        }

        if (preprocessing.ClassLabels is { } labels)
        {
            w.WriteInt32(labels.Count);
            foreach (string label in labels)
            {
                WriteString(w, label);
            }
        }

        if (preprocessing.TargetScaling is { } target)
        {
            WriteScaler(w, target);
        }

        if (preprocessing.Metadata.Count > 0)
        {
            w.WriteInt32(preprocessing.Metadata.Count);
            foreach (KeyValuePair<string, string> pair in preprocessing.Metadata)
            {
                WriteString(w, pair.Key);
                WriteString(w, pair.Value);
            }
        }

        if (buffer.Length > MaxPreprocessingBytes)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The preprocessing takes {buffer.Length} bytes; a model file holds at most {MaxPreprocessingBytes}."), nameof(preprocessing));
        }

        return buffer.ToArray();
    }

    private static void WriteScaler(ModelWriter w, FeatureScaler scaler)
    {
        (byte kind, IReadOnlyList<double> first, IReadOnlyList<double> second) = scaler switch
        {
            Standardizer s => (ScalerStandardization, (IReadOnlyList<double>)s.Means, (IReadOnlyList<double>)s.StandardDeviations),
            MinMaxScaler m => (ScalerMinMax, m.Minimums, m.Maximums),
            _ => throw new NotSupportedException($"Scalers of type {scaler.GetType().Name} cannot be saved in model format version {FormatVersion}."),
        };
        w.WriteByte(kind);
        w.WriteInt32(first.Count);
        foreach (double value in first)
        {
            w.WriteDouble(value);
        }

        foreach (double value in second)
        {
            w.WriteDouble(value);
        }
    }

    private static void WriteString(ModelWriter w, string value)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"The preprocessing text '{value}' is not valid Unicode (it has a lone surrogate), so it cannot be stored as UTF-8.", "preprocessing", e);
        }

        w.WriteInt32(bytes.Length);
        w.WriteBytes(bytes);
    }

    private static string ReadName(ModelReader r, string what)
    {
        int length = r.ReadInt32($"the length of {what}");
        if (length is <= 0 or > 4096)
        {
            throw r.Error(string.Create(CultureInfo.InvariantCulture, $"is corrupted: {what} has length {length}, expected 1 to 4096 bytes."));
        }

        var bytes = new byte[length];
        r.ReadExactly(bytes, what);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The file length for a spec stored with values of <paramref name="width"/> bytes.</summary>
    private static long ExpectedLength(NetworkSpec spec, int width)
    {
        long length = 8 + 4 + 8 + 1 + 1 + 4 + 4;
        foreach (LayerSpec layer in spec.Layers)
        {
            length += layer switch
            {
                DenseLayerSpec { Function: { } f } => 1 + 4 + 1 + 8 + 4 + Encoding.UTF8.GetByteCount(f.Name),
                DenseLayerSpec => 1 + 4 + 1 + 8,
                DropoutLayerSpec => 1 + 8,
                _ => 1 + 8 + 8,
            };
        }

        if (spec.LossFunction is not null)
        {
            length += 4 + Encoding.UTF8.GetByteCount(spec.LossFunction.Name);
        }

        return length + 4 + 4 + 4 + ((long)spec.ParameterCount + spec.StateCount) * width + 8 + 4;
    }

    /// <summary>The network's spec in T's precision, after checking that its buffers have the spec's lengths.</summary>
    private static NetworkSpec CheckedSpec<T>(INetwork<T> network, string parameter) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Precision precision = ValueCodec.PrecisionOf<T>();
        NetworkSpec spec = network.Spec ?? throw new ArgumentException("The network has no Spec.", parameter);
        if (network.Parameters.Length != spec.ParameterCount || network.State.Length != spec.StateCount)
        {
            throw new ArgumentException(
                $"The network's buffers do not match its spec {spec}: it has {network.Parameters.Length} parameters and {network.State.Length} state values, the spec needs {spec.ParameterCount} and {spec.StateCount}.",
                parameter);
        }

        return spec.WithPrecision(precision);
    }

    // ---- reading ----

    private static Contents<T> ReadFile<T>(string path, Action<Header, ModelReader> check)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        using FileStream stream = OpenRead(fullPath);
        var reader = new ModelReader(stream, $"model file '{fullPath}'", fullPath);
        Header header = ReadHeader(reader, stream, requireEnd: true);
        check(header, reader);
        return ReadBody<T>(reader, header, stream, requireEnd: true);
    }

    private static FileStream OpenRead(string fullPath) =>
        new(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    private static Header ReadHeader(ModelReader r, Stream stream, bool requireEnd)
    {
        long start = stream.CanSeek ? stream.Position : 0;
        Span<byte> magic = stackalloc byte[8];
        int got = r.ReadUpTo(magic);
        if (got < magic.Length && magic.Slice(0, got).SequenceEqual(Magic.Slice(0, got)))
        {
            throw r.Error(got == 0
                ? "is empty: a NetGen model file starts with the 8 bytes \"NETGEN\\0\\0\"."
                : string.Create(CultureInfo.InvariantCulture, $"is truncated: it ends after {got} bytes, inside the 8-byte magic \"NETGEN\\0\\0\"."));
        }

        if (!magic.Slice(0, got).SequenceEqual(Magic))
        {
            throw r.Error($"is not a NetGen model file: expected it to start with the magic bytes {Convert.ToHexString(Magic)} (\"NETGEN\\0\\0\"), found {Convert.ToHexString(magic.Slice(0, got))} (\"{Printable(magic.Slice(0, got))}\").");
        }

        uint version = r.ReadUInt32("the format version");
        if (version is not (FormatVersion1 or FormatVersion))
        {
            throw r.Error(string.Create(
                CultureInfo.InvariantCulture,
                $"uses model format version {version}, but this version of NetGen reads only format versions {FormatVersion1} to {FormatVersion}{(version > FormatVersion ? " (the file was written by a newer NetGen)" : "")}."));
        }

        ulong declaredLength = r.ReadUInt64("the file length");
        r.DeclaredLength = declaredLength;
        byte precisionByte = r.ReadByte("the precision");
        byte lossByte = r.ReadByte("the loss");
        int inputSize = r.ReadInt32("the input size");
        int layerCount = r.ReadInt32("the layer count");
        if (layerCount < 0)
        {
            throw r.Error(string.Create(CultureInfo.InvariantCulture, $"is corrupted: its header gives a negative layer count ({layerCount})."));
        }

        var layers = new List<LayerSpec>();
        for (int i = 1; i <= layerCount; i++)
        {
            string where = string.Create(CultureInfo.InvariantCulture, $"layer record {i} of {layerCount}");
            long offset = r.Position;
            byte kind = r.ReadByte($"the kind of {where}");
            switch (kind)
            {
                case KindDense:
                {
                    int size = r.ReadInt32($"the size of {where}");
                    byte activation = r.ReadByte($"the activation of {where}");
                    double alpha = r.ReadDouble($"the alpha of {where}");
                    layers.Add((Activation)activation == Activation.Custom
                        ? new DenseLayerSpec(size, CustomActivation.Unresolved(ReadName(r, $"the activation's name of {where}")))
                        : new DenseLayerSpec(size, (Activation)activation, double.IsNaN(alpha) ? double.NaN : alpha));
                    break;
                }

                case KindDropout:
                    layers.Add(new DropoutLayerSpec(r.ReadDouble($"the rate of {where}")));
                    break;
                case KindBatchNorm:
                {
                    double momentum = r.ReadDouble($"the momentum of {where}");
                    double epsilon = r.ReadDouble($"the epsilon of {where}");
                    layers.Add(new BatchNormLayerSpec(momentum, epsilon));
                    break;
                }

                default:
                    throw r.Error(string.Create(
                        CultureInfo.InvariantCulture,
                        $"is corrupted: {where} at byte offset {offset} has kind {kind}, expected 1 (Dense), 2 (Dropout) or 3 (BatchNorm)."));
            }
        }

        CustomLoss? lossFunction = lossByte == (byte)Loss.Custom ? CustomLoss.Unresolved(ReadName(r, "the loss's name")) : null;
        int parameterCount = r.ReadInt32("the parameter count");
        int stateCount = r.ReadInt32("the state count");
        uint computed = r.Crc;
        uint stored = r.ReadUInt32("the header checksum");
        if (computed != stored)
        {
            throw r.Error(string.Create(
                CultureInfo.InvariantCulture,
                $"is corrupted: the header checksum is 0x{stored:X8}, but the header's bytes [0, {r.Position - 4}) give 0x{computed:X8}."));
        }

        // From here on the header is intact as written; any inconsistency is a writer's error, still reported as corruption.
        if (precisionByte > (byte)Precision.Double)
        {
            throw r.Error(string.Create(CultureInfo.InvariantCulture, $"is invalid: its precision byte is {precisionByte}, expected 0 (float) or 1 (double)."));
        }

        if (!Enum.IsDefined((Loss)lossByte))
        {
            throw r.Error(string.Create(CultureInfo.InvariantCulture, $"is invalid: its loss byte is {lossByte}, expected 0 (MeanSquaredError), 1 (BinaryCrossEntropy), 2 (CrossEntropy), 3 (Huber), 4 (LogCosh), 5 (MeanAbsoluteError) or 6 (Custom)."));
        }

        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is DenseLayerSpec { Activation: var activation } && !Enum.IsDefined(activation))
            {
                throw r.Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"holds an invalid topology: layer record {i + 1} has activation {(int)activation}, expected 0 to 11 (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softmax, SiLU, GELU, Softplus, Mish, Custom)."));
            }
        }

        var precision = (Precision)precisionByte;
        NetworkSpec spec;
        try
        {
            spec = lossFunction is null ? new NetworkSpec(inputSize, layers, (Loss)lossByte, precision) : new NetworkSpec(inputSize, layers, lossFunction, precision);
        }
        catch (ArgumentException e)
        {
            throw r.Error($"holds an invalid topology: {e.Message}", e);
        }

        if (parameterCount != spec.ParameterCount || stateCount != spec.StateCount)
        {
            throw r.Error(string.Create(
                CultureInfo.InvariantCulture,
                $"is invalid: it declares {parameterCount} parameters and {stateCount} state values, but its topology {spec} has {spec.ParameterCount} and {spec.StateCount}."));
        }

        long expected = ExpectedLength(spec, precision == Precision.Single ? 4 : 8);
        int sectionLength = 0;
        if (version == FormatVersion1)
        {
            if (declaredLength != (ulong)expected)
            {
                throw r.Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"is invalid: its header declares {declaredLength} bytes, but its topology {spec} needs {expected}."));
            }
        }
        else
        {
            // Version 2: the topology's bytes, then a u32 section length and the preprocessing section.
            ulong least = (ulong)expected + 4;
            if (declaredLength < least + 1 || declaredLength - least > MaxPreprocessingBytes)
            {
                throw r.Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"is invalid: its header declares {declaredLength} bytes, but its topology {spec} with a preprocessing section of 1 to {MaxPreprocessingBytes} bytes needs {least + 1} to {least + MaxPreprocessingBytes}."));
            }

            sectionLength = (int)(declaredLength - least);
            expected = (long)declaredLength;
        }

        if (stream.CanSeek)
        {
            long available = stream.Length - start;
            if (available < expected)
            {
                throw r.Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"is truncated: its header declares {expected} bytes, but only {available} are there."));
            }

            if (requireEnd && available > expected)
            {
                throw r.Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"is corrupted: it has {available} bytes, {available - expected} more than the {expected} its header declares."));
            }
        }

        return new Header(spec, precision, parameterCount, stateCount, (int)version, sectionLength);
    }

    private static Contents<T> ReadBody<T>(ModelReader r, Header header, Stream stream, bool requireEnd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameters = new T[header.ParameterCount];
        var state = new T[header.StateCount];
        r.ReadValues<T>(parameters, header.Precision, "the parameters");
        r.ReadValues<T>(state, header.Precision, "the state");
        ulong randomState = r.ReadUInt64("the random state");
        byte[] section = [];
        long sectionOffset = 0;
        if (header.Version >= 2)
        {
            long lengthOffset = r.Position;
            uint length = r.ReadUInt32("the length of the preprocessing section");
            if (length != (uint)header.PreprocessingLength)
            {
                throw r.Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"is corrupted: the preprocessing section at byte offset {lengthOffset} declares {length} bytes, but the file's header leaves {header.PreprocessingLength} for it."));
            }

            sectionOffset = r.Position;
            section = new byte[length];
            r.ReadExactly(section, "the preprocessing section");
        }

        uint computed = r.Crc;
        uint stored = r.ReadUInt32("the checksum");
        if (computed != stored)
        {
            throw r.Error(string.Create(
                CultureInfo.InvariantCulture,
                $"is corrupted: its checksum is 0x{stored:X8}, but its bytes [0, {r.Position - 4}) give 0x{computed:X8}."));
        }

        if (requireEnd)
        {
            Span<byte> extra = stackalloc byte[1];
            if (r.ReadUpTo(extra) != 0)
            {
                throw r.Error(string.Create(CultureInfo.InvariantCulture, $"is corrupted: it goes on after the checksum that ends the model at byte {r.Position - 1}."));
            }
        }

        // The checksum has passed: the section is as written, so any inconsistency in it is reported as invalid content.
        Preprocessing preprocessing = header.Version >= 2 ? ParsePreprocessing(r, section, sectionOffset, header.Spec) : Preprocessing.None;
        return new Contents<T>(header.Spec.WithPrecision(ValueCodec.PrecisionOf<T>()), parameters, state, randomState, preprocessing);
    }

    private static void CheckPrecision(ModelReader r, Header header, Precision target, bool convertPrecision)
    {
        if (header.Precision != target && !convertPrecision)
        {
            throw r.Error(
                $"stores {Describe(header.Precision)} values, but the network computes in {Describe(target)}: pass convertPrecision: true to convert them" +
                (target == Precision.Single ? " (each value is rounded to the nearest float)." : " (exactly)."));
        }
    }

    private static void CheckFits(ModelReader r, Header header, NetworkSpec target, Precision precision, bool convertPrecision)
    {
        NetworkSpec stored = header.Spec;
        if (!stored.SameTopology(target))
        {
            NetworkSpec storedEffective = WithEffectiveAlpha(stored), targetEffective = WithEffectiveAlpha(target);
            if (!storedEffective.SameTopology(targetEffective))
            {
                throw r.Error(
                    $"does not fit the network: it holds {stored}, but the network is {target}. {Difference(storedEffective, targetEffective)}");
            }
        }

        CheckPrecision(r, header, precision, convertPrecision);
    }

    /// <summary>The spec with every defaulted α made explicit, so that a default α and the same α given explicitly compare equal.</summary>
    private static NetworkSpec WithEffectiveAlpha(NetworkSpec spec)
    {
        var layers = new List<LayerSpec>(spec.Layers.Count);
        foreach (LayerSpec layer in spec.Layers)
        {
            layers.Add(layer is DenseLayerSpec dense && ActivationInfo.HasAlpha(dense.Activation)
                ? dense with { Alpha = dense.EffectiveAlpha }
                : layer);
        }

        return spec.WithLayers(layers);
    }

    /// <summary>One sentence naming the first difference between two topologies.</summary>
    private static string Difference(NetworkSpec file, NetworkSpec network)
    {
        if (file.InputSize != network.InputSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The input sizes differ: {file.InputSize} stored, {network.InputSize} in the network.");
        }

        int common = Math.Min(file.Layers.Count, network.Layers.Count);
        for (int i = 0; i < common; i++)
        {
            if (!Equals(file.Layers[i], network.Layers[i]))
            {
                return string.Create(CultureInfo.InvariantCulture, $"Layer {i + 1} differs: {file.Layers[i]} stored, {network.Layers[i]} in the network.");
            }
        }

        if (file.Layers.Count != network.Layers.Count)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{file.Layers.Count} layers are stored, the network has {network.Layers.Count}.");
        }

        return $"The losses differ: {file.LossFunction?.Name ?? file.Loss.ToString()} stored, {network.LossFunction?.Name ?? network.Loss.ToString()} in the network.";
    }

    private static string Describe(Precision precision) => precision == Precision.Single ? "float (Single, 32-bit)" : "double (Double, 64-bit)";

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '.';
        }

        return new string(chars);
    }

    /// <summary>Reads the preprocessing section (its checksum already verified) and checks that it fits the topology.</summary>
    private static Preprocessing ParsePreprocessing(ModelReader r, byte[] section, long sectionOffset, NetworkSpec spec)
    {
        var s = new SectionReader(r, section, sectionOffset);
        byte flags = s.Byte("the preprocessing flags");
        const byte known = HasInputScaling | HasClassLabels | HasTargetScaling | HasMetadata;
        if ((flags & ~known) != 0)
        {
            throw s.Invalid(sectionOffset, string.Create(CultureInfo.InvariantCulture, $"its preprocessing flags are 0x{flags:X2}; only the bits 0x{known:X2} (input scaling, class labels, target scaling, metadata) are defined"));
        }

        FeatureScaler? input = (flags & HasInputScaling) != 0 ? s.Scaler("the input scaling") : null;
        string[]? labels = null;
        if ((flags & HasClassLabels) != 0)
        {
            long at = s.Offset;
            int count = s.Count("the number of class labels", minimum: 1);
            labels = new string[count];
            for (int i = 0; i < count; i++)
            {
                labels[i] = s.String(string.Create(CultureInfo.InvariantCulture, $"class label {i + 1} of {count}"));
            }

            s.Check(at, () => new Preprocessing(classLabels: labels), "its class labels");
        }

        FeatureScaler? target = (flags & HasTargetScaling) != 0 ? s.Scaler("the target scaling") : null;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if ((flags & HasMetadata) != 0)
        {
            int count = s.Count("the number of metadata entries", minimum: 1);
            string? previous = null;
            for (int i = 0; i < count; i++)
            {
                long at = s.Offset;
                string where = string.Create(CultureInfo.InvariantCulture, $"metadata entry {i + 1} of {count}");
                string key = s.String($"the key of {where}");
                string value = s.String($"the value of {where}");
                if (key.Length == 0 || (previous is not null && string.CompareOrdinal(previous, key) >= 0))
                {
                    throw s.Invalid(at, $"the key of {where} is '{key}'; keys must be non-empty, distinct and in ordinal order");
                }

                metadata.Add(key, value);
                previous = key;
            }
        }

        if (s.Offset != sectionOffset + section.Length)
        {
            throw s.Invalid(s.Offset, string.Create(CultureInfo.InvariantCulture, $"{sectionOffset + section.Length - s.Offset} bytes are left over at the end of the preprocessing section"));
        }

        Preprocessing preprocessing = s.Check(sectionOffset, () => new Preprocessing(input, labels, target, metadata), "its preprocessing");
        if (preprocessing.Mismatch(spec.InputSize, spec.OutputSize) is string problem)
        {
            throw s.Invalid(sectionOffset, $"the preprocessing does not fit the network {spec}: {problem.TrimEnd('.')}");
        }

        return preprocessing;
    }

    /// <summary>Fields of the preprocessing section, read from its verified bytes; errors name the field and its byte offset in the file.</summary>
    private sealed class SectionReader(ModelReader r, byte[] bytes, long baseOffset)
    {
        private int _at;

        /// <summary>The byte offset in the file of the next field.</summary>
        public long Offset => baseOffset + _at;

        public ModelFormatException Invalid(long offset, string problem, Exception? inner = null) =>
            r.Error(string.Create(CultureInfo.InvariantCulture, $"is invalid: {problem} (at byte offset {offset})."), inner);

        public byte Byte(string what) => Take(1, what)[0];

        public int Count(string what, int minimum)
        {
            long at = Offset;
            int count = BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
            if (count < minimum || count > bytes.Length - _at)
            {
                throw Invalid(at, string.Create(CultureInfo.InvariantCulture, $"{what} is {count}, but {bytes.Length - _at} bytes of the preprocessing section are left"));
            }

            return count;
        }

        public double Double(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

        public string String(string what)
        {
            long at = Offset;
            int length = BinaryPrimitives.ReadInt32LittleEndian(Take(4, $"the length of {what}"));
            if (length < 0 || length > bytes.Length - _at)
            {
                throw Invalid(at, string.Create(CultureInfo.InvariantCulture, $"{what} declares {length} bytes, but {bytes.Length - _at} are left in the preprocessing section"));
            }

            try
            {
                return StrictUtf8.GetString(Take(length, what));
            }
            catch (DecoderFallbackException e)
            {
                throw Invalid(at, $"{what} is not valid UTF-8", e);
            }
        }

        public FeatureScaler Scaler(string what)
        {
            long at = Offset;
            byte kind = Byte($"the kind of {what}");
            if (kind is not (ScalerStandardization or ScalerMinMax))
            {
                throw Invalid(at, string.Create(CultureInfo.InvariantCulture, $"{what} has kind {kind}, expected 1 (standardization) or 2 (min–max)"));
            }

            int count = Count($"the feature count of {what}", minimum: 1);
            if ((long)count * 16 > bytes.Length - _at)
            {
                throw Invalid(at, string.Create(CultureInfo.InvariantCulture, $"{what} declares {count} features ({16L * count} bytes), but {bytes.Length - _at} bytes are left in the preprocessing section"));
            }

            var first = new double[count];
            var second = new double[count];
            for (int j = 0; j < count; j++)
            {
                first[j] = Double(what);
            }

            for (int j = 0; j < count; j++)
            {
                second[j] = Double(what);
            }

            return Check<FeatureScaler>(at, () => kind == ScalerStandardization ? new Standardizer(first, second) : new MinMaxScaler(first, second), what);
        }

        /// <summary>Runs a constructor that validates, turning its <see cref="ArgumentException"/> into an invalid-content error.</summary>
        public TResult Check<TResult>(long at, Func<TResult> create, string what)
        {
            try
            {
                return create();
            }
            catch (ArgumentException e)
            {
                throw Invalid(at, $"{what}: {e.Message}", e);
            }
        }

        private ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count > bytes.Length - _at)
            {
                throw Invalid(Offset, string.Create(CultureInfo.InvariantCulture, $"the preprocessing section ends inside {what}"));
            }

            ReadOnlySpan<byte> span = bytes.AsSpan(_at, count);
            _at += count;
            return span;
        }
    }

    private static void Apply<T>(INetwork<T> into, Contents<T> contents) where T : unmanaged, IFloatingPointIeee754<T>
    {
        contents.Parameters.CopyTo(into.Parameters);
        contents.State.CopyTo(into.State);
        into.RandomState = contents.RandomState;
        into.ZeroGradients();
    }

    private sealed record Header(NetworkSpec Spec, Precision Precision, int ParameterCount, int StateCount, int Version, int PreprocessingLength);

    private sealed record Contents<T>(NetworkSpec Spec, T[] Parameters, T[] State, ulong RandomState, Preprocessing Preprocessing);
}
