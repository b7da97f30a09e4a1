using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// A cheap upper bound on every value a training pass (forward, loss, back-propagation, batch statistics) can compute
/// over a batch of B rows with |x| ≤ X and |y| ≤ Y, from max |θ| of each parameter block; in double, from the layer sizes.
/// When it stays far below the range of T, the pass cannot overflow at those parameters: <see cref="Trainer"/> then needs
/// no copy of the parameters to go back to should the next step's loss or gradient not be finite.
/// </summary>
/// <remarks>
/// Per dense layer l with n inputs: |z| ≤ n·max|W|·A + max|b| (batch normalization: |ẑ| ≤ √B, so |z| ≤ max|γ|·√B + max|β|,
/// and its statistics ≤ (2|z|)²); |a| ≤ |z| for identity, ReLU, SiLU, GELU and Mish, |z| + 1 for softplus, max(1, α)·|z|
/// + α for LeakyReLU and ELU, 1 for sigmoid, tanh and softmax; a user-written activation or loss has no bound; dropout divides by 1 − p. The losses are computed stably (log-sum-exp, log(1 + e^−|z|), clamped
/// logs), so |C| ≤ B·n_L·((|a| + Y)² + 2|z| + 100). Back-propagation: |δ^L| ≤ 4(|a| + Y) + 1; each layer multiplies by
/// max σ' (1, max(1, α), ¼ for sigmoid, <see cref="SmoothSlope"/> for SiLU, GELU and Mish), 1/(1 − p), 3·max|γ|/√ε for batch normalization, and n_out·max|W| for δ^{l−1};
/// |∂C/∂W| ≤ B·A·|δ|.
/// </remarks>
internal sealed class TrainingPassBound
{
    /// <summary>
    /// A bound on |σ'| of SiLU, GELU and Mish (their maxima: about 1.100, 1.129 and 1.090), with room for the roundings
    /// of their kernels; |σ(z)| ≤ |z| for all three, and softplus(z) ≤ |z| + ln 2 with |σ'| ≤ 1 (TrainingPassBoundTests
    /// checks each against the runtime's own kernels).
    /// </summary>
    internal const double SmoothSlope = 1.25;

    private readonly NetworkSpec _spec;
    private readonly int[] _weights, _biases, _gammas, _betas;
    private readonly double _maxInput, _maxTarget;

    public TrainingPassBound(NetworkSpec spec, double maxInput, double maxTarget)
    {
        _spec = spec;
        _maxInput = maxInput;
        _maxTarget = maxTarget;
        int layers = spec.Stages.Count;
        _weights = new int[layers];
        _biases = new int[layers];
        _gammas = new int[layers];
        _betas = new int[layers];
        IReadOnlyList<ParameterBlock> layout = spec.Layout;
        for (int l = 0; l < layers; l++)
        {
            DenseStage stage = spec.Stages[l];
            _weights[l] = Find(layout, stage.WeightOffset);
            _biases[l] = Find(layout, stage.BiasOffset);
            _gammas[l] = stage.GammaOffset >= 0 ? Find(layout, stage.GammaOffset) : -1;
            _betas[l] = stage.BetaOffset >= 0 ? Find(layout, stage.BetaOffset) : -1;
        }
    }

    private static int Find(IReadOnlyList<ParameterBlock> layout, int offset)
    {
        for (int b = 0; b < layout.Count; b++)
        {
            if (layout[b].Offset == offset)
            {
                return b;
            }
        }

        throw new InvalidOperationException($"No parameter block starts at offset {offset}.");
    }

    /// <summary>The bound for parameters whose block b has max |θ| ≤ blockMaxima[b] + delta, at batches of <paramref name="rows"/> rows.</summary>
    public double Bound(ReadOnlySpan<double> blockMaxima, double delta, int rows)
    {
        if (_spec.Loss == Loss.Custom)
        {
            return double.PositiveInfinity;   // a user-written loss: ℓ and ∂ℓ/∂a can be anything at any a
        }

        int layers = _spec.Stages.Count;
        double b = rows, largest = 0, a = _maxInput;
        Span<double> inputs = stackalloc double[layers];
        Span<double> slopes = stackalloc double[layers];
        double z = 0;
        for (int l = 0; l < layers; l++)
        {
            DenseStage stage = _spec.Stages[l];
            inputs[l] = a;
            double w = blockMaxima[_weights[l]] + delta, bias = blockMaxima[_biases[l]] + delta;
            z = stage.InputSize * w * a + bias;
            double slope = 1;
            if (stage.BatchNorm is { } norm)
            {
                largest = Math.Max(largest, 4 * z * z);
                double gamma = blockMaxima[_gammas[l]] + delta;
                z = gamma * Math.Sqrt(b) + blockMaxima[_betas[l]] + delta;
                slope = 3 * gamma / Math.Sqrt(norm.Epsilon);
            }

            double alpha = Math.Abs(stage.Alpha);
            (a, double derivative) = stage.Activation switch
            {
                Activation.Identity or Activation.ReLU => (z, 1.0),
                Activation.LeakyReLU or Activation.ELU => (Math.Max(1, alpha) * z + alpha, Math.Max(1, alpha)),
                Activation.Sigmoid => (1.0, 0.25),
                Activation.Tanh => (1.0, 1.0),
                Activation.Softmax => (1.0, 1.0),
                Activation.SiLU or Activation.GELU or Activation.Mish => (z, SmoothSlope),
                Activation.Softplus => (z + 1, 1.0),
                _ => (double.PositiveInfinity, double.PositiveInfinity),   // a user-written function: nothing can be promised
            };
            if (stage.DropoutRate > 0)
            {
                a /= 1 - stage.DropoutRate;
                derivative /= 1 - stage.DropoutRate;
            }

            slopes[l] = derivative * slope;
            largest = Math.Max(largest, Math.Max(z, a));
        }

        double y = _maxTarget;
        int outputs = _spec.Stages[^1].OutputSize;
        largest = Math.Max(largest, b * outputs * ((a + y) * (a + y) + 2 * z + 100));
        double delta_ = 4 * (a + y) + 1;
        for (int l = layers - 1; l >= 0; l--)
        {
            DenseStage stage = _spec.Stages[l];
            double dz = delta_ * slopes[l];
            double w = blockMaxima[_weights[l]] + delta;
            largest = Math.Max(largest, Math.Max(dz, b * Math.Max(inputs[l], 1) * dz));
            if (stage.BatchNorm is not null)
            {
                largest = Math.Max(largest, b * Math.Sqrt(b) * delta_ * slopes[l] * Math.Sqrt(stage.BatchNorm.Epsilon));
            }

            delta_ = stage.OutputSize * w * dz;
            largest = Math.Max(largest, delta_);
        }

        return double.IsNaN(largest) ? double.PositiveInfinity : largest;
    }
}
