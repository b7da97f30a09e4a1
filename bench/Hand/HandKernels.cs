using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Benchmarks.Hand;

/// <summary>
/// What an engineer writes by hand for one fixed network (issue 12's "hand-specialized kernel"): the sizes as literals,
/// one core, the SGD step fused (w ← w − (η/B) Σ ∂C/∂w with the sum kept in registers or in a gradient buffer that the
/// update clears), the parameter layout of the generated code (W^l input-major, then b^l), so both sides start from
/// the same weights. Not part of the library: the reference the generated code is measured against (bench --hand).
/// </summary>
public interface IHandKernel
{
    /// <summary>θ in the generated layout.</summary>
    float[] Parameters { get; }

    /// <summary>a^L for a row-major batch.</summary>
    void Forward(ReadOnlySpan<float> x, Span<float> output);

    /// <summary>One fused SGD step on a row-major batch; returns the summed loss.</summary>
    float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float learningRate);
}

/// <summary>
/// a: 2-2-1, sigmoid then identity, mean squared error. Eight samples per AVX register, the interleaved (x0, x1) rows
/// turned into lanes with two shuffles and two permutes, all nine weights broadcast and all nine gradients accumulated
/// in registers over the batch, the update applied once at the end.
/// </summary>
public sealed class HandA : IHandKernel
{
    public float[] Parameters { get; } = new float[9];   // W1 [2 × 2] input-major (0..3), b1 (4, 5), W2 (6, 7), b2 (8)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> X0, Vector256<float> X1) Deinterleave(ref float x, nint row)
    {
        Vector256<float> lo = Vector256.LoadUnsafe(ref x, (nuint)(2 * row)), hi = Vector256.LoadUnsafe(ref x, (nuint)(2 * row + 8));
        Vector256<float> evens = Avx.Shuffle(lo, hi, 0x88), odds = Avx.Shuffle(lo, hi, 0xDD);
        return (Avx2.Permute4x64(evens.AsDouble(), 0xD8).AsSingle(), Avx2.Permute4x64(odds.AsDouble(), 0xD8).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid(Vector256<float> z) =>
        Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp((-z).AsVector()).AsVector256());

    public void Forward(ReadOnlySpan<float> x, Span<float> output)
    {
        int rows = output.Length;
        float[] p = Parameters;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float or = ref MemoryMarshal.GetReference(output);
        nint s = 0;
        if (Avx2.IsSupported && Fma.IsSupported && Vector<float>.Count == 8)
        {
            Vector256<float> w00 = Vector256.Create(p[0]), w01 = Vector256.Create(p[1]), w10 = Vector256.Create(p[2]), w11 = Vector256.Create(p[3]);
            Vector256<float> b0 = Vector256.Create(p[4]), b1 = Vector256.Create(p[5]), v0 = Vector256.Create(p[6]), v1 = Vector256.Create(p[7]), c = Vector256.Create(p[8]);
            for (; s + 8 <= rows; s += 8)
            {
                (Vector256<float> x0, Vector256<float> x1) = Deinterleave(ref xr, s);
                Vector256<float> h0 = Sigmoid(Fma.MultiplyAdd(w10, x1, Fma.MultiplyAdd(w00, x0, b0)));
                Vector256<float> h1 = Sigmoid(Fma.MultiplyAdd(w11, x1, Fma.MultiplyAdd(w01, x0, b1)));
                Fma.MultiplyAdd(v1, h1, Fma.MultiplyAdd(v0, h0, c)).StoreUnsafe(ref or, (nuint)s);
            }
        }

        for (; s < rows; s++)
        {
            float x0 = Unsafe.Add(ref xr, 2 * s), x1 = Unsafe.Add(ref xr, 2 * s + 1);
            float h0 = 1f / (1f + MathF.Exp(-(p[0] * x0 + p[2] * x1 + p[4])));
            float h1 = 1f / (1f + MathF.Exp(-(p[1] * x0 + p[3] * x1 + p[5])));
            Unsafe.Add(ref or, s) = p[6] * h0 + p[7] * h1 + p[8];
        }
    }

    public float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float learningRate)
    {
        int rows = y.Length;
        float[] p = Parameters;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        Span<float> g = stackalloc float[9];
        float loss = 0;
        nint s = 0;
        if (Avx2.IsSupported && Fma.IsSupported && Vector<float>.Count == 8 && rows >= 8)
        {
            Vector256<float> w00 = Vector256.Create(p[0]), w01 = Vector256.Create(p[1]), w10 = Vector256.Create(p[2]), w11 = Vector256.Create(p[3]);
            Vector256<float> b0 = Vector256.Create(p[4]), b1 = Vector256.Create(p[5]), v0 = Vector256.Create(p[6]), v1 = Vector256.Create(p[7]), c = Vector256.Create(p[8]);
            Vector256<float> g00 = default, g01 = default, g10 = default, g11 = default, gb0 = default, gb1 = default, gv0 = default, gv1 = default, gc = default, l = default;
            for (; s + 8 <= rows; s += 8)
            {
                (Vector256<float> x0, Vector256<float> x1) = Deinterleave(ref xr, s);
                Vector256<float> h0 = Sigmoid(Fma.MultiplyAdd(w10, x1, Fma.MultiplyAdd(w00, x0, b0)));
                Vector256<float> h1 = Sigmoid(Fma.MultiplyAdd(w11, x1, Fma.MultiplyAdd(w01, x0, b1)));
                Vector256<float> e = Fma.MultiplyAdd(v1, h1, Fma.MultiplyAdd(v0, h0, c)) - Vector256.LoadUnsafe(ref yr, (nuint)s);
                l = Fma.MultiplyAdd(e, e, l);
                gv0 = Fma.MultiplyAdd(e, h0, gv0);
                gv1 = Fma.MultiplyAdd(e, h1, gv1);
                gc += e;
                Vector256<float> d0 = v0 * e * h0 * (Vector256<float>.One - h0), d1 = v1 * e * h1 * (Vector256<float>.One - h1);
                g00 = Fma.MultiplyAdd(d0, x0, g00); g01 = Fma.MultiplyAdd(d1, x0, g01);
                g10 = Fma.MultiplyAdd(d0, x1, g10); g11 = Fma.MultiplyAdd(d1, x1, g11);
                gb0 += d0; gb1 += d1;
            }

            g[0] = Vector256.Sum(g00); g[1] = Vector256.Sum(g01); g[2] = Vector256.Sum(g10); g[3] = Vector256.Sum(g11);
            g[4] = Vector256.Sum(gb0); g[5] = Vector256.Sum(gb1); g[6] = Vector256.Sum(gv0); g[7] = Vector256.Sum(gv1); g[8] = Vector256.Sum(gc);
            loss = 0.5f * Vector256.Sum(l);
        }

        for (; s < rows; s++)
        {
            float x0 = Unsafe.Add(ref xr, 2 * s), x1 = Unsafe.Add(ref xr, 2 * s + 1);
            float h0 = 1f / (1f + MathF.Exp(-(p[0] * x0 + p[2] * x1 + p[4])));
            float h1 = 1f / (1f + MathF.Exp(-(p[1] * x0 + p[3] * x1 + p[5])));
            float e = p[6] * h0 + p[7] * h1 + p[8] - Unsafe.Add(ref yr, s);
            loss += 0.5f * e * e;
            g[6] += e * h0; g[7] += e * h1; g[8] += e;
            float d0 = p[6] * e * h0 * (1 - h0), d1 = p[7] * e * h1 * (1 - h1);
            g[0] += d0 * x0; g[1] += d1 * x0; g[2] += d0 * x1; g[3] += d1 * x1; g[4] += d0; g[5] += d1;
        }

        float scale = -learningRate / rows;
        for (int i = 0; i < 9; i++)
        {
            p[i] += scale * g[i];
        }

        return loss;
    }
}

