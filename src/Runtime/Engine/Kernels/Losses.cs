using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// The output error of a tile: the summed cost C and δ^L = ∂C/∂z^L, row by row over [rows × width] (v is the output
/// layer's pre-activation: z^L, or γ ẑ + β after batch normalization).
/// <code>
/// mean squared error      C = ½ Σ_j (a_j − y_j)²                         δ^L = σ'(z^L) ∘ (a^L − y)
/// binary cross-entropy    C = Σ_j max(z_j, 0) − z_j y_j + ln(1 + e^(−|z_j|))   δ^L = a^L − y   (sigmoid output)
/// cross-entropy           C = Σ_j y_j (lse − z_j)                        δ^L = a^L Σ_j y_j − y   (softmax output)
/// element-wise ℓ          C = Σ_j ℓ(a_j, y_j)                            δ^L = σ'(z^L) ∘ ∂ℓ/∂a   (Huber, log-cosh, MAE, user-written)
/// </code>
/// </summary>
public static class Losses
{
    /// <summary>Mean squared error through the element-wise activation <typeparamref name="TAct"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T MeanSquaredError<T, TAct>(ReadOnlySpan<T> v, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta, int rows, int width, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAct : struct, IActivation
    {
        T half = T.CreateTruncating(0.5), loss = T.Zero;
        int length = rows * width;
        for (int i = 0; i < length; i++)
        {
            T e = a[i] - y[i];   // ∂C/∂a
            loss += half * e * e;
            delta[i] = TAct.Delta(e, v[i], a[i], alpha);
        }

        return loss;
    }

    /// <summary>Mean squared error through softmax: δ = a ∘ ((a − y) − (a − y)·a), the Jacobian-vector product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T SoftmaxMeanSquaredError<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T half = T.CreateTruncating(0.5), loss = T.Zero;
        for (int s = 0; s < rows; s++)
        {
            int o = s * width;
            T dot = T.Zero;
            for (int j = 0; j < width; j++)
            {
                T e = a[o + j] - y[o + j];
                loss += half * e * e;
                dot += e * a[o + j];
            }

            for (int j = 0; j < width; j++)
            {
                delta[o + j] = a[o + j] * ((a[o + j] - y[o + j]) - dot);
            }
        }

