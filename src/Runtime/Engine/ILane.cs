using System;
using System.Numerics;

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

    /// <summary>Writes the lanes of <paramref name="value"/> to <paramref name="destination"/> from <paramref name="index"/> on.</summary>
    static abstract void Store(TSelf value, Span<T> destination, int index);

    /// <summary>The sum of the lanes (a gradient or loss summed over the samples).</summary>
    static abstract T Sum(TSelf value);

    /// <summary>A constant times every lane (α z of leaky ReLU and ELU).</summary>
    static abstract TSelf operator *(T left, TSelf right);
}