/// <summary>
/// b: 2-64-64-1, sigmoid, sigmoid, identity, mean squared error. Inference of a single sample: each 64-wide quantity
/// in eight AVX registers, layer 2's product as 64 broadcast-FMA steps into eight accumulators. Everything else: each
/// layer over the whole batch before the next, z2 = W2 a1 + b2 as 6 (or 4) samples × 16 outputs micro-kernels over
/// contiguous 16-column panels of W2 (<see cref="HandGemm"/>; each weight read once per block), the sigmoid in a pass
/// after; δ1 = (W2ᵀ δ2) ∘ a1 (1 − a1) the same way over W2ᵀ copied before the step (under 4 samples: rows of W2 dotted
/// with δ2, eight at a time); then the fused step with every sum over the batch kept in registers:
/// W2 += −(η/B) Σ_s a1_sᵀ δ2_s in 6 × 16 tiles, W1, b1, W3 a vector of outputs at a time — each weight read and
/// written once, no gradient buffer.
/// </summary>
public sealed class HandB : IHandKernel
{
    private const int H = 64, W1 = 0, B1 = 128, W2 = 192, B2 = 192 + 4096, W3 = B2 + 64, B3 = W3 + 64, Count = B3 + 1;
    private readonly float[] _a1 = new float[H], _a2 = new float[H];   // one sample's inference (B1)
    private readonly float[] _w2T = new float[H * H];
    private float[] _ba1 = [], _ba2 = [], _bd1 = [], _bd2 = [], _e = [];   // a batch [rows × 64]

