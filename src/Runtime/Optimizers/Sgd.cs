using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>Plain stochastic gradient descent: θ ← θ − η ∂C/∂θ. It keeps no state, so <see cref="Bind"/> and <see cref="Reset"/> do nothing.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η ≥ 0; 0.01 by default (Keras).</param>
    /// <exception cref="ArgumentOutOfRangeException">η is negative, infinite or NaN.</exception>
    public Sgd(double learningRate = 0.01)
    {
        LearningRate = learningRate;
    }

    /// <inheritdoc />
    public string Name => $"SGD(η={OptimizerChecks.Format(LearningRate)})";

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerChecks.LearningRate(value, nameof(value));
    }

    /// <inheritdoc />
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
    }

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        Shapes.RequireLength(gradients.Length, parameters.Length, nameof(gradients), "The gradients");
        TensorPrimitives.MultiplyAdd(gradients, T.CreateChecked(-LearningRate), parameters, parameters);
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
