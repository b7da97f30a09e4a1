using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

/// <summary>
/// Helpers of the generated kernels' hot loops: e^x over <see cref="Vector{T}"/> lanes, where
/// <see cref="Vector.Exp(Vector{float})"/> (which widens every float lane to double) costs more than the matrix
/// product around it (on 2-64-64-1 sigmoid, 60 % of a forward pass); the transposed copy of a weight matrix that
/// the batch back-propagation multiplies by; large weight matrices copied into contiguous column panels for the batch
/// product; and four horizontal sums at once for the single-sample back-propagation.
/// </summary>
/// <remarks>
/// <code>
/// e^x = 2^n · e^r,   n = round(x / ln 2),   r = x − n ln 2 ∈ [−ln2/2, ln2/2]
/// e^r ≈ 1 + r + r² (c2 + c3 r + c4 r² + c5 r³ + c6 r⁴ + c7 r⁵)     (Cephes expf; |error| &lt; 1.3e-7 on that interval)
/// </code>
/// n ln 2 is subtracted in two parts (a short ln2_hi times n is exact), and 2^n is built in the exponent bits in two
/// halves so that the float range's ends (n = 128 overflows to +∞, n down to −150 gives the subnormals) need no
/// special case. The tests sweep the float range: at most 2 ulp from the correctly rounded e^x where the result is
/// normal; +∞ above ln(float.MaxValue), 0 below −104; ±∞ and NaN behave like <see cref="System.MathF.Exp(float)"/>.
/// </remarks>
public static partial class VectorMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;          // 355/512: n · Ln2Hi is exact for |n| ≤ 2^15
    private const float Ln2Lo = -2.12194440e-4f;       // ln 2 − Ln2Hi
    private const float RoundingShift = 12582912f;     // 1.5 · 2^23: adding it rounds |v| < 2^22 to an integer held in the low mantissa bits
    private const float Lowest = -104f;                // e^−104 < half the smallest subnormal: rounds to 0
    private const float Highest = 89f;                 // e^89 > float.MaxValue: overflows to +∞

    /// <summary>e^x lane by lane, float (see the remarks of <see cref="VectorMath"/> for the method and its accuracy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        // Clamp so that n stays in [−150, 129]. The native min/max (one instruction) return their second operand when
        // either is NaN on x86 and NaN on Arm: with x second, NaN passes through and reaches p below.
        Vector<float> c = Vector.MinNative(new Vector<float>(Highest), Vector.MaxNative(new Vector<float>(Lowest), x));
        Vector<float> t = Vector.FusedMultiplyAdd(c, new Vector<float>(Log2E), new Vector<float>(RoundingShift));
        Vector<float> n = t - new Vector<float>(RoundingShift);
        Vector<int> ni = Vector.AsVectorInt32(t) - Vector.AsVectorInt32(new Vector<float>(RoundingShift));
        Vector<float> r = Vector.FusedMultiplyAdd(n, new Vector<float>(-Ln2Hi), c);
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(-Ln2Lo), r);

        Vector<float> p = Vector.FusedMultiplyAdd(new Vector<float>(1.9875691500e-4f), r, new Vector<float>(1.3981999507e-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(8.3334519073e-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(4.1665795894e-2f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.6666665459e-1f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(5.0000001201e-1f));
        p = Vector.FusedMultiplyAdd(p, r * r, r + Vector<float>.One);

        // 2^n = 2^h · 2^(n−h), h = n >> 1: both factors are normal floats for every n in [−150, 129].
        Vector<int> h = Vector.ShiftRightArithmetic(ni, 1);
        Vector<float> s1 = Vector.AsVectorSingle(Vector.ShiftLeft(h + new Vector<int>(127), 23));
        Vector<float> s2 = Vector.AsVectorSingle(Vector.ShiftLeft(ni - h + new Vector<int>(127), 23));
        return p * s1 * s2;
    }

    /// <summary>
    /// destination[j · rows + i] = source[i · columns + j]: the [rows × columns] row-major matrix written transposed,
    /// [columns × rows]. 8 × 8 (float) or 4 × 4 (double) blocks in AVX registers where the machine has them; a plain
    /// loop elsewhere and at the edges.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than rows × columns.</exception>
    public static void Transpose<T>(ReadOnlySpan<T> source, int rows, int columns, Span<T> destination)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long size = (long)rows * columns;
        if (source.Length < size || destination.Length < size)
        {
            throw new ArgumentException($"Transposing a {rows} × {columns} matrix needs {size} values in both spans; the source has {source.Length} and the destination {destination.Length}.");
        }

        ref T src = ref MemoryMarshal.GetReference(source);
        ref T dst = ref MemoryMarshal.GetReference(destination);
        int blocked = 0, blockedColumns = 0;
        if (Avx.IsSupported && typeof(T) == typeof(float))
        {
            blocked = rows / 8 * 8;
            blockedColumns = columns / 8 * 8;
            for (int i = 0; i < blocked; i += 8)
            {
                for (int j = 0; j < blockedColumns; j += 8)
                {
                    Transpose8(ref Unsafe.As<T, float>(ref Unsafe.Add(ref src, (nint)i * columns + j)), columns,
                        ref Unsafe.As<T, float>(ref Unsafe.Add(ref dst, (nint)j * rows + i)), rows);
                }
            }
        }
        else if (Avx.IsSupported && typeof(T) == typeof(double))
        {
            blocked = rows / 4 * 4;
            blockedColumns = columns / 4 * 4;
            for (int i = 0; i < blocked; i += 4)
            {
                for (int j = 0; j < blockedColumns; j += 4)
                {
                    Transpose4(ref Unsafe.As<T, double>(ref Unsafe.Add(ref src, (nint)i * columns + j)), columns,
                        ref Unsafe.As<T, double>(ref Unsafe.Add(ref dst, (nint)j * rows + i)), rows);
                }
            }
        }

        if (columns == 2 && typeof(T) == typeof(float) && Avx2.IsSupported && Vector<float>.Count == 8)
        {
            // interleaved pairs (x0, x1) of 8 rows → 8 x0 and 8 x1: two shuffles and two lane permutes
            ref float s = ref Unsafe.As<T, float>(ref src);
            ref float d0 = ref Unsafe.As<T, float>(ref dst);
            ref float d1 = ref Unsafe.Add(ref d0, rows);
            nint i = 0;
            for (; i + 8 <= rows; i += 8)
            {
                Vector256<float> lo = Vector256.LoadUnsafe(ref s, (nuint)(2 * i)), hi = Vector256.LoadUnsafe(ref s, (nuint)(2 * i + 8));
                Vector256<float> evens = Avx.Shuffle(lo, hi, 0x88), odds = Avx.Shuffle(lo, hi, 0xDD);   // per 128-bit lane: [r0 r1 r4 r5 | r2 r3 r6 r7]
                Avx2.Permute4x64(evens.AsDouble(), 0xD8).AsSingle().StoreUnsafe(ref d0, (nuint)i);
                Avx2.Permute4x64(odds.AsDouble(), 0xD8).AsSingle().StoreUnsafe(ref d1, (nuint)i);
            }

            for (; i < rows; i++)
            {
                Unsafe.Add(ref d0, i) = Unsafe.Add(ref s, 2 * i);
                Unsafe.Add(ref d1, i) = Unsafe.Add(ref s, 2 * i + 1);
            }

            return;
        }

        if (blockedColumns == 0 && columns < 8)
        {
            // A narrow matrix (the tile of a small network for the lane kernels): one tight loop per column, writing a
            // contiguous row of the destination, instead of a loop of one or two iterations per source row.
            for (nint j = 0; j < columns; j++)
            {
                ref T column = ref Unsafe.Add(ref src, j);
                ref T target = ref Unsafe.Add(ref dst, j * rows);
                for (nint i = 0; i < rows; i++)
                {
                    Unsafe.Add(ref target, i) = Unsafe.Add(ref column, i * columns);
                }
            }

            return;
        }

        // What the blocks left: the columns right of them in the blocked rows, then the rows below.
        for (nint i = 0; i < rows; i++)
        {
            ref T row = ref Unsafe.Add(ref src, i * columns);
            for (nint j = i < blocked ? blockedColumns : 0; j < columns; j++)
            {
                Unsafe.Add(ref dst, j * rows + i) = Unsafe.Add(ref row, j);
            }
        }
    }

    /// <summary>
    /// destination[0..3] = the lane sums of <paramref name="c0"/> … <paramref name="c3"/>: the four dot products of
    /// W[k..k+3, :]·δ finished at once. With AVX and 8 lanes: three horizontal adds and one add of the 128-bit halves
    /// (<c>[c0₀+c0₁, c0₂+c0₃, c1₀+c1₁, c1₂+c1₃ | …]</c>, then pairs again), instead of four separate sums of about ten
    /// shuffles and adds each; <see cref="Vector.Sum{T}(Vector{T})"/> per accumulator elsewhere. The order of the
    /// additions is fixed for a given machine, so results stay reproducible.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSums(Vector<float> c0, Vector<float> c1, Vector<float> c2, Vector<float> c3, ref float destination)
    {
        if (Avx.IsSupported && Vector<float>.Count == 8)
        {
            Vector256<float> h01 = Avx.HorizontalAdd(c0.AsVector256(), c1.AsVector256());
            Vector256<float> h23 = Avx.HorizontalAdd(c2.AsVector256(), c3.AsVector256());
            Vector256<float> h = Avx.HorizontalAdd(h01, h23);   // [Σc0 lo, Σc1 lo, Σc2 lo, Σc3 lo | the same over the high halves]
            (h.GetLower() + h.GetUpper()).StoreUnsafe(ref destination);
            return;
        }

        destination = Vector.Sum(c0);
        Unsafe.Add(ref destination, 1) = Vector.Sum(c1);
        Unsafe.Add(ref destination, 2) = Vector.Sum(c2);
        Unsafe.Add(ref destination, 3) = Vector.Sum(c3);
    }

    /// <inheritdoc cref="StoreSums(Vector{float}, Vector{float}, Vector{float}, Vector{float}, ref float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSums(Vector<double> c0, Vector<double> c1, Vector<double> c2, Vector<double> c3, ref double destination)
    {
        if (Avx.IsSupported && Vector<double>.Count == 4)
        {
            Vector256<double> h01 = Avx.HorizontalAdd(c0.AsVector256(), c1.AsVector256());   // [c0₀+c0₁, c1₀+c1₁, c0₂+c0₃, c1₂+c1₃]
            Vector256<double> h23 = Avx.HorizontalAdd(c2.AsVector256(), c3.AsVector256());
            (Avx.Permute2x128(h01, h23, 0x20) + Avx.Permute2x128(h01, h23, 0x31)).StoreUnsafe(ref destination);
            return;
        }

        destination = Vector.Sum(c0);
        Unsafe.Add(ref destination, 1) = Vector.Sum(c1);
        Unsafe.Add(ref destination, 2) = Vector.Sum(c2);
        Unsafe.Add(ref destination, 3) = Vector.Sum(c3);
    }

    /// <summary>
    /// Copies the [rows × columns] row-major matrix <paramref name="source"/> into panels of <paramref name="panelWidth"/>
    /// columns, each contiguous over the rows: panel p holds columns p·w … p·w + w − 1, row after row, at
    /// destination[p · w · rows + k · w + c] = source[k · columns + p · w + c], for the columns/w whole panels (the
    /// remaining columns are not copied). A product that walks down a block of columns then reads one contiguous
    /// stream instead of one row of the matrix (columns values apart) per step: for a weight matrix larger than the L1
    /// cache that is about one page per 8 steps and a stream the prefetcher cannot follow.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns is negative, or panelWidth is not positive.</exception>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void PackPanels<T>(ReadOnlySpan<T> source, int rows, int columns, int panelWidth, Span<T> destination)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(panelWidth);
        int panels = columns / panelWidth;
        long size = (long)rows * columns, packed = (long)panels * panelWidth * rows;
        if (source.Length < size || destination.Length < packed)
        {
            throw new ArgumentException($"Packing a {rows} × {columns} matrix into panels of {panelWidth} columns needs {size} source values and {packed} destination values; the spans hold {source.Length} and {destination.Length}.");
        }

        ref T src = ref MemoryMarshal.GetReference(source);
        ref T dst = ref MemoryMarshal.GetReference(destination);
        int width = Vector.IsHardwareAccelerated && Vector<T>.IsSupported ? Vector<T>.Count : int.MaxValue;
        for (int p = 0; p < panels; p++)
        {
            ref T from = ref Unsafe.Add(ref src, (nint)p * panelWidth);
            ref T to = ref Unsafe.Add(ref dst, (nint)p * panelWidth * rows);
            for (int k = 0; k < rows; k++)
            {
                int c = 0;
                for (; c + width <= panelWidth; c += width)
                {
                    Vector.LoadUnsafe(ref from, (nuint)c).StoreUnsafe(ref to, (nuint)c);
                }

                for (; c < panelWidth; c++)
                {
                    Unsafe.Add(ref to, c) = Unsafe.Add(ref from, c);
                }

                from = ref Unsafe.Add(ref from, columns);
                to = ref Unsafe.Add(ref to, panelWidth);
            }
        }
    }

    /// <summary>One 8 × 8 float block: unpack pairs, shuffle quads, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(ref float source, int sourceStride, ref float destination, int destinationStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref source, 0 * (nuint)sourceStride);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref source, 1 * (nuint)sourceStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref source, 2 * (nuint)sourceStride);
        Vector256<float> r3 = Vector256.LoadUnsafe(ref source, 3 * (nuint)sourceStride);
        Vector256<float> r4 = Vector256.LoadUnsafe(ref source, 4 * (nuint)sourceStride);
        Vector256<float> r5 = Vector256.LoadUnsafe(ref source, 5 * (nuint)sourceStride);
        Vector256<float> r6 = Vector256.LoadUnsafe(ref source, 6 * (nuint)sourceStride);
        Vector256<float> r7 = Vector256.LoadUnsafe(ref source, 7 * (nuint)sourceStride);

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref destination, 0 * (nuint)destinationStride);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref destination, 1 * (nuint)destinationStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref destination, 2 * (nuint)destinationStride);
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref destination, 3 * (nuint)destinationStride);
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref destination, 4 * (nuint)destinationStride);
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref destination, 5 * (nuint)destinationStride);
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref destination, 6 * (nuint)destinationStride);
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref destination, 7 * (nuint)destinationStride);
    }

    /// <summary>One 4 × 4 double block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(ref double source, int sourceStride, ref double destination, int destinationStride)
    {
        Vector256<double> r0 = Vector256.LoadUnsafe(ref source, 0 * (nuint)sourceStride);
        Vector256<double> r1 = Vector256.LoadUnsafe(ref source, 1 * (nuint)sourceStride);
        Vector256<double> r2 = Vector256.LoadUnsafe(ref source, 2 * (nuint)sourceStride);
        Vector256<double> r3 = Vector256.LoadUnsafe(ref source, 3 * (nuint)sourceStride);

        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);

        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref destination, 0 * (nuint)destinationStride);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref destination, 1 * (nuint)destinationStride);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref destination, 2 * (nuint)destinationStride);
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref destination, 3 * (nuint)destinationStride);
    }
}
