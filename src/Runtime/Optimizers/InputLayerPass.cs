using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.Simd;

namespace NetGen;

/// <summary>
/// The first layer's gradients before they are formed (<see cref="Tile{T}.DefersInputLayer"/>): the batch's inputs
/// x [rows × In] and δ1 of its one or two parts (the rows each core back-propagated, in its own workspace), from which
/// <see cref="InputLayerPass"/> forms
/// <code>
/// ∂C/∂W1_jk = Σ_s δ1_sj x_sk      ∂C/∂b1_j = Σ_s δ1_sj
/// </code>
/// a register block at a time and hands each sum to the optimizer's update while it is still in a register: W1, its
/// gradient and the optimizer's state for W1 are then read and written once per step, instead of the gradient being
/// cleared, accumulated, folded, scanned and read again by a separate update pass.
/// </summary>
internal readonly ref struct InputLayerGradients<T> where T : unmanaged
{
    public InputLayerGradients(ReadOnlySpan<T> inputs, ReadOnlySpan<T> delta0, int rows0, ReadOnlySpan<T> delta1, int rows1,
        int inSize, int outSize, int weights, int biases)
    {
        Inputs = inputs.Slice(0, (rows0 + rows1) * inSize);
        Delta0 = delta0.Slice(0, rows0 * outSize);
        Delta1 = delta1.Slice(0, rows1 * outSize);
        Rows0 = rows0;
        Rows1 = rows1;
        In = inSize;
        Out = outSize;
        Weights = weights;
        Biases = biases;
    }

    /// <summary>x, [(Rows0 + Rows1) × In], row-major: the first part's rows, then the second's.</summary>
    public ReadOnlySpan<T> Inputs { get; }

    /// <summary>δ1 of the first part, [Rows0 × Out].</summary>
    public ReadOnlySpan<T> Delta0 { get; }

    /// <summary>δ1 of the second part, [Rows1 × Out] (empty when the batch ran as one part).</summary>
    public ReadOnlySpan<T> Delta1 { get; }

    public int Rows0 { get; }

    public int Rows1 { get; }

    /// <summary>The fan-in of layer 1 (the input width).</summary>
    public int In { get; }

    /// <summary>The width of layer 1 (0: no deferred gradients).</summary>
    public int Out { get; }

    /// <summary>The offset of W1 [In × Out] in θ.</summary>
    public int Weights { get; }

    /// <summary>The offset of b1 [Out] in θ.</summary>
    public int Biases { get; }

    /// <summary>Whether there are no deferred gradients (the update reads them all from the gradient buffer).</summary>
    public bool IsEmpty => Out == 0;

    /// <summary>θ's values from the end of layer 1's blocks on (the blocks the gradient buffer holds).</summary>
    public int RestStart => Math.Max(Weights + In * Out, Biases + Out);
}

/// <summary>What receives the finished sums of <see cref="InputLayerPass"/>: the gradient buffer, or the optimizer's update.</summary>
internal interface IGradientSink<T> where T : unmanaged
{
    /// <summary>Whether the sums that follow are of weights (W1) or of biases (b1).</summary>
    bool Weights { set; }

    /// <summary>The sums of θ[index, index + length), staged at <paramref name="sums"/>.</summary>
    void Put(nint index, ref T sums, int length);

    /// <summary>Asks for the cache lines that <see cref="Put"/> will read at θ[index] (a band's, while its sums are formed).</summary>
    void Prefetch(nint index);
}

/// <summary>The sums written into the gradient buffer, as <see cref="Dense.AccumulateGradients{T, TLayer}"/> would have left them (the fallback of a guarded step).</summary>
internal unsafe struct GradientSink<T> : IGradientSink<T> where T : unmanaged
{
    public T* Gradients;

    public readonly bool Weights { set { } }

    public readonly void Put(nint index, ref T sums, int length) =>
        MemoryMarshal.CreateReadOnlySpan(ref sums, length).CopyTo(new Span<T>(Gradients + index, length));

    public readonly void Prefetch(nint index) { }
}

