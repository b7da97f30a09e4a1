using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Benchmarks.Hand;

/// <summary>What is applied to a product's 16-wide panel before it is stored: z, σ(z), or a δ masked by σ'(z) through a.</summary>
internal interface IEpilogue
{
    /// <summary>The stored value from the sum <paramref name="v"/> and, for a δ, the layer's activation <paramref name="a"/>.</summary>
    static abstract Vector256<float> Apply(Vector256<float> v, Vector256<float> a);

    /// <summary>Whether <see cref="Apply"/> reads a (the mask matrix), so the others skip the load.</summary>
    static abstract bool ReadsA { get; }

    /// <summary>
    /// Whether the micro-kernels apply it to their accumulators before the store (cheap ones), or the product applies it
    /// in a pass over Z afterwards (the sigmoid: its exponential over twelve accumulators at once would spill).
    /// </summary>
    static virtual bool Fused => true;
}

/// <summary>z, stored as is.</summary>
internal readonly struct Identity : IEpilogue
{
    public static bool ReadsA => false;

    public static Vector256<float> Apply(Vector256<float> v, Vector256<float> a) => v;
}

/// <summary>a = max(0, z).</summary>
internal readonly struct Relu : IEpilogue
{
    public static bool ReadsA => false;

    public static Vector256<float> Apply(Vector256<float> v, Vector256<float> a) => Vector256.Max(v, Vector256<float>.Zero);
}

/// <summary>a = 1 / (1 + e^(−z)).</summary>
internal readonly struct Sigmoid : IEpilogue
{
    public static bool ReadsA => false;

    public static bool Fused => false;

    public static Vector256<float> Apply(Vector256<float> v, Vector256<float> a) =>
        Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp((-v).AsVector()).AsVector256());
}

/// <summary>δ = g ∘ 1[z &gt; 0], with z &gt; 0 ⇔ a = max(0, z) &gt; 0.</summary>
internal readonly struct ReluDelta : IEpilogue
{
    public static bool ReadsA => true;

    public static Vector256<float> Apply(Vector256<float> v, Vector256<float> a) =>
        Avx.And(v, Avx.CompareGreaterThan(a, Vector256<float>.Zero));
}

/// <summary>δ = g ∘ a (1 − a), the sigmoid's derivative through a.</summary>
internal readonly struct SigmoidDelta : IEpilogue
{
    public static bool ReadsA => true;

    public static Vector256<float> Apply(Vector256<float> v, Vector256<float> a) => v * a * (Vector256<float>.One - a);
}

/// <summary>
/// The two products a hand-written dense network is made of, AVX2/FMA, row-major, sizes in floats:
/// Z = ε(X W + b) (forward, and δ^{l−1} = ε(δ^l (W^l)ᵀ) with W^lᵀ copied) over 16-column panels of W copied contiguous
/// over k, each read by 6 rows × 16 columns micro-kernels (12 accumulators; 4 × 16 for what 6 leaves), or for under 4
/// rows 1 × 64 (8 accumulators) and 1 × 16 with W read in place; δ^{l−1} for under 4 rows as dot products with the rows
/// of W (<see cref="DeltaDots"/>); and the fused update W += s Σ_rows Aᵀ D as 6 × 16 tiles of W summed over the whole
/// batch in registers (D's 16-column panels packed contiguous, k outer; up to 16 rows D read in place), so every weight
/// is read and written once per step and no gradient buffer exists.
/// </summary>
internal static class HandGemm
{
    /// <summary>Throws unless the machine has AVX2 and FMA (the micro-kernels use 256-bit vectors and FMA directly).</summary>
    public static void RequireAvx2()
    {
        if (!Avx2.IsSupported || !Fma.IsSupported)
        {
            throw new PlatformNotSupportedException("the hand kernels b and c need AVX2 and FMA");
        }
    }

    /// <summary>128 zeros: the bias of a product that has none.</summary>
    public static readonly float[] Zeros = new float[128];

