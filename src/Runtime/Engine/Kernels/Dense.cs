using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.Simd;

namespace NetGen;

/// <summary>
/// The wide dense layer's three products, generic over the layer's sizes (TLayer in each method
/// is a struct the generator writes, so the JIT sees In, Out and the offsets as constants):
/// <code>
/// z^l = W^l a^{l−1} + b^l            (Forward / Product)
/// ∂C/∂a^{l−1} = (W^l)ᵀ δ^l           (Backpropagate)
/// ∂C/∂W^l += a^{l−1} δ^lᵀ,  ∂C/∂b^l += Σ_s δ^l   (AccumulateGradients)
/// </code>
/// Each is a register-blocked kernel with explicit fused multiply-adds. ∂C/∂W, and for weights larger than L1 the
/// products with W and (W^l)ᵀ from 8 rows: 6 rows × 2 vectors in 12 <see cref="Vector{T}"/> accumulators over panels of
/// 2 vectors of columns copied to the stack, so that the inner loop reads one contiguous stream that stays in cache
/// (rows of 1 KB read in place fall into a few L1 sets). Otherwise the product runs 4 samples × 2 vectors of outputs in 8
/// accumulators, then the remainders (one sample with up to 8 vectors, one vector, scalars); a W whose panels do not fit
/// the stack is copied into the workspace in batches of 128 rows or more. Batches under
/// 4 rows back-propagate with four dot products at a time instead of a transposed copy; one-output layers run
/// vectorized over k. Every path adds the same products in the same order for a given element, so a row's result does
/// not depend on the batch it came in, nor on the block it fell in.
/// </summary>
public static class Dense
{
    /// <summary>Rows of the micro-kernel (samples for the products, inputs k for ∂C/∂W).</summary>
    public const int BlockRows = 4;

    /// <summary>A layer whose weights take more bytes than this (a core's L1 data cache) reads them from column panels in large batches.</summary>
    public const int PanelBytes = 32 * 1024;

    /// <summary>
    /// The fewest rows for which copying all of W into panels in the workspace pays, for a W whose one panel is larger
    /// than <see cref="StackPanelBytes"/> (In above 2048 floats): measured on 784 → 128 (c's first layer), one thread,
    /// inference 10 % slower at 32 rows, even at 64, 1–2 % faster at 128 and 8–12 % at 256 (training B256 7 %).
    /// </summary>
    public const int PanelRows = 128;

    /// <summary>
    /// The most bytes of one panel of W (In × 2 vectors: In ≤ 2048 with 256-bit vectors) the products copy to the stack
    /// (<see cref="PanelProduct"/>): W's panels one at a time, each kept in L1/L2 for all the blocks of rows. On 784 → 256
    /// (bench --kernels, 2026-12-06) the forward ran at 67–85 GFLOP/s from 16 rows to 256 against 49–53 reading W in
    /// place (16–64 rows) and 82–89 with the workspace panels (128–256).
    /// </summary>
    public const int StackPanelBytes = 128 * 1024;

    /// <summary>The fewest rows for which the forward product of a W larger than L2/2 copies W to the stack one panel at a time (below: W read in place, each row once per block of 4 samples).</summary>
    public const int StackPanelMinRows = 8;

    /// <summary>
    /// The fewest rows for which the forward product of a W larger than L1 but not than <see cref="HalfL2Bytes"/> copies W
    /// to the stack one panel at a time: on 256 → 128 (128 KB, read from L2 in place) the copy cost 8–13 % at 16 rows and
    /// gained 20–28 % from 32 (bench --kernels, 2026-12-06).
    /// </summary>
    public const int StackPanelL2Rows = 32;

    /// <summary>Half a core's L2 cache (Zen 3: 512 KB): a W up to this size stays in L2 while the product reads it in place.</summary>
    public const int HalfL2Bytes = 256 * 1024;

    /// <summary>Whether <typeparamref name="TLayer"/>'s forward product reads W from column panels in batches of <see cref="PanelRows"/> rows or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // a constant: called from the kernels, which are optimized without profile data
    public static bool UsesPanels<T, TLayer>() where T : unmanaged, IFloatingPointIeee754<T> where TLayer : struct, IDenseLayer<T> =>
        (long)TLayer.In * TLayer.Out * Unsafe.SizeOf<T>() > PanelBytes;

    /// <summary>z = W a + b and a' = σ(z) over <paramref name="rows"/> samples (σ on the store for the one-instruction activations, else in one pass after).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // a dispatch: inlined into the network's pass, the kernels it calls are optimized from the start
    public static void Forward<T, TLayer, TAct>(ReadOnlySpan<T> p, ReadOnlySpan<T> a, Span<T> z, Span<T> activation, int rows, Workspace<T> ws)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
        where TAct : struct, IActivation
    {
        if (TAct.OnStore)
        {
            ProductCore<T, TLayer, TAct>(p, a, z, activation, rows, ws);
        }
        else
        {
            // σ with e^z in one pass after the product: inlined into every store it would make the kernel too large to
            // inline its helpers (and a single row 30 % slower on 2-64-64-1)
            ProductCore<T, TLayer, ProductOnly>(p, a, z, default, rows, ws);
            Activations.Apply<T, TAct>(z, activation, rows * TLayer.Out, TLayer.Alpha);
        }
    }

    /// <summary>z = W a + b over <paramref name="rows"/> samples (for layers whose activation follows batch normalization or softmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Product<T, TLayer>(ReadOnlySpan<T> p, ReadOnlySpan<T> a, Span<T> z, int rows, Workspace<T> ws)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T> =>
        ProductCore<T, TLayer, ProductOnly>(p, a, z, default, rows, ws);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductCore<T, TLayer, TAct>(ReadOnlySpan<T> p, ReadOnlySpan<T> a, Span<T> z, Span<T> activation, int rows, Workspace<T> ws)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
        where TAct : struct, IActivation
    {
        int inputs = TLayer.In, outputs = TLayer.Out;
        ReadOnlySpan<T> w = p.Slice(TLayer.W, inputs * outputs);
        ReadOnlySpan<T> b = p.Slice(TLayer.B, outputs);
        _ = a.Slice(0, rows * inputs);
        _ = z.Slice(0, rows * outputs);
        if (TAct.OnStore)
        {
            _ = activation.Slice(0, rows * outputs);
        }

        ref T wr = ref MemoryMarshal.GetReference(w);
        if (rows == 1)
        {
            // one sample: a matrix-vector product, without the 4-row blocks' dispatch
            RowProduct<T, InputsOf<T, TLayer>, OutputsOf<T, TLayer>, TAct>(ref MemoryMarshal.GetReference(a), ref wr,
                ref MemoryMarshal.GetReference(b), true, ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(activation), TLayer.Alpha);
            return;
        }

        if (UsesPanels<T, TLayer>() && rows >= StackPanelMinRows && (rows >= StackPanelL2Rows || (long)inputs * outputs * Unsafe.SizeOf<T>() > HalfL2Bytes)
            && (long)inputs * 2 * Vector<T>.Count * Unsafe.SizeOf<T>() <= StackPanelBytes)
        {
            // W larger than L1: one panel of W (2 vectors of columns, contiguous over k) on the stack at a time, read by
            // every 6-row block while it is in L1/L2, instead of all of W from L2/L3 once per block
            PanelProduct<T, InputsOf<T, TLayer>, OutputsOf<T, TLayer>, TAct>(ref MemoryMarshal.GetReference(a), ref wr,
                ref MemoryMarshal.GetReference(b), true, ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(activation), TLayer.Alpha, rows);
            return;
        }

        ref T panels = ref wr;
        nint panelStart = 1, panelStep = outputs;
        if (UsesPanels<T, TLayer>() && rows >= PanelRows)
        {
            // W is larger than L1: copied into panels of 2 vectors of columns, each contiguous over k, so that the
            // 4-sample blocks read one stream instead of a row of W per step
            Span<T> packed = ws.PanelBuffer(inputs * outputs);
            VectorMath.PackPanels(w, inputs, outputs, 2 * Vector<T>.Count, packed);
            panels = ref MemoryMarshal.GetReference(packed);
            panelStart = inputs;
            panelStep = 2 * Vector<T>.Count;
        }

        Block<T, InputsOf<T, TLayer>, OutputsOf<T, TLayer>, TAct>(
            ref MemoryMarshal.GetReference(a), ref wr, ref MemoryMarshal.GetReference(b), true,
            ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(activation), TLayer.Alpha,
            rows, ref panels, panelStart, panelStep);
    }