/// <summary>
/// The sums handed to an optimizer's rule through <see cref="FusedUpdate"/>'s own block loop (<see cref="FusedUpdate.Block"/>:
/// scale, L1 and L2 on weights, clipping by value, the rule, a non-finite result never stored), reading them from the
/// staged band instead of the gradient buffer, so that the parameters come out the same bit for bit; what it finds is
/// gathered per kind of block.
/// </summary>
internal unsafe struct UpdateSink<T, TRule> : IGradientSink<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TRule : struct, IUpdateRule<T>
{
    public TRule Rule;
    public T* Parameters;
    public int ParameterLength;
    public UpdateInputs<T> Inputs;
    private bool _weights;
    private (bool Finite, T Max, T Magnitudes, T Squares) _weightOutcome, _biasOutcome;
    private bool _weightsSeen, _biasesSeen;

    /// <summary>What the weights' part of the pass found.</summary>
    public readonly (bool Finite, T Max, T Magnitudes, T Squares) WeightOutcome => _weightsSeen ? _weightOutcome : (true, T.Zero, T.Zero, T.Zero);

    /// <summary>What the biases' part found.</summary>
    public readonly (bool Finite, T Max, T Magnitudes, T Squares) BiasOutcome => _biasesSeen ? _biasOutcome : (true, T.Zero, T.Zero, T.Zero);

    public bool Weights
    {
        set
        {
            _weights = value;
            Rule.Weights = value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(nint index)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Parameters + index);
        }

        Rule.Prefetch(index);
    }

    public void Put(nint index, ref T sums, int length)
    {
        var parameters = new Span<T>(Parameters, ParameterLength);
        if (_weights)
        {
            Add(ref _weightOutcome, ref _weightsSeen, FusedUpdate.Block<T, TRule, FusedUpdate.PenalizedBlock>(ref Rule, parameters, ref sums, index, (int)index, length, Inputs));
        }
        else
        {
            Add(ref _biasOutcome, ref _biasesSeen, FusedUpdate.Block<T, TRule, FusedUpdate.PlainBlock>(ref Rule, parameters, ref sums, index, (int)index, length, Inputs));
        }

        static void Add(ref (bool Finite, T Max, T Magnitudes, T Squares) total, ref bool seen, (bool Finite, T Max, T Magnitudes, T Squares) part)
        {
            total = seen
                ? (total.Finite && part.Finite, T.Max(total.Max, part.Max), total.Magnitudes + part.Magnitudes, total.Squares + part.Squares)
                : part;
            seen = true;
        }
    }
}

/// <summary>
/// Forms the first layer's gradients from <see cref="InputLayerGradients{T}"/> and hands each sum to a sink: δ1's columns
/// are packed into panels of 2 vectors (the bias sums taken on the way); then, a band of 6 rows k of W1 at a time, blocks
/// of 6 rows × 2 vectors of j keep 12 sums over the samples in registers, as <see cref="Dense.AccumulateGradients{T, TLayer}"/>
/// does, and stage them, and the band's sums go to the sink in θ's order (6 whole rows of W1 are one contiguous stretch
/// of θ and of the optimizer's state, streamed as the separate update pass streams them). Each sum is the same fused
/// multiply-add chain over the first part's samples, then over the second's, the two added — the values the two cores'
/// gradient buffers held after their halves, folded — so the parameters are those of the separate passes, bit for bit.
/// Two cores take the rows k in halves.
/// </summary>
/// <remarks>
/// Measured on the 2-core Zen 3 machine (bench --fit --part inputlayer,fashion; bench/README.md, 2026-12-07, fifth
/// session): the pass with the update inside costs about what the backward's ∂C/∂W1 plus the separate update pass cost
/// (in cache it is slower: 331 µs against 303 with Momentum, 519 against 436 with Adam), and whole Fit epochs tie
/// (0.95 and 1.07 of the gradient buffer's time). The update's divisions and square roots run after each band's
/// multiply-adds instead of beside them. Hence <see cref="FitOptions.UpdateInsideInputLayer"/> is off by default.
/// </remarks>
internal static unsafe class InputLayerPass
{
    /// <summary>Layers of at least this many weights are split by rows over two cores.</summary>
    public const int SplitWeights = 1 << 15;

