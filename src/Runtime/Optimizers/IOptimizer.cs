using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// Updates a flat parameter buffer from its gradient buffer (both in the layout of <see cref="INetwork{T}.Parameters"/>),
/// keeping whatever state it needs per parameter. Allocation-free after <see cref="Bind"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short description with the hyperparameters, e.g. <c>Adam(η=0.001, β1=0.9, β2=0.999, ε=1e-07)</c>.</summary>
    string Name { get; }

    /// <summary>The learning rate η of the next step; a learning-rate schedule sets it before each step.</summary>
    double LearningRate { get; set; }

    /// <summary>Allocates the per-parameter state for a network of <paramref name="spec"/> (and learns which blocks are weights).</summary>
    void Bind(NetworkSpec spec);

    /// <summary>One update θ ← θ − η·(…) from the gradient of the mean loss of a batch.</summary>
    /// <param name="parameters">The parameters, updated in place.</param>
    /// <param name="gradients">∂C/∂θ, already divided by the batch size.</param>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradients);

    /// <summary>Forgets the state (moments, accumulators, step count).</summary>
    void Reset();
}
