// Frozen copy of src/Runtime/Engine/Kernels/Dense.cs at commit 89fe483 (before issue 12's backward kernels), kept as the
// A/B baseline of `--kernels` (bench/KernelRunner.cs); not edited.
// Changes from that file: this header, the namespace, the class name (Dense -> LegacyDense), and a private copy of the
// internal Simd helpers it used (LegacySimd, below) in place of `using static NetGen.Simd`.
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.Benchmarks.Legacy.LegacySimd;

namespace NetGen.Benchmarks.Legacy;

/// <summary>
/// The wide dense layer's three products, generic over the layer's sizes (TLayer in each method
/// is a struct the generator writes, so the JIT sees In, Out and the offsets as constants):
/// <code>
/// z^l = W^l a^{l−1} + b^l            (Forward / Product)
/// ∂C/∂a^{l−1} = (W^l)ᵀ δ^l           (Backpropagate)
/// ∂C/∂W^l += a^{l−1} δ^lᵀ,  ∂C/∂b^l += Σ_s δ^l   (AccumulateGradients)
/// </code>
/// Each is a register-blocked kernel: 4 samples × 2 vectors of outputs in 8 <see cref="Vector{T}"/> accumulators with
/// explicit fused multiply-adds, then the remainders (one sample with up to 8 vectors, one vector, scalars). Weights
/// larger than L1 are read from column panels in batches of 128 rows or more; batches under 4 rows back-propagate with
/// four dot products at a time instead of a transposed copy; one-output layers run vectorized over k. Inner loops walk
/// refs forward by a constant stride. Every path adds the same products in the same order for a given row, so a row's
/// result does not depend on the batch it came in.
/// </summary>
public static class LegacyDense
{
    /// <summary>Rows of the micro-kernel (samples for the products, inputs k for ∂C/∂W).</summary>
    public const int BlockRows = 4;

    /// <summary>A layer whose weights take more bytes than this (a core's L1 data cache) reads them from column panels in large batches.</summary>
    public const int PanelBytes = 32 * 1024;

    /// <summary>
    /// The fewest rows for which copying W into panels pays: measured on 784 → 128 (c's first layer), one thread,
    /// inference 10 % slower at 32 rows, even at 64, 1–2 % faster at 128 and 8–12 % at 256 (training B256 7 %).
    /// </summary>
    public const int PanelRows = 128;

    /// <summary>Whether <typeparamref name="TLayer"/>'s forward product reads W from column panels in batches of <see cref="PanelRows"/> rows or more.</summary>
    public static bool UsesPanels<T, TLayer>() where T : unmanaged, IFloatingPointIeee754<T> where TLayer : struct, IDenseLayer<T> =>
        (long)TLayer.In * TLayer.Out * Unsafe.SizeOf<T>() > PanelBytes;

    /// <summary>z = W a + b and a' = σ(z) over <paramref name="rows"/> samples (σ on the store for the one-instruction activations, else in one pass after).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            // σ with e^z in one pass after the product: inlined into every store it would make the kernel too large to inline its helpers
            ProductCore<T, TLayer, ProductOnly>(p, a, z, default, rows, ws);
            Activations.Apply<T, TAct>(z, activation, rows * TLayer.Out, TLayer.Alpha);
        }
    }

    /// <summary>z = W a + b over <paramref name="rows"/> samples (for layers whose activation follows batch normalization or softmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    /// has one (<paramref name="transposed"/> not empty: 4 rows or more), else row by row.
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
            nint o0 = (nint)s * n;
            ref T x0 = ref At(ref a, s * k);
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

/// <summary>The Simd helpers of 89fe483 that <see cref="LegacyDense"/> calls.</summary>
internal static class LegacySimd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }

        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ref T origin, nint index) => Vector.LoadUnsafe(ref origin, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(ref T origin, nint index, Vector<T> value) => Vector.StoreUnsafe(value, ref origin, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T At<T>(ref T origin, nint index) => ref Unsafe.Add(ref origin, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSums<T>(Vector<T> c0, Vector<T> c1, Vector<T> c2, Vector<T> c3, ref T destination)
    {
        if (typeof(T) == typeof(float))
        {
            VectorMath.StoreSums(c0.As<T, float>(), c1.As<T, float>(), c2.As<T, float>(), c3.As<T, float>(), ref Unsafe.As<T, float>(ref destination));
            return;
        }

        VectorMath.StoreSums(c0.As<T, double>(), c1.As<T, double>(), c2.As<T, double>(), c3.As<T, double>(), ref Unsafe.As<T, double>(ref destination));
    }
}
