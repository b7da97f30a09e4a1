using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// The arithmetic of one lane type: a value per sample for <see cref="ILane{TSelf, T}.Count"/> samples at once. The
/// generated SIMD-across-samples kernels (<see cref="INetworkKernels{T}.LanesForward{V}"/>,
/// <see cref="INetworkKernels{T}.LanesBackward{V}"/>) are written once over a lane type
/// <c>V</c> — <c>var z1_0 = V.Fma(w1_1_0, a0_1, V.Fma(w1_0_0, a0_0, b1_0));</c> — and the engine runs it over
/// <see cref="VectorLane{T}"/> (<see cref="Vector{T}.Count"/> samples per step) and over <see cref="ScalarLane{T}"/>
/// (one sample: a single row, or the rows after the last whole vector), so one text serves every batch size.
/// </summary>
/// <typeparam name="TSelf">The lane type.</typeparam>
public interface ILaneMath<TSelf> :
    IAdditionOperators<TSelf, TSelf, TSelf>,
    ISubtractionOperators<TSelf, TSelf, TSelf>,
    IMultiplyOperators<TSelf, TSelf, TSelf>,
    IDivisionOperators<TSelf, TSelf, TSelf>,
    IUnaryNegationOperators<TSelf, TSelf>
    where TSelf : struct, ILaneMath<TSelf>
{
    /// <summary>1 in every lane.</summary>
    static abstract TSelf One { get; }

    /// <summary>0 in every lane.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>a · b + c, one rounding.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    /// <summary>e^x.</summary>
    static abstract TSelf Exp(TSelf x);

    /// <summary>ln x.</summary>
    static abstract TSelf Log(TSelf x);

    /// <summary>tanh x.</summary>
    static abstract TSelf Tanh(TSelf x);

    /// <summary>|x|.</summary>
    static abstract TSelf Abs(TSelf x);

    /// <summary>max(a, b).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>max(z, 0).</summary>
    static abstract TSelf Max0(TSelf z);

    /// <summary>min(z, 0).</summary>
    static abstract TSelf Min0(TSelf z);

    /// <summary>z &gt; 0 ? then : otherwise, lane by lane.</summary>
    static abstract TSelf IfPositive(TSelf z, TSelf then, TSelf otherwise);
}

