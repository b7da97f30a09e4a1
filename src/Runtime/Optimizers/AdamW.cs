using System;
using System.Collections.Generic;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, 2019): <see cref="Adam{T}"/> with decoupled weight decay. At step t = 1, 2, …:
/// <code>
/// θ ← θ − η λ θ                  (weights only: the blocks of NetworkSpec.Layout with IsPenalized)
/// m ← β1 m + (1 − β1) g          m̂ = m / (1 − β1ᵗ)
/// v ← β2 v + (1 − β2) g²         v̂ = v / (1 − β2ᵗ)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// </code>
/// The decay uses θ before this step's Adam update and does not enter the moments, unlike an L2 penalty added to g.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Only weight matrices decay (<see cref="ParameterBlock.IsPenalized"/>): biases and batch-normalization γ and β never
/// do. This deliberately differs from PyTorch's <c>torch.optim.AdamW</c>, which by default decays every parameter
/// it is given (Keras excludes variables only on request). On the weights, the rule is PyTorch's and Keras': the decay
/// is scaled by the current learning rate η (so a schedule scales it too), θ ← θ (1 − η λ).
/// </para>
/// <para>
/// Defaults: η = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-8, λ = 0.01, PyTorch's (Keras uses ε = 1e-7 and λ = 0.004).
/// </para>
/// <para>
/// State: m and v per parameter and the weight blocks, learned by <see cref="Bind"/>, which is required: without the
/// layout the optimizer cannot tell weights from biases, so <see cref="Step"/> before <see cref="Bind"/> throws
/// <see cref="InvalidOperationException"/>. Steps allocate nothing.
/// </para>
/// </remarks>
public sealed class AdamW<T> : IFusedOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;
    private T[]? _first;
    private T[] _second = [];
    private (int Offset, int Length)[] _decayed = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η ≥ 0; 0.001 by default.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment; 0.9 by default.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment; 0.999 by default.</param>
    /// <param name="epsilon">ε &gt; 0; 1e-8 by default (PyTorch; Keras uses 1e-7).</param>
    /// <param name="weightDecay">λ ≥ 0, the decoupled weight decay; 0.01 by default (PyTorch; Keras uses 0.004).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public AdamW(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01)
    {
        LearningRate = learningRate;
        Beta1 = OptimizerChecks.UnitInterval(beta1, nameof(beta1), "β1");
        Beta2 = OptimizerChecks.UnitInterval(beta2, nameof(beta2), "β2");
        Epsilon = OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        WeightDecay = OptimizerChecks.NonNegative(weightDecay, nameof(weightDecay), "The weight decay λ");
    }

    /// <summary>β1, the decay of the first moment m.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to √v̂.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the decoupled weight decay: each step multiplies the weights by 1 − η λ.</summary>
    public double WeightDecay { get; }

    /// <summary>t, the number of steps taken since the last <see cref="Bind"/> or <see cref="Reset"/> (the next step is t + 1).</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public string Name =>
        $"AdamW(η={OptimizerChecks.Format(LearningRate)}, β1={OptimizerChecks.Format(Beta1)}, β2={OptimizerChecks.Format(Beta2)}, " +
        $"ε={OptimizerChecks.Format(Epsilon)}, λ={OptimizerChecks.Format(WeightDecay)})";

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerChecks.LearningRate(value, nameof(value));
    }

    /// <summary>
    /// Allocates m and v for the parameters of <paramref name="spec"/>, all 0, sets t to 0, and records the weight blocks
    /// (<see cref="ParameterBlock.IsPenalized"/>) of its <see cref="NetworkSpec.Layout"/>, the only ones that decay.
    /// </summary>
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var decayed = new List<(int, int)>();
        IReadOnlyList<ParameterBlock> layout = spec.Layout;
        for (int i = 0; i < layout.Count; i++)
        {
            if (layout[i].IsPenalized)
            {
                decayed.Add((layout[i].Offset, layout[i].Length));
            }
        }

        _decayed = decayed.ToArray();
        _first = new T[spec.ParameterCount];
        _second = new T[spec.ParameterCount];
        StepCount = 0;
    }

    /// <summary>One update, step t + 1: decay the weights, then the Adam step (see the class summary).</summary>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g = ∂C/∂θ, the gradient of the mean loss of the batch.</param>
    /// <exception cref="InvalidOperationException"><see cref="Bind"/> has not been called.</exception>
    /// <exception cref="ArgumentException">The lengths differ from each other or from the bound network.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        if (_first is null)
        {
            throw new InvalidOperationException(
                "AdamW needs Bind(spec) before the first Step: it decays only the weight blocks of spec.Layout, never biases, γ or β, " +
                "and cannot tell them apart without the spec.");
        }

        OptimizerChecks.RequireStep(this, _first.Length, parameters.Length, gradients.Length);
        double shrink = LearningRate * WeightDecay;
        if (shrink != 0)
        {
            T factor = T.CreateChecked(1 - shrink);
            foreach ((int offset, int length) in _decayed)
            {
                Span<T> block = parameters.Slice(offset, length);
                TensorPrimitives.Multiply(block, factor, block);
            }
        }

        StepCount++;
        AdamKernel.Update(parameters, gradients, _first, _second, LearningRate, Beta1, Beta2, Epsilon, StepCount);
    }

    /// <summary>2: the first moment m, then the second moment v.</summary>
    public int StateBufferCount => 2;

    /// <inheritdoc />
    public Span<T> StateBuffer(int index) => ResumableChecks.Buffer(_first, index, _first!, _second);

    /// <inheritdoc />
    public void RestoreStepCount(long stepCount) => StepCount = ResumableChecks.StepCount(stepCount);

    /// <summary>Sets m, v and t to 0 (keeps the binding and the weight blocks).</summary>
    public void Reset()
    {
        if (_first is not null)
        {
            Array.Clear(_first);
        }

        Array.Clear(_second);
        StepCount = 0;
    }


    // max |m|, max v: measured, then bounded step by step (AdamRule.Bounds), committed when the step runs.
    private double _maxFirst = double.PositiveInfinity, _maxSecond = double.PositiveInfinity;
    private (double First, double Second) _next = (double.PositiveInfinity, double.PositiveInfinity);

    /// <inheritdoc />
    (double Values, double Delta) IFusedOptimizer<T>.StepBounds(double gradientBound, double parameterBound)
    {
        // The decay moves a weight by at most |θ| η λ before Adam's step.
        double shrink = LearningRate * WeightDecay;
        double decayed = parameterBound * Math.Max(1, Math.Abs(1 - shrink));
        (double values, double delta, double first, double second) = AdamRule<T>.Bounds(gradientBound, decayed, _maxFirst, _maxSecond, LearningRate, Beta1, Beta2, Epsilon, StepCount + 1);
        _next = (first, second);
        return (Math.Max(Math.Max(LearningRate, shrink), values), delta + parameterBound * Math.Abs(shrink));
    }

    /// <inheritdoc />
    UpdateOutcome IFusedOptimizer<T>.FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
    {
        if (_first is null)
        {
            throw new InvalidOperationException("AdamW needs Bind(spec) before the first step.");
        }

        OptimizerChecks.RequireStep(this, _first.Length, parameters.Length, gradientSums.Length);
        StepCount++;
        var rule = new AdamRule<T>(_first, _second, LearningRate, Beta1, Beta2, Epsilon, StepCount, LearningRate * WeightDecay);
        UpdateOutcome outcome = FusedUpdate.Run(ref rule, spec, parameters, gradientSums, inputs, blockMaxima, inputLayer);
        (_maxFirst, _maxSecond) = _next;
        _next = (double.PositiveInfinity, double.PositiveInfinity);
        return outcome;
    }

    /// <inheritdoc />
    void IFusedOptimizer<T>.MeasureState()
    {
        _maxFirst = _first is null ? 0 : FusedUpdate.MaxMagnitude<T>(_first);
        _maxSecond = FusedUpdate.MaxMagnitude<T>(_second);
    }
}