    /// <summary>Creates the kernel (zero parameters: <see cref="HandNetwork"/> copies the generated network's in).</summary>
    public HandB() => HandGemm.RequireAvx2();

    public float[] Parameters { get; } = new float[Count];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Sigmoid(Vector<float> z) => Vector<float>.One / (Vector<float>.One + VectorMath.Exp(-z));

    /// <summary>a1, a2 of one sample into the buffers; returns a3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Forward(ReadOnlySpan<float> p, float x0, float x1)
    {
        int vw = Vector<float>.Count;
        Span<float> a1 = _a1, a2 = _a2;
        for (int j = 0; j < H; j += vw)
        {
            var z = Vector.FusedMultiplyAdd(new Vector<float>(x1), new Vector<float>(p.Slice(W1 + H + j)),
                Vector.FusedMultiplyAdd(new Vector<float>(x0), new Vector<float>(p.Slice(W1 + j)), new Vector<float>(p.Slice(B1 + j))));
            Sigmoid(z).CopyTo(a1.Slice(j));
        }

        // z2 = b2 + Σ_k a1_k W2[k, :], eight accumulators (64 outputs with AVX2)
        ReadOnlySpan<Vector<float>> w2 = MemoryMarshal.Cast<float, Vector<float>>(p.Slice(W2, H * H));
        ReadOnlySpan<Vector<float>> b2 = MemoryMarshal.Cast<float, Vector<float>>(p.Slice(B2, H));
        if (vw == 8)
        {
            Vector<float> c0 = b2[0], c1 = b2[1], c2 = b2[2], c3 = b2[3], c4 = b2[4], c5 = b2[5], c6 = b2[6], c7 = b2[7];
            for (int k = 0; k < H; k++)
            {
                var a = new Vector<float>(a1[k]);
                int r = 8 * k;
                c0 = Vector.FusedMultiplyAdd(a, w2[r], c0); c1 = Vector.FusedMultiplyAdd(a, w2[r + 1], c1);
                c2 = Vector.FusedMultiplyAdd(a, w2[r + 2], c2); c3 = Vector.FusedMultiplyAdd(a, w2[r + 3], c3);
                c4 = Vector.FusedMultiplyAdd(a, w2[r + 4], c4); c5 = Vector.FusedMultiplyAdd(a, w2[r + 5], c5);
                c6 = Vector.FusedMultiplyAdd(a, w2[r + 6], c6); c7 = Vector.FusedMultiplyAdd(a, w2[r + 7], c7);
            }

            Span<Vector<float>> out2 = MemoryMarshal.Cast<float, Vector<float>>(a2);
            out2[0] = Sigmoid(c0); out2[1] = Sigmoid(c1); out2[2] = Sigmoid(c2); out2[3] = Sigmoid(c3);
            out2[4] = Sigmoid(c4); out2[5] = Sigmoid(c5); out2[6] = Sigmoid(c6); out2[7] = Sigmoid(c7);
        }
        else
        {
            for (int j = 0; j < H; j++)
            {
                float z = p[B2 + j];
                for (int k = 0; k < H; k++)
                {
                    z += a1[k] * p[W2 + k * H + j];
                }

                a2[j] = 1f / (1f + MathF.Exp(-z));
            }
        }

        Vector<float> dot = Vector<float>.Zero;
        for (int j = 0; j < H; j += vw)
        {
            dot = Vector.FusedMultiplyAdd(new Vector<float>(a2.Slice(j)), new Vector<float>(p.Slice(W3 + j)), dot);
        }

        return Vector.Sum(dot) + p[B3];
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> output)
    {
        ReadOnlySpan<float> p = Parameters;
        if (output.Length == 1)
        {
            output[0] = Forward(p, x[0], x[1]);
            return;
        }

        int rows = output.Length;
        EnsureRows(rows);
        ForwardRows(x, rows);
        Outputs(rows, output);
    }

