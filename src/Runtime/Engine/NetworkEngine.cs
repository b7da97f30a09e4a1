using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace NetGen;

/// <summary>
/// Everything a generated network does that is not its own math, written once: shape checks, tiles, workspaces, the
/// SIMD-across-samples path, the two-core split with its fixed reduction order, the fused SGD step and the transposed
/// weight copies. The generated type owns one engine and forwards <see cref="INetwork{T}"/> and
/// <see cref="ISgdStep{T}"/> to it; <typeparamref name="TKernels"/> (a struct the generator writes) supplies the
/// network's sizes and its forward and backward pass, and the JIT compiles this class once per network with every
/// kernel call direct.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> <see cref="Forward"/> and <see cref="ForwardBatch"/> may be called from many threads at once on
/// one instance: each call takes a workspace of its own and only reads the parameters. Calls of up to 8 rows use the
/// calling thread's own small workspace (one per thread and network type, at most 8 rows of buffers); larger ones take
/// one of a few cached per instance (an atomic exchange), or a new one while every cached one is held. Training (<see cref="Backward"/>, <see cref="BackwardBatch"/>, <see cref="TrainStep"/>,
/// writes to <see cref="Parameters"/>) is single-writer: no other call may run on the instance meanwhile.</para>
/// <para><b>Two cores.</b> A batch of at least the network's threshold is computed as two halves, the second on
/// <see cref="SecondCore"/>'s worker thread, each into its own gradients, added in a fixed order: the result is bit for bit the same whether
/// the halves ran in parallel or one after the other (<see cref="Parallelism.Enabled"/>).</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <typeparam name="TKernels">The generated network's kernels.</typeparam>
public sealed class NetworkEngine<T, TKernels> : ITrainingOutputs<T>, ITrainingEngine<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TKernels : struct, INetworkKernels<T>
{
    /// <summary>Training batches of at least this many rows go through the transposed weight copies (4-row blocks).</summary>
    private const int TransposeRows = 4;

    /// <summary>Inference calls of at most this many rows use the calling thread's own small workspace (no atomic exchange).</summary>
    private const int SmallRows = 8;

    /// <summary>
    /// The calling thread's workspace for small inference calls, one per thread and network type: never more than
    /// <see cref="SmallRows"/> rows of buffers (a lane network needs none: its kernels read and write the caller's rows).
    /// </summary>
    [ThreadStatic]
    private static Workspace<T>? t_smallWork;

    private readonly T[] _parameters = new T[TKernels.ParameterLength];
    private readonly T[] _gradients = new T[TKernels.ParameterLength];
    private readonly T[] _state = new T[TKernels.StateLength];
    private readonly T[] _transposed = new T[TKernels.TransposedLength];
    private readonly Workspace<T> _work = new(TKernels.BufferWidths);
    private readonly Workspace<T>?[] _spareWork = new Workspace<T>?[Math.Clamp(Environment.ProcessorCount, 2, 16)];   // inference workspaces, each taken by one call at a time
    private Half? _trainingHalf;        // the second core's half of large training batches, made on first use
    private Half? _inferenceHalf;       // likewise for inference, taken by one call at a time
    private int _inferenceHalfMade;
    private ulong _randomState;
    private T[] _trainingOutputs = [];   // a^L of the last training call, when KeepTrainingOutputs is on
    private int _trainingOutputLength;
    private bool _deferInputLayer;       // during BackwardDeferringInputLayer: the tiles leave W1 and b1 to the optimizer
    private int _deferredRows0, _deferredRows1;
    private int _foldedFrom = -1;        // the last BackwardBatch folded the halves' gradients from this index (-1: it ran on one core)
    private double _foldedMax;           // … and max |Σ| of what the fold wrote
    private T[] _columnSums = [];

    /// <summary>Where layer 1's weights and biases are, and where the other blocks start; Out = 0 when the kernels cannot defer them.</summary>
    private static readonly (int W, int B, int Out, int After) s_inputLayer = FindInputLayer();