    [ThreadStatic]
    private static byte[]? t_panels;

    /// <summary>Writes the sums into the gradient buffer <paramref name="gradients"/> (W1's and b1's part), as back-propagation would have left them.</summary>
    public static void Form<T>(in InputLayerGradients<T> layer, Span<T> gradients) where T : unmanaged, IFloatingPointIeee754<T>
    {
        _ = gradients.Slice(layer.Weights, layer.In * layer.Out);
        _ = gradients.Slice(layer.Biases, layer.Out);
        fixed (T* g = gradients)
        {
            var sink = new GradientSink<T> { Gradients = g };
            Run(layer, ref sink, out _, out _);
        }
    }

    /// <summary>The sums of <paramref name="layer"/> into <paramref name="sink"/> (and, split over two cores, into a copy of it, returned in <paramref name="second"/>).</summary>
    public static void Run<T, TSink>(in InputLayerGradients<T> layer, ref TSink sink, out TSink second, out bool split)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
    {
        split = layer.In >= 12 && (long)layer.In * layer.Out >= SplitWeights && Parallelism.SplitPasses;
        fixed (T* x = layer.Inputs, d0 = layer.Delta0, d1 = layer.Delta1)
        {
            var work = new Work<T, TSink>
            {
                Sink = sink, X = x, D0 = d0, D1 = d1, Rows0 = layer.Rows0, Rows1 = layer.Rows1,
                In = layer.In, Out = layer.Out, W = layer.Weights, B = layer.Biases,
            };
            if (split)
            {
                SecondCoreSplit<Work<T, TSink>>.Run(ref work, layer.In, layer.In / 2, out Work<T, TSink> other);
                second = other.Sink;
            }
            else
            {
                work.Run(0, layer.In);
                second = default;
            }

            sink = work.Sink;
        }
    }

    private struct Work<T, TSink> : IRangeWork
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
    {
        public TSink Sink;
        public T* X, D0, D1;
        public int Rows0, Rows1, In, Out, W, B;

        public void Run(int from, int to) => Rows(ref this, from, to);
    }

    // Never inlined: inlined into a caller's tier-1 body, it exhausted the inlining budget and left Simd.Fma a call.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Rows<T, TSink>(ref Work<T, TSink> work, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
    {
        int vw = Vector<T>.Count, nr = 2 * vw, n = work.Out, rows = work.Rows0 + work.Rows1;
        int panels = (n + nr - 1) / nr, panelLength = rows * nr, stride = panels * nr, lineValues = 64 / Unsafe.SizeOf<T>();
        int bytes = checked((panels * panelLength + 7 * stride) * Unsafe.SizeOf<T>());
        byte[] buffer = t_panels is { } b && b.Length >= bytes ? b : (t_panels = new byte[Math.Max(bytes, 64 * 1024)]);
        fixed (byte* raw = buffer)
        {
            ref T panel0 = ref Unsafe.AsRef<T>(raw);
            ref T staging = ref At(ref panel0, (nint)panels * panelLength);   // 6 rows of sums, [6 × stride], then the bias sums

            // δ1's columns packed into panels (each core its own copy); ∂C/∂b1_j = Σ_s δ1_sj on the way, by the first core
            ref T biasSums = ref At(ref staging, 6 * (nint)stride);
            for (int p = 0; p < panels; p++)
            {
                Pack(ref work, p * nr, Math.Min(nr, n - p * nr), ref At(ref panel0, (nint)p * panelLength), ref At(ref biasSums, p * nr));
            }

            if (from == 0)
            {
                work.Sink.Weights = false;
                work.Sink.Put(work.B, ref biasSums, n);
            }

            // ∂C/∂W1_jk = Σ_s δ1_sj x_sk for the rows k ∈ [from, to) of W1, a band of 6 rows at a time: its sums in registers
            // 6 rows × 2 vectors of j at a time, staged, then handed to the sink in θ's order
            work.Sink.Weights = true;
            ref T x = ref Unsafe.AsRef<T>(work.X);
            int k0 = from;
            while (k0 < to)
            {
                int r = to - k0 >= 6 && to - k0 != 7 && to - k0 != 8 ? 6 : to - k0 >= 7 ? 4 : to - k0;
                nint bandStart = work.W + (nint)k0 * n;
                int lines = (r * n + lineValues - 1) / lineValues, linesPerPanel = (lines + panels - 1) / panels;
                for (int p = 0; p < panels; p++)
                {
                    // this band's lines of θ and of the state, a share per panel, asked for while its sums are formed
                    for (int q = p * linesPerPanel, last = Math.Min(lines, q + linesPerPanel); q < last; q++)
                    {
                        work.Sink.Prefetch(bandStart + (nint)q * lineValues);
                    }

                    ref T panel = ref At(ref panel0, (nint)p * panelLength);
                    if (r == 6)
                    {
                        Block<T, TSink, R6>(ref work, ref At(ref x, k0), ref panel, ref At(ref staging, p * nr), stride);
                    }
                    else
                    {
                        Rest(r, ref work, ref At(ref x, k0), ref panel, ref At(ref staging, p * nr), stride);
                    }
                }

                Band(ref work.Sink, ref staging, stride, work.W + (nint)k0 * n, r, n);
                k0 += r;
            }
        }
    }