    private void EnsureRows(int rows)
    {
        if (_ba1.Length < rows * H)
        {
            _ba1 = new float[rows * H];
            _ba2 = new float[rows * H];
            _bd1 = new float[rows * H];
            _bd2 = new float[rows * H];
        }
    }

    /// <summary>a1 and a2 of the batch into the batch buffers: a1 per sample (two inputs), z2 = W2 a1 + b2 as 4-sample blocks.</summary>
    private void ForwardRows(ReadOnlySpan<float> x, int rows)
    {
        float[] p = Parameters;
        var w10 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(W1, H));
        var w11 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(W1 + H, H));
        var b1 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(B1, H));
        var a1 = MemoryMarshal.Cast<float, Vector<float>>(_ba1.AsSpan(0, rows * H));
        int vectors = H / Vector<float>.Count;
        for (int s = 0; s < rows; s++)
        {
            var x0 = new Vector<float>(x[2 * s]);
            var x1 = new Vector<float>(x[2 * s + 1]);
            for (int v = 0; v < vectors; v++)
            {
                a1[s * vectors + v] = Sigmoid(Vector.FusedMultiplyAdd(x1, w11[v], Vector.FusedMultiplyAdd(x0, w10[v], b1[v])));
            }
        }

        // a2 = σ(W2 a1 + b2)
        HandGemm.Product<Hand.Sigmoid>(ref _ba1[0], H, rows, ref p[W2], H, H, ref p[B2], ref _ba2[0], H, H, ref _ba2[0]);
    }

    /// <summary>a3 = W3 a2 + b3 of each sample.</summary>
    private void Outputs(int rows, Span<float> a3)
    {
        var w3 = MemoryMarshal.Cast<float, Vector<float>>(Parameters.AsSpan(W3, H));
        var a2 = MemoryMarshal.Cast<float, Vector<float>>(_ba2.AsSpan(0, rows * H));
        float b3 = Parameters[B3];
        int vectors = H / Vector<float>.Count;
        for (int s = 0; s < rows; s++)
        {
            Vector<float> dot = Vector<float>.Zero;
            for (int v = 0; v < vectors; v++)
            {
                dot = Vector.FusedMultiplyAdd(a2[s * vectors + v], w3[v], dot);
            }

            a3[s] = Vector.Sum(dot) + b3;
        }
    }

    public float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float learningRate)
    {
        float[] p = Parameters;
        int rows = y.Length;
        float loss = 0;
        EnsureRows(rows);
        ForwardRows(x, rows);
        if (_e.Length < rows)
        {
            _e = new float[rows];
        }

        Outputs(rows, _e);

        // e = a3 − y, C = Σ ½ e²;  δ2 = e W3 ∘ a2 (1 − a2)
        var w3 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(W3, H));
        var a2 = MemoryMarshal.Cast<float, Vector<float>>(_ba2.AsSpan(0, rows * H));
        var d2 = MemoryMarshal.Cast<float, Vector<float>>(_bd2.AsSpan(0, rows * H));
        int vectors = H / Vector<float>.Count;
        for (int s = 0; s < rows; s++)
        {
            float e = _e[s] -= y[s];
            loss += 0.5f * e * e;
            var ev = new Vector<float>(e);
            for (int v = 0; v < vectors; v++)
            {
                Vector<float> a = a2[s * vectors + v];
                d2[s * vectors + v] = ev * w3[v] * a * (Vector<float>.One - a);
            }
        }

        // δ1 = (W2ᵀ δ2) ∘ a1 (1 − a1), from a copy of W2 made before the step
        if (rows >= 4)
        {
            VectorMath.Transpose<float>(p.AsSpan(W2, H * H), H, H, _w2T);
            HandGemm.Product<SigmoidDelta>(ref _bd2[0], H, rows, ref _w2T[0], H, H, ref HandGemm.Zeros[0], ref _bd1[0], H, H, ref _ba1[0]);
        }
        else
        {
            // a few samples: rows of W2 dotted with δ2, eight at a time (cheaper than transposing W2)
            HandGemm.DeltaDots<SigmoidDelta>(ref _bd2[0], H, rows, ref p[W2], H, H, ref _bd1[0], H, ref _ba1[0]);
        }

        // the fused step: W3 += s Σ e a2, b3 += s Σ e;  W2 += s Σ a1ᵀ δ2 (4 × 16 tiles over the batch), b2 += s Σ δ2;
        // W1 += s Σ x δ1, b1 += s Σ δ1
        float scale = -learningRate / rows;
        var sv = new Vector<float>(scale);
        var w3w = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(W3, H));
        var d1 = MemoryMarshal.Cast<float, Vector<float>>(_bd1.AsSpan(0, rows * H));
        var pw10 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(W1, H));
        var pw11 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(W1 + H, H));
        var pb1 = MemoryMarshal.Cast<float, Vector<float>>(p.AsSpan(B1, H));
        float sumE = 0;
        for (int s = 0; s < rows; s++)
        {
            sumE += _e[s];
        }

        for (int v = 0; v < vectors; v++)
        {
            Vector<float> g3 = Vector<float>.Zero, g10 = Vector<float>.Zero, g11 = Vector<float>.Zero, gb1 = Vector<float>.Zero;
            for (int s = 0; s < rows; s++)
            {
                g3 = Vector.FusedMultiplyAdd(new Vector<float>(_e[s]), a2[s * vectors + v], g3);
                Vector<float> d = d1[s * vectors + v];
                g10 = Vector.FusedMultiplyAdd(new Vector<float>(x[2 * s]), d, g10);
                g11 = Vector.FusedMultiplyAdd(new Vector<float>(x[2 * s + 1]), d, g11);
                gb1 += d;
            }

            w3w[v] = Vector.FusedMultiplyAdd(sv, g3, w3w[v]);
            pw10[v] = Vector.FusedMultiplyAdd(sv, g10, pw10[v]);
            pw11[v] = Vector.FusedMultiplyAdd(sv, g11, pw11[v]);
            pb1[v] = Vector.FusedMultiplyAdd(sv, gb1, pb1[v]);
        }

        p[B3] += scale * sumE;
        HandGemm.UpdateWeights(ref _ba1[0], H, ref _bd2[0], H, rows, ref p[W2], H, H, H, scale);
        HandGemm.UpdateBias(ref _bd2[0], H, rows, ref p[B2], H, scale);
        return loss;
    }
}

