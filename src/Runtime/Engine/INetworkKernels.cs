using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// The network's own math, as a generated network hands it to <see cref="NetworkEngine{T, TKernels}"/>: its sizes, the
/// table its workspace is sized from, and the forward and backward pass over one tile of rows. The generated type
/// implements it with a private struct, so the JIT compiles the engine once per network with every member below a
/// direct (inlinable) call and every size a constant — no virtual call inside a step.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface INetworkKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The network's description (layers, loss, precision).</summary>
    static abstract NetworkSpec Spec { get; }

    /// <summary>The width of the input a^0 = x.</summary>
    static abstract int InputSize { get; }

    /// <summary>The width of the output a^L.</summary>
    static abstract int OutputSize { get; }

    /// <summary>The length of the parameter (and gradient) buffer.</summary>
    static abstract int ParameterLength { get; }

    /// <summary>The length of the batch-normalization state buffer (running means and variances).</summary>
    static virtual int StateLength => 0;

    /// <summary>
    /// Values per row of each workspace buffer of the tile passes, in slot order (z1, a1, δ1, …: the generated struct names
    /// the slots); none for a network with <see cref="HasLanes"/>, whose quantities live in registers.
    /// </summary>
    static virtual ReadOnlySpan<int> BufferWidths => [];

    /// <summary>
    /// The workspace slot that holds δ1 after <see cref="Backward"/> when the input layer's gradients are left to the
    /// optimizer (<see cref="Tile{T}.DefersInputLayer"/>); −1 when the network cannot leave them out (a first layer
    /// written out in full, batch normalization, dropout on the input, lane kernels).
    /// </summary>
    static virtual int InputDeltaSlot => -1;

    /// <summary>The workspace slot that holds a^L after <see cref="Forward"/>.</summary>
    static virtual int OutputSlot => 0;

    /// <summary>The most rows one tile holds (fewer than 256 only for very wide networks, so each buffer stays bounded).</summary>
    static virtual int TileRows => 256;

    /// <summary>Training batches of at least this many rows are split across two cores (int.MaxValue: never).</summary>
    static abstract int ParallelTrainingRows { get; }

    /// <summary>Inference batches of at least this many rows are split across two cores.</summary>
    static abstract int ParallelInferenceRows { get; }

    /// <summary>Whether a layer normalizes over the batch: a training batch is then one tile and never split.</summary>
    static virtual bool HasBatchNorm => false;

    /// <summary>Whether training draws dropout masks (each training call then advances <see cref="INetwork{T}.RandomState"/>).</summary>
    static virtual bool HasDropout => false;

    /// <summary>Whether the network runs every row through <see cref="LanesForward{V}"/> and <see cref="LanesBackward{V}"/> (SIMD across samples) instead of the tile passes.</summary>
    static virtual bool HasLanes => false;

    /// <summary>The length of the transposed weight copies (W^l)ᵀ the batch back-propagation multiplies by; 0 when none.</summary>
    static virtual int TransposedLength => 0;

    /// <summary>Writes the transposed copies of the wide W^l (l ≥ 2) into <paramref name="transposed"/>.</summary>
    static virtual void TransposeWeights(ReadOnlySpan<T> parameters, Span<T> transposed) { }

    /// <summary>The forward pass over the tile: z^l, a^l for l = 1..L into the workspace (every network without <see cref="HasLanes"/>).</summary>
    static virtual void Forward(in Tile<T> tile) => throw new NotSupportedException("A network with lane kernels runs every row through Lanes.");

    /// <summary>
    /// Back-propagation over the tile <see cref="Forward"/> just computed, from the output layer down: adds
    /// <paramref name="scale"/> · ∂C/∂θ to <paramref name="g"/> (the gradients, or the parameters themselves for a fused SGD
    /// step: each δ^{l−1} is computed before W^l is written) and returns the summed loss (every network without
    /// <see cref="HasLanes"/>).
    /// </summary>
    static virtual T Backward(in Tile<T> tile, Span<T> g, T scale) => throw new NotSupportedException("A network with lane kernels runs every row through Lanes.");

    /// <summary>
    /// The forward pass over <paramref name="rows"/> samples (a multiple of <typeparamref name="V"/>'s count) with one sample
    /// per lane: <see cref="VectorLane{T}"/> for whole vectors of rows, <see cref="ScalarLane{T}"/> for one row or the rows
    /// after the last whole vector. The samples are read from the row-major <paramref name="x"/> [rows × InputSize] (each lane
    /// load picks its column out of whole rows); a^L is written row-major into <paramref name="o"/> [rows × OutputSize].
    /// </summary>
    static virtual void LanesForward<V>(ReadOnlySpan<T> p, ReadOnlySpan<T> x, Span<T> o, int rows)
        where V : struct, ILane<V, T> => throw new NotSupportedException("Only networks with HasLanes have lane kernels.");

    /// <summary>
    /// The forward pass and back-propagation over <paramref name="rows"/> samples as <see cref="LanesForward{V}"/> takes
    /// them, with the targets row-major in <paramref name="y"/> [rows × OutputSize]: adds <paramref name="scale"/> ·
    /// ∂C/∂θ to <paramref name="g"/> once, after reading every weight (so <paramref name="g"/> may be the parameters: a
    /// fused SGD step), and returns the summed loss. An <paramref name="o"/> that is not empty receives a^L,
    /// as <see cref="LanesForward{V}"/> writes it (for <see cref="ITrainingOutputs{T}"/>).
    /// </summary>
    static virtual T LanesBackward<V>(ReadOnlySpan<T> p, Span<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> o, int rows, T scale)
        where V : struct, ILane<V, T> => throw new NotSupportedException("Only networks with HasLanes have lane kernels.");
}