        return loss;
    }

    /// <summary>Binary cross-entropy of a sigmoid output, computed from z so that ln 0 is never taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T BinaryCrossEntropy<T>(ReadOnlySpan<T> v, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T loss = T.Zero;
        int length = rows * width;
        for (int i = 0; i < length; i++)
        {
            T vj = v[i];
            loss += T.Max(vj, T.Zero) - vj * y[i] + T.Log(T.One + T.Exp(-T.Abs(vj)));
            delta[i] = a[i] - y[i];
        }

        return loss;
    }

    /// <summary>Cross-entropy of a softmax output, with lse = max z + ln Σ_k e^(z_k − max z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T CrossEntropy<T>(ReadOnlySpan<T> v, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T loss = T.Zero;
        for (int s = 0; s < rows; s++)
        {
            int o = s * width;
            T max = v[o];
            for (int j = 1; j < width; j++)
            {
                max = T.Max(max, v[o + j]);
            }

            T sum = T.Zero, sumY = T.Zero;
            for (int j = 0; j < width; j++)
            {
                sum += T.Exp(v[o + j] - max);
            }

            T lse = max + T.Log(sum);   // ln Σ_k e^(z_k)
            for (int j = 0; j < width; j++)
            {
                loss += y[o + j] * (lse - v[o + j]);
                sumY += y[o + j];
            }

            for (int j = 0; j < width; j++)
            {
                delta[o + j] = a[o + j] * sumY - y[o + j];
            }
        }

        return loss;
    }

    /// <summary>
    /// C = Σ_j ℓ(a_j, y_j) through the element-wise activation <typeparamref name="TAct"/>: δ = σ'(v) ∘ ∂ℓ/∂a
    /// (Huber, log-cosh, mean absolute error, user-written losses).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Elementwise<T, TLoss, TAct>(ReadOnlySpan<T> v, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta, int rows, int width, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoss : struct, IElementLoss
        where TAct : struct, IActivation
    {
        T loss = T.Zero;
        int length = rows * width;
        for (int i = 0; i < length; i++)
        {
            loss += TLoss.Loss(a[i], y[i]);
            delta[i] = TAct.Delta(TLoss.Derivative(a[i], y[i]), v[i], a[i], alpha);   // σ'(v) ∂ℓ/∂a
        }

        return loss;
    }

    /// <summary>C = Σ_j ℓ(a_j, y_j) through softmax: δ = a ∘ (g − g·a), g = ∂ℓ/∂a, the Jacobian-vector product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T SoftmaxElementwise<T, TLoss>(ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoss : struct, IElementLoss
    {
        T loss = T.Zero;
        for (int s = 0; s < rows; s++)
        {
            int o = s * width;
            T dot = T.Zero;
            for (int j = 0; j < width; j++)
            {
                loss += TLoss.Loss(a[o + j], y[o + j]);
                T g = TLoss.Derivative(a[o + j], y[o + j]);
                delta[o + j] = g;
                dot += g * a[o + j];
            }

            for (int j = 0; j < width; j++)
            {
                delta[o + j] = a[o + j] * (delta[o + j] - dot);
            }
        }

        return loss;
    }

    /// <summary>Huber with δ = 1: ℓ = ½ d² for |d| ≤ 1, else |d| − ½ (d = a − y); ∂ℓ/∂a = clamp(d, −1, 1).</summary>
    public readonly struct Huber : IElementLoss
    {
        /// <inheritdoc />
        public static T Loss<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T d = T.Abs(a - y), half = T.CreateTruncating(0.5);
            return d <= T.One ? half * d * d : d - half;
        }

        /// <inheritdoc />
        public static T Derivative<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Clamp(a - y, -T.One, T.One);
    }

    /// <summary>Log-cosh: ℓ = ln cosh d = |d| + ln(1 + e^(−2|d|)) − ln 2 (d = a − y); ∂ℓ/∂a = tanh d.</summary>
    public readonly struct LogCosh : IElementLoss
    {
        /// <inheritdoc />
        public static T Loss<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T d = T.Abs(a - y);
            return d + T.Log(T.One + T.Exp(T.CreateTruncating(-2) * d)) - T.CreateTruncating(0.69314718055994530942);
        }

        /// <inheritdoc />
        public static T Derivative<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(a - y);
    }

    /// <summary>Mean absolute error: ℓ = |a − y|; ∂ℓ/∂a = sign(a − y), the subgradient 0 where a = y.</summary>
    public readonly struct MeanAbsoluteError : IElementLoss
    {
        /// <inheritdoc />
        public static T Loss<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(a - y);

        /// <inheritdoc />
        public static T Derivative<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T> =>
            a > y ? T.One : a < y ? -T.One : T.Zero;
    }

    /// <summary>A user-written loss <typeparamref name="TL"/> of precision <typeparamref name="TU"/> as an <see cref="IElementLoss"/>.</summary>
    public readonly struct Custom<TU, TL> : IElementLoss
        where TU : unmanaged, IFloatingPointIeee754<TU>
        where TL : struct, ILossFunction<TU>
    {
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Loss<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TU r = TL.Loss(Unsafe.As<T, TU>(ref a), Unsafe.As<T, TU>(ref y));
            return Unsafe.As<TU, T>(ref r);
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Derivative<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TU r = TL.Derivative(Unsafe.As<T, TU>(ref a), Unsafe.As<T, TU>(ref y));
            return Unsafe.As<TU, T>(ref r);
        }
    }
}

/// <summary>A loss that is a sum over the outputs of ℓ(a_j, y_j), as the engine's kernels run it.</summary>
public interface IElementLoss
{
    /// <summary>ℓ(a, y).</summary>
    static abstract T Loss<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>∂ℓ/∂a.</summary>
    static abstract T Derivative<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T>;
}
