using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Numerics;

namespace NetGen;

/// <summary>
/// A trained network with its <see cref="NetGen.Preprocessing"/>: predictions on raw feature rows, in the targets'
/// original units or as class labels. Load one from a self-contained model file
/// (<see cref="Load(string, bool)"/>), or pair a network in memory with the scaling it was trained with.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// For each raw row x: x′ = (x − offset) / scale with <see cref="Preprocessing.InputScaling"/> (exactly the
/// arithmetic of <see cref="FeatureScaler.TransformInPlace{T}(Span{T})"/>, so a row scaled at training time and the
/// same raw row here give the same bits), then a^L = <see cref="INetwork{T}.Forward"/>(x′), then
/// y = a^L · scale + offset with <see cref="Preprocessing.TargetScaling"/>. A class is argmax_j a^L_j (the first
/// maximum), or a^L ≥ 0.5 for a single output; <see cref="Preprocessing.ClassLabels"/> names it.
/// </para>
/// <para>
/// Thread safety: a predictor keeps no scratch of its own. The scaled row lives on the stack (up to
/// <see cref="StackValues"/> values) or in a buffer rented for the call, or in one the caller passes, so one
/// predictor can serve any number of threads at once exactly as far as its network's <see cref="INetwork{T}.Forward"/>
/// and <see cref="INetwork{T}.ForwardBatch"/> can. Training the network while it serves is not safe.
/// </para>
/// <para>
/// Allocation: <see cref="Predict(ReadOnlySpan{T}, Span{T})"/>, <see cref="PredictClass"/> and
/// <see cref="PredictBatch(ReadOnlySpan{T}, Span{T}, Span{T})"/> allocate nothing; the batch methods without a scratch
/// argument rent from <see cref="ArrayPool{T}.Shared"/> and return the buffer before they return.
/// </para>
/// </remarks>
public sealed class Predictor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows up to this many values are scaled in a stack buffer (1 KiB of floats, 2 KiB of doubles).</summary>
    public const int StackValues = 256;

    /// <summary>Pairs a network with its preprocessing.</summary>
    /// <param name="network">The trained network (generated or <see cref="GenericNetwork{T}"/>).</param>
    /// <param name="preprocessing">The preprocessing it was trained with; null for none (raw rows in, raw outputs out).</param>
    /// <exception cref="ArgumentException">The preprocessing does not fit the network's input or output size.</exception>
    public Predictor(INetwork<T> network, Preprocessing? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ValueCodec.PrecisionOf<T>();
        NetworkSpec spec = network.Spec ?? throw new ArgumentException("The network has no Spec.", nameof(network));
        preprocessing ??= Preprocessing.None;
        preprocessing.CheckFits(spec, nameof(preprocessing));
        Network = network;
        Preprocessing = preprocessing;
    }

    /// <summary>The network.</summary>
    public INetwork<T> Network { get; }

    /// <summary>The scaling, labels and metadata applied around the network.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>Raw features per row.</summary>
    public int InputSize => Network.InputSize;

    /// <summary>Outputs per row.</summary>
    public int OutputSize => Network.OutputSize;

    /// <summary>
    /// Loads a self-contained model file into a new <see cref="GenericNetwork{T}"/> with the preprocessing stored in it
    /// (none for a file of format version 1).
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="convertPrecision">Whether a file of the other precision is accepted (see <see cref="ModelFile.Load{T}(INetwork{T}, string, bool)"/>).</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file, or its precision is not T's.</exception>
    public static Predictor<T> Load(string path, bool convertPrecision = false)
    {
        (GenericNetwork<T> network, Preprocessing preprocessing) = ModelFile.LoadGenericWithPreprocessing<T>(path, convertPrecision);
        return new Predictor<T>(network, preprocessing);
    }

    /// <summary>Loads one model from a stream (see <see cref="Load(string, bool)"/>); the stream is left just after the model.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="convertPrecision">Whether a model of the other precision is accepted.</param>
    /// <exception cref="ModelFormatException">The stream does not hold a valid model, or its precision is not T's.</exception>
    public static Predictor<T> Load(Stream stream, bool convertPrecision = false)
    {
        (GenericNetwork<T> network, Preprocessing preprocessing) = ModelFile.LoadGenericWithPreprocessing<T>(stream, convertPrecision);
        return new Predictor<T>(network, preprocessing);
    }

    /// <summary>
    /// Loads a model file into <paramref name="into"/> (a generated network of the stored topology, say) and pairs it
    /// with the preprocessing stored in the file. On any error the network is unchanged.
    /// </summary>
    /// <param name="into">The network to load into; its topology and loss must be those stored.</param>
    /// <param name="path">The model file.</param>
    /// <param name="convertPrecision">Whether a file of the other precision is accepted.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file or does not fit the network.</exception>
    public static Predictor<T> Load(INetwork<T> into, string path, bool convertPrecision = false)
    {
        Preprocessing preprocessing = ModelFile.LoadWithPreprocessing(into, path, convertPrecision);
        return new Predictor<T>(into, preprocessing);
    }

    /// <summary>Saves the network with its preprocessing as one self-contained model file, atomically.</summary>
    /// <param name="path">The model file; its directory must exist.</param>
    public void Save(string path) => ModelFile.Save(Network, path, Preprocessing);

    /// <summary>Writes the network with its preprocessing to a stream.</summary>
    /// <param name="stream">A writable stream, left open.</param>
    public void Save(Stream stream) => ModelFile.Save(Network, stream, Preprocessing);

    /// <summary>Exports an ONNX model that takes raw rows: the input scaling is part of the graph, the class labels are in its metadata (see <see cref="OnnxExport"/>).</summary>
    /// <param name="path">The .onnx file; its directory must exist.</param>
    public void ExportOnnx(string path) => OnnxExport.Export(Network, path, Preprocessing);

    /// <summary>Predicts one raw row: the network's outputs, in the targets' original units when there is target scaling.</summary>
    /// <param name="row"><see cref="InputSize"/> raw features.</param>
    /// <param name="output"><see cref="OutputSize"/> values, overwritten.</param>
    public void Predict(ReadOnlySpan<T> row, Span<T> output)
    {
        CheckRow(row, nameof(row));
        CheckLength(output.Length, OutputSize, "output");
        Forward(row, output);
        Preprocessing.TargetScaling?.InverseTransformInPlace(output);
    }

    /// <summary>Predicts one raw row into a new array (see <see cref="Predict(ReadOnlySpan{T}, Span{T})"/>).</summary>
    /// <param name="row"><see cref="InputSize"/> raw features.</param>
    public T[] Predict(ReadOnlySpan<T> row)
    {
        var output = new T[OutputSize];
        Predict(row, output);
        return output;
    }

    /// <summary>Predicts a row-major batch of raw rows, scaling them in a buffer rented for the call.</summary>
    /// <param name="rows">count·<see cref="InputSize"/> raw features.</param>
    /// <param name="outputs">count·<see cref="OutputSize"/> values, overwritten.</param>
    public void PredictBatch(ReadOnlySpan<T> rows, Span<T> outputs)
    {
        int count = CheckBatch(rows, outputs.Length);
        if (Preprocessing.InputScaling is null)
        {
            PredictBatch(rows, outputs, []);
            return;
        }

        T[] rented = ArrayPool<T>.Shared.Rent(count * InputSize);
        try
        {
            PredictBatch(rows, outputs, rented);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Predicts a row-major batch of raw rows, scaling them in the caller's <paramref name="scratch"/>: no allocation.</summary>
    /// <param name="rows">count·<see cref="InputSize"/> raw features.</param>
    /// <param name="outputs">count·<see cref="OutputSize"/> values, overwritten.</param>
    /// <param name="scratch">At least count·<see cref="InputSize"/> values, overwritten (unused, and may be empty, without input scaling); must not overlap <paramref name="rows"/>.</param>
    public void PredictBatch(ReadOnlySpan<T> rows, Span<T> outputs, Span<T> scratch)
    {
        int count = CheckBatch(rows, outputs.Length);
        ReadOnlySpan<T> inputs = rows;
        if (Preprocessing.InputScaling is { } scaling)
        {
            if (scratch.Length < rows.Length)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The scratch buffer has {scratch.Length} values; {count} rows of {InputSize} features need {rows.Length}."), nameof(scratch));
            }

            if (rows.Overlaps(scratch))
            {
                throw new ArgumentException("The scratch buffer overlaps the rows.", nameof(scratch));
            }

            Span<T> scaled = scratch.Slice(0, rows.Length);
            rows.CopyTo(scaled);
            scaling.TransformInPlace(scaled);
            inputs = scaled;
        }

        Network.ForwardBatch(inputs, outputs.Slice(0, count * OutputSize));
        Preprocessing.TargetScaling?.InverseTransformInPlace(outputs);
    }

    /// <summary>The class of one raw row: argmax of the outputs (the first maximum), or output ≥ 0.5 for a single output.</summary>
    /// <param name="row"><see cref="InputSize"/> raw features.</param>
    public int PredictClass(ReadOnlySpan<T> row)
    {
        CheckRow(row, nameof(row));
        int n = OutputSize;
        T[]? rented = n > StackValues ? ArrayPool<T>.Shared.Rent(n) : null;
        try
        {
            Span<T> output = rented is null ? stackalloc T[n] : rented.AsSpan(0, n);
            Forward(row, output);
            return ClassOf(output);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The class of each raw row of a row-major batch (see <see cref="PredictClass"/>).</summary>
    /// <param name="rows">count·<see cref="InputSize"/> raw features.</param>
    /// <param name="classes">count values, overwritten.</param>
    public void PredictClasses(ReadOnlySpan<T> rows, Span<int> classes)
    {
        int count = CheckBatch(rows, -1);
        if (classes.Length != count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{count} rows need {count} classes, but {classes.Length} were given."), nameof(classes));
        }

        int n = OutputSize;
        T[] outputs = ArrayPool<T>.Shared.Rent(count * n);
        T[]? scratch = Preprocessing.InputScaling is null ? null : ArrayPool<T>.Shared.Rent(rows.Length);
        try
        {
            Span<T> o = outputs.AsSpan(0, count * n);
            ReadOnlySpan<T> inputs = rows;
            if (scratch is not null)
            {
                Span<T> scaled = scratch.AsSpan(0, rows.Length);
                rows.CopyTo(scaled);
                Preprocessing.InputScaling!.TransformInPlace(scaled);
                inputs = scaled;
            }

            Network.ForwardBatch(inputs, o);
            for (int s = 0; s < count; s++)
            {
                classes[s] = ClassOf(o.Slice(s * n, n));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(outputs);
            if (scratch is not null)
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>The class label of one raw row (see <see cref="PredictClass"/>).</summary>
    /// <param name="row"><see cref="InputSize"/> raw features.</param>
    /// <exception cref="InvalidOperationException">The preprocessing has no class labels.</exception>
    public string PredictLabel(ReadOnlySpan<T> row) => Labels()[PredictClass(row)];

    /// <summary>The class label of each raw row of a row-major batch.</summary>
    /// <param name="rows">count·<see cref="InputSize"/> raw features.</param>
    /// <exception cref="InvalidOperationException">The preprocessing has no class labels.</exception>
    public string[] PredictLabels(ReadOnlySpan<T> rows)
    {
        System.Collections.ObjectModel.ReadOnlyCollection<string> labels = Labels();
        var classes = new int[CheckBatch(rows, -1)];
        PredictClasses(rows, classes);
        var result = new string[classes.Length];
        for (int i = 0; i < classes.Length; i++)
        {
            result[i] = labels[classes[i]];
        }

        return result;
    }

    /// <summary>a^L of one raw row, scaled on the stack (or in a rented buffer for wide rows); no target scaling.</summary>
    private void Forward(ReadOnlySpan<T> row, Span<T> output)
    {
        if (Preprocessing.InputScaling is not { } scaling)
        {
            Network.Forward(row, output);
            return;
        }

        int m = InputSize;
        T[]? rented = m > StackValues ? ArrayPool<T>.Shared.Rent(m) : null;
        try
        {
            Span<T> scaled = rented is null ? stackalloc T[m] : rented.AsSpan(0, m);
            row.CopyTo(scaled);
            scaling.TransformInPlace(scaled);
            Network.Forward(scaled, output);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        }
    }

    private static int ClassOf(ReadOnlySpan<T> output) => Evaluation.ClassOf(output);

    private System.Collections.ObjectModel.ReadOnlyCollection<string> Labels() =>
        Preprocessing.ClassLabels ?? throw new InvalidOperationException(
            "The model has no class labels: save it with Preprocessing(classLabels: ...), or use PredictClass for the class index.");

    private void CheckRow(ReadOnlySpan<T> row, string name) => CheckLength(row.Length, InputSize, name);

    private static void CheckLength(int length, int expected, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} has {length} values; the model needs {expected}."), name);
        }
    }

    /// <summary>The row count of a batch, after checking that the rows and the output length (−1: not checked) agree.</summary>
    private int CheckBatch(ReadOnlySpan<T> rows, int outputLength)
    {
        if (rows.Length % InputSize != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{rows.Length} values are not a whole number of rows of {InputSize} features."), nameof(rows));
        }

        int count = rows.Length / InputSize;
        if (outputLength >= 0 && outputLength != count * OutputSize)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{count} rows need {count * OutputSize} outputs ({OutputSize} per row), but {outputLength} were given."), "outputs");
        }

        return count;
    }
}
