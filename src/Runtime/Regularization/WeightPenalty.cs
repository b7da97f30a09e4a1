using System;
using System.Collections.Generic;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// L1 and L2 penalties on the weights: the blocks of <see cref="NetworkSpec.Layout"/> with
/// <see cref="ParameterBlock.IsPenalized"/>; biases and batch-normalization γ and β are never penalized.
/// </summary>
/// <remarks>
/// <para>
/// Convention (the ½ of the course notes): the penalty is
/// <code>
/// R(w) = λ1 Σ |w| + (λ2 / 2) Σ w²        ∂R/∂w = λ1 sign(w) + λ2 w        (sign(0) = 0)
/// </code>
/// summed over every weight, added once per step to the mean loss of the batch. The L2 gradient λ2 w is PyTorch's
/// <c>weight_decay</c> = λ2 on the weights. Keras' <c>L2(l)</c> is l Σ w² (no ½, gradient 2 l w): pass λ2 = 2 l to match
/// it. The course's per-example form (λ / 2n) Σ w² with n training samples is λ2 = λ / n. Keras' <c>L1(l)</c> is λ1 = l.
/// </para>
/// <para>
/// The weight gradient at w = 0 uses sign(0) = 0 (the subgradient PyTorch and TensorFlow use), so L1 does not push
/// weights that are exactly 0.
/// </para>
/// </remarks>
public static class WeightPenalty
{
    /// <summary>
    /// Adds ∂R/∂w = λ1 sign(w) + λ2 w to the weight gradients and returns R = λ1 Σ |w| + (λ2 / 2) Σ w², to add to the
    /// reported loss. Other blocks (biases, γ, β) are left untouched. Allocation-free.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="spec">The topology, whose <see cref="NetworkSpec.Layout"/> says which blocks are weights.</param>
    /// <param name="parameters">The parameters θ (spec.ParameterCount values).</param>
    /// <param name="gradients">The gradients, in the same layout; the penalty's gradient is added to the weights'.</param>
    /// <param name="l1">λ1 ≥ 0, the L1 coefficient.</param>
    /// <param name="l2">λ2 ≥ 0, the L2 coefficient (with the ½ convention above).</param>
    /// <returns>The penalty R (summed in <typeparamref name="T"/> within a block, across blocks in double).</returns>
    /// <exception cref="ArgumentOutOfRangeException">λ1 or λ2 is negative or not finite.</exception>
    /// <exception cref="ArgumentException">A buffer does not hold spec.ParameterCount values.</exception>
    public static T AddPenalty<T>(NetworkSpec spec, ReadOnlySpan<T> parameters, Span<T> gradients, double l1, double l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(spec);
        Shapes.RequireLength(parameters.Length, spec.ParameterCount, nameof(parameters), "The parameters");
        Shapes.RequireLength(gradients.Length, spec.ParameterCount, nameof(gradients), "The gradients");
        OptimizerChecks.NonNegative(l1, nameof(l1), "The L1 coefficient λ1");
        OptimizerChecks.NonNegative(l2, nameof(l2), "The L2 coefficient λ2");

        double sumOfMagnitudes = 0, sumOfSquares = 0;
        IReadOnlyList<ParameterBlock> layout = spec.Layout;
        for (int b = 0; b < layout.Count; b++)
        {
            ParameterBlock block = layout[b];
            if (!block.IsPenalized)
            {
                continue;
            }

            ReadOnlySpan<T> w = parameters.Slice(block.Offset, block.Length);
            Span<T> g = gradients.Slice(block.Offset, block.Length);
            if (l1 != 0)
            {
                sumOfMagnitudes += double.CreateChecked(TensorPrimitives.SumOfMagnitudes(w));
                AddScaledSign(w, g, T.CreateChecked(l1));
            }

            if (l2 != 0)
            {
                sumOfSquares += double.CreateChecked(TensorPrimitives.SumOfSquares(w));
                TensorPrimitives.MultiplyAdd(w, T.CreateChecked(l2), g, g);
            }
        }

        return T.CreateChecked(l1 * sumOfMagnitudes + 0.5 * l2 * sumOfSquares);
    }

    /// <summary>g += λ sign(w), with sign(0) = 0 (and sign(NaN) = 0).</summary>
    private static void AddScaledSign<T>(ReadOnlySpan<T> w, Span<T> g, T lambda) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ReadOnlySpan<Vector<T>> wv = MemoryMarshal.Cast<T, Vector<T>>(w);
            Span<Vector<T>> gv = MemoryMarshal.Cast<T, Vector<T>>(g);
            var plus = new Vector<T>(lambda);
            var minus = new Vector<T>(-lambda);
            for (int k = 0; k < wv.Length; k++)
            {
                Vector<T> wk = wv[k];
                gv[k] += Vector.ConditionalSelect(Vector.GreaterThan(wk, Vector<T>.Zero), plus, Vector<T>.Zero)
                       + Vector.ConditionalSelect(Vector.LessThan(wk, Vector<T>.Zero), minus, Vector<T>.Zero);
            }

            i = wv.Length * Vector<T>.Count;
        }

        for (; i < w.Length; i++)
        {
            if (w[i] > T.Zero)
            {
                g[i] += lambda;
            }
            else if (w[i] < T.Zero)
            {
                g[i] -= lambda;
            }
        }
    }
}
