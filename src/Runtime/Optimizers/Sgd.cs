using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>Plain stochastic gradient descent: θ ← θ − η ∂C/∂θ.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η; 0.01 by default (Keras).</param>
    public Sgd(double learningRate = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        LearningRate = learningRate;
    }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"SGD(η={LearningRate:G6})");

    /// <inheritdoc />
    public double LearningRate { get; set; }

    /// <inheritdoc />
    public void Bind(NetworkSpec spec)
    {
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