    /// <summary>
    /// ∂C/∂a^{l−1} = (W^l)ᵀ δ^l into <paramref name="dPrevious"/>: a product with the transposed copy of W^l when the batch
    /// has one (<paramref name="transposed"/> not empty: 4 rows or more) — for a W^l larger than L1 in 6-row blocks over
    /// contiguous panels of the copy (<see cref="PanelProduct"/>), else in the forward's 4-row blocks — and without one
    /// row by row.
    /// </summary>
    /// <param name="p">The parameters.</param>
    /// <param name="transposed">All transposed copies (empty for batches under 4 rows).</param>
    /// <param name="offset">Where (W^l)ᵀ starts in <paramref name="transposed"/>.</param>
    /// <param name="delta">δ^l, [rows × Out].</param>
    /// <param name="dPrevious">∂C/∂a^{l−1}, [rows × In].</param>
    /// <param name="rows">The number of samples.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backpropagate<T, TLayer>(ReadOnlySpan<T> p, ReadOnlySpan<T> transposed, int offset, ReadOnlySpan<T> delta, Span<T> dPrevious, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int inputs = TLayer.In, outputs = TLayer.Out;
        _ = delta.Slice(0, rows * outputs);
        _ = dPrevious.Slice(0, rows * inputs);
        if (!transposed.IsEmpty)
        {
            ReadOnlySpan<T> wt = transposed.Slice(offset, inputs * outputs);
            ref T tr = ref MemoryMarshal.GetReference(wt);
            if (UsesPanels<T, TLayer>() && (rows >= StackPanelL2Rows || (long)inputs * outputs * Unsafe.SizeOf<T>() > HalfL2Bytes)
                && (long)outputs * 2 * Vector<T>.Count * Unsafe.SizeOf<T>() <= StackPanelBytes)
            {
                PanelProduct<T, OutputsOf<T, TLayer>, InputsOf<T, TLayer>, ProductOnly>(ref MemoryMarshal.GetReference(delta), ref tr,
                    ref Unsafe.NullRef<T>(), false, ref MemoryMarshal.GetReference(dPrevious), ref Unsafe.NullRef<T>(), T.Zero, rows);
                return;
            }

            Block<T, OutputsOf<T, TLayer>, InputsOf<T, TLayer>, ProductOnly>(
                ref MemoryMarshal.GetReference(delta), ref tr, ref Unsafe.NullRef<T>(), false,
                ref MemoryMarshal.GetReference(dPrevious), ref Unsafe.NullRef<T>(), T.Zero,
                rows, ref tr, 1, inputs);
            return;
        }

        ref T wr = ref MemoryMarshal.GetReference(p.Slice(TLayer.W, inputs * outputs));
        if (outputs == 1)
        {
            // W has one column, contiguous over k: ∂C/∂a_k = w_k δ, for all k at once
            for (int s = 0; s < rows; s++)
            {
                ref T gs = ref At(ref MemoryMarshal.GetReference(dPrevious), s * inputs);
                T dj = delta[s];
                var dv = new Vector<T>(dj);
                int k = 0;
                for (; k + Vector<T>.Count <= inputs; k += Vector<T>.Count)
                {
                    Store(ref gs, k, Load(ref wr, k) * dv);
                }

                for (; k < inputs; k++)
                {
                    At(ref gs, k) = At(ref wr, k) * dj;
                }
            }

            return;
        }