/// <summary>A hand kernel behind the contract's inference and fused-step members, so the A/B harness can time it against the generated network (bench --ab --topologies ha,hb).</summary>
public sealed class HandNetwork : INetwork<float>, ISgdStep<float>
{
    private readonly IHandKernel _kernel;

    public HandNetwork(IHandKernel kernel, INetwork<float> twin)
    {
        _kernel = kernel;
        Spec = twin.Spec;
        twin.Parameters.CopyTo(kernel.Parameters);
    }

    public NetworkSpec Spec { get; }

    public int InputSize => Spec.InputSize;

    public int OutputSize => Spec.OutputSize;

    public int ParameterCount => Spec.ParameterCount;

    public Span<float> Parameters => _kernel.Parameters;

    public Span<float> Gradients => throw new NotSupportedException("the hand kernels fuse the gradients into the step");

    public Span<float> State => Span<float>.Empty;

    public ulong RandomState { get; set; }

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => _kernel.Forward(input, output);

    public void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => _kernel.Forward(inputs, outputs);

    public float Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> target) => throw new NotSupportedException("the hand kernels fuse the gradients into the step");

    public float BackwardBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException("the hand kernels fuse the gradients into the step");

    public void ZeroGradients() => throw new NotSupportedException("the hand kernels fuse the gradients into the step");

    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, float learningRate) => _kernel.TrainStep(inputs, targets, learningRate);
}
