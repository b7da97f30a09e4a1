using System;
using System.Collections.Generic;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>Gradient clipping and gradient norms, over the flat gradient buffer of a network. Allocation-free.</summary>
public static class GradientClipping
{
    /// <summary>
    /// The global L2 norm ‖g‖ = √(Σ gᵢ²) of the whole buffer, accumulated in double (float gradients are widened), and
    /// rescaled when the sum of squares overflows so that any finite buffer has a finite norm (up to double's range).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="gradients">The gradients.</param>
    /// <returns>The norm; NaN if any value is NaN, +∞ if any is infinite (and none is NaN); 0 for an empty buffer.</returns>
    public static double GlobalNorm<T>(ReadOnlySpan<T> gradients) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = SumOfSquares(gradients);
        if (double.IsFinite(sum))
        {
            return Math.Sqrt(sum);
        }

        // Overflow, or a NaN or infinity among the values: the largest magnitude tells which.
        double largest = double.CreateChecked(T.Abs(TensorPrimitives.MaxMagnitude(gradients)));
        if (!double.IsFinite(largest))
        {
            return largest;
        }

        double scaled = 0;
        foreach (T g in gradients)
        {
            double r = double.CreateChecked(g) / largest;
            scaled += r * r;
        }

        return largest * Math.Sqrt(scaled);
    }

    /// <summary>
    /// Clips by global norm (TensorFlow's <c>clip_by_global_norm</c>, Keras' <c>global_clipnorm</c>): when
    /// ‖g‖ &gt; maxNorm, every value is multiplied by maxNorm / ‖g‖, so the direction is kept and the norm becomes maxNorm;
    /// otherwise nothing changes. A NaN or infinite norm leaves the gradients unchanged (scaling cannot repair them) and is
    /// returned, so the caller can skip the step.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="gradients">The gradients, scaled in place.</param>
    /// <param name="maxNorm">The largest norm allowed (&gt; 0; +∞ never clips).</param>
    /// <returns>‖g‖ before clipping (see <see cref="GlobalNorm{T}"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not &gt; 0.</exception>
    public static double ClipByGlobalNorm<T>(Span<T> gradients, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The largest gradient norm must be > 0 (+∞ never clips).");
        }

        double norm = GlobalNorm((ReadOnlySpan<T>)gradients);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            TensorPrimitives.Multiply(gradients, T.CreateChecked(maxNorm / norm), gradients);
        }

        return norm;
    }

    /// <summary>
    /// Clips every value to [−limit, limit] (Keras' <c>clipvalue</c>, PyTorch's <c>clip_grad_value_</c>). This changes
    /// the direction of the gradient. NaN values stay NaN; ±∞ become ±limit.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="gradients">The gradients, clipped in place.</param>
    /// <param name="limit">The largest magnitude allowed (≥ 0; +∞ never clips).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative or NaN.</exception>
    public static void ClipByValue<T>(Span<T> gradients, double limit) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(limit >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The clipping limit must be ≥ 0 (+∞ never clips).");
        }

        T high = T.CreateSaturating(limit);
        TensorPrimitives.Min(gradients, high, gradients);
        TensorPrimitives.Max(gradients, -high, gradients);
    }

    /// <summary>
    /// The L2 norm of the gradient of each dense layer l = 1..L, all its blocks together (W^l, b^l and γ^l, β^l when
    /// present): normsPerLayer[l − 1] = √(Σ over the layer's blocks of Σ gᵢ²), accumulated in double. For diagnostics
    /// (vanishing or exploding gradients).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="spec">The topology, whose <see cref="NetworkSpec.Layout"/> says which layer each block belongs to.</param>
    /// <param name="gradients">The gradients (spec.ParameterCount values).</param>
    /// <param name="normsPerLayer">Receives one norm per dense layer (spec.DenseLayers.Count values).</param>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    public static void BlockNorms<T>(NetworkSpec spec, ReadOnlySpan<T> gradients, Span<double> normsPerLayer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(spec);
        Shapes.RequireLength(gradients.Length, spec.ParameterCount, nameof(gradients), "The gradients");
        Shapes.RequireLength(normsPerLayer.Length, spec.DenseLayers.Count, nameof(normsPerLayer), "The norms (one per dense layer)");
        normsPerLayer.Clear();
        IReadOnlyList<ParameterBlock> layout = spec.Layout;
        for (int b = 0; b < layout.Count; b++)
        {
            ParameterBlock block = layout[b];
            normsPerLayer[block.Layer - 1] += SumOfSquares(gradients.Slice(block.Offset, block.Length));
        }

        for (int l = 0; l < normsPerLayer.Length; l++)
        {
            normsPerLayer[l] = Math.Sqrt(normsPerLayer[l]);
        }
    }

    /// <summary>Σ xᵢ² in double: float values are widened before squaring, so float gradients cannot overflow the sum.</summary>
    private static double SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return TensorPrimitives.SumOfSquares(MemoryMarshal.Cast<T, double>(x));
        }

        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> f = MemoryMarshal.Cast<T, float>(x);
            double sum = 0;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                ReadOnlySpan<Vector<float>> fv = MemoryMarshal.Cast<float, Vector<float>>(f);
                Vector<double> acc = Vector<double>.Zero;
                for (int k = 0; k < fv.Length; k++)
                {
                    Vector.Widen(fv[k], out Vector<double> low, out Vector<double> high);
                    acc += low * low + high * high;
                }

                sum = Vector.Sum(acc);
                i = fv.Length * Vector<float>.Count;
            }

            for (; i < f.Length; i++)
            {
                double v = f[i];
                sum += v * v;
            }

            return sum;
        }

        double total = 0;
        foreach (T value in x)
        {
            double v = double.CreateChecked(value);
            total += v * v;
        }

        return total;
    }
}
