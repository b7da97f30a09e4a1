using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace NetGen;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015) with the textbook per-step bias correction. At step t = 1, 2, …:
/// <code>
/// m ← β1 m + (1 − β1) g          m̂ = m / (1 − β1ᵗ)
/// v ← β2 v + (1 − β2) g²         v̂ = v / (1 − β2ᵗ)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// </code>
/// with m and v starting at 0.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Defaults: η = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-8, those of the paper and of PyTorch, whose
/// <c>torch.optim.Adam</c> computes this same formula. Keras' default ε is 1e-7, and Keras applies it to the
/// uncorrected root (the "ε-hat" form of the paper's section 2), θ ← θ − η (√(1 − β2ᵗ) / (1 − β1ᵗ)) m / (√v + ε),
/// which equals the formula above with ε replaced by ε / √(1 − β2ᵗ): about 31.6 ε at t = 1 with β2 = 0.999, tending
/// to ε as t grows. The two agree whenever √v̂ ≫ ε.
/// </para>
/// <para>
/// The step count t and the moments persist across epochs; only <see cref="Reset"/> (or <see cref="Bind"/>) clears them.
/// </para>
/// <para>
/// State: m and v per parameter, allocated by <see cref="Bind"/>. If <see cref="Step"/> is called before
/// <see cref="Bind"/>, the optimizer binds itself to the length of the parameters (the first step then allocates);
/// every later step allocates nothing.
/// </para>
/// </remarks>
public sealed class Adam<T> : IFusedOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;
    private T[]? _first;
    private T[] _second = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η ≥ 0; 0.001 by default.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment; 0.9 by default.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment; 0.999 by default.</param>
    /// <param name="epsilon">ε &gt; 0; 1e-8 by default (the paper and PyTorch; Keras uses 1e-7).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        LearningRate = learningRate;
        Beta1 = OptimizerChecks.UnitInterval(beta1, nameof(beta1), "β1");
        Beta2 = OptimizerChecks.UnitInterval(beta2, nameof(beta2), "β2");
        Epsilon = OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
    }

    /// <summary>β1, the decay of the first moment m.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to √v̂.</summary>
    public double Epsilon { get; }

    /// <summary>t, the number of steps taken since the last <see cref="Bind"/> or <see cref="Reset"/> (the next step is t + 1).</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public string Name =>
        $"Adam(η={OptimizerChecks.Format(LearningRate)}, β1={OptimizerChecks.Format(Beta1)}, β2={OptimizerChecks.Format(Beta2)}, ε={OptimizerChecks.Format(Epsilon)})";

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerChecks.LearningRate(value, nameof(value));
    }

    /// <summary>Allocates m and v for the parameters of <paramref name="spec"/>, all 0, and sets t to 0.</summary>
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Allocate(spec.ParameterCount);
    }

    /// <summary>One update, step t + 1 (see the class summary for the formula).</summary>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g = ∂C/∂θ, the gradient of the mean loss of the batch.</param>
    /// <exception cref="ArgumentException">The lengths differ from each other or from the bound network.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        OptimizerChecks.RequireStep(this, _first?.Length ?? -1, parameters.Length, gradients.Length);
        if (_first is null)
        {
            Allocate(parameters.Length);
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

    /// <summary>Sets m, v and t to 0 (keeps the binding).</summary>
    public void Reset()
    {
        if (_first is not null)
        {
            Array.Clear(_first);
        }

        Array.Clear(_second);
        StepCount = 0;
    }

    [MemberNotNull(nameof(_first))]
    private void Allocate(int length)
    {
        _first = new T[length];
        _second = new T[length];
        StepCount = 0;
    }


    // max |m|, max v: measured, then bounded step by step (AdamRule.Bounds), committed when the step runs.
    private double _maxFirst = double.PositiveInfinity, _maxSecond = double.PositiveInfinity;
    private (double First, double Second) _next = (double.PositiveInfinity, double.PositiveInfinity);

    /// <inheritdoc />
    (double Values, double Delta) IFusedOptimizer<T>.StepBounds(double gradientBound, double parameterBound)
    {
        (double values, double delta, double first, double second) = AdamRule<T>.Bounds(gradientBound, parameterBound, _maxFirst, _maxSecond, LearningRate, Beta1, Beta2, Epsilon, StepCount + 1);
        _next = (first, second);
        return (Math.Max(LearningRate, values), delta);
    }

    /// <inheritdoc />
    UpdateOutcome IFusedOptimizer<T>.FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
    {
        OptimizerChecks.RequireStep(this, _first?.Length ?? -1, parameters.Length, gradientSums.Length);
        if (_first is null)
        {
            Allocate(parameters.Length);
        }

        StepCount++;
        var rule = new AdamRule<T>(_first, _second, LearningRate, Beta1, Beta2, Epsilon, StepCount, shrink: 0);
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