/// <summary>A lane type over <typeparamref name="T"/>: how many samples it holds and how it meets the buffers.</summary>
/// <typeparam name="TSelf">The lane type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ILane<TSelf, T> : ILaneMath<TSelf>
    where TSelf : struct, ILane<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The number of samples one value holds.</summary>
    static abstract int Count { get; }

    /// <summary><paramref name="value"/> in every lane (a weight, a bias, a constant).</summary>
    static abstract TSelf Of(T value);

    /// <summary>The <see cref="Count"/> values of <paramref name="source"/> from <paramref name="index"/> on, one per lane.</summary>
    static abstract TSelf Load(ReadOnlySpan<T> source, int index);

    /// <summary>σ(z) lane by lane for a built-in activation without α that the lane kernels do not spell out (SiLU, GELU, softplus, Mish).</summary>
    /// <typeparam name="TActivation">The activation's runtime type (<see cref="Activations.SiLU"/>, …).</typeparam>
    static abstract TSelf Activate<TActivation>(TSelf z) where TActivation : IActivation;

    /// <summary>g ∘ σ'(z) lane by lane (a = σ(z)), for the activations of <see cref="Activate{TActivation}"/>.</summary>
    static abstract TSelf ActivationDelta<TActivation>(TSelf g, TSelf z, TSelf a) where TActivation : IActivation;

    /// <summary>σ(z) lane by lane for a user-written activation (the struct the generator writes for it).</summary>
    static abstract TSelf Apply<TFunction>(TSelf z) where TFunction : IActivationFunction<T>;

    /// <summary>σ'(z) lane by lane for a user-written activation.</summary>
    static abstract TSelf Derivative<TFunction>(TSelf z) where TFunction : IActivationFunction<T>;

    /// <summary>ℓ(a, y) lane by lane for an element-wise loss (Huber, log-cosh, MAE, a user-written one), whose scalar form runs on each lane.</summary>
    static abstract TSelf Loss<TLoss>(TSelf a, TSelf y) where TLoss : IElementLoss;

    /// <summary>∂ℓ/∂a lane by lane for the losses of <see cref="Loss{TLoss}"/>.</summary>
    static abstract TSelf LossDerivative<TLoss>(TSelf a, TSelf y) where TLoss : IElementLoss;

    /// <summary>Writes the lanes of <paramref name="value"/> to <paramref name="destination"/> from <paramref name="index"/> on.</summary>
    static abstract void Store(TSelf value, Span<T> destination, int index);

    /// <summary>
    /// Checks once that <paramref name="buffer"/> holds <paramref name="rows"/> rows of <paramref name="width"/> values,
    /// row-major, with <paramref name="rows"/> a multiple of <see cref="Count"/>, and returns a reference to its first value:
    /// the start that <see cref="Load(ref readonly T, int, int, int)"/> reads from unchecked. A kernel calls it once per call
    /// for each buffer, so its loop has no bounds checks.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer is too short or <paramref name="rows"/> is not a multiple of <see cref="Count"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual ref readonly T Rows(ReadOnlySpan<T> buffer, int rows, int width)
    {
        if (rows < 0 || rows % TSelf.Count != 0 || (long)rows * width > buffer.Length)
        {
            throw BadRows(buffer.Length, rows, width);
        }

        return ref MemoryMarshal.GetReference(buffer);
    }

    /// <summary>As <see cref="Rows(ReadOnlySpan{T}, int, int)"/>, for the buffer that <see cref="Store(TSelf, ref T, int, int, int)"/> writes.</summary>
    /// <exception cref="ArgumentException">The buffer is too short or <paramref name="rows"/> is not a multiple of <see cref="Count"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual ref T Rows(Span<T> buffer, int rows, int width)
    {
        if (rows < 0 || rows % TSelf.Count != 0 || (long)rows * width > buffer.Length)
        {
            throw BadRows(buffer.Length, rows, width);
        }

        return ref MemoryMarshal.GetReference(buffer);
    }

    /// <summary>
    /// Column <paramref name="column"/> of the <see cref="Count"/> rows from <paramref name="row"/> on of a row-major buffer
    /// <paramref name="width"/> values wide that starts at <paramref name="rows"/>, one row per lane: for a feature k of the
    /// inputs, the lanes of a^0_k. Unchecked: <paramref name="rows"/> comes from <see cref="Rows(ReadOnlySpan{T}, int, int)"/>
    /// and row + <see cref="Count"/> is at most the rows it checked. <paramref name="column"/> and <paramref name="width"/> are
    /// constants in the generated kernels, so the JIT keeps only the code for that width (for a narrow row, loads and
    /// shuffles in registers).
    /// </summary>
    static abstract TSelf Load(ref readonly T rows, int row, int column, int width);

    /// <summary>Writes the lanes of <paramref name="value"/> to column <paramref name="column"/> of the <see cref="Count"/> rows from <paramref name="row"/> on (unchecked, as <see cref="Load(ref readonly T, int, int, int)"/> reads).</summary>
    static abstract void Store(TSelf value, ref T rows, int row, int column, int width);

    /// <summary>The sum of the lanes (a gradient or loss summed over the samples).</summary>
    static abstract T Sum(TSelf value);

    /// <summary>A constant times every lane (α z of leaky ReLU and ELU).</summary>
    static abstract TSelf operator *(T left, TSelf right);

    private static ArgumentException BadRows(int length, int rows, int width) => new(
        $"A lane kernel's buffer of {length} values cannot hold {rows} rows of {width} (rows a multiple of {TSelf.Count}).");
}