    /// <summary>
    /// Creates the engine with every parameter 0 (a network whose own constructor does not chain to a generated one keeps
    /// them so); <see cref="Initialize"/> draws the weights.
    /// </summary>
    public NetworkEngine()
    {
    }

    /// <summary>Draws the weights with <paramref name="initializer"/> from <paramref name="seed"/> (biases 0) and resets the dropout key.</summary>
    public void Initialize(int seed, Initializer initializer)
    {
        Initializers.Initialize<T>(TKernels.Spec, _parameters, _state, initializer, seed);
        _randomState = Initializers.InitialRandomState(seed);
    }

    /// <summary>θ: W1, b1, W2, b2, … in the layout of the generated constants.</summary>
    public Span<T> Parameters => _parameters;

    /// <summary>∂C/∂θ, accumulated by the training calls.</summary>
    public Span<T> Gradients => _gradients;

    /// <summary>The running statistics of batch normalization.</summary>
    public Span<T> State => _state;

    /// <summary>The dropout key of the next training call.</summary>
    public ulong RandomState { get => _randomState; set => _randomState = value; }

    private static int VectorWidth => Vector<T>.Count;

    /// <inheritdoc />
    public bool KeepTrainingOutputs { get; set; }

    /// <inheritdoc />
    public ReadOnlySpan<T> TrainingOutputs => _trainingOutputs.AsSpan(0, _trainingOutputLength);

    /// <summary>a^L for one sample, in inference mode. Safe to call concurrently.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output)
    {
        RequireRow(input.Length, output.Length, nameof(output), "The output");
        if (TKernels.HasLanes)
        {
            // one row on a scalar lane: the lane kernel reads x and writes a^L in place, with no workspace
            TKernels.LanesForward<ScalarLane<T>>(_parameters, input, output, 1);
            return;
        }

        Workspace<T> ws = t_smallWork ??= new Workspace<T>(TKernels.BufferWidths);
        ws.EnsureRows(1);
        TKernels.Forward(new Tile<T>(_parameters, _state, ws, default, input, default, 1, false, 0, 0));
        ws[TKernels.OutputSlot].Slice(0, TKernels.OutputSize).CopyTo(output);
    }

    /// <summary>a^L for a row-major batch, in inference mode. Safe to call concurrently.</summary>
    public void ForwardBatch(ReadOnlySpan<T> inputs, Span<T> outputs)
    {
        int count = Rows(inputs.Length, outputs.Length, nameof(outputs));
        if (TKernels.HasLanes && count == 1)
        {
            TKernels.LanesForward<ScalarLane<T>>(_parameters, inputs, outputs, 1);
            return;
        }

        if (TKernels.HasLanes && count < TKernels.ParallelInferenceRows)
        {
            // a lane network keeps no buffers: its kernel reads and writes the caller's rows, no workspace to take
            ForwardLaneRows(inputs, outputs, count);
            return;
        }

        if (count <= SmallRows && count < TKernels.ParallelInferenceRows)
        {
            // a few rows: the thread's own workspace, no exchange with other callers
            ForwardRows(t_smallWork ??= new Workspace<T>(TKernels.BufferWidths), inputs, outputs, count);
            return;
        }

        Workspace<T> ws = TakeWork();
        Half? half = count >= TKernels.ParallelInferenceRows ? TakeInferenceHalf() : null;
        if (half is not null)
        {
            // two halves, the second on another core
            half.Begin(ws, training: false, _gradients, 0, false);
            half.Runner.Run(inputs, default, outputs, Parallelism.Enabled);
            Volatile.Write(ref _inferenceHalf, half);
        }
        else
        {
            // one core: also while another call holds the second core's half
            ForwardRows(ws, inputs, outputs, count);
        }

        ReturnWork(ws);
    }