    /// <summary>
    /// Z[s, j] = ε(Σ_k X[s, k] W[k, j] + b[j]) for s &lt; rows, j &lt; cols (a multiple of 16), k &lt; depth; the mask M
    /// (for the δ epilogues) has Z's layout.
    /// </summary>
    public static void Product<TEpi>(ref float x, int ldx, int rows, ref float w, int ldw, int depth, ref float bias, ref float z, int ldz, int cols, ref float m)
        where TEpi : struct, IEpilogue
    {
        if (TEpi.Fused)
        {
            ProductCore<TEpi>(ref x, ldx, rows, ref w, ldw, depth, ref bias, ref z, ldz, cols, ref m);
            return;
        }

        ProductCore<Identity>(ref x, ldx, rows, ref w, ldw, depth, ref bias, ref z, ldz, cols, ref m);
        for (int s = 0; s < rows; s++)
        {
            for (int j = 0; j < cols; j += 8)
            {
                nuint i = (nuint)(s * ldz + j);
                TEpi.Apply(Vector256.LoadUnsafe(ref z, i), TEpi.ReadsA ? Vector256.LoadUnsafe(ref m, i) : default).StoreUnsafe(ref z, i);
            }
        }
    }

    [SkipLocalsInit]
    private static void ProductCore<TEpi>(ref float x, int ldx, int rows, ref float w, int ldw, int depth, ref float bias, ref float z, int ldz, int cols, ref float m)
        where TEpi : struct, IEpilogue
    {
        if (rows < 4)
        {
            for (int s = 0; s < rows; s++)
            {
                int j = 0;
                for (; j + 64 <= cols; j += 64)
                {
                    Row64<TEpi>(ref Unsafe.Add(ref x, s * ldx), ref Unsafe.Add(ref w, j), ldw, depth, ref Unsafe.Add(ref bias, j),
                        ref Unsafe.Add(ref z, s * ldz + j), ref Unsafe.Add(ref m, s * ldz + j));
                }

                for (; j < cols; j += 16)
                {
                    Row16<TEpi>(ref Unsafe.Add(ref x, s * ldx), ref Unsafe.Add(ref w, j), ldw, depth, ref Unsafe.Add(ref bias, j),
                        ref Unsafe.Add(ref z, s * ldz + j), ref Unsafe.Add(ref m, s * ldz + j));
                }
            }

            return;
        }

        // blocks of 6 rows, and two or one of 4 for what 6 leaves (32 = 4·6 + 2·4, 256 = 42·6 + 4)
        int sixes = rows / 6, rest = rows % 6;
        if (rest is 2 or 3 && sixes > 0)
        {
            sixes--;
            rest += 6;
        }

        // each panel of 16 columns of W copied contiguous over k (unless W is one panel already), then read by every block
        Span<float> packed = ldw == 16 ? default : stackalloc float[depth * 16];
        for (int j = 0; j < cols; j += 16)
        {
            ref float panel = ref ldw == 16 ? ref Unsafe.Add(ref w, j) : ref MemoryMarshal.GetReference(packed);
            if (ldw != 16)
            {
                ref float from = ref Unsafe.Add(ref w, j);
                for (int k = 0; k < depth; k++)
                {
                    Vector256.LoadUnsafe(ref from).StoreUnsafe(ref panel, (nuint)(16 * k));
                    Vector256.LoadUnsafe(ref from, 8).StoreUnsafe(ref panel, (nuint)(16 * k + 8));
                    from = ref Unsafe.Add(ref from, ldw);
                }
            }

            int s = 0;
            for (int b = 0; b < sixes; b++, s += 6)
            {
                Block6<TEpi>(ref Unsafe.Add(ref x, s * ldx), ldx, ref panel, depth, ref Unsafe.Add(ref bias, j),
                    ref Unsafe.Add(ref z, s * ldz + j), ldz, ref Unsafe.Add(ref m, s * ldz + j));
            }

            for (; s + 4 <= rows; s += 4)
            {
                Block4<TEpi>(ref Unsafe.Add(ref x, s * ldx), ldx, ref panel, 16, depth, ref Unsafe.Add(ref bias, j),
                    ref Unsafe.Add(ref z, s * ldz + j), ldz, ref Unsafe.Add(ref m, s * ldz + j));
            }

            for (; s < rows; s++)
            {
                Row16<TEpi>(ref Unsafe.Add(ref x, s * ldx), ref panel, 16, depth, ref Unsafe.Add(ref bias, j),
                    ref Unsafe.Add(ref z, s * ldz + j), ref Unsafe.Add(ref m, s * ldz + j));
            }
        }
    }

