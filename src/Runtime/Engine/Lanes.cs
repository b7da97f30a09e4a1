using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

/// <summary>
/// <see cref="Vector{T}.Count"/> samples per value: the lane type of the SIMD-across-samples kernels over whole vectors of
/// rows. A wrapper the JIT keeps in one vector register (every member inlines to the <see cref="Vector{T}"/> operation).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct VectorLane<T> : ILane<VectorLane<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Every member wraps its result with Unsafe.BitCast rather than a constructor: each inlined constructor call added
    // locals to the kernel, and a kernel of a few dozen parameters reached the JIT's limit, after which it stopped
    // inlining these members (bench/README.md, 2026-12-07 third session). Set only through the bit cast.
#pragma warning disable CS0649
    private readonly Vector<T> _value;
#pragma warning restore CS0649

    /// <inheritdoc />
    public static int Count => Vector<T>.Count;

    /// <inheritdoc />
    public static VectorLane<T> One { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Unsafe.BitCast<Vector<T>, VectorLane<T>>(Vector<T>.One); }

    /// <inheritdoc />
    public static VectorLane<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Unsafe.BitCast<Vector<T>, VectorLane<T>>(Vector<T>.Zero); }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Of(T value) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(new Vector<T>(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Load(ReadOnlySpan<T> source, int index) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(new Vector<T>(source.Slice(index)));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(VectorLane<T> value, Span<T> destination, int index) => value._value.CopyTo(destination.Slice(index));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Load(ref readonly T rows, int row, int column, int width)
    {
        ref T first = ref Unsafe.Add(ref Unsafe.AsRef(in rows), (nint)row * width);
        if (width == 1)
        {
            return Unsafe.BitCast<Vector<T>, VectorLane<T>>(Vector.LoadUnsafe(ref first));
        }

        if (Vector<T>.Count == 8 && typeof(T) == typeof(float))
        {
            return Unsafe.BitCast<Vector<T>, VectorLane<T>>(LaneColumns.Float(ref Unsafe.As<T, float>(ref first), column, width).AsVector().As<float, T>());
        }

        if (Vector<T>.Count == 4 && typeof(T) == typeof(double))
        {
            return Unsafe.BitCast<Vector<T>, VectorLane<T>>(LaneColumns.Double(ref Unsafe.As<T, double>(ref first), column, width).AsVector().As<double, T>());
        }

        return Unsafe.BitCast<Vector<T>, VectorLane<T>>(LaneColumns.Strided(ref Unsafe.Add(ref first, column), width));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(VectorLane<T> value, ref T rows, int row, int column, int width)
    {
        ref T first = ref Unsafe.Add(ref rows, (nint)row * width + column);
        if (width == 1)
        {
            value._value.StoreUnsafe(ref first);
            return;
        }

        LaneColumns.StoreStrided(value._value, ref first, width);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(VectorLane<T> value) => Vector.Sum(value._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Fma(VectorLane<T> a, VectorLane<T> b, VectorLane<T> c) => typeof(T) == typeof(float)
        ? Unsafe.BitCast<Vector<float>, VectorLane<T>>(Vector.FusedMultiplyAdd(Unsafe.BitCast<VectorLane<T>, Vector<float>>(a), Unsafe.BitCast<VectorLane<T>, Vector<float>>(b), Unsafe.BitCast<VectorLane<T>, Vector<float>>(c)))
        : Unsafe.BitCast<Vector<double>, VectorLane<T>>(Vector.FusedMultiplyAdd(Unsafe.BitCast<VectorLane<T>, Vector<double>>(a), Unsafe.BitCast<VectorLane<T>, Vector<double>>(b), Unsafe.BitCast<VectorLane<T>, Vector<double>>(c)));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Exp(VectorLane<T> x) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(Simd.Exp(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Activate<TActivation>(VectorLane<T> z) where TActivation : IActivation => Unsafe.BitCast<Vector<T>, VectorLane<T>>(TActivation.Apply(z._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> ActivationDelta<TActivation>(VectorLane<T> g, VectorLane<T> z, VectorLane<T> a) where TActivation : IActivation =>
        Unsafe.BitCast<Vector<T>, VectorLane<T>>(TActivation.Delta(g._value, z._value, a._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Apply<TFunction>(VectorLane<T> z) where TFunction : IActivationFunction<T> => Unsafe.BitCast<Vector<T>, VectorLane<T>>(TFunction.Apply(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Derivative<TFunction>(VectorLane<T> z) where TFunction : IActivationFunction<T> => Unsafe.BitCast<Vector<T>, VectorLane<T>>(TFunction.Derivative(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Loss<TLoss>(VectorLane<T> a, VectorLane<T> y) where TLoss : IElementLoss =>
        Unsafe.BitCast<Vector<T>, VectorLane<T>>(VectorMath.Lanes(a._value, y._value, TLoss.Loss));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> LossDerivative<TLoss>(VectorLane<T> a, VectorLane<T> y) where TLoss : IElementLoss =>
        Unsafe.BitCast<Vector<T>, VectorLane<T>>(VectorMath.Lanes(a._value, y._value, TLoss.Derivative));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Log(VectorLane<T> x) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(typeof(T) == typeof(float)
        ? Vector.Log(x._value.As<T, float>()).As<float, T>()
        : Vector.Log(x._value.As<T, double>()).As<double, T>());

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Tanh(VectorLane<T> x) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(VectorMath.Tanh(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Abs(VectorLane<T> x) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(Vector.Abs(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Max(VectorLane<T> a, VectorLane<T> b) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(Vector.Max(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Max0(VectorLane<T> z) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(VectorMath.Max0(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Min0(VectorLane<T> z) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(VectorMath.Min0(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> IfPositive(VectorLane<T> z, VectorLane<T> then, VectorLane<T> otherwise) =>
        Unsafe.BitCast<Vector<T>, VectorLane<T>>(VectorMath.IfPositive(z._value, then._value, otherwise._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator +(VectorLane<T> left, VectorLane<T> right) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(left._value + right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator -(VectorLane<T> left, VectorLane<T> right) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(left._value - right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator *(VectorLane<T> left, VectorLane<T> right) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(left._value * right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator /(VectorLane<T> left, VectorLane<T> right) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(left._value / right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator -(VectorLane<T> value) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(-value._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> operator *(T left, VectorLane<T> right) => Unsafe.BitCast<Vector<T>, VectorLane<T>>(left * right._value);
}

/// <summary>
/// One sample per value: the lane type that runs the SIMD-across-samples kernel on a single row (or on the rows after the
/// last whole vector), with the scalar math of <typeparamref name="T"/> — no workspace, no transposition, every quantity
/// in a register.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct ScalarLane<T> : ILane<ScalarLane<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // wrapped with Unsafe.BitCast, as in VectorLane
#pragma warning disable CS0649
    private readonly T _value;
#pragma warning restore CS0649

    /// <inheritdoc />
    public static int Count => 1;

    /// <inheritdoc />
    public static ScalarLane<T> One { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Unsafe.BitCast<T, ScalarLane<T>>(T.One); }

    /// <inheritdoc />
    public static ScalarLane<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Unsafe.BitCast<T, ScalarLane<T>>(T.Zero); }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Of(T value) => Unsafe.BitCast<T, ScalarLane<T>>(value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Load(ReadOnlySpan<T> source, int index) => Unsafe.BitCast<T, ScalarLane<T>>(source[index]);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarLane<T> value, Span<T> destination, int index) => destination[index] = value._value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Load(ref readonly T rows, int row, int column, int width) =>
        Unsafe.BitCast<T, ScalarLane<T>>(Unsafe.Add(ref Unsafe.AsRef(in rows), (nint)row * width + column));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarLane<T> value, ref T rows, int row, int column, int width) =>
        Unsafe.Add(ref rows, (nint)row * width + column) = value._value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(ScalarLane<T> value) => value._value;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Fma(ScalarLane<T> a, ScalarLane<T> b, ScalarLane<T> c) => Unsafe.BitCast<T, ScalarLane<T>>(T.FusedMultiplyAdd(a._value, b._value, c._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Exp(ScalarLane<T> x) => Unsafe.BitCast<T, ScalarLane<T>>(T.Exp(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Activate<TActivation>(ScalarLane<T> z) where TActivation : IActivation => Unsafe.BitCast<T, ScalarLane<T>>(TActivation.Apply(z._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> ActivationDelta<TActivation>(ScalarLane<T> g, ScalarLane<T> z, ScalarLane<T> a) where TActivation : IActivation =>
        Unsafe.BitCast<T, ScalarLane<T>>(TActivation.Delta(g._value, z._value, a._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Apply<TFunction>(ScalarLane<T> z) where TFunction : IActivationFunction<T> => Unsafe.BitCast<T, ScalarLane<T>>(TFunction.Apply(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Derivative<TFunction>(ScalarLane<T> z) where TFunction : IActivationFunction<T> => Unsafe.BitCast<T, ScalarLane<T>>(TFunction.Derivative(z._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Loss<TLoss>(ScalarLane<T> a, ScalarLane<T> y) where TLoss : IElementLoss => Unsafe.BitCast<T, ScalarLane<T>>(TLoss.Loss(a._value, y._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> LossDerivative<TLoss>(ScalarLane<T> a, ScalarLane<T> y) where TLoss : IElementLoss => Unsafe.BitCast<T, ScalarLane<T>>(TLoss.Derivative(a._value, y._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Log(ScalarLane<T> x) => Unsafe.BitCast<T, ScalarLane<T>>(T.Log(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Tanh(ScalarLane<T> x) => Unsafe.BitCast<T, ScalarLane<T>>(T.Tanh(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Abs(ScalarLane<T> x) => Unsafe.BitCast<T, ScalarLane<T>>(T.Abs(x._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Max(ScalarLane<T> a, ScalarLane<T> b) => Unsafe.BitCast<T, ScalarLane<T>>(T.Max(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Max0(ScalarLane<T> z) => Unsafe.BitCast<T, ScalarLane<T>>(T.Max(z._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Min0(ScalarLane<T> z) => Unsafe.BitCast<T, ScalarLane<T>>(T.Min(z._value, T.Zero));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> IfPositive(ScalarLane<T> z, ScalarLane<T> then, ScalarLane<T> otherwise) => z._value > T.Zero ? then : otherwise;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator +(ScalarLane<T> left, ScalarLane<T> right) => Unsafe.BitCast<T, ScalarLane<T>>(left._value + right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator -(ScalarLane<T> left, ScalarLane<T> right) => Unsafe.BitCast<T, ScalarLane<T>>(left._value - right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator *(ScalarLane<T> left, ScalarLane<T> right) => Unsafe.BitCast<T, ScalarLane<T>>(left._value * right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator /(ScalarLane<T> left, ScalarLane<T> right) => Unsafe.BitCast<T, ScalarLane<T>>(left._value / right._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator -(ScalarLane<T> value) => Unsafe.BitCast<T, ScalarLane<T>>(-value._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> operator *(T left, ScalarLane<T> right) => Unsafe.BitCast<T, ScalarLane<T>>(left * right._value);
}

/// <summary>
/// One column of Vector&lt;T&gt;.Count consecutive rows of a row-major buffer, loaded straight into the lanes of one vector
/// (no transposed copy): for rows 2, 3 or 4 values wide (float) or 2 or 4 (double), the rows are loaded as whole vectors
/// and the column is picked out with AVX2 shuffles and permutes; other widths load each lane on its own. The column and
/// the width are constants in the generated kernels, so after inlining only one branch is left, and the shuffles shared
/// by the columns of one row block (the unpacks of width 4) are computed once.
/// </summary>
internal static class LaneColumns
{
    /// <summary>Column <paramref name="column"/> of the 8 rows of <paramref name="width"/> floats from <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Float(ref float first, int column, int width)
    {
        if (Avx2.IsSupported)
        {
            if (width == 2)
            {
                // [x0 y0 x1 y1 x2 y2 x3 y3] [x4 y4 … y7] → every other value, then the 64-bit pairs in order
                Vector256<float> lo = Vector256.LoadUnsafe(ref first), hi = Vector256.LoadUnsafe(ref first, 8);
                Vector256<float> picked = column == 0 ? Avx.Shuffle(lo, hi, 0x88) : Avx.Shuffle(lo, hi, 0xDD);
                return Avx2.Permute4x64(picked.AsDouble(), 0xD8).AsSingle();
            }

            if (width == 3)
            {
                // the 24 values in three vectors: lane i of the column is value 3i + column, in vector (3i + column) / 8 at
                // (3i + column) % 8: the same permutation of each vector, then two blends choose the vector per lane
                Vector256<float> v0 = Vector256.LoadUnsafe(ref first), v1 = Vector256.LoadUnsafe(ref first, 8), v2 = Vector256.LoadUnsafe(ref first, 16);
                Vector256<int> index = column == 0 ? Vector256.Create(0, 3, 6, 1, 4, 7, 2, 5)
                    : column == 1 ? Vector256.Create(1, 4, 7, 2, 5, 0, 3, 6) : Vector256.Create(2, 5, 0, 3, 6, 1, 4, 7);
                Vector256<float> p0 = Avx2.PermuteVar8x32(v0, index), p1 = Avx2.PermuteVar8x32(v1, index), p2 = Avx2.PermuteVar8x32(v2, index);
                return column == 0 ? Avx.Blend(Avx.Blend(p0, p1, 0xF8), p2, 0xC0)
                    : column == 1 ? Avx.Blend(Avx.Blend(p0, p1, 0xF8), p2, 0xE0) : Avx.Blend(Avx.Blend(p0, p1, 0xFC), p2, 0xE0);
            }

            if (width == 4)
            {
                // a 4 × 4 transpose in each 128-bit half (rows 0–3 low, 4–7 high after the unpacks), then the lanes in row order
                Vector256<float> v0 = Vector256.LoadUnsafe(ref first), v1 = Vector256.LoadUnsafe(ref first, 8);
                Vector256<float> v2 = Vector256.LoadUnsafe(ref first, 16), v3 = Vector256.LoadUnsafe(ref first, 24);
                Vector256<double> t0 = (column < 2 ? Avx.UnpackLow(v0, v1) : Avx.UnpackHigh(v0, v1)).AsDouble();
                Vector256<double> t1 = (column < 2 ? Avx.UnpackLow(v2, v3) : Avx.UnpackHigh(v2, v3)).AsDouble();
                Vector256<float> picked = ((column & 1) == 0 ? Avx.UnpackLow(t0, t1) : Avx.UnpackHigh(t0, t1)).AsSingle();
                return Avx2.PermuteVar8x32(picked, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7));
            }
        }

        nint c = column, n = width;
        return Vector256.Create(
            Unsafe.Add(ref first, c), Unsafe.Add(ref first, c + n), Unsafe.Add(ref first, c + 2 * n), Unsafe.Add(ref first, c + 3 * n),
            Unsafe.Add(ref first, c + 4 * n), Unsafe.Add(ref first, c + 5 * n), Unsafe.Add(ref first, c + 6 * n), Unsafe.Add(ref first, c + 7 * n));
    }

    /// <summary>Column <paramref name="column"/> of the 4 rows of <paramref name="width"/> doubles from <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Double(ref double first, int column, int width)
    {
        if (Avx2.IsSupported)
        {
            if (width == 2)
            {
                // [x0 y0 x1 y1] [x2 y2 x3 y3] → [x0 x2 x1 x3] → [x0 x1 x2 x3]
                Vector256<double> lo = Vector256.LoadUnsafe(ref first), hi = Vector256.LoadUnsafe(ref first, 4);
                Vector256<double> picked = column == 0 ? Avx.UnpackLow(lo, hi) : Avx.UnpackHigh(lo, hi);
                return Avx2.Permute4x64(picked, 0xD8);
            }

            if (width == 4)
            {
                // a 4 × 4 transpose: pairs of rows unpacked, then the 128-bit halves combined
                Vector256<double> v0 = Vector256.LoadUnsafe(ref first), v1 = Vector256.LoadUnsafe(ref first, 4);
                Vector256<double> v2 = Vector256.LoadUnsafe(ref first, 8), v3 = Vector256.LoadUnsafe(ref first, 12);
                Vector256<double> t0 = (column & 1) == 0 ? Avx.UnpackLow(v0, v1) : Avx.UnpackHigh(v0, v1);
                Vector256<double> t1 = (column & 1) == 0 ? Avx.UnpackLow(v2, v3) : Avx.UnpackHigh(v2, v3);
                return column < 2 ? Avx.Permute2x128(t0, t1, 0x20) : Avx.Permute2x128(t0, t1, 0x31);
            }
        }

        nint c = column, n = width;
        return Vector256.Create(Unsafe.Add(ref first, c), Unsafe.Add(ref first, c + n), Unsafe.Add(ref first, c + 2 * n), Unsafe.Add(ref first, c + 3 * n));
    }

    /// <summary>Vector&lt;T&gt;.Count values <paramref name="stride"/> apart from <paramref name="first"/> (other vector widths).</summary>
    public static Vector<T> Strided<T>(ref T first, int stride) where T : unmanaged
    {
        Vector<T> value = default;
        ref T lanes = ref Unsafe.As<Vector<T>, T>(ref value);
        for (int i = 0; i < Vector<T>.Count; i++)
        {
            Unsafe.Add(ref lanes, i) = Unsafe.Add(ref first, (nint)i * stride);
        }

        return value;
    }

    /// <summary>Writes the lanes of <paramref name="value"/> <paramref name="stride"/> apart from <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStrided<T>(Vector<T> value, ref T first, int stride) where T : unmanaged
    {
        for (int i = 0; i < Vector<T>.Count; i++)
        {
            Unsafe.Add(ref first, (nint)i * stride) = value[i];
        }
    }
}