    /// <summary>Adds ∂C/∂θ of one sample to <see cref="Gradients"/> (training mode); returns its loss.</summary>
    public T Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> target)
    {
        RequireRow(input.Length, target.Length, nameof(target), "The target");
        _foldedFrom = -1;
        KeepOutputs(1);
        if (TKernels.HasLanes)
        {
            return TKernels.LanesBackward<ScalarLane<T>>(_parameters, _gradients, input, target, KeptOutputs(0, 1), 1, T.One);
        }

        _work.EnsureRows(1);
        ulong key = NextKey();
        var tile = new Tile<T>(_parameters, _state, _work, default, input, target, 1, true, key, 0);
        TKernels.Forward(tile);
        KeepTileOutputs(_work, 0, 1);
        return TKernels.Backward(tile, _gradients, T.One);
    }

    /// <summary>Adds ∂C/∂θ summed over a row-major batch to <see cref="Gradients"/>; returns the summed loss.</summary>
    public T BackwardBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets)
    {
        int count = Rows(inputs.Length, targets.Length, nameof(targets));
        _foldedFrom = -1;
        KeepOutputs(count);
        if (TKernels.HasLanes && count == 1)
        {
            return TKernels.LanesBackward<ScalarLane<T>>(_parameters, _gradients, inputs, targets, KeptOutputs(0, 1), 1, T.One);
        }

        ulong key = NextKey();
        bool transposed = PrepareTransposed(count);
        if (!TKernels.HasBatchNorm && count >= TKernels.ParallelTrainingRows)
        {
            // Two halves, the second on another core, each with its own gradients, added in a fixed order:
            // the result is the same bit for bit whether the halves ran in parallel or one after the other.
            // The second half's gradients are zero between calls: folded into the first's and cleared in one pass.
            Half half = _trainingHalf ??= new Half(this);
            half.Begin(_work, training: true, _gradients, key, transposed);
            if (half.GradientsDirty)
            {
                half.Gradients.AsSpan().Clear();   // only after a call that threw between the halves and the fold
            }

            half.GradientsDirty = true;
            var (first, second) = half.Runner.Run(inputs, targets, default, Parallelism.Enabled);
            int from = _deferInputLayer ? s_inputLayer.After : 0;   // a deferred call leaves W1 and b1 zero in both
            _foldedMax = TwoCorePasses.AddAndClear<T>(_gradients.AsSpan(from), half.Gradients.AsSpan(from));
            _foldedFrom = from;
            half.GradientsDirty = false;
            return first + second;
        }

        return BackwardRows(_work, _gradients, inputs, targets, count, 0, key, transposed);
    }

    private static (int W, int B, int Out, int After) FindInputLayer()
    {
        if (TKernels.InputDeltaSlot < 0 || TKernels.HasLanes || TKernels.HasBatchNorm)
        {
            return default;
        }

        ParameterBlock? weights = null, biases = null;
        int rest = 0, others = int.MaxValue;
        foreach (ParameterBlock block in TKernels.Spec.Layout)
        {
            if (block.Layer == 1)
            {
                rest = Math.Max(rest, block.Offset + block.Length);
                if (block.Kind == ParameterKind.Weights)
                {
                    weights = block;
                }
                else if (block.Kind == ParameterKind.Bias)
                {
                    biases = block;
                }
            }
            else
            {
                others = Math.Min(others, block.Offset);
            }
        }

        // Only a plain dense first layer whose blocks come before every other one (θ = W1, b1, …).
        return weights is { } w && biases is { } b && w.Rows == TKernels.InputSize && b.Length == w.Columns && others >= rest
            ? (w.Offset, b.Offset, w.Columns, rest)
            : default;
    }

    /// <summary>The rows of each part of a training batch of <paramref name="count"/> rows: the first core's and the second's (0 when it is not split).</summary>
    private static (int First, int Second) Parts(int count)
    {
        if (!TKernels.HasBatchNorm && count >= TKernels.ParallelTrainingRows)
        {
            int split = count / 2 / 8 * 8;
            return (split, count - split);
        }

        return (count, 0);
    }

    bool ITrainingEngine<T>.CanDeferInputLayer(int rows)
    {
        (int first, int second) = Parts(rows);
        return s_inputLayer.Out > 0 && rows > 0 && first <= TKernels.TileRows && second <= TKernels.TileRows;
    }

    T ITrainingEngine<T>.BackwardDeferringInputLayer(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets)
    {
        int count = Rows(inputs.Length, targets.Length, nameof(targets));
        if (!((ITrainingEngine<T>)this).CanDeferInputLayer(count))
        {
            throw new InvalidOperationException($"A batch of {count} rows cannot leave the first layer's gradients to the optimizer.");
        }

        TwoCorePasses.Clear<T>(_gradients.AsSpan(s_inputLayer.After));
        (_deferredRows0, _deferredRows1) = (0, 0);
        _deferInputLayer = true;
        try
        {
            T loss = BackwardBatch(inputs, targets);
            (_deferredRows0, _deferredRows1) = Parts(count);
            return loss;
        }
        finally
        {
            _deferInputLayer = false;
        }
    }

    InputLayerGradients<T> ITrainingEngine<T>.DeferredInputLayer(ReadOnlySpan<T> inputs)
    {
        if (_deferredRows0 == 0 || inputs.Length != (_deferredRows0 + _deferredRows1) * TKernels.InputSize)
        {
            throw new InvalidOperationException("No deferred first-layer gradients of these inputs.");
        }

        int slot = TKernels.InputDeltaSlot;
        ReadOnlySpan<T> second = _deferredRows1 > 0 ? _trainingHalf!.Work[slot] : default;
        return new InputLayerGradients<T>(inputs, _work[slot], _deferredRows0, second, _deferredRows1,
            TKernels.InputSize, s_inputLayer.Out, s_inputLayer.W, s_inputLayer.B);
    }

    bool ITrainingEngine<T>.TryFoldedMaxMagnitude(int from, out double max)
    {
        max = _foldedMax;
        return _foldedFrom >= 0 && _foldedFrom == from;
    }

    double ITrainingEngine<T>.DeferredDeltaBound()
    {
        int n = s_inputLayer.Out, slot = TKernels.InputDeltaSlot;
        if (_columnSums.Length != n)
        {
            _columnSums = new T[n];
        }

        Span<T> sums = _columnSums;
        sums.Clear();
        AddMagnitudes(_work[slot].Slice(0, _deferredRows0 * n), sums);
        if (_deferredRows1 > 0)
        {
            AddMagnitudes(_trainingHalf!.Work[slot].Slice(0, _deferredRows1 * n), sums);
        }

        return FusedUpdate.MaxMagnitude<T>(sums);

        static void AddMagnitudes(ReadOnlySpan<T> delta, Span<T> sums)
        {
            for (int s = 0; s < delta.Length; s += sums.Length)
            {
                ReadOnlySpan<T> row = delta.Slice(s, sums.Length);
                int j = 0;
                if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
                {
                    for (; j <= sums.Length - Vector<T>.Count; j += Vector<T>.Count)
                    {
                        (new Vector<T>(sums.Slice(j)) + Vector.Abs(new Vector<T>(row.Slice(j)))).CopyTo(sums.Slice(j));
                    }
                }

                for (; j < sums.Length; j++)
                {
                    sums[j] += T.Abs(row[j]);
                }
            }
        }
    }

    /// <summary>Sets <see cref="Gradients"/> to zero.</summary>
    public void ZeroGradients()
    {
        _foldedFrom = -1;
        TwoCorePasses.Clear<T>(_gradients);
    }

    /// <summary>
    /// θ ← θ − (η/B) Σ ∂C/∂θ. A batch that fits one tile and one core is fused: the forward pass runs, then each layer from
    /// the output down computes δ^{l−1} with the old W^l and then writes θ += (−η/B) ∂C/∂θ straight into the parameters —
    /// one pass over the weights instead of zeroing, accumulating and re-reading a gradient buffer. Larger batches take
    /// the same steps through <see cref="Gradients"/>.
    /// </summary>
    public T TrainStep(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, T learningRate)
    {
        int count = Rows(inputs.Length, targets.Length, nameof(targets));
        if (count == 0)
        {
            return T.Zero;
        }

        KeepOutputs(count);
        T scale = -learningRate / T.CreateTruncating(count);
        if (count > TKernels.TileRows || count >= TKernels.ParallelTrainingRows)
        {
            ZeroGradients();
            T total = BackwardBatch(inputs, targets);
            VectorMath.AddScaled<T>(_parameters, _gradients, scale);
            return total;
        }

        ulong key = NextKey();
        if (TKernels.HasLanes)
        {
            // One lane-kernel call reads every weight before it writes the step into the parameters: a batch of whole
            // vectors, or one shorter than a vector. A batch with both goes through the gradients.
            int whole = count - count % VectorWidth;
            if (whole == count)
            {
                return BackwardLanes<VectorLane<T>>(_parameters, inputs, targets, 0, count, scale);
            }

            if (whole == 0)
            {
                return BackwardLanes<ScalarLane<T>>(_parameters, inputs, targets, 0, count, scale);
            }

            ZeroGradients();
            T sum = BackwardRows(_work, _gradients, inputs, targets, count, 0, key, false);
            VectorMath.AddScaled<T>(_parameters, _gradients, scale);
            return sum;
        }

        bool transposed = PrepareTransposed(count);
        _work.EnsureRows(count);
        var tile = new Tile<T>(_parameters, _state, _work, transposed ? _transposed : default, inputs, targets, count, true, key, 0);
        TKernels.Forward(tile);
        KeepTileOutputs(_work, 0, count);
        return TKernels.Backward(tile, _parameters, scale);
    }

    /// <summary>
    /// The rows of a batch, checked against its partner: inlined, so that the sizes are constants (a division by a
    /// constant is a multiply), with <see cref="Shapes.BatchCount"/> called only to throw its message.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Rows(int inputLength, int otherLength, string otherParameter)
    {
        int count = inputLength / TKernels.InputSize;
        if (count * TKernels.InputSize != inputLength || otherLength != (long)count * TKernels.OutputSize)
        {
            return Shapes.BatchCount(inputLength, TKernels.InputSize, otherLength, TKernels.OutputSize, otherParameter);
        }

        return count;
    }

    /// <summary>Checks one sample's spans (inlined: two compares), with <see cref="Shapes.RequireLength"/> called only to throw its message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RequireRow(int inputLength, int otherLength, string otherParameter, string other)
    {
        if (inputLength != TKernels.InputSize || otherLength != TKernels.OutputSize)
        {
            Shapes.RequireLength(inputLength, TKernels.InputSize, "input", "The input");
            Shapes.RequireLength(otherLength, TKernels.OutputSize, otherParameter, other);
        }
    }

    private ulong NextKey()
    {
        if (!TKernels.HasDropout)
        {
            return 0;
        }

        ulong key = _randomState;
        _randomState = DropoutMask.Next(key);
        return key;
    }

    private bool PrepareTransposed(int count)
    {
        if (TKernels.TransposedLength == 0 || count < TransposeRows)
        {
            return false;
        }

        TKernels.TransposeWeights(_parameters, _transposed);
        return true;
    }

    /// <summary>
    /// A workspace for one inference call: the first cached one no other call holds (an atomic exchange per slot tried), or
    /// a new one when every slot is taken. One thread alone always finds slot 0, and as many callers as slots allocate
    /// nothing once warm.
    /// </summary>
    private Workspace<T> TakeWork()
    {
        Workspace<T>?[] spares = _spareWork;
        for (int i = 0; i < spares.Length; i++)
        {
            if (Interlocked.Exchange(ref spares[i], null) is { } ws)
            {
                return ws;
            }
        }

        return new Workspace<T>(TKernels.BufferWidths);
    }

    /// <summary>Puts a workspace back into the first empty slot (dropped only when every slot is full).</summary>
    private void ReturnWork(Workspace<T> ws)
    {
        Workspace<T>?[] spares = _spareWork;
        for (int i = 0; i < spares.Length; i++)
        {
            if (Volatile.Read(ref spares[i]) is null && Interlocked.CompareExchange(ref spares[i], ws, null) is null)
            {
                return;
            }
        }
    }

    private Half? TakeInferenceHalf()
    {
        Half? half = Interlocked.Exchange(ref _inferenceHalf, null);
        if (half is null && Interlocked.CompareExchange(ref _inferenceHalfMade, 1, 0) == 0)
        {
            half = new Half(this);
        }

        return half;
    }

    /// <summary>Inference over <paramref name="count"/> rows in tiles (through the lane kernels: whole vectors of rows, then one row per lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // a small network's single-row calls cost little more than the call overhead
    private void ForwardRows(Workspace<T> ws, ReadOnlySpan<T> inputs, Span<T> outputs, int count)
    {
        if (TKernels.HasLanes)
        {
            ForwardLaneRows(inputs, outputs, count);
            return;
        }

        int n = TKernels.InputSize, m = TKernels.OutputSize;
        for (int first = 0; first < count; first += TKernels.TileRows)
        {
            int rows = Math.Min(TKernels.TileRows, count - first);
            ws.EnsureRows(rows);
            TKernels.Forward(new Tile<T>(_parameters, _state, ws, default, inputs.Slice(first * n, rows * n), default, rows, false, 0, first));
            ws[TKernels.OutputSlot].Slice(0, rows * m).CopyTo(outputs.Slice(first * m));
        }
    }

    /// <summary>Training over <paramref name="count"/> rows (row <paramref name="firstRow"/> of the batch onwards, for the dropout masks): adds ∂C/∂θ to <paramref name="g"/>, returns the summed loss.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // a small network's single-row calls cost little more than the call overhead
    private T BackwardRows(Workspace<T> ws, Span<T> g, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, int firstRow, ulong key, bool transposed)
    {
        int n = TKernels.InputSize, m = TKernels.OutputSize;
        T loss = T.Zero;
        // Batch normalization couples the samples of a batch, so the whole batch is one tile.
        int tileRows = TKernels.HasBatchNorm ? Math.Max(count, 1) : TKernels.TileRows;
        for (int first = 0; first < count; first += tileRows)
        {
            int rows = Math.Min(tileRows, count - first);
            if (TKernels.HasLanes)
            {
                int lanes = rows - rows % VectorWidth;
                if (lanes > 0)
                {
                    loss += BackwardLanes<VectorLane<T>>(g, inputs.Slice(first * n, lanes * n), targets.Slice(first * m, lanes * m), firstRow + first, lanes, T.One);
                }

                if (rows > lanes)
                {
                    loss += BackwardLanes<ScalarLane<T>>(g, inputs.Slice((first + lanes) * n, (rows - lanes) * n), targets.Slice((first + lanes) * m, (rows - lanes) * m), firstRow + first + lanes, rows - lanes, T.One);
                }

                continue;
            }

            ws.EnsureRows(rows);
            var tile = new Tile<T>(_parameters, _state, ws, transposed ? _transposed : default, inputs.Slice(first * n, rows * n),
                targets.Slice(first * m, rows * m), rows, true, key, firstRow + first, _deferInputLayer);
            TKernels.Forward(tile);
            KeepTileOutputs(ws, firstRow + first, rows);
            loss += TKernels.Backward(tile, g, T.One);
        }

        return loss;
    }

    /// <summary>Inference over <paramref name="count"/> rows through the lane kernels, a tile at a time: whole vectors of rows, then the rest one lane each.</summary>
    private void ForwardLaneRows(ReadOnlySpan<T> inputs, Span<T> outputs, int count)
    {
        int n = TKernels.InputSize, m = TKernels.OutputSize;
        for (int first = 0; first < count; first += TKernels.TileRows)
        {
            int rows = Math.Min(TKernels.TileRows, count - first);
            int lanes = rows - rows % VectorWidth;
            if (lanes > 0)
            {
                ForwardLanes<VectorLane<T>>(inputs.Slice(first * n, lanes * n), outputs.Slice(first * m, lanes * m), lanes);
            }

            if (rows > lanes)
            {
                ForwardLanes<ScalarLane<T>>(inputs.Slice((first + lanes) * n, (rows - lanes) * n), outputs.Slice((first + lanes) * m, (rows - lanes) * m), rows - lanes);
            }
        }
    }

    /// <summary>a^L of <paramref name="rows"/> rows through the lane kernel over <typeparamref name="V"/>, which reads the row-major inputs and writes the row-major outputs itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardLanes<V>(ReadOnlySpan<T> x, Span<T> o, int rows) where V : struct, ILane<V, T> =>
        TKernels.LanesForward<V>(_parameters, x, o, rows);

    /// <summary>
    /// Adds <paramref name="scale"/> · ∂C/∂θ of <paramref name="rows"/> rows (row <paramref name="firstRow"/> of the batch
    /// onwards) to <paramref name="g"/> through the lane kernel over <typeparamref name="V"/>; returns the summed loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T BackwardLanes<V>(Span<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int firstRow, int rows, T scale) where V : struct, ILane<V, T> =>
        TKernels.LanesBackward<V>(_parameters, g, x, y, KeptOutputs(firstRow, rows), rows, scale);

    /// <summary>Sizes <see cref="TrainingOutputs"/> for a training call of <paramref name="count"/> rows (empty while not kept).</summary>
    private void KeepOutputs(int count)
    {
        if (!KeepTrainingOutputs)
        {
            _trainingOutputLength = 0;
            return;
        }

        int length = checked(count * TKernels.OutputSize);
        if (_trainingOutputs.Length < length)
        {
            _trainingOutputs = new T[length];
        }

        _trainingOutputLength = length;
    }

    /// <summary>Where the outputs of rows [<paramref name="firstRow"/>, + <paramref name="rows"/>) of this call are kept; empty while not kept.</summary>
    private Span<T> KeptOutputs(int firstRow, int rows) =>
        _trainingOutputLength == 0 ? default : _trainingOutputs.AsSpan(firstRow * TKernels.OutputSize, rows * TKernels.OutputSize);

    /// <summary>Copies a^L of a tile the tile pass just computed into the kept outputs.</summary>
    private void KeepTileOutputs(Workspace<T> ws, int firstRow, int rows)
    {
        if (_trainingOutputLength != 0)
        {
            ws[TKernels.OutputSlot].Slice(0, rows * TKernels.OutputSize).CopyTo(KeptOutputs(firstRow, rows));
        }
    }

    /// <summary>
    /// The two halves of a large batch: rows [0, split) on the calling thread into the caller's workspace and gradients,
    /// rows [split, count) on another core into this object's. split is half the batch, a multiple of 8.
    /// </summary>
    private sealed class Half : IPairedWork<T>
    {
        private readonly NetworkEngine<T, TKernels> _engine;
        private Workspace<T> _first = null!;
        private T[] _firstGradients = [];
        private bool _training, _transposed;
        private ulong _key;

        public Half(NetworkEngine<T, TKernels> engine)
        {
            _engine = engine;
            Runner = new PairRunner<T>(this);
        }

        public PairRunner<T> Runner { get; }

        /// <summary>The second part's workspace (δ1 of a deferred call stays in it).</summary>
        public Workspace<T> Work { get; } = new(TKernels.BufferWidths);

        public T[] Gradients { get; } = new T[TKernels.ParameterLength];

        /// <summary>Whether <see cref="Gradients"/> may hold values of an unfinished call (it is all zero otherwise).</summary>
        public bool GradientsDirty { get; set; }

        public void Begin(Workspace<T> first, bool training, T[] firstGradients, ulong key, bool transposed)
        {
            _first = first;
            _training = training;
            _firstGradients = firstGradients;
            _key = key;
            _transposed = transposed;
        }

        public T RunPart(int part, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, Span<T> outputs)
        {
            int n = TKernels.InputSize, m = TKernels.OutputSize;
            int count = inputs.Length / n;
            int split = count / 2 / 8 * 8;
            int first = part == 0 ? 0 : split, rows = part == 0 ? split : count - split;
            Workspace<T> ws = part == 0 ? _first : Work;
            if (_training)
            {
                return _engine.BackwardRows(ws, part == 0 ? _firstGradients : Gradients, inputs.Slice(first * n, rows * n),
                    targets.Slice(first * m, rows * m), rows, first, _key, _transposed);
            }

            _engine.ForwardRows(ws, inputs.Slice(first * n, rows * n), outputs.Slice(first * m, rows * m), rows);
            return T.Zero;
        }
    }
}