    /// <summary>6 rows × 16 columns of a packed panel: per k two loads, six broadcasts, twelve FMAs (12 accumulators).</summary>
    private static void Block6<TEpi>(ref float x, int ldx, ref float panel, int depth, ref float bias, ref float z, int ldz, ref float m)
        where TEpi : struct, IEpilogue
    {
        Vector256<float> b0 = Vector256.LoadUnsafe(ref bias), b1 = Vector256.LoadUnsafe(ref bias, 8);
        Vector256<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        ref float x1 = ref Unsafe.Add(ref x, ldx);
        ref float x2 = ref Unsafe.Add(ref x, 2 * ldx);
        ref float x3 = ref Unsafe.Add(ref x, 3 * ldx);
        ref float x4 = ref Unsafe.Add(ref x, 4 * ldx);
        ref float x5 = ref Unsafe.Add(ref x, 5 * ldx);
        ref float wk = ref panel;
        for (int k = 0; k < depth; k++)
        {
            Vector256<float> w0 = Vector256.LoadUnsafe(ref wk), w1 = Vector256.LoadUnsafe(ref wk, 8);
            var v = Vector256.Create(Unsafe.Add(ref x, k));
            c00 = Fma.MultiplyAdd(v, w0, c00);
            c01 = Fma.MultiplyAdd(v, w1, c01);
            v = Vector256.Create(Unsafe.Add(ref x1, k));
            c10 = Fma.MultiplyAdd(v, w0, c10);
            c11 = Fma.MultiplyAdd(v, w1, c11);
            v = Vector256.Create(Unsafe.Add(ref x2, k));
            c20 = Fma.MultiplyAdd(v, w0, c20);
            c21 = Fma.MultiplyAdd(v, w1, c21);
            v = Vector256.Create(Unsafe.Add(ref x3, k));
            c30 = Fma.MultiplyAdd(v, w0, c30);
            c31 = Fma.MultiplyAdd(v, w1, c31);
            v = Vector256.Create(Unsafe.Add(ref x4, k));
            c40 = Fma.MultiplyAdd(v, w0, c40);
            c41 = Fma.MultiplyAdd(v, w1, c41);
            v = Vector256.Create(Unsafe.Add(ref x5, k));
            c50 = Fma.MultiplyAdd(v, w0, c50);
            c51 = Fma.MultiplyAdd(v, w1, c51);
            wk = ref Unsafe.Add(ref wk, 16);
        }

        Store<TEpi>(c00, c01, ref z, ref m);
        Store<TEpi>(c10, c11, ref Unsafe.Add(ref z, ldz), ref Unsafe.Add(ref m, ldz));
        Store<TEpi>(c20, c21, ref Unsafe.Add(ref z, 2 * ldz), ref Unsafe.Add(ref m, 2 * ldz));
        Store<TEpi>(c30, c31, ref Unsafe.Add(ref z, 3 * ldz), ref Unsafe.Add(ref m, 3 * ldz));
        Store<TEpi>(c40, c41, ref Unsafe.Add(ref z, 4 * ldz), ref Unsafe.Add(ref m, 4 * ldz));
        Store<TEpi>(c50, c51, ref Unsafe.Add(ref z, 5 * ldz), ref Unsafe.Add(ref m, 5 * ldz));
    }

