using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>Plain stochastic gradient descent: θ ← θ − η ∂C/∂θ. It keeps no state, so <see cref="Bind"/> and <see cref="Reset"/> do nothing.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : IFusedOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
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

    /// <summary>The number of steps taken since the last <see cref="Bind"/> or <see cref="Reset"/>.</summary>
    public long StepCount { get; private set; }

    /// <summary>0: plain SGD keeps no per-parameter state.</summary>
    public int StateBufferCount => 0;

    /// <inheritdoc />
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        StepCount = 0;
    }

    /// <inheritdoc />
    public Span<T> StateBuffer(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "Plain SGD has no state buffers.");

    /// <inheritdoc />
    public void RestoreStepCount(long stepCount) => StepCount = ResumableChecks.StepCount(stepCount);

    /// <summary>Counts a step the trainer took through the network's fused step (<see cref="ISgdStep{T}"/>) instead of <see cref="Step"/>.</summary>
    internal void CountFusedStep() => StepCount++;

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        Shapes.RequireLength(gradients.Length, parameters.Length, nameof(gradients), "The gradients");
        TensorPrimitives.MultiplyAdd(gradients, T.CreateChecked(-LearningRate), parameters, parameters);
        StepCount++;
    }

    /// <inheritdoc />
    public void Reset()
    {
        StepCount = 0;
    }


    /// <inheritdoc />
    (double Values, double Delta) IFusedOptimizer<T>.StepBounds(double gradientBound, double parameterBound)
    {
        double eta = LearningRate, delta = eta * gradientBound;
        return (Math.Max(eta, Math.Max(delta, parameterBound + delta)), delta);
    }

    /// <inheritdoc />
    UpdateOutcome IFusedOptimizer<T>.FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
    {
        var rule = new SgdRule<T>(T.CreateChecked(LearningRate));
        UpdateOutcome outcome = FusedUpdate.Run(ref rule, spec, parameters, gradientSums, inputs, blockMaxima, inputLayer);
        StepCount++;
        return outcome;
    }

    /// <inheritdoc />
    void IFusedOptimizer<T>.MeasureState()
    {
    }
}