    /// <summary>δ1[:, j … j + width) of both parts into the panel [rows × 2w] (zeros past width); the bias sums Σ_s δ1_sj of each part, added, into <paramref name="biasSums"/> [2w].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pack<T, TSink>(ref Work<T, TSink> work, int j, int width, ref T panel, ref T biasSums)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
    {
        int vw = Vector<T>.Count, nr = 2 * vw, n = work.Out;
        (Vector<T> a0, Vector<T> a1) = PackPart(ref Unsafe.AsRef<T>(work.D0 + j), work.Rows0, n, width, ref panel);
        if (work.Rows1 > 0)
        {
            (Vector<T> b0, Vector<T> b1) = PackPart(ref Unsafe.AsRef<T>(work.D1 + j), work.Rows1, n, width, ref At(ref panel, (nint)work.Rows0 * nr));
            a0 += b0;
            a1 += b1;
        }

        Store(ref biasSums, 0, a0);
        Store(ref biasSums, vw, a1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<T>, Vector<T>) PackPart<T>(ref T ds, int rows, int n, int width, ref T ps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int vw = Vector<T>.Count, nr = 2 * vw;
        Vector<T> sum0 = Vector<T>.Zero, sum1 = Vector<T>.Zero;
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

        return (sum0, sum1);
    }

    /// <summary>The blocks of fewer than 6 rows k after the last block of 6 (not inlined, as <c>Dense</c>'s rest blocks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rest<T, TSink>(int r, ref Work<T, TSink> work, ref T x, ref T panel, ref T staging, nint stride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
    {
        switch (r)
        {
            case 5: Block<T, TSink, R5>(ref work, ref x, ref panel, ref staging, stride); break;
            case 4: Block<T, TSink, R4>(ref work, ref x, ref panel, ref staging, stride); break;
            case 3: Block<T, TSink, R3>(ref work, ref x, ref panel, ref staging, stride); break;
            case 2: Block<T, TSink, R2>(ref work, ref x, ref panel, ref staging, stride); break;
            default: Block<T, TSink, R1>(ref work, ref x, ref panel, ref staging, stride); break;
        }
    }

    /// <summary>Rows k0 … k0 + R − 1 (R ≤ 6) × columns j … j + 2w of ∂C/∂W1: the sums over each part's samples, added, into the band's staging rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T, TSink, TRows>(ref Work<T, TSink> work, ref T x, ref T panel, ref T staging, nint stride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
        where TRows : struct, ISize
    {
        int vw = Vector<T>.Count;
        nint k = work.In;
        Chain<T, TRows>(ref x, k, ref panel, work.Rows0, ref staging, stride, add: false);
        if (work.Rows1 > 0)
        {
            Chain<T, TRows>(ref At(ref x, work.Rows0 * k), k, ref At(ref panel, (nint)work.Rows0 * 2 * vw), work.Rows1, ref staging, stride, add: true);
        }
    }

    /// <summary>
    /// The finished sums of rows k0 … k0 + r − 1 of ∂C/∂W1 (staged row by row, <paramref name="stride"/> apart) to the
    /// sink in θ's order: those rows are one contiguous stretch of W1 and of the optimizer's state, read and written as a
    /// stream, as the separate update pass reads them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Band<T, TSink>(ref TSink sink, ref T staging, nint stride, nint first, int r, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSink : struct, IGradientSink<T>
    {
        if (stride == n)
        {
            sink.Put(first, ref staging, r * n);
            return;
        }

        for (int i = 0; i < r; i++)
        {
            sink.Put(first + i * (nint)n, ref At(ref staging, i * stride), n);
        }
    }

    /// <summary>
    /// output[i · stride + v·w …] (or += when <paramref name="add"/>) = Σ_s x[s, k0 + i] · panel[s, v·w …]: one fused
    /// multiply-add chain per element from 0, over the samples in order — the loop of <c>Dense.GradientBlock</c>, which
    /// adds its sums into a buffer instead. Reusing that block on a zeroed band (the same bits) made the pass's sums
    /// 1.2–2.1× slower (3 alternating pairs of processes, bench --fit --part inputlayer, 2026-12-07), so the store-only
    /// loop stays here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chain<T, TRows>(ref T x, nint k, ref T panel, int rows, ref T output, nint stride, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ISize
    {
        int r = TRows.Value, vw = Vector<T>.Count;
        Vector<T> c00 = Vector<T>.Zero, c01 = Vector<T>.Zero, c10 = Vector<T>.Zero, c11 = Vector<T>.Zero;
        Vector<T> c20 = Vector<T>.Zero, c21 = Vector<T>.Zero, c30 = Vector<T>.Zero, c31 = Vector<T>.Zero;
        Vector<T> c40 = Vector<T>.Zero, c41 = Vector<T>.Zero, c50 = Vector<T>.Zero, c51 = Vector<T>.Zero;
        ref T ds = ref panel;
        ref T xs = ref x;
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

        // row i of the block at output + i · stride, its two vectors side by side
        ref T o0 = ref output, o1 = ref At(ref o0, stride), o2 = ref At(ref o1, stride);
        ref T o3 = ref At(ref o2, stride), o4 = ref At(ref o3, stride), o5 = ref At(ref o4, stride);
        if (add)
        {
            c00 += Load(ref o0, 0); c01 += Load(ref o0, vw);
            if (r > 1) { c10 += Load(ref o1, 0); c11 += Load(ref o1, vw); }
            if (r > 2) { c20 += Load(ref o2, 0); c21 += Load(ref o2, vw); }
            if (r > 3) { c30 += Load(ref o3, 0); c31 += Load(ref o3, vw); }
            if (r > 4) { c40 += Load(ref o4, 0); c41 += Load(ref o4, vw); }
            if (r > 5) { c50 += Load(ref o5, 0); c51 += Load(ref o5, vw); }
        }

        Store(ref o0, 0, c00); Store(ref o0, vw, c01);
        if (r > 1) { Store(ref o1, 0, c10); Store(ref o1, vw, c11); }
        if (r > 2) { Store(ref o2, 0, c20); Store(ref o2, vw, c21); }
        if (r > 3) { Store(ref o3, 0, c30); Store(ref o3, vw, c31); }
        if (r > 4) { Store(ref o4, 0, c40); Store(ref o4, vw, c41); }
        if (r > 5) { Store(ref o5, 0, c50); Store(ref o5, vw, c51); }
    }

    private readonly struct R1 : ISize { public static int Value => 1; }

    private readonly struct R2 : ISize { public static int Value => 2; }

    private readonly struct R3 : ISize { public static int Value => 3; }

    private readonly struct R4 : ISize { public static int Value => 4; }

    private readonly struct R5 : ISize { public static int Value => 5; }

    private readonly struct R6 : ISize { public static int Value => 6; }
}