        // ∂C/∂a_k = Σ_j w_jk δ_j = W[k, :]·δ: 4 rows k at a time (four independent FMA chains), then horizontal sums
        for (int s = 0; s < rows; s++)
        {
            ref T ds = ref At(ref MemoryMarshal.GetReference(delta), s * outputs);
            ref T gs = ref At(ref MemoryMarshal.GetReference(dPrevious), s * inputs);
            int k = 0;
            for (; k + 4 <= inputs; k += 4)
            {
                ref T w0 = ref At(ref wr, (k + 0) * outputs);
                ref T w1 = ref At(ref wr, (k + 1) * outputs);
                ref T w2 = ref At(ref wr, (k + 2) * outputs);
                ref T w3 = ref At(ref wr, (k + 3) * outputs);
                Vector<T> c0 = Vector<T>.Zero, c1 = Vector<T>.Zero, c2 = Vector<T>.Zero, c3 = Vector<T>.Zero;
                int j = 0;
                for (; j + Vector<T>.Count <= outputs; j += Vector<T>.Count)
                {
                    var dv = Load(ref ds, j);
                    c0 = Fma(Load(ref w0, j), dv, c0);
                    c1 = Fma(Load(ref w1, j), dv, c1);
                    c2 = Fma(Load(ref w2, j), dv, c2);
                    c3 = Fma(Load(ref w3, j), dv, c3);
                }

                if (outputs % Vector<T>.Count == 0)
                {
                    StoreSums(c0, c1, c2, c3, ref At(ref gs, k));   // no remainder: the four horizontal sums at once
                    continue;
                }

                // A layer narrower than a vector has no vector part: its accumulators are zero and are not summed.
                bool wide = outputs >= Vector<T>.Count;
                T dot0 = wide ? Vector.Sum(c0) : T.Zero, dot1 = wide ? Vector.Sum(c1) : T.Zero;
                T dot2 = wide ? Vector.Sum(c2) : T.Zero, dot3 = wide ? Vector.Sum(c3) : T.Zero;
                for (; j < outputs; j++)
                {
                    T dj = At(ref ds, j);
                    dot0 = T.FusedMultiplyAdd(At(ref w0, j), dj, dot0);
                    dot1 = T.FusedMultiplyAdd(At(ref w1, j), dj, dot1);
                    dot2 = T.FusedMultiplyAdd(At(ref w2, j), dj, dot2);
                    dot3 = T.FusedMultiplyAdd(At(ref w3, j), dj, dot3);
                }

                At(ref gs, k) = dot0;
                At(ref gs, k + 1) = dot1;
                At(ref gs, k + 2) = dot2;
                At(ref gs, k + 3) = dot3;
            }

            for (; k < inputs; k++)
            {
                ref T w0 = ref At(ref wr, k * outputs);
                Vector<T> c0 = Vector<T>.Zero;
                int j = 0;
                for (; j + Vector<T>.Count <= outputs; j += Vector<T>.Count)
                {
                    c0 = Fma(Load(ref w0, j), Load(ref ds, j), c0);
                }

                T dot0 = outputs >= Vector<T>.Count ? Vector.Sum(c0) : T.Zero;
                for (; j < outputs; j++)
                {
                    dot0 = T.FusedMultiplyAdd(At(ref w0, j), At(ref ds, j), dot0);
                }

                At(ref gs, k) = dot0;
            }
        }
    }

    /// <summary>
    /// <see cref="AccumulateGradients{T, TLayer}"/> for the first layer (a^0 = x), unless the tile leaves ∂C/∂W1 and ∂C/∂b1
    /// to the optimizer, which forms them from δ1 inside its own pass over W1 (<see cref="Tile{T}.DefersInputLayer"/>,
    /// <see cref="FitOptions.UpdateInsideInputLayer"/>): the same decision in every network, so it is made here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateInputLayerGradients<T, TLayer>(in Tile<T> t, Span<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> delta, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        if (!t.DefersInputLayer)
        {
            AccumulateGradients<T, TLayer>(g, x, delta, rows, scale);
        }
    }

    /// <summary>
    /// g[W + k·Out + j] += scale · Σ_s a[s, k] δ[s, j] and g[b + j] += scale · Σ_s δ[s, j]: 4 rows of ∂C/∂W × 2 vectors per
    /// block, the sum over the samples in registers (one-output layers: vectorized over k, since W is one column).
    /// </summary>
    /// <param name="g">The gradients, or the parameters for a fused SGD step (scale = −η/B).</param>
    /// <param name="a">a^{l−1}, [rows × In].</param>
    /// <param name="delta">δ^l, [rows × Out].</param>
    /// <param name="rows">The number of samples.</param>
    /// <param name="scale">1, or −η/B.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateGradients<T, TLayer>(Span<T> g, ReadOnlySpan<T> a, ReadOnlySpan<T> delta, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out;
        _ = g.Slice(TLayer.W, k * n);
        _ = g.Slice(TLayer.B, n);
        _ = a.Slice(0, rows * k);
        _ = delta.Slice(0, rows * n);
        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T xr = ref MemoryMarshal.GetReference(a);
        ref T dr = ref MemoryMarshal.GetReference(delta);
        var scaleV = new Vector<T>(scale);
        int vw = Vector<T>.Count;
        if (n == 1)
        {
            int k0 = 0;
            for (; k0 + 4 * vw <= k; k0 += 4 * vw)
            {
                Vector<T> c0 = Vector<T>.Zero, c1 = Vector<T>.Zero, c2 = Vector<T>.Zero, c3 = Vector<T>.Zero;
                ref T xs = ref At(ref xr, k0);   // a[s, k0…]
                for (int s = 0; s < rows; s++)
                {
                    var u = new Vector<T>(At(ref dr, s));
                    c0 = Fma(u, Load(ref xs, 0), c0);
                    c1 = Fma(u, Load(ref xs, vw), c1);
                    c2 = Fma(u, Load(ref xs, 2 * vw), c2);
                    c3 = Fma(u, Load(ref xs, 3 * vw), c3);
                    xs = ref At(ref xs, k);
                }

                ref T gk = ref At(ref gr, TLayer.W + k0);
                Store(ref gk, 0, Fma(scaleV, c0, Load(ref gk, 0)));
                Store(ref gk, vw, Fma(scaleV, c1, Load(ref gk, vw)));
                Store(ref gk, 2 * vw, Fma(scaleV, c2, Load(ref gk, 2 * vw)));
                Store(ref gk, 3 * vw, Fma(scaleV, c3, Load(ref gk, 3 * vw)));
            }

            for (; k0 + vw <= k; k0 += vw)
            {
                Vector<T> c0 = Vector<T>.Zero;
                ref T xs = ref At(ref xr, k0);
                for (int s = 0; s < rows; s++)
                {
                    c0 = Fma(new Vector<T>(At(ref dr, s)), Load(ref xs, 0), c0);
                    xs = ref At(ref xs, k);
                }

                ref T gk = ref At(ref gr, TLayer.W + k0);
                Store(ref gk, 0, Fma(scaleV, c0, Load(ref gk, 0)));
            }

            for (; k0 < k; k0++)
            {
                T c = T.Zero;
                for (int s = 0; s < rows; s++)
                {
                    c = T.FusedMultiplyAdd(At(ref xr, s * k + k0), At(ref dr, s), c);
                }

                At(ref gr, TLayer.W + k0) += scale * c;
            }

            T total = T.Zero;
            for (int s = 0; s < rows; s++)
            {
                total += At(ref dr, s);
            }

            At(ref gr, TLayer.B) += scale * total;
            return;
        }

        if (rows == 1)
        {
            // one sample: ∂C/∂W is the outer product a ⊗ δ (through InPlaceGradients' one-row loops it was 1.2-1.5x slower on 2-64-64-1)
            OneRowGradients<T, TLayer>(ref gr, ref xr, ref dr, scale);
            return;
        }

        if (rows <= InPlaceGradientRows && n >= 2 * vw)
        {
            // A few samples: δ read in place, 4 rows of ∂C/∂W at a time (packing the panels cost more than it saved:
            // 0.6-0.8x of this at 1-8 rows on 784 -> 256 and 256 -> 128; bench --kernels, 2026-12-06). A layer narrower
            // than a panel (128 -> 10) gains from the panels at every batch.
            InPlaceGradients<T, TLayer>(ref gr, ref xr, ref dr, rows, scale);
            return;
        }

        // a chunk of at most PackedRows samples at a time, so that its δ panel fits the stack (and L1)
        for (int s0 = 0; s0 < rows; s0 += PackedRows)
        {
            int chunk = Math.Min(PackedRows, rows - s0);
            GradientPanels<T, TLayer>(ref gr, ref At(ref xr, (nint)s0 * k), ref At(ref dr, (nint)s0 * n), chunk, scale);
        }
    }

    /// <summary>
    /// ∂C/∂W += scale · a ⊗ δ and ∂C/∂b += scale · δ of one sample: each row k of ∂C/∂W gets (a_k δ) scaled, a vector of j
    /// at a time (the same roundings as the blocked kernels: a_k δ_j once, then one fused multiply-add into g).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowGradients<T, TLayer>(ref T gr, ref T xr, ref T dr, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out, vw = Vector<T>.Count;
        var scaleV = new Vector<T>(scale);
        ref T gk = ref At(ref gr, TLayer.W);
        for (int r = 0; r < k; r++)
        {
            T ak = At(ref xr, r);
            var u = new Vector<T>(ak);
            int j = 0;
            for (; j + 2 * vw <= n; j += 2 * vw)
            {
                Store(ref gk, j, Fma(scaleV, u * Load(ref dr, j), Load(ref gk, j)));
                Store(ref gk, j + vw, Fma(scaleV, u * Load(ref dr, j + vw), Load(ref gk, j + vw)));
            }

            for (; j + vw <= n; j += vw)
            {
                Store(ref gk, j, Fma(scaleV, u * Load(ref dr, j), Load(ref gk, j)));
            }

            for (; j < n; j++)
            {
                At(ref gk, j) += scale * (ak * At(ref dr, j));
            }

            gk = ref At(ref gk, n);
        }

        ref T gb = ref At(ref gr, TLayer.B);
        int i = 0;
        for (; i + vw <= n; i += vw)
        {
            Store(ref gb, i, Fma(scaleV, Load(ref dr, i), Load(ref gb, i)));
        }

        for (; i < n; i++)
        {
            At(ref gb, i) += scale * At(ref dr, i);
        }
    }

    /// <summary>Batches of at most this many samples accumulate ∂C/∂W with δ read in place (<see cref="InPlaceGradients"/>) instead of packed into panels.</summary>
    private const int InPlaceGradientRows = 16;

    /// <summary>∂C/∂W and ∂C/∂b of a few samples, δ read in place: rows of ∂C/∂W 4 at a time, then one by one, then the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InPlaceGradients<T, TLayer>(ref T gr, ref T xr, ref T dr, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out, vw = Vector<T>.Count;
        var scaleV = new Vector<T>(scale);
        int r0 = 0;
        for (; r0 + 4 <= k; r0 += 4)
        {
            GradientRows4<T, TLayer>(ref gr, ref xr, ref dr, r0, rows, scale);
        }

        for (; r0 < k; r0++)
        {
            GradientRow<T, TLayer>(ref gr, ref xr, ref dr, r0, rows, scale);
        }

        int jb = 0;
        for (; jb + vw <= n; jb += vw)
        {
            Vector<T> sum = Vector<T>.Zero;
            ref T ds = ref At(ref dr, jb);
            for (int s = 0; s < rows; s++)
            {
                sum += Load(ref ds, 0);
                ds = ref At(ref ds, n);
            }

            Store(ref gr, TLayer.B + jb, Fma(scaleV, sum, Load(ref gr, TLayer.B + jb)));
        }

        for (; jb < n; jb++)
        {
            T sum = T.Zero;
            for (int s = 0; s < rows; s++)
            {
                sum += At(ref dr, s * n + jb);
            }

            At(ref gr, TLayer.B + jb) += scale * sum;
        }
    }

    /// <summary>
    /// Rows k0 … k0 + 3 of ∂C/∂W, 2 vectors of j per block, then 1, then scalars (the sizes constants of TLayer). Too large
    /// for the JIT to inline: one call per 4 rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientRows4<T, TLayer>(ref T gr, ref T xr, ref T dr, int k0, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out, weights = TLayer.W, vw = Vector<T>.Count;
        var scaleV = new Vector<T>(scale);
        ref T g0 = ref At(ref gr, weights + (k0 + 0) * n);   // row k0 of ∂C/∂W
        ref T g1 = ref At(ref gr, weights + (k0 + 1) * n);
        ref T g2 = ref At(ref gr, weights + (k0 + 2) * n);
        ref T g3 = ref At(ref gr, weights + (k0 + 3) * n);
        int j = 0;
        for (; j + 2 * vw <= n; j += 2 * vw)
        {
            Vector<T> c00 = Vector<T>.Zero, c01 = Vector<T>.Zero, c10 = Vector<T>.Zero, c11 = Vector<T>.Zero;
            Vector<T> c20 = Vector<T>.Zero, c21 = Vector<T>.Zero, c30 = Vector<T>.Zero, c31 = Vector<T>.Zero;
            ref T ds = ref At(ref dr, j);    // δ[s, j…], one sample per step
            ref T xs = ref At(ref xr, k0);   // a[s, k0…]
            for (int s = 0; s < rows; s++)
            {
                var d0 = Load(ref ds, 0);
                var d1 = Load(ref ds, vw);
                var u0 = new Vector<T>(At(ref xs, 0));
                c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                var u1 = new Vector<T>(At(ref xs, 1));
                c10 = Fma(u1, d0, c10); c11 = Fma(u1, d1, c11);
                var u2 = new Vector<T>(At(ref xs, 2));
                c20 = Fma(u2, d0, c20); c21 = Fma(u2, d1, c21);
                var u3 = new Vector<T>(At(ref xs, 3));
                c30 = Fma(u3, d0, c30); c31 = Fma(u3, d1, c31);
                ds = ref At(ref ds, n);
                xs = ref At(ref xs, k);
            }

            Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
            Store(ref g0, j + vw, Fma(scaleV, c01, Load(ref g0, j + vw)));
            Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
            Store(ref g1, j + vw, Fma(scaleV, c11, Load(ref g1, j + vw)));
            Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
            Store(ref g2, j + vw, Fma(scaleV, c21, Load(ref g2, j + vw)));
            Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
            Store(ref g3, j + vw, Fma(scaleV, c31, Load(ref g3, j + vw)));
        }

        for (; j + vw <= n; j += vw)
        {
            Vector<T> c00 = Vector<T>.Zero, c10 = Vector<T>.Zero, c20 = Vector<T>.Zero, c30 = Vector<T>.Zero;
            ref T ds = ref At(ref dr, j);
            ref T xs = ref At(ref xr, k0);
            for (int s = 0; s < rows; s++)
            {
                var d0 = Load(ref ds, 0);
                c00 = Fma(new Vector<T>(At(ref xs, 0)), d0, c00);
                c10 = Fma(new Vector<T>(At(ref xs, 1)), d0, c10);
                c20 = Fma(new Vector<T>(At(ref xs, 2)), d0, c20);
                c30 = Fma(new Vector<T>(At(ref xs, 3)), d0, c30);
                ds = ref At(ref ds, n);
                xs = ref At(ref xs, k);
            }

            Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
            Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
            Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
            Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
        }

        for (; j < n; j++)
        {
            T c0 = T.Zero, c1 = T.Zero, c2 = T.Zero, c3 = T.Zero;
            for (int s = 0; s < rows; s++)
            {
                T dj = At(ref dr, s * n + j);
                int xs = s * k + k0;
                c0 = T.FusedMultiplyAdd(At(ref xr, xs + 0), dj, c0);
                c1 = T.FusedMultiplyAdd(At(ref xr, xs + 1), dj, c1);
                c2 = T.FusedMultiplyAdd(At(ref xr, xs + 2), dj, c2);
                c3 = T.FusedMultiplyAdd(At(ref xr, xs + 3), dj, c3);
            }

            At(ref g0, j) += scale * c0;
            At(ref g1, j) += scale * c1;
            At(ref g2, j) += scale * c2;
            At(ref g3, j) += scale * c3;
        }
    }

    /// <summary>Row k0 of ∂C/∂W.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientRow<T, TLayer>(ref T gr, ref T xr, ref T dr, int k0, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out, weights = TLayer.W, vw = Vector<T>.Count;
        var scaleV = new Vector<T>(scale);
        ref T g0 = ref At(ref gr, weights + (k0 + 0) * n);   // row k0 of ∂C/∂W
        int j = 0;
        for (; j + 2 * vw <= n; j += 2 * vw)
        {
            Vector<T> c00 = Vector<T>.Zero, c01 = Vector<T>.Zero;
            ref T ds = ref At(ref dr, j);
            ref T xs = ref At(ref xr, k0);
            for (int s = 0; s < rows; s++)
            {
                var u0 = new Vector<T>(At(ref xs, 0));
                c00 = Fma(u0, Load(ref ds, 0), c00);
                c01 = Fma(u0, Load(ref ds, vw), c01);
                ds = ref At(ref ds, n);
                xs = ref At(ref xs, k);
            }

            Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
            Store(ref g0, j + vw, Fma(scaleV, c01, Load(ref g0, j + vw)));
        }

        for (; j + vw <= n; j += vw)
        {
            Vector<T> c00 = Vector<T>.Zero;
            ref T ds = ref At(ref dr, j);
            ref T xs = ref At(ref xr, k0);
            for (int s = 0; s < rows; s++)
            {
                c00 = Fma(new Vector<T>(At(ref xs, 0)), Load(ref ds, 0), c00);
                ds = ref At(ref ds, n);
                xs = ref At(ref xs, k);
            }

            Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
        }

        for (; j < n; j++)
        {
            T c0 = T.Zero;
            for (int s = 0; s < rows; s++)
            {
                c0 = T.FusedMultiplyAdd(At(ref xr, s * k + k0), At(ref dr, s * n + j), c0);
            }

            At(ref g0, j) += scale * c0;
        }
    }

    /// <summary>The most samples whose δ panel <see cref="AccumulateGradients"/> packs at once (16 KB of floats on the stack).</summary>
    private const int PackedRows = 256;

    /// <summary>The most bytes of δ panels <see cref="AccumulateGradients"/> packs all at once (a core's L1 data cache).</summary>
    private const int WholePanelBytes = 32 * 1024;

    /// <summary>
    /// ∂C/∂W and ∂C/∂b of ≤ <see cref="PackedRows"/> samples over panels of 2 vectors of columns: δ[:, j … j + 2w) is
    /// copied into a contiguous panel on the stack (zero-padded past Out) and summed for ∂C/∂b on the way; each block of 6
    /// rows k of ∂C/∂W then reads a panel as one stream while a[s, k … k + 5] is broadcast, and adds its 12 sums once.
    /// Read in place, δ's rows (Out values apart: 1 KB for 256 outputs) would map to a few L1 sets and evict each other.
    /// When all panels fit in <see cref="WholePanelBytes"/> (small batches) they are packed first and the blocks walk ∂C/∂W
    /// row by row, so that its rows stream in order (at 16–32 samples the kernel is bound by reading and writing ∂C/∂W);
    /// else one panel at a time, which then stays in L1 for all In/6 blocks. Each element is the same fused multiply-add
    /// chain over s as before, then g += scale · sum (fused for the columns in whole vectors, as before), so the result is
    /// the same bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void GradientPanels<T, TLayer>(ref T gr, ref T xr, ref T dr, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int k = TLayer.In, n = TLayer.Out, vw = Vector<T>.Count, nr = 2 * vw;
        int panels = (n + nr - 1) / nr, panelLength = rows * nr;
        bool whole = (long)panels * panelLength * Unsafe.SizeOf<T>() <= WholePanelBytes;
        var scaleV = new Vector<T>(scale);
        Span<T> packed = stackalloc T[whole ? panels * panelLength : panelLength];
        ref T panel0 = ref MemoryMarshal.GetReference(packed);
        ref T gw = ref At(ref gr, TLayer.W);
        if (whole)
        {
            for (int p = 0; p < panels; p++)
            {
                PackPanel<T, TLayer>(ref gr, ref dr, p * nr, rows, ref At(ref panel0, p * panelLength), scaleV, scale);
            }

            int k0 = 0;
            for (; SixMore(k - k0); k0 += 6)
            {
                ref T gk = ref At(ref gw, (nint)k0 * n);
                for (int p = 0; p < panels; p++)
                {
                    GradientBlock<T, R6>(ref At(ref gk, p * nr), n, ref At(ref xr, k0), k, ref At(ref panel0, p * panelLength), rows, scaleV, scale, n - p * nr);
                }
            }

            if (k0 < k)
            {
                for (int p = 0; p < panels; p++)
                {
                    GradientRest(k - k0, ref At(ref gw, (nint)k0 * n + p * nr), n, ref At(ref xr, k0), k, ref At(ref panel0, p * panelLength), rows, scaleV, scale, n - p * nr);
                }
            }

            return;
        }

        for (int j = 0; j < n; j += nr)
        {
            PackPanel<T, TLayer>(ref gr, ref dr, j, rows, ref panel0, scaleV, scale);
            ref T gk = ref At(ref gw, j);
            int k0 = 0;
            for (; SixMore(k - k0); k0 += 6)
            {
                GradientBlock<T, R6>(ref At(ref gk, (nint)k0 * n), n, ref At(ref xr, k0), k, ref panel0, rows, scaleV, scale, n - j);
            }

            if (k0 < k)
            {
                GradientRest(k - k0, ref At(ref gk, (nint)k0 * n), n, ref At(ref xr, k0), k, ref panel0, rows, scaleV, scale, n - j);
            }
        }
    }

    /// <summary>
    /// Copies δ[:, j … j + 2w) into <paramref name="panel"/> [rows × 2w] (zeros past Out) and adds scale · Σ_s δ[s, j…]
    /// to ∂C/∂b (the sums run over s in order, as before).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackPanel<T, TLayer>(ref T gr, ref T dr, int j, int rows, ref T panel, Vector<T> scaleV, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IDenseLayer<T>
    {
        int n = TLayer.Out, vw = Vector<T>.Count, nr = 2 * vw;
        int width = Math.Min(nr, n - j);
        Vector<T> sum0 = Vector<T>.Zero, sum1 = Vector<T>.Zero;
        ref T ds = ref At(ref dr, j);
        ref T ps = ref panel;
        for (int s = 0; s < rows; s++)
        {
            Vector<T> d0, d1;
            if (width == nr)
            {
                d0 = Load(ref ds, 0);
                d1 = Load(ref ds, vw);
                Store(ref ps, 0, d0);
                Store(ref ps, vw, d1);
            }
            else
            {
                for (int c = 0; c < nr; c++)
                {
                    At(ref ps, c) = c < width ? At(ref ds, c) : T.Zero;
                }

                d0 = Load(ref ps, 0);
                d1 = Load(ref ps, vw);
            }

            sum0 += d0;
            sum1 += d1;
            ds = ref At(ref ds, n);
            ps = ref At(ref ps, nr);
        }

        ref T gb = ref At(ref gr, TLayer.B + j);
        AddScaled(ref gb, 0, sum0, scaleV, scale, width);
        AddScaled(ref gb, vw, sum1, scaleV, scale, width - vw);
    }

    /// <summary>
    /// Rows k0 … k0 + R − 1 (R ≤ 6, a constant to the JIT) of ∂C/∂W over one δ panel: R × 2 vectors of sums over the
    /// samples, then g += scale · sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientBlock<T, TRows>(ref T g, nint n, ref T x, nint k, ref T panel, int rows, Vector<T> scaleV, T scale, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ISize
    {
        int r = TRows.Value, vw = Vector<T>.Count;
        Vector<T> c00 = Vector<T>.Zero, c01 = Vector<T>.Zero, c10 = Vector<T>.Zero, c11 = Vector<T>.Zero;
        Vector<T> c20 = Vector<T>.Zero, c21 = Vector<T>.Zero, c30 = Vector<T>.Zero, c31 = Vector<T>.Zero;
        Vector<T> c40 = Vector<T>.Zero, c41 = Vector<T>.Zero, c50 = Vector<T>.Zero, c51 = Vector<T>.Zero;
        ref T ds = ref panel;   // δ[s, j…], 2 vectors per sample
        ref T xs = ref x;       // a[s, k0…]
        for (int s = 0; s < rows; s++)
        {
            var d0 = Load(ref ds, 0);
            var d1 = Load(ref ds, vw);
            var u = new Vector<T>(At(ref xs, 0));
            c00 = Fma(u, d0, c00); c01 = Fma(u, d1, c01);
            if (r > 1)
            {
                u = new Vector<T>(At(ref xs, 1));
                c10 = Fma(u, d0, c10); c11 = Fma(u, d1, c11);
            }

            if (r > 2)
            {
                u = new Vector<T>(At(ref xs, 2));
                c20 = Fma(u, d0, c20); c21 = Fma(u, d1, c21);
            }

            if (r > 3)
            {
                u = new Vector<T>(At(ref xs, 3));
                c30 = Fma(u, d0, c30); c31 = Fma(u, d1, c31);
            }

            if (r > 4)
            {
                u = new Vector<T>(At(ref xs, 4));
                c40 = Fma(u, d0, c40); c41 = Fma(u, d1, c41);
            }

            if (r > 5)
            {
                u = new Vector<T>(At(ref xs, 5));
                c50 = Fma(u, d0, c50); c51 = Fma(u, d1, c51);
            }

            ds = ref At(ref ds, 2 * vw);
            xs = ref At(ref xs, k);
        }

        AddScaled(ref g, 0, c00, scaleV, scale, width); AddScaled(ref g, vw, c01, scaleV, scale, width - vw);
        if (r > 1)
        {
            g = ref At(ref g, n);
            AddScaled(ref g, 0, c10, scaleV, scale, width); AddScaled(ref g, vw, c11, scaleV, scale, width - vw);
        }

        if (r > 2)
        {
            g = ref At(ref g, n);
            AddScaled(ref g, 0, c20, scaleV, scale, width); AddScaled(ref g, vw, c21, scaleV, scale, width - vw);
        }

        if (r > 3)
        {
            g = ref At(ref g, n);
            AddScaled(ref g, 0, c30, scaleV, scale, width); AddScaled(ref g, vw, c31, scaleV, scale, width - vw);
        }

        if (r > 4)
        {
            g = ref At(ref g, n);
            AddScaled(ref g, 0, c40, scaleV, scale, width); AddScaled(ref g, vw, c41, scaleV, scale, width - vw);
        }

        if (r > 5)
        {
            g = ref At(ref g, n);
            AddScaled(ref g, 0, c50, scaleV, scale, width); AddScaled(ref g, vw, c51, scaleV, scale, width - vw);
        }
    }

    /// <summary>
    /// The rows of ∂C/∂W after the last block of 6 (<paramref name="left"/> &lt; 6, or 7 and 8: 4 + 3 and 4 + 4, since 6 + 1
    /// and 6 + 2 would leave a block of 2 or 4 accumulators, too few to hide the fused multiply-add latency). Not inlined: inlined, the five
    /// block shapes made the caller spill an accumulator of its main loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientRest<T>(int left, ref T g, nint n, ref T x, nint k, ref T panel, int rows, Vector<T> scaleV, T scale, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        while (left > 0)
        {
            int r = left >= 7 ? 4 : left;
            switch (r)
            {
                case 5: GradientBlock<T, R5>(ref g, n, ref x, k, ref panel, rows, scaleV, scale, width); break;
                case 4: GradientBlock<T, R4>(ref g, n, ref x, k, ref panel, rows, scaleV, scale, width); break;
                case 3: GradientBlock<T, R3>(ref g, n, ref x, k, ref panel, rows, scaleV, scale, width); break;
                case 2: GradientBlock<T, R2>(ref g, n, ref x, k, ref panel, rows, scaleV, scale, width); break;
                default: GradientBlock<T, R1>(ref g, n, ref x, k, ref panel, rows, scaleV, scale, width); break;
            }

            g = ref At(ref g, r * n);
            x = ref At(ref x, r);
            left -= r;
        }
    }

    /// <summary>The rows of C after the last block of 6, as <see cref="GradientRest"/> (not inlined, for the same reason).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ProductRest<T, TAct>(int left, ref T a, nint k, ref T panel, Vector<T> init0, Vector<T> init1,
        ref T c, ref T act, T alpha, nint o, nint n, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        while (left > 0)
        {
            int r = left >= 7 ? 4 : left;
            switch (r)
            {
                case 5: ProductBlock<T, R5, TAct>(ref a, k, ref panel, init0, init1, ref c, ref act, alpha, o, n, width); break;
                case 4: ProductBlock<T, R4, TAct>(ref a, k, ref panel, init0, init1, ref c, ref act, alpha, o, n, width); break;
                case 3: ProductBlock<T, R3, TAct>(ref a, k, ref panel, init0, init1, ref c, ref act, alpha, o, n, width); break;
                case 2: ProductBlock<T, R2, TAct>(ref a, k, ref panel, init0, init1, ref c, ref act, alpha, o, n, width); break;
                default: ProductBlock<T, R1, TAct>(ref a, k, ref panel, init0, init1, ref c, ref act, alpha, o, n, width); break;
            }

            a = ref At(ref a, r * k);
            o += r * n;
            left -= r;
        }
    }

    /// <summary>
    /// Whether <paramref name="left"/> rows still start a block of 6: not for 7 or 8, which end as 4 + 3 and 4 + 4 (see
    /// <see cref="GradientRest"/>) instead of 6 + 1 and 6 + 2, whose last block has 2 or 4 accumulators, too few to hide
    /// the multiply-add latency (a half batch of 32 rows is 6 · 4 + 4 + 4, not 6 · 5 + 2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SixMore(int left) => left >= 6 && left != 7 && left != 8;

    private readonly struct R1 : ISize { public static int Value => 1; }

    private readonly struct R2 : ISize { public static int Value => 2; }

    private readonly struct R3 : ISize { public static int Value => 3; }

    private readonly struct R4 : ISize { public static int Value => 4; }

    private readonly struct R5 : ISize { public static int Value => 5; }

    private readonly struct R6 : ISize { public static int Value => 6; }

    /// <summary>
    /// g[i … i + w) += scale · c for the first <paramref name="lanes"/> lanes: a whole vector with one fused multiply-add,
    /// a part of one (the columns past the last whole vector) element by element, none when lanes ≤ 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled<T>(ref T g, nint i, Vector<T> c, Vector<T> scaleV, T scale, int lanes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (lanes >= Vector<T>.Count)
        {
            Store(ref g, i, Fma(scaleV, c, Load(ref g, i)));
            return;
        }

        for (int l = 0; l < lanes; l++)
        {
            At(ref g, i + l) += scale * c[l];
        }
    }

    /// <summary>
    /// C[s, j] = init_j + Σ_k A[s, k] · B[k, j] for A [rows × K] and B [K × N] row-major (the forward product: a^{l−1}, W^l
    /// and b^l, σ applied on the store; Backpropagate: δ^l and (W^l)ᵀ, no bias), one panel of 2 vectors of columns at a
    /// time: B[:, j … j + 2w) is copied into a contiguous panel on the stack (zero-padded past N; K · 2w values, at most
    /// <see cref="StackPanelBytes"/>), then every block of 6 rows reads it as one stream while A[s, k] is broadcast, 12
    /// accumulators. B's rows (N values apart: 1 KB for 256) would map to a few L1 sets when read in place, and a B larger
    /// than L2 would come from L3 once per block of rows; the panel stays in L1 or L2 for all rows/6 blocks. Each element is
    /// the same fused multiply-add chain over k from init_j as in <see cref="Block"/>, so the result is the same bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void PanelProduct<T, TK, TN, TAct>(ref T a, ref T b, ref T bias, bool hasBias, ref T c, ref T act, T alpha, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, ISize
        where TN : struct, ISize
        where TAct : struct, IActivation
    {
        int k = TK.Value, n = TN.Value, vw = Vector<T>.Count, nr = 2 * vw;
        Span<T> packed = stackalloc T[k * nr + nr];
        ref T panel = ref MemoryMarshal.GetReference(packed);
        ref T init = ref At(ref panel, k * nr);   // b[j … j + 2w), zero-padded
        for (int j = 0; j < n; j += nr)
        {
            int width = Math.Min(nr, n - j);
            ref T from = ref At(ref b, j);
            ref T to = ref panel;
            for (int kk = 0; kk < k; kk++)
            {
                if (width == nr)
                {
                    Store(ref to, 0, Load(ref from, 0));
                    Store(ref to, vw, Load(ref from, vw));
                }
                else
                {
                    for (int l = 0; l < nr; l++)
                    {
                        At(ref to, l) = l < width ? At(ref from, l) : T.Zero;
                    }
                }

                from = ref At(ref from, n);
                to = ref At(ref to, nr);
            }

            for (int l = 0; l < nr; l++)
            {
                At(ref init, l) = hasBias && l < width ? At(ref bias, j + l) : T.Zero;
            }

            Vector<T> init0 = Load(ref init, 0), init1 = Load(ref init, vw);
            int s = 0;
            for (; SixMore(rows - s); s += 6)
            {
                ProductBlock<T, R6, TAct>(ref At(ref a, (nint)s * k), k, ref panel, init0, init1, ref c, ref act, alpha, (nint)s * n + j, n, width);
            }

            if (s < rows)
            {
                ProductRest<T, TAct>(rows - s, ref At(ref a, (nint)s * k), k, ref panel, init0, init1, ref c, ref act, alpha, (nint)s * n + j, n, width);
            }
        }
    }

    /// <summary>Rows s … s + R − 1 (R ≤ 6, a constant to the JIT) of C over one B panel, from index o: R × 2 vectors of sums over k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ProductBlock<T, TRows, TAct>(ref T a, nint k, ref T panel, Vector<T> init0, Vector<T> init1,
        ref T c, ref T act, T alpha, nint o, nint n, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ISize
        where TAct : struct, IActivation
    {
        int r = TRows.Value, vw = Vector<T>.Count;
        Vector<T> c00 = init0, c01 = init1, c10 = init0, c11 = init1, c20 = init0, c21 = init1;
        Vector<T> c30 = init0, c31 = init1, c40 = init0, c41 = init1, c50 = init0, c51 = init1;
        ref T xs = ref a;   // A[s, kk], the rows below it k further (a constant displacement once inlined)
        ref T wk = ref panel;
        for (nint kk = 0; kk < k; kk++)
        {
            var w0 = Load(ref wk, 0);
            var w1 = Load(ref wk, vw);
            var u = new Vector<T>(xs);
            c00 = Fma(u, w0, c00); c01 = Fma(u, w1, c01);
            if (r > 1)
            {
                u = new Vector<T>(At(ref xs, 1 * k));
                c10 = Fma(u, w0, c10); c11 = Fma(u, w1, c11);
            }

            if (r > 2)
            {
                u = new Vector<T>(At(ref xs, 2 * k));
                c20 = Fma(u, w0, c20); c21 = Fma(u, w1, c21);
            }

            if (r > 3)
            {
                u = new Vector<T>(At(ref xs, 3 * k));
                c30 = Fma(u, w0, c30); c31 = Fma(u, w1, c31);
            }

            if (r > 4)
            {
                u = new Vector<T>(At(ref xs, 4 * k));
                c40 = Fma(u, w0, c40); c41 = Fma(u, w1, c41);
            }

            if (r > 5)
            {
                u = new Vector<T>(At(ref xs, 5 * k));
                c50 = Fma(u, w0, c50); c51 = Fma(u, w1, c51);
            }

            wk = ref At(ref wk, 2 * vw);
            xs = ref At(ref xs, 1);
        }

        StorePart<T, TAct>(ref c, ref act, alpha, o, c00, width); StorePart<T, TAct>(ref c, ref act, alpha, o + vw, c01, width - vw);
        if (r > 1)
        {
            o += n;
            StorePart<T, TAct>(ref c, ref act, alpha, o, c10, width); StorePart<T, TAct>(ref c, ref act, alpha, o + vw, c11, width - vw);
        }

        if (r > 2)
        {
            o += n;
            StorePart<T, TAct>(ref c, ref act, alpha, o, c20, width); StorePart<T, TAct>(ref c, ref act, alpha, o + vw, c21, width - vw);
        }

        if (r > 3)
        {
            o += n;
            StorePart<T, TAct>(ref c, ref act, alpha, o, c30, width); StorePart<T, TAct>(ref c, ref act, alpha, o + vw, c31, width - vw);
        }

        if (r > 4)
        {
            o += n;
            StorePart<T, TAct>(ref c, ref act, alpha, o, c40, width); StorePart<T, TAct>(ref c, ref act, alpha, o + vw, c41, width - vw);
        }

        if (r > 5)
        {
            o += n;
            StorePart<T, TAct>(ref c, ref act, alpha, o, c50, width); StorePart<T, TAct>(ref c, ref act, alpha, o + vw, c51, width - vw);
        }
    }

    /// <summary>c[i …] = v (and σ(v) into act) for the first <paramref name="lanes"/> lanes: a whole vector, a part, or none when lanes ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePart<T, TAct>(ref T c, ref T act, T alpha, nint i, Vector<T> v, int lanes)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        if (lanes >= Vector<T>.Count)
        {
            Put<T, TAct>(ref c, ref act, alpha, i, v);
            return;
        }

        for (int l = 0; l < lanes; l++)
        {
            PutScalar<T, TAct>(ref c, ref act, alpha, i + l, v[l]);
        }
    }

    /// <summary>
    /// C[s, j] = init_j + Σ_k A[s, k] · B[k, j] for s &lt; rows, j &lt; N, A [rows × K] and B [K × N] row-major; the
    /// 4-sample blocks of 2 vectors of columns read B through <paramref name="panels"/> (columns j… at j · panelStart,
    /// the next k panelStep further): B itself (1 and N) or its copy in column panels (K and 2 vectors).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<T, TK, TN, TAct>(ref T a, ref T b, ref T bias, bool hasBias, ref T c, ref T act, T alpha,
        int rows, ref T panels, nint panelStart, nint panelStep)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, ISize
        where TN : struct, ISize
        where TAct : struct, IActivation
    {
        int k = TK.Value, n = TN.Value, vw = Vector<T>.Count;
        int s = 0;
        for (; s + 4 <= rows; s += 4)
        {
            nint o0 = (nint)(s + 0) * n, o1 = (nint)(s + 1) * n, o2 = (nint)(s + 2) * n, o3 = (nint)(s + 3) * n;
            ref T x0 = ref At(ref a, (s + 0) * k);
            ref T x1 = ref At(ref a, (s + 1) * k);
            ref T x2 = ref At(ref a, (s + 2) * k);
            ref T x3 = ref At(ref a, (s + 3) * k);
            int j = 0;
            for (; j + 2 * vw <= n; j += 2 * vw)
            {
                Vector<T> init0 = hasBias ? Load(ref bias, j) : Vector<T>.Zero, init1 = hasBias ? Load(ref bias, j + vw) : Vector<T>.Zero;
                Vector<T> c00 = init0, c01 = init1, c10 = init0, c11 = init1, c20 = init0, c21 = init1, c30 = init0, c31 = init1;
                ref T wk = ref At(ref panels, j * panelStart);   // row kk of the column block (in B or in its panel), one row per step
                for (nint kk = 0; kk < k; kk++)
                {
                    var w0 = Load(ref wk, 0);
                    var w1 = Load(ref wk, vw);
                    var u0 = new Vector<T>(At(ref x0, kk));
                    c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01);
                    var u1 = new Vector<T>(At(ref x1, kk));
                    c10 = Fma(u1, w0, c10); c11 = Fma(u1, w1, c11);
                    var u2 = new Vector<T>(At(ref x2, kk));
                    c20 = Fma(u2, w0, c20); c21 = Fma(u2, w1, c21);
                    var u3 = new Vector<T>(At(ref x3, kk));
                    c30 = Fma(u3, w0, c30); c31 = Fma(u3, w1, c31);
                    wk = ref At(ref wk, panelStep);
                }

                Put<T, TAct>(ref c, ref act, alpha, o0 + j, c00); Put<T, TAct>(ref c, ref act, alpha, o0 + j + vw, c01);
                Put<T, TAct>(ref c, ref act, alpha, o1 + j, c10); Put<T, TAct>(ref c, ref act, alpha, o1 + j + vw, c11);
                Put<T, TAct>(ref c, ref act, alpha, o2 + j, c20); Put<T, TAct>(ref c, ref act, alpha, o2 + j + vw, c21);
                Put<T, TAct>(ref c, ref act, alpha, o3 + j, c30); Put<T, TAct>(ref c, ref act, alpha, o3 + j + vw, c31);
            }

            for (; j + vw <= n; j += vw)
            {
                Vector<T> init0 = hasBias ? Load(ref bias, j) : Vector<T>.Zero;
                Vector<T> c00 = init0, c10 = init0, c20 = init0, c30 = init0;
                ref T wk = ref At(ref b, j);
                for (nint kk = 0; kk < k; kk++)
                {
                    var w0 = Load(ref wk, 0);
                    c00 = Fma(new Vector<T>(At(ref x0, kk)), w0, c00);
                    c10 = Fma(new Vector<T>(At(ref x1, kk)), w0, c10);
                    c20 = Fma(new Vector<T>(At(ref x2, kk)), w0, c20);
                    c30 = Fma(new Vector<T>(At(ref x3, kk)), w0, c30);
                    wk = ref At(ref wk, n);
                }

                Put<T, TAct>(ref c, ref act, alpha, o0 + j, c00);
                Put<T, TAct>(ref c, ref act, alpha, o1 + j, c10);
                Put<T, TAct>(ref c, ref act, alpha, o2 + j, c20);
                Put<T, TAct>(ref c, ref act, alpha, o3 + j, c30);
            }

            for (; j < n; j++)
            {
                T init = hasBias ? At(ref bias, j) : T.Zero;
                T c0 = init, c1 = init, c2 = init, c3 = init;
                ref T wk = ref At(ref b, j);
                for (nint kk = 0; kk < k; kk++)
                {
                    c0 = T.FusedMultiplyAdd(At(ref x0, kk), wk, c0);
                    c1 = T.FusedMultiplyAdd(At(ref x1, kk), wk, c1);
                    c2 = T.FusedMultiplyAdd(At(ref x2, kk), wk, c2);
                    c3 = T.FusedMultiplyAdd(At(ref x3, kk), wk, c3);
                    wk = ref At(ref wk, n);
                }

                PutScalar<T, TAct>(ref c, ref act, alpha, o0 + j, c0);
                PutScalar<T, TAct>(ref c, ref act, alpha, o1 + j, c1);
                PutScalar<T, TAct>(ref c, ref act, alpha, o2 + j, c2);
                PutScalar<T, TAct>(ref c, ref act, alpha, o3 + j, c3);
            }
        }

        for (; s < rows; s++)
        {
            RowProduct<T, TK, TN, TAct>(ref At(ref a, s * k), ref b, ref bias, hasBias, ref At(ref c, (nint)s * n), ref At(ref act, (nint)s * n), alpha);
        }
    }

    /// <summary>
    /// c_j = init_j + Σ_k x_k B[k, j] for one sample (a matrix-vector product: 8, 4, 1 vectors of columns per pass over
    /// the k rows of B, each k broadcast once per pass), σ on the store when <typeparamref name="TAct"/> applies one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowProduct<T, TK, TN, TAct>(ref T x0, ref T b, ref T bias, bool hasBias, ref T c, ref T act, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : struct, ISize
        where TN : struct, ISize
        where TAct : struct, IActivation
    {
        int k = TK.Value, n = TN.Value, vw = Vector<T>.Count;
        const nint o0 = 0;
        int j = 0;
        for (; j + 8 * vw <= n; j += 8 * vw)
        {
            Vector<T> c0 = Init(ref bias, hasBias, j), c1 = Init(ref bias, hasBias, j + vw), c2 = Init(ref bias, hasBias, j + 2 * vw), c3 = Init(ref bias, hasBias, j + 3 * vw);
            Vector<T> c4 = Init(ref bias, hasBias, j + 4 * vw), c5 = Init(ref bias, hasBias, j + 5 * vw), c6 = Init(ref bias, hasBias, j + 6 * vw), c7 = Init(ref bias, hasBias, j + 7 * vw);
            ref T wk = ref At(ref b, j);
            for (nint kk = 0; kk < k; kk++)
            {
                var u0 = new Vector<T>(At(ref x0, kk));
                c0 = Fma(u0, Load(ref wk, 0), c0); c1 = Fma(u0, Load(ref wk, vw), c1);
                c2 = Fma(u0, Load(ref wk, 2 * vw), c2); c3 = Fma(u0, Load(ref wk, 3 * vw), c3);
                c4 = Fma(u0, Load(ref wk, 4 * vw), c4); c5 = Fma(u0, Load(ref wk, 5 * vw), c5);
                c6 = Fma(u0, Load(ref wk, 6 * vw), c6); c7 = Fma(u0, Load(ref wk, 7 * vw), c7);
                wk = ref At(ref wk, n);
            }

            Put<T, TAct>(ref c, ref act, alpha, o0 + j, c0); Put<T, TAct>(ref c, ref act, alpha, o0 + j + vw, c1);
            Put<T, TAct>(ref c, ref act, alpha, o0 + j + 2 * vw, c2); Put<T, TAct>(ref c, ref act, alpha, o0 + j + 3 * vw, c3);
            Put<T, TAct>(ref c, ref act, alpha, o0 + j + 4 * vw, c4); Put<T, TAct>(ref c, ref act, alpha, o0 + j + 5 * vw, c5);
            Put<T, TAct>(ref c, ref act, alpha, o0 + j + 6 * vw, c6); Put<T, TAct>(ref c, ref act, alpha, o0 + j + 7 * vw, c7);
        }

        for (; j + 4 * vw <= n; j += 4 * vw)
        {
            Vector<T> c0 = Init(ref bias, hasBias, j), c1 = Init(ref bias, hasBias, j + vw), c2 = Init(ref bias, hasBias, j + 2 * vw), c3 = Init(ref bias, hasBias, j + 3 * vw);
            ref T wk = ref At(ref b, j);
            for (nint kk = 0; kk < k; kk++)
            {
                var u0 = new Vector<T>(At(ref x0, kk));
                c0 = Fma(u0, Load(ref wk, 0), c0); c1 = Fma(u0, Load(ref wk, vw), c1);
                c2 = Fma(u0, Load(ref wk, 2 * vw), c2); c3 = Fma(u0, Load(ref wk, 3 * vw), c3);
                wk = ref At(ref wk, n);
            }

            Put<T, TAct>(ref c, ref act, alpha, o0 + j, c0); Put<T, TAct>(ref c, ref act, alpha, o0 + j + vw, c1);
            Put<T, TAct>(ref c, ref act, alpha, o0 + j + 2 * vw, c2); Put<T, TAct>(ref c, ref act, alpha, o0 + j + 3 * vw, c3);
        }

        for (; j + vw <= n; j += vw)
        {
            Vector<T> c0 = Init(ref bias, hasBias, j);
            ref T wk = ref At(ref b, j);
            for (nint kk = 0; kk < k; kk++)
            {
                c0 = Fma(new Vector<T>(At(ref x0, kk)), Load(ref wk, 0), c0);
                wk = ref At(ref wk, n);
            }

            Put<T, TAct>(ref c, ref act, alpha, o0 + j, c0);
        }

        for (; j < n; j++)
        {
            T c0 = hasBias ? At(ref bias, j) : T.Zero;
            ref T wk = ref At(ref b, j);
            for (nint kk = 0; kk < k; kk++)
            {
                c0 = T.FusedMultiplyAdd(At(ref x0, kk), wk, c0);
                wk = ref At(ref wk, n);
            }

            PutScalar<T, TAct>(ref c, ref act, alpha, o0 + j, c0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Init<T>(ref T bias, bool hasBias, int j) where T : unmanaged, IFloatingPointIeee754<T> =>
        hasBias ? Load(ref bias, j) : Vector<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<T, TAct>(ref T c, ref T act, T alpha, nint index, Vector<T> value)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        Store(ref c, index, value);
        if (TAct.OnStore)
        {
            Store(ref act, index, TAct.Apply(value, alpha));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutScalar<T, TAct>(ref T c, ref T act, T alpha, nint index, T value)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        At(ref c, index) = value;
        if (TAct.OnStore)
        {
            At(ref act, index) = TAct.Apply(value, alpha);
        }
    }

    /// <summary>The product alone: σ is not applied on the store (a constant to the JIT, so no activation code is compiled into the kernel).</summary>
    private readonly struct ProductOnly : IActivation
    {
        public static T Apply<T>(T z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z;

        public static Vector<T> Apply<T>(Vector<T> z, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => z;

        public static T Delta<T>(T g, T z, T a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g;

        public static Vector<T> Delta<T>(Vector<T> g, Vector<T> z, Vector<T> a, T alpha) where T : unmanaged, IFloatingPointIeee754<T> => g;
    }
}
