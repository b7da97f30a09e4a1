using System;
using System.ComponentModel;
using System.Numerics;

namespace NetGen;

/// <summary>
/// A network run by a <see cref="NetworkEngine{T, TKernels}"/>: it hands <see cref="Trainer"/> its engine, whose fused
/// training step (the optimizer's update inside the first layer's ∂C/∂W product) needs more than <see cref="INetwork{T}"/>
/// offers. Generated networks implement it explicitly; there is nothing in it to call from your code.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IEngineBacked<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The engine that runs the network.</summary>
    ITrainingEngine<T> Engine { get; }
}

/// <summary>The part of a <see cref="NetworkEngine{T, TKernels}"/> that <see cref="Trainer"/> drives directly (internal members only).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITrainingEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether a batch of <paramref name="rows"/> can leave the first layer's gradients to the optimizer (<see cref="Tile{T}.DefersInputLayer"/>).</summary>
    internal bool CanDeferInputLayer(int rows);

    /// <summary>
    /// As <see cref="INetwork{T}.ZeroGradients"/> then <see cref="INetwork{T}.BackwardBatch"/>, but W1 and b1 are left out:
    /// their part of the gradients is neither cleared nor written, and δ1 stays in the workspaces for
    /// <see cref="DeferredInputLayer"/>. Returns the summed loss.
    /// </summary>
    internal T BackwardDeferringInputLayer(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets);

    /// <summary>The first layer's gradients of the last <see cref="BackwardDeferringInputLayer"/> call, whose inputs were <paramref name="inputs"/>.</summary>
    internal InputLayerGradients<T> DeferredInputLayer(ReadOnlySpan<T> inputs);

    /// <summary>
    /// max |∂C/∂θ_i| over i ≥ <paramref name="from"/> as the last <see cref="INetwork{T}.BackwardBatch"/> (or
    /// <see cref="BackwardDeferringInputLayer"/>) found it while it folded the second core's gradients into the first's
    /// (in <see cref="FusedUpdate.MaxMagnitude{T}"/>'s convention: NaN or ∞ when a value is); false when that call ran on
    /// one core, folded from another index, or the gradients were cleared since.
    /// </summary>
    internal bool TryFoldedMaxMagnitude(int from, out double max);

    /// <summary>max_j Σ_s |δ1_sj| of the last deferred call, in double: |∂C/∂b1_j| is at most it, |∂C/∂W1_jk| at most it times max |x|; NaN or ∞ when a δ1 is.</summary>
    internal double DeferredDeltaBound();
}