    /// <summary>4 rows × 16 columns: per k two loads of W, four broadcasts of X, eight FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4<TEpi>(ref float x, int ldx, ref float w, int ldw, int depth, ref float bias, ref float z, int ldz, ref float m)
        where TEpi : struct, IEpilogue
    {
        Vector256<float> b0 = Vector256.LoadUnsafe(ref bias), b1 = Vector256.LoadUnsafe(ref bias, 8);
        Vector256<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
        ref float x1 = ref Unsafe.Add(ref x, ldx);
        ref float x2 = ref Unsafe.Add(ref x, 2 * ldx);
        ref float x3 = ref Unsafe.Add(ref x, 3 * ldx);
        ref float wk = ref w;
        for (int k = 0; k < depth; k++)
        {
            Vector256<float> w0 = Vector256.LoadUnsafe(ref wk), w1 = Vector256.LoadUnsafe(ref wk, 8);
            var v = Vector256.Create(Unsafe.Add(ref x, k));
            c00 = Fma.MultiplyAdd(v, w0, c00);
            c01 = Fma.MultiplyAdd(v, w1, c01);
            v = Vector256.Create(Unsafe.Add(ref x1, k));
            c10 = Fma.MultiplyAdd(v, w0, c10);
            c11 = Fma.MultiplyAdd(v, w1, c11);
            v = Vector256.Create(Unsafe.Add(ref x2, k));
            c20 = Fma.MultiplyAdd(v, w0, c20);
            c21 = Fma.MultiplyAdd(v, w1, c21);
            v = Vector256.Create(Unsafe.Add(ref x3, k));
            c30 = Fma.MultiplyAdd(v, w0, c30);
            c31 = Fma.MultiplyAdd(v, w1, c31);
            wk = ref Unsafe.Add(ref wk, ldw);
        }

        Store<TEpi>(c00, c01, ref z, ref m);
        Store<TEpi>(c10, c11, ref Unsafe.Add(ref z, ldz), ref Unsafe.Add(ref m, ldz));
        Store<TEpi>(c20, c21, ref Unsafe.Add(ref z, 2 * ldz), ref Unsafe.Add(ref m, 2 * ldz));
        Store<TEpi>(c30, c31, ref Unsafe.Add(ref z, 3 * ldz), ref Unsafe.Add(ref m, 3 * ldz));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TEpi>(Vector256<float> c0, Vector256<float> c1, ref float z, ref float m) where TEpi : struct, IEpilogue
    {
        Vector256<float> m0 = TEpi.ReadsA ? Vector256.LoadUnsafe(ref m) : default, m1 = TEpi.ReadsA ? Vector256.LoadUnsafe(ref m, 8) : default;
        TEpi.Apply(c0, m0).StoreUnsafe(ref z);
        TEpi.Apply(c1, m1).StoreUnsafe(ref z, 8);
    }

    /// <summary>One row × 64 columns: eight accumulators, the matrix-vector product at the load bound.</summary>
    private static void Row64<TEpi>(ref float x, ref float w, int ldw, int depth, ref float bias, ref float z, ref float m)
        where TEpi : struct, IEpilogue
    {
        Vector256<float> c0 = Vector256.LoadUnsafe(ref bias), c1 = Vector256.LoadUnsafe(ref bias, 8), c2 = Vector256.LoadUnsafe(ref bias, 16), c3 = Vector256.LoadUnsafe(ref bias, 24);
        Vector256<float> c4 = Vector256.LoadUnsafe(ref bias, 32), c5 = Vector256.LoadUnsafe(ref bias, 40), c6 = Vector256.LoadUnsafe(ref bias, 48), c7 = Vector256.LoadUnsafe(ref bias, 56);
        ref float wk = ref w;
        for (int k = 0; k < depth; k++)
        {
            var v = Vector256.Create(Unsafe.Add(ref x, k));
            c0 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk), c0);
            c1 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 8), c1);
            c2 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 16), c2);
            c3 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 24), c3);
            c4 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 32), c4);
            c5 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 40), c5);
            c6 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 48), c6);
            c7 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 56), c7);
            wk = ref Unsafe.Add(ref wk, ldw);
        }

        Store<TEpi>(c0, c1, ref z, ref m);
        Store<TEpi>(c2, c3, ref Unsafe.Add(ref z, 16), ref Unsafe.Add(ref m, 16));
        Store<TEpi>(c4, c5, ref Unsafe.Add(ref z, 32), ref Unsafe.Add(ref m, 32));
        Store<TEpi>(c6, c7, ref Unsafe.Add(ref z, 48), ref Unsafe.Add(ref m, 48));
    }

    /// <summary>One row × 16 columns, even and odd k in separate accumulators (four chains instead of two).</summary>
    private static void Row16<TEpi>(ref float x, ref float w, int ldw, int depth, ref float bias, ref float z, ref float m)
        where TEpi : struct, IEpilogue
    {
        Vector256<float> c0 = Vector256.LoadUnsafe(ref bias), c1 = Vector256.LoadUnsafe(ref bias, 8), d0 = default, d1 = default;
        ref float wk = ref w;
        int k = 0;
        for (; k + 2 <= depth; k += 2)
        {
            var v = Vector256.Create(Unsafe.Add(ref x, k));
            var u = Vector256.Create(Unsafe.Add(ref x, k + 1));
            ref float wn = ref Unsafe.Add(ref wk, ldw);
            c0 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk), c0);
            c1 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 8), c1);
            d0 = Fma.MultiplyAdd(u, Vector256.LoadUnsafe(ref wn), d0);
            d1 = Fma.MultiplyAdd(u, Vector256.LoadUnsafe(ref wn, 8), d1);
            wk = ref Unsafe.Add(ref wn, ldw);
        }

        if (k < depth)
        {
            var v = Vector256.Create(Unsafe.Add(ref x, k));
            c0 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk), c0);
            c1 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref wk, 8), c1);
        }

        Store<TEpi>(c0 + d0, c1 + d1, ref z, ref m);
    }

    /// <summary>
    /// The fused step of a weight matrix: P[k, j] += scale Σ_s A[s, k] D[s, j] for k &lt; depth, j &lt; valid (P's row
    /// length ldp; D's columns are padded to a multiple of 16). D is copied into 16-column panels, each contiguous over
    /// the rows (a batch of 256 × 128 is 128 KB, in L2); then for every 6 (or 4, or 1) rows k of P — A's strip of those
    /// columns stays in L1 — each panel's 6 × 16 sums over all rows s are made in twelve accumulators (per s two loads
    /// of the panel, six broadcasts of A, twelve FMAs) and written once.
    /// </summary>
    public static void UpdateWeights(ref float a, int lda, ref float d, int ldd, int rows, ref float p, int ldp, int depth, int valid, float scale)
    {
        const int Chunk = 256;
        if (rows <= 16)
        {
            // a few samples: D read in place, P walked row after row (k outer), each row k … k + 5 written once
            UpdateWeightsInPlace(ref a, lda, ref d, ldd, rows, ref p, ldp, depth, valid, scale);
            return;
        }

        int panels = (valid + 15) / 16;
        int chunkRows = Math.Min(rows, Chunk);
        if (t_panels is null || t_panels.Length < chunkRows * 16 * panels)
        {
            t_panels = new float[Chunk * 16 * Math.Max(panels, 8)];
        }

        int sixes = depth / 6, rest = depth % 6;
        if (rest is 2 or 3 && sixes > 0)
        {
            sixes--;
            rest += 6;
        }

        for (int s0 = 0; s0 < rows; s0 += Chunk)
        {
            int n = Math.Min(Chunk, rows - s0);
            ref float a0 = ref Unsafe.Add(ref a, s0 * lda);
            ref float packed = ref t_panels[0];
            for (int q = 0; q < panels; q++)
            {
                ref float panel = ref Unsafe.Add(ref packed, q * n * 16);
                ref float from = ref Unsafe.Add(ref d, s0 * ldd + 16 * q);
                for (int s = 0; s < n; s++)
                {
                    Vector256.LoadUnsafe(ref from).StoreUnsafe(ref panel, (nuint)(16 * s));
                    Vector256.LoadUnsafe(ref from, 8).StoreUnsafe(ref panel, (nuint)(16 * s + 8));
                    from = ref Unsafe.Add(ref from, ldd);
                }
            }

            int k = 0;
            for (int b = 0; b < sixes; b++, k += 6)
            {
                for (int q = 0; q < panels; q++)
                {
                    Tile6(ref Unsafe.Add(ref a0, k), lda, ref Unsafe.Add(ref packed, q * n * 16), 16, n, ref Unsafe.Add(ref p, k * ldp + 16 * q), ldp, scale, valid - 16 * q);
                }
            }

            for (; k + 4 <= depth; k += 4)
            {
                for (int q = 0; q < panels; q++)
                {
                    Tile4(ref Unsafe.Add(ref a0, k), lda, ref Unsafe.Add(ref packed, q * n * 16), 16, n, ref Unsafe.Add(ref p, k * ldp + 16 * q), ldp, scale, valid - 16 * q);
                }
            }

            for (; k < depth; k++)
            {
                for (int q = 0; q < panels; q++)
                {
                    ref float panel = ref Unsafe.Add(ref packed, q * n * 16);
                    Vector256<float> c0 = default, c1 = default;
                    ref float ak = ref Unsafe.Add(ref a0, k);
                    for (int s = 0; s < n; s++)
                    {
                        var v = Vector256.Create(Unsafe.Add(ref ak, s * lda));
                        c0 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref panel, (nuint)(16 * s)), c0);
                        c1 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref panel, (nuint)(16 * s + 8)), c1);
                    }

                    AddScaled(ref Unsafe.Add(ref p, k * ldp + 16 * q), c0, c1, Vector256.Create(scale), scale, valid - 16 * q);
                }
            }
        }
    }

    /// <summary>The packed panels of D (<see cref="UpdateWeights"/>), one buffer per thread, grown on first use.</summary>
    [ThreadStatic]
    private static float[]? t_panels;

    private static void UpdateWeightsInPlace(ref float a, int lda, ref float d, int ldd, int rows, ref float p, int ldp, int depth, int valid, float scale)
    {
        int k = 0;
        for (; k + 6 <= depth; k += 6)
        {
            for (int j = 0; j < valid; j += 16)
            {
                Tile6(ref Unsafe.Add(ref a, k), lda, ref Unsafe.Add(ref d, j), ldd, rows, ref Unsafe.Add(ref p, k * ldp + j), ldp, scale, valid - j);
            }
        }

        for (; k + 4 <= depth; k += 4)
        {
            for (int j = 0; j < valid; j += 16)
            {
                Tile4(ref Unsafe.Add(ref a, k), lda, ref Unsafe.Add(ref d, j), ldd, rows, ref Unsafe.Add(ref p, k * ldp + j), ldp, scale, valid - j);
            }
        }

        for (; k < depth; k++)
        {
            for (int j = 0; j < valid; j += 16)
            {
                Vector256<float> c0 = default, c1 = default;
                for (int s = 0; s < rows; s++)
                {
                    var v = Vector256.Create(Unsafe.Add(ref a, s * lda + k));
                    c0 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref d, (nuint)(s * ldd + j)), c0);
                    c1 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref d, (nuint)(s * ldd + j + 8)), c1);
                }

                AddScaled(ref Unsafe.Add(ref p, k * ldp + j), c0, c1, Vector256.Create(scale), scale, valid - j);
            }
        }
    }

    /// <summary>P[k … k + 6, j … j + 16) += scale Σ_s A[s, k …]ᵀ D_panel[s, :].</summary>
    private static void Tile6(ref float a, int lda, ref float panel, int ldd, int rows, ref float p, int ldp, float scale, int width)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float ds = ref panel;
        ref float ak = ref a;
        for (int s = 0; s < rows; s++)
        {
            Vector256<float> d0 = Vector256.LoadUnsafe(ref ds), d1 = Vector256.LoadUnsafe(ref ds, 8);
            var v = Vector256.Create(ak);
            c00 = Fma.MultiplyAdd(v, d0, c00);
            c01 = Fma.MultiplyAdd(v, d1, c01);
            v = Vector256.Create(Unsafe.Add(ref ak, 1));
            c10 = Fma.MultiplyAdd(v, d0, c10);
            c11 = Fma.MultiplyAdd(v, d1, c11);
            v = Vector256.Create(Unsafe.Add(ref ak, 2));
            c20 = Fma.MultiplyAdd(v, d0, c20);
            c21 = Fma.MultiplyAdd(v, d1, c21);
            v = Vector256.Create(Unsafe.Add(ref ak, 3));
            c30 = Fma.MultiplyAdd(v, d0, c30);
            c31 = Fma.MultiplyAdd(v, d1, c31);
            v = Vector256.Create(Unsafe.Add(ref ak, 4));
            c40 = Fma.MultiplyAdd(v, d0, c40);
            c41 = Fma.MultiplyAdd(v, d1, c41);
            v = Vector256.Create(Unsafe.Add(ref ak, 5));
            c50 = Fma.MultiplyAdd(v, d0, c50);
            c51 = Fma.MultiplyAdd(v, d1, c51);
            ak = ref Unsafe.Add(ref ak, lda);
            ds = ref Unsafe.Add(ref ds, ldd);
        }

        var sv = Vector256.Create(scale);
        AddScaled(ref p, c00, c01, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, ldp), c10, c11, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, 2 * ldp), c20, c21, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, 3 * ldp), c30, c31, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, 4 * ldp), c40, c41, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, 5 * ldp), c50, c51, sv, scale, width);
    }

    /// <summary>P[k … k + 4, j … j + 16) += scale Σ_s A[s, k …]ᵀ D_panel[s, :].</summary>
    private static void Tile4(ref float a, int lda, ref float panel, int ldd, int rows, ref float p, int ldp, float scale, int width)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        ref float ds = ref panel;
        ref float ak = ref a;
        for (int s = 0; s < rows; s++)
        {
            Vector256<float> d0 = Vector256.LoadUnsafe(ref ds), d1 = Vector256.LoadUnsafe(ref ds, 8);
            var v = Vector256.Create(ak);
            c00 = Fma.MultiplyAdd(v, d0, c00);
            c01 = Fma.MultiplyAdd(v, d1, c01);
            v = Vector256.Create(Unsafe.Add(ref ak, 1));
            c10 = Fma.MultiplyAdd(v, d0, c10);
            c11 = Fma.MultiplyAdd(v, d1, c11);
            v = Vector256.Create(Unsafe.Add(ref ak, 2));
            c20 = Fma.MultiplyAdd(v, d0, c20);
            c21 = Fma.MultiplyAdd(v, d1, c21);
            v = Vector256.Create(Unsafe.Add(ref ak, 3));
            c30 = Fma.MultiplyAdd(v, d0, c30);
            c31 = Fma.MultiplyAdd(v, d1, c31);
            ak = ref Unsafe.Add(ref ak, lda);
            ds = ref Unsafe.Add(ref ds, ldd);
        }

        var sv = Vector256.Create(scale);
        AddScaled(ref p, c00, c01, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, ldp), c10, c11, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, 2 * ldp), c20, c21, sv, scale, width);
        AddScaled(ref Unsafe.Add(ref p, 3 * ldp), c30, c31, sv, scale, width);
    }

    /// <summary>P[0..16) += s (c0, c1), or only the first <paramref name="width"/> (8 to 15) of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(ref float p, Vector256<float> c0, Vector256<float> c1, Vector256<float> sv, float scale, int width)
    {
        Fma.MultiplyAdd(sv, c0, Vector256.LoadUnsafe(ref p)).StoreUnsafe(ref p);
        if (width >= 16)
        {
            Fma.MultiplyAdd(sv, c1, Vector256.LoadUnsafe(ref p, 8)).StoreUnsafe(ref p, 8);
        }
        else
        {
            for (int i = 0; i < width - 8; i++)
            {
                Unsafe.Add(ref p, 8 + i) += scale * c1.GetElement(i);
            }
        }
    }

    /// <summary>The fused step of a bias: b[j] += scale Σ_s D[s, j] for j &lt; valid.</summary>
    public static void UpdateBias(ref float d, int ldd, int rows, ref float b, int valid, float scale)
    {
        int j = 0;
        for (; j + 8 <= valid; j += 8)
        {
            Vector256<float> sum = default;
            for (int s = 0; s < rows; s++)
            {
                sum += Vector256.LoadUnsafe(ref d, (nuint)(s * ldd + j));
            }

            Fma.MultiplyAdd(Vector256.Create(scale), sum, Vector256.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref b, (nuint)j);
        }

        for (; j < valid; j++)
        {
            float sum = 0;
            for (int s = 0; s < rows; s++)
            {
                sum += Unsafe.Add(ref d, s * ldd + j);
            }

            Unsafe.Add(ref b, j) += scale * sum;
        }
    }

    /// <summary>
    /// δ^{l−1}[s, k] = ε(Σ_j W[k, j] δ[s, j]) for a few rows without a transposed copy of W: each row k of W
    /// (outs, a multiple of 8, contiguous) dotted with δ_s, eight rows k at a time (eight independent FMA chains),
    /// the eight sums reduced together into one vector.
    /// </summary>
    public static void DeltaDots<TEpi>(ref float d, int ldd, int rows, ref float w, int outs, int inputs, ref float previous, int ldp, ref float m)
        where TEpi : struct, IEpilogue
    {
        for (int s = 0; s < rows; s++)
        {
            ref float ds = ref Unsafe.Add(ref d, s * ldd);
            for (int k = 0; k < inputs; k += 8)
            {
                ref float w0 = ref Unsafe.Add(ref w, k * outs);
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                for (int j = 0; j < outs; j += 8)
                {
                    var dv = Vector256.LoadUnsafe(ref ds, (nuint)j);
                    ref float wj = ref Unsafe.Add(ref w0, j);
                    c0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj), dv, c0);
                    c1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)outs), dv, c1);
                    c2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)(2 * outs)), dv, c2);
                    c3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)(3 * outs)), dv, c3);
                    c4 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)(4 * outs)), dv, c4);
                    c5 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)(5 * outs)), dv, c5);
                    c6 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)(6 * outs)), dv, c6);
                    c7 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wj, (nuint)(7 * outs)), dv, c7);
                }

                Vector256<float> sums = Sums(c0, c1, c2, c3, c4, c5, c6, c7);
                nuint at = (nuint)(s * ldp + k);
                TEpi.Apply(sums, TEpi.ReadsA ? Vector256.LoadUnsafe(ref m, at) : default).StoreUnsafe(ref previous, at);
            }
        }
    }

    /// <summary>(Σ c0, Σ c1, …, Σ c7): three rounds of horizontal adds and one cross-lane add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sums(Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3,
        Vector256<float> c4, Vector256<float> c5, Vector256<float> c6, Vector256<float> c7)
    {
        // per 128-bit half: h01 = (c0₀+c0₁, c0₂+c0₃, c1₀+c1₁, c1₂+c1₃), … ; then (c0 c1 c2 c3) partials; then the halves
        Vector256<float> h01 = Avx.HorizontalAdd(c0, c1), h23 = Avx.HorizontalAdd(c2, c3);
        Vector256<float> h45 = Avx.HorizontalAdd(c4, c5), h67 = Avx.HorizontalAdd(c6, c7);
        Vector256<float> q0 = Avx.HorizontalAdd(h01, h23), q1 = Avx.HorizontalAdd(h45, h67);   // lanes: (c0 c1 c2 c3 | c0 c1 c2 c3) halves
        Vector256<float> lo = Avx.Permute2x128(q0, q1, 0x20), hi = Avx.Permute2x128(q0, q1, 0x31);
        return lo + hi;
    }
}