/// <summary>One tile of a batch as the generated kernels see it.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly ref struct Tile<T> where T : unmanaged
{
    /// <summary>Creates a tile.</summary>
    public Tile(ReadOnlySpan<T> parameters, Span<T> state, Workspace<T> work, ReadOnlySpan<T> transposed,
        ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int rows, bool training, ulong key, int firstRow, bool defersInputLayer = false)
    {
        DefersInputLayer = defersInputLayer;
        Parameters = parameters;
        State = state;
        Work = work;
        Transposed = transposed;
        Inputs = inputs;
        Targets = targets;
        Rows = rows;
        Training = training;
        Key = key;
        FirstRow = firstRow;
    }

    /// <summary>θ, the flat parameter buffer (W1, b1, …).</summary>
    public ReadOnlySpan<T> Parameters { get; }

    /// <summary>The running statistics of batch normalization (updated in training).</summary>
    public Span<T> State { get; }

    /// <summary>The per-layer buffers of this tile.</summary>
    public Workspace<T> Work { get; }

    /// <summary>(W^l)ᵀ of the wide layers, current when <see cref="Rows"/> ≥ 4 in training; empty otherwise.</summary>
    public ReadOnlySpan<T> Transposed { get; }

    /// <summary>x, [Rows × InputSize].</summary>
    public ReadOnlySpan<T> Inputs { get; }

    /// <summary>y, [Rows × OutputSize] (training only).</summary>
    public ReadOnlySpan<T> Targets { get; }

    /// <summary>The number of samples.</summary>
    public int Rows { get; }

    /// <summary>Training (dropout masks, batch statistics) or inference.</summary>
    public bool Training { get; }

    /// <summary>The dropout key of this training call.</summary>
    public ulong Key { get; }

    /// <summary>The index of the tile's first row in the whole batch (dropout masks depend on it).</summary>
    public int FirstRow { get; }

    /// <summary>
    /// Whether <see cref="INetworkKernels{T}.Backward"/> leaves out ∂C/∂W1 and ∂C/∂b1 and keeps δ1 in the workspace slot
    /// <see cref="INetworkKernels{T}.InputDeltaSlot"/>: the optimizer then forms them inside its own pass over W1, while
    /// the sums are still in registers (Fit with a built-in optimizer).
    /// </summary>
    public bool DefersInputLayer { get; }
}

/// <summary>
/// A dense layer's sizes and parameter offsets as constants to the JIT: generic kernels take the generated struct as a
/// type argument (as RTNeural's <c>DenseT&lt;T, in, out&gt;</c> takes its sizes), so their loops have constant trip counts.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IDenseLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The fan-in: the width of a^{l−1}.</summary>
    static abstract int In { get; }

    /// <summary>The width of z^l and a^l.</summary>
    static abstract int Out { get; }

    /// <summary>The offset of W^l, [In × Out] input-major, in the parameters.</summary>
    static abstract int W { get; }

    /// <summary>The offset of b^l, [Out].</summary>
    static abstract int B { get; }

    /// <summary>α of leaky ReLU or ELU (unused by the other activations).</summary>
    static virtual T Alpha => T.Zero;
}

/// <summary>A dense layer followed by batch normalization: the offsets of γ, β and the running statistics, and the constants.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IBatchNormLayer<T> : IDenseLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The offset of γ^l in the parameters.</summary>
    static abstract int Gamma { get; }

    /// <summary>The offset of β^l in the parameters.</summary>
    static abstract int Beta { get; }

    /// <summary>The offset of the running mean in the state.</summary>
    static abstract int Mean { get; }

    /// <summary>The offset of the running variance in the state.</summary>
    static abstract int Variance { get; }

    /// <summary>running ← momentum · running + (1 − momentum) · batch.</summary>
    static abstract T Momentum { get; }

    /// <summary>ε in √(σ² + ε).</summary>
    static abstract T Epsilon { get; }
}

/// <summary>A size known to the JIT as a constant (a type argument of the generic kernels).</summary>
public interface ISize
{
    /// <summary>The size.</summary>
    static abstract int Value { get; }
}

/// <summary>The fan-in of <typeparamref name="TLayer"/> as a size.</summary>
public readonly struct InputsOf<T, TLayer> : ISize where T : unmanaged, IFloatingPointIeee754<T> where TLayer : struct, IDenseLayer<T>
{
    /// <inheritdoc />
    public static int Value => TLayer.In;
}

/// <summary>The width of <typeparamref name="TLayer"/> as a size.</summary>
public readonly struct OutputsOf<T, TLayer> : ISize where T : unmanaged, IFloatingPointIeee754<T> where TLayer : struct, IDenseLayer<T>
{
    /// <inheritdoc />
    public static int Value => TLayer.Out;
}
