using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// Batch normalization over a tile (row-major [rows × Out]):
/// <code>
/// ẑ = (z − μ) / √(σ² + ε),   v = γ ẑ + β
/// training: μ, σ² of this batch (biased), running ← momentum·running + (1 − momentum)·batch; inference: running statistics
/// backward: ∂C/∂γ += Σ_s ∂C/∂v ∘ ẑ,  ∂C/∂β += Σ_s ∂C/∂v,  δ = γ/√(σ² + ε) ∘ (∂C/∂v − mean_s ∂C/∂v − ẑ ∘ mean_s(∂C/∂v ∘ ẑ))
/// </code>
/// </summary>
public static class BatchNorm
{
    /// <summary>ẑ and v from z; in training also updates the running statistics in <paramref name="state"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T, TLayer>(ReadOnlySpan<T> p, Span<T> state, ReadOnlySpan<T> z, Span<T> zHat, Span<T> v, Span<T> invStd, int rows, bool training)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IBatchNormLayer<T>
    {
        int n = TLayer.Out;
        T momentum = TLayer.Momentum;
        T invRows = T.One / T.CreateTruncating(rows);
        for (int j = 0; j < n; j++)
        {
            T mean, variance;
            if (training)
            {
                mean = T.Zero;
                for (int s = 0; s < rows; s++)
                {
                    mean += z[s * n + j];
                }

                mean *= invRows;
                variance = T.Zero;
                for (int s = 0; s < rows; s++)
                {
                    T d = z[s * n + j] - mean;
                    variance += d * d;
                }

                variance *= invRows;
                state[TLayer.Mean + j] = momentum * state[TLayer.Mean + j] + (T.One - momentum) * mean;
                state[TLayer.Variance + j] = momentum * state[TLayer.Variance + j] + (T.One - momentum) * variance;
            }
            else
            {
                mean = state[TLayer.Mean + j];
                variance = state[TLayer.Variance + j];
            }

            T inv = T.One / T.Sqrt(variance + TLayer.Epsilon);
            invStd[j] = inv;
            T gamma = p[TLayer.Gamma + j], beta = p[TLayer.Beta + j];
            for (int s = 0; s < rows; s++)
            {
                int i = s * n + j;
                zHat[i] = (z[i] - mean) * inv;
                v[i] = gamma * zHat[i] + beta;
            }
        }
    }

    /// <summary>
    /// <paramref name="delta"/> holds ∂C/∂v on entry and δ = ∂C/∂z on return; adds scale · (∂C/∂γ, ∂C/∂β) to
    /// <paramref name="g"/> (γ is read before it is written: g may be the parameters themselves in a fused step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T, TLayer>(ReadOnlySpan<T> p, Span<T> g, Span<T> delta, ReadOnlySpan<T> zHat, ReadOnlySpan<T> invStd, int rows, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLayer : struct, IBatchNormLayer<T>
    {
        int n = TLayer.Out;
        T invRows = T.One / T.CreateTruncating(rows);
        for (int j = 0; j < n; j++)
        {
            T sum = T.Zero, sumZHat = T.Zero;
            for (int s = 0; s < rows; s++)
            {
                int i = s * n + j;
                sum += delta[i];
                sumZHat += delta[i] * zHat[i];
            }

            T gammaScale = p[TLayer.Gamma + j] * invStd[j];
            g[TLayer.Gamma + j] += scale * sumZHat;
            g[TLayer.Beta + j] += scale * sum;
            for (int s = 0; s < rows; s++)
            {
                int i = s * n + j;
                delta[i] = gammaScale * (delta[i] - invRows * sum - zHat[i] * invRows * sumZHat);
            }
        }
    }
}

/// <summary>
/// Inverted dropout: in training a = h ∘ m with m_i = 1/(1 − p) with probability 1 − p, else 0 (the masks of
/// <see cref="DropoutMask"/>, a pure function of key, layer and index); backward ∂C/∂h = ∂C/∂a ∘ m.
/// </summary>
public static class Dropout
{
    /// <summary>Draws the masks of <paramref name="length"/> values of layer <paramref name="layer"/> (0 = the input) and applies them.</summary>
    /// <param name="h">The values before dropout.</param>
    /// <param name="mask">Receives m.</param>
    /// <param name="a">Receives h ∘ m.</param>
    /// <param name="length">rows × width.</param>
    /// <param name="key">The training call's key.</param>
    /// <param name="layer">The layer index.</param>
    /// <param name="firstIndex">The index of the first value in the whole batch (first row · width).</param>
    /// <param name="rate">p.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> h, Span<T> mask, Span<T> a, int length, ulong key, int layer, int firstIndex, double rate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.CreateTruncating(1.0 / (1.0 - rate));
        for (int i = 0; i < length; i++)
        {
            T m = DropoutMask.Keep(key, layer, firstIndex + i, rate) ? keep : T.Zero;
            mask[i] = m;
            a[i] = h[i] * m;
        }
    }

    /// <summary>g ← g ∘ m over <paramref name="length"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(Span<T> g, ReadOnlySpan<T> mask, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < length; i++)
        {
            g[i] *= mask[i];
        }
    }
}

/// <summary>Softmax per sample, a_j = e^(z_j − max z) / Σ_k e^(z_k − max z): the max is subtracted so e^x never overflows.</summary>
public static class Softmax
{
    /// <summary>a from z, row by row, for <paramref name="rows"/> rows of <paramref name="width"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int rows, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int s = 0; s < rows; s++)
        {
            ReadOnlySpan<T> zs = z.Slice(s * width, width);
            Span<T> os = a.Slice(s * width, width);
            T max = zs[0];
            for (int j = 1; j < width; j++)
            {
                max = T.Max(max, zs[j]);
            }

            T sum = T.Zero;
            for (int j = 0; j < width; j++)
            {
                os[j] = T.Exp(zs[j] - max);
                sum += os[j];
            }

            for (int j = 0; j < width; j++)
            {
                os[j] /= sum;
            }
        }
    }
}
