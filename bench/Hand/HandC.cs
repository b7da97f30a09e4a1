using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Benchmarks.Hand;

/// <summary>
/// c: 784-128-64-10, ReLU, ReLU, softmax, cross-entropy (C = −Σ_j y_j ln a_j summed over the batch, natural log, as
/// Σ_j y_j (lse − z_j); δ3 = a3 Σ_j y_j − y = a3 − y for one-hot y). The whole batch goes through each layer before
/// the next: z = W a + b as 6 (or 4) samples × 16 outputs micro-kernels over contiguous 16-column panels of W
/// (<see cref="HandGemm"/>: each weight read once per block of samples, ReLU fused into the store; a single sample:
/// 1 × 64 outputs in eight accumulators, W read in place), W3 copied into 16 padded columns;
/// δ2 = (W3ᵀ δ3) ∘ 1[z2 &gt; 0] and δ1 = (W2ᵀ δ2) ∘ 1[z1 &gt; 0] as the same kernels over transposed copies made before
/// any weight changes (under 4 samples: rows of W2 dotted with δ2, eight at a time); then every
/// W^l += −(η/B) Σ_s a^{l−1}_sᵀ δ^l_s as 6 × 16 tiles summed over the whole batch in twelve registers, so each of W1's
/// 100 352 weights is read and written once per step (no gradient buffer).
/// </summary>
public sealed class HandC : IHandKernel
{
    private const int N0 = 784, N1 = 128, N2 = 64, N3 = 10, P3 = 16;   // P3: layer 3's outputs padded to two vectors
    private const int W1 = 0, B1 = W1 + N0 * N1, W2 = B1 + N1, B2 = W2 + N1 * N2, W3 = B2 + N2, B3 = W3 + N2 * N3, Count = B3 + N3;

    private readonly float[] _w3Padded = new float[N2 * P3], _b3Padded = new float[P3];   // W3 [64 × 16], b3 [16]
    private readonly float[] _w3T = new float[N3 * N2], _w2T = new float[N2 * N1];       // W3ᵀ [10 × 64], W2ᵀ [64 × 128]
    private float[] _a1 = [], _a2 = [], _z3 = [], _a3 = [], _d1 = [], _d2 = [], _d3 = [];

    /// <summary>Creates the kernel (zero parameters: <see cref="HandNetwork"/> copies the generated network's in).</summary>
    public HandC() => HandGemm.RequireAvx2();

    public float[] Parameters { get; } = new float[Count];

    private void EnsureRows(int rows)
    {
        if (_a1.Length < rows * N1)
        {
            _a1 = new float[rows * N1];
            _a2 = new float[rows * N2];
            _z3 = new float[rows * P3];
            _a3 = new float[rows * P3];
            _d1 = new float[rows * N1];
            _d2 = new float[rows * N2];
            _d3 = new float[rows * P3];   // columns 10..15 stay 0
        }
    }

    /// <summary>a1, a2, z3 and a3 = softmax(z3) of the batch into the buffers.</summary>
    private void ForwardRows(ReadOnlySpan<float> x, int rows)
    {
        float[] p = Parameters;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float a1 = ref _a1[0], a2 = ref _a2[0], z3 = ref _z3[0];

        // a1 = max(0, W1 a0 + b1), a2 = max(0, W2 a1 + b2)
        HandGemm.Product<Relu>(ref x0, N0, rows, ref p[W1], N1, N0, ref p[B1], ref a1, N1, N1, ref a1);
        HandGemm.Product<Relu>(ref a1, N1, rows, ref p[W2], N2, N1, ref p[B2], ref a2, N2, N2, ref a2);

        // z3 = W3 a2 + b3 over 16 padded columns
        for (int k = 0; k < N2; k++)
        {
            p.AsSpan(W3 + k * N3, N3).CopyTo(_w3Padded.AsSpan(k * P3));
        }

        p.AsSpan(B3, N3).CopyTo(_b3Padded);
        HandGemm.Product<Identity>(ref a2, N2, rows, ref _w3Padded[0], P3, N2, ref _b3Padded[0], ref z3, P3, P3, ref z3);

        // a3_j = e^(z3_j − max z3) / Σ_k e^(z3_k − max z3)
        for (int s = 0; s < rows; s++)
        {
            Span<float> z = _z3.AsSpan(s * P3, N3), a = _a3.AsSpan(s * P3, N3);
            float max = z[0];
            for (int j = 1; j < N3; j++)
            {
                max = MathF.Max(max, z[j]);
            }

            float sum = 0;
            for (int j = 0; j < N3; j++)
            {
                a[j] = MathF.Exp(z[j] - max);
                sum += a[j];
            }

            for (int j = 0; j < N3; j++)
            {
                a[j] /= sum;
            }
        }
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> output)
    {
        int rows = output.Length / N3;
        EnsureRows(rows);
        ForwardRows(x, rows);
        for (int s = 0; s < rows; s++)
        {
            _a3.AsSpan(s * P3, N3).CopyTo(output.Slice(s * N3));
        }
    }

