using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// <see cref="Vector{T}.Count"/> samples per value: the lane type of the SIMD-across-samples kernels over whole vectors of
/// rows. A wrapper the JIT keeps in one vector register (every member inlines to the <see cref="Vector{T}"/> operation).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct VectorLane<T> : ILane<VectorLane<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private VectorLane(Vector<T> value) => _value = value;

    /// <inheritdoc />
    public static int Count => Vector<T>.Count;

    /// <inheritdoc />
    public static VectorLane<T> One { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => new(Vector<T>.One); }

    /// <inheritdoc />
    public static VectorLane<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => new(Vector<T>.Zero); }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Of(T value) => new(new Vector<T>(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Load(ReadOnlySpan<T> source, int index) => new(new Vector<T>(source.Slice(index)));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(VectorLane<T> value, Span<T> destination, int index) => value._value.CopyTo(destination.Slice(index));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(VectorLane<T> value) => Vector.Sum(value._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Fma(VectorLane<T> a, VectorLane<T> b, VectorLane<T> c) => new(Simd.Fma(a._value, b._value, c._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Exp(VectorLane<T> x) => new(Simd.Exp(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Log(VectorLane<T> x) => new(typeof(T) == typeof(float)
        ? Vector.Log(x._value.As<T, float>()).As<float, T>()
        : Vector.Log(x._value.As<T, double>()).As<double, T>());

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Tanh(VectorLane<T> x) => new(VectorMath.Tanh(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Abs(VectorLane<T> x) => new(Vector.Abs(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Max(VectorLane<T> a, VectorLane<T> b) => new(Vector.Max(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Max0(VectorLane<T> z) => new(VectorMath.Max0(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Min0(VectorLane<T> z) => new(VectorMath.Min0(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> IfPositive(VectorLane<T> z, VectorLane<T> then, VectorLane<T> otherwise) =>
        new(VectorMath.IfPositive(z._value, then._value, otherwise._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator +(VectorLane<T> left, VectorLane<T> right) => new(left._value + right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator -(VectorLane<T> left, VectorLane<T> right) => new(left._value - right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator *(VectorLane<T> left, VectorLane<T> right) => new(left._value * right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator /(VectorLane<T> left, VectorLane<T> right) => new(left._value / right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator -(VectorLane<T> value) => new(-value._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator *(T left, VectorLane<T> right) => new(left * right._value);
}

/// <summary>
/// One sample per value: the lane type that runs the SIMD-across-samples kernel on a single row (or on the rows after the
/// last whole vector), with the scalar math of <typeparamref name="T"/> — no workspace, no transposition, every quantity
/// in a register.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct ScalarLane<T> : ILane<ScalarLane<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ScalarLane(T value) => _value = value;

    /// <inheritdoc />
    public static int Count => 1;

    /// <inheritdoc />
    public static ScalarLane<T> One { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => new(T.One); }

    /// <inheritdoc />
    public static ScalarLane<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => new(T.Zero); }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Of(T value) => new(value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Load(ReadOnlySpan<T> source, int index) => new(source[index]);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarLane<T> value, Span<T> destination, int index) => destination[index] = value._value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(ScalarLane<T> value) => value._value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Fma(ScalarLane<T> a, ScalarLane<T> b, ScalarLane<T> c) => new(T.FusedMultiplyAdd(a._value, b._value, c._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Exp(ScalarLane<T> x) => new(T.Exp(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Log(ScalarLane<T> x) => new(T.Log(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Tanh(ScalarLane<T> x) => new(T.Tanh(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Abs(ScalarLane<T> x) => new(T.Abs(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Max(ScalarLane<T> a, ScalarLane<T> b) => new(T.Max(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Max0(ScalarLane<T> z) => new(T.Max(z._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Min0(ScalarLane<T> z) => new(T.Min(z._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> IfPositive(ScalarLane<T> z, ScalarLane<T> then, ScalarLane<T> otherwise) => z._value > T.Zero ? then : otherwise;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator +(ScalarLane<T> left, ScalarLane<T> right) => new(left._value + right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator -(ScalarLane<T> left, ScalarLane<T> right) => new(left._value - right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator *(ScalarLane<T> left, ScalarLane<T> right) => new(left._value * right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator /(ScalarLane<T> left, ScalarLane<T> right) => new(left._value / right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator -(ScalarLane<T> value) => new(-value._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator *(T left, ScalarLane<T> right) => new(left * right._value);
}