    public float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float learningRate)
    {
        int rows = y.Length / N3;
        EnsureRows(rows);
        ForwardRows(x, rows);
        float[] p = Parameters;

        // C = Σ_j y_j (lse − z3_j), lse = max z3 + ln Σ_k e^(z3_k − max z3);  δ3 = a3 Σ_j y_j − y
        // (summed in two halves from 32 rows on, as the engine adds its two halves: the A/B's |Δ| then shows the
        // parameters, ~1e-8, instead of a few ulps of a loss of ~600 at B256 from the order of the additions)
        float loss = 0, firstHalf = 0;
        for (int s = 0; s < rows; s++)
        {
            if (rows >= 32 && s == rows / 2)
            {
                firstHalf = loss;
                loss = 0;
            }

            ReadOnlySpan<float> z = _z3.AsSpan(s * P3, N3), a = _a3.AsSpan(s * P3, N3), t = y.Slice(s * N3, N3);
            Span<float> d = _d3.AsSpan(s * P3, N3);
            float max = z[0];
            for (int j = 1; j < N3; j++)
            {
                max = MathF.Max(max, z[j]);
            }

            float sum = 0, sumY = 0;
            for (int j = 0; j < N3; j++)
            {
                sum += MathF.Exp(z[j] - max);
            }

            float lse = max + MathF.Log(sum);
            for (int j = 0; j < N3; j++)
            {
                loss += t[j] * (lse - z[j]);
                sumY += t[j];
            }

            for (int j = 0; j < N3; j++)
            {
                d[j] = a[j] * sumY - t[j];
            }
        }

        // δ2 = (W3ᵀ δ3) ∘ 1[z2 > 0], δ1 = (W2ᵀ δ2) ∘ 1[z1 > 0], from copies of the weights before the step
        ref float a1 = ref _a1[0], a2 = ref _a2[0], d1 = ref _d1[0], d2 = ref _d2[0], d3 = ref _d3[0];
        VectorMath.Transpose<float>(p.AsSpan(W3, N2 * N3), N2, N3, _w3T);
        HandGemm.Product<ReluDelta>(ref d3, P3, rows, ref _w3T[0], N2, N3, ref HandGemm.Zeros[0], ref d2, N2, N2, ref a2);
        if (rows >= 4)
        {
            VectorMath.Transpose<float>(p.AsSpan(W2, N1 * N2), N1, N2, _w2T);
            HandGemm.Product<ReluDelta>(ref d2, N2, rows, ref _w2T[0], N1, N2, ref HandGemm.Zeros[0], ref d1, N1, N1, ref a1);
        }
        else
        {
            // a few samples: rows of W2 dotted with δ2 (cheaper than transposing W2)
            HandGemm.DeltaDots<ReluDelta>(ref d2, N2, rows, ref p[W2], N2, N1, ref d1, N1, ref a1);
        }

        // W^l += −(η/B) Σ_s a^{l−1}_s ᵀ δ^l_s,  b^l += −(η/B) Σ_s δ^l_s
        float scale = -learningRate / rows;
        HandGemm.UpdateWeights(ref a2, N2, ref d3, P3, rows, ref p[W3], N3, N2, N3, scale);
        HandGemm.UpdateBias(ref d3, P3, rows, ref p[B3], N3, scale);
        HandGemm.UpdateWeights(ref a1, N1, ref d2, N2, rows, ref p[W2], N2, N1, N2, scale);
        HandGemm.UpdateBias(ref d2, N2, rows, ref p[B2], N2, scale);
        HandGemm.UpdateWeights(ref MemoryMarshal.GetReference(x), N0, ref d1, N1, rows, ref p[W1], N1, N0, N1, scale);
        HandGemm.UpdateBias(ref d1, N1, rows, ref p[B1], N1, scale);
        return firstHalf + loss;
    }
}
