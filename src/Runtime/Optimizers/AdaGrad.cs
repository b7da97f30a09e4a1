using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// AdaGrad (Duchi, Hazan &amp; Singer, 2011): each parameter's step is divided by the root of the sum of its squared gradients,
/// <code>
/// G ← G + g²
/// θ ← θ − η g / (√G + ε)
/// </code>
/// with the accumulator G starting at <see cref="InitialAccumulator"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Defaults are Keras': η = 0.001, G₀ = 0.1, ε = 1e-7 (PyTorch's are η = 0.01, G₀ = 0, ε = 1e-10; pass them to
/// reproduce <c>torch.optim.Adagrad</c>, whose formula, ε outside the root, is the one used here). Keras 3 puts ε inside
/// the root, θ ← θ − η g / √(G + ε); with G₀ = 0.1 the two differ by less than 1e-6 relative.
/// </para>
/// <para>
/// State: one accumulator per parameter, allocated by <see cref="Bind"/>. If <see cref="Step"/> is called before
/// <see cref="Bind"/>, the optimizer binds itself to the length of the parameters (the first step then allocates);
/// every later step allocates nothing.
/// </para>
/// </remarks>
public sealed class AdaGrad<T> : IFusedOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;
    private T[]? _accumulator;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η ≥ 0; 0.001 by default (Keras).</param>
    /// <param name="initialAccumulator">G₀ ≥ 0, the starting value of every accumulator; 0.1 by default (Keras).</param>
    /// <param name="epsilon">ε &gt; 0; 1e-7 by default (Keras).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public AdaGrad(double learningRate = 0.001, double initialAccumulator = 0.1, double epsilon = 1e-7)
    {
        LearningRate = learningRate;
        InitialAccumulator = OptimizerChecks.NonNegative(initialAccumulator, nameof(initialAccumulator), "The initial accumulator G₀");
        Epsilon = OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
    }

    /// <summary>G₀, the starting value of every accumulator.</summary>
    public double InitialAccumulator { get; }

    /// <summary>ε, added to √G.</summary>
    public double Epsilon { get; }

    /// <summary>The number of steps taken since the last <see cref="Bind"/> or <see cref="Reset"/>.</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public string Name =>
        $"AdaGrad(η={OptimizerChecks.Format(LearningRate)}, G₀={OptimizerChecks.Format(InitialAccumulator)}, ε={OptimizerChecks.Format(Epsilon)})";

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerChecks.LearningRate(value, nameof(value));
    }

    /// <summary>Allocates one accumulator per parameter of <paramref name="spec"/>, all G₀, and sets the step count to 0.</summary>
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Allocate(spec.ParameterCount);
    }

    /// <summary>One update: G ← G + g², then θ ← θ − η g / (√G + ε).</summary>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g = ∂C/∂θ, the gradient of the mean loss of the batch.</param>
    /// <exception cref="ArgumentException">The lengths differ from each other or from the bound network.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        OptimizerChecks.RequireStep(this, _accumulator?.Length ?? -1, parameters.Length, gradients.Length);
        if (_accumulator is null)
        {
            Allocate(parameters.Length);
        }

        Span<T> accumulator = _accumulator;
        T eta = T.CreateChecked(LearningRate);
        T eps = T.CreateChecked(Epsilon);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Span<Vector<T>> p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            ReadOnlySpan<Vector<T>> g = MemoryMarshal.Cast<T, Vector<T>>(gradients);
            Span<Vector<T>> acc = MemoryMarshal.Cast<T, Vector<T>>(accumulator);
            var etaV = new Vector<T>(eta);
            var epsV = new Vector<T>(eps);
            for (int k = 0; k < p.Length; k++)
            {
                Vector<T> gk = g[k];
                Vector<T> a = acc[k] + gk * gk;
                acc[k] = a;
                p[k] -= etaV * gk / (Vector.SquareRoot(a) + epsV);
            }

            i = p.Length * Vector<T>.Count;
        }

        for (; i < parameters.Length; i++)
        {
            T gi = gradients[i];
            T a = accumulator[i] + gi * gi;
            accumulator[i] = a;
            parameters[i] -= eta * gi / (T.Sqrt(a) + eps);
        }

        StepCount++;
    }

    /// <summary>1: the accumulator G.</summary>
    public int StateBufferCount => 1;

    /// <inheritdoc />
    public Span<T> StateBuffer(int index) => ResumableChecks.Buffer(_accumulator, index, _accumulator!);

    /// <inheritdoc />
    public void RestoreStepCount(long stepCount) => StepCount = ResumableChecks.StepCount(stepCount);

    /// <summary>Sets every accumulator back to G₀ and the step count to 0 (keeps the binding).</summary>
    public void Reset()
    {
        _accumulator?.AsSpan().Fill(T.CreateChecked(InitialAccumulator));
        StepCount = 0;
    }

    [MemberNotNull(nameof(_accumulator))]
    private void Allocate(int length)
    {
        _accumulator = new T[length];
        Reset();
    }


    // max G: measured, then bounded step by step (G' ≤ A + g²), committed when the step runs.
    private double _maxAccumulator = double.PositiveInfinity, _nextMaxAccumulator = double.PositiveInfinity;

    /// <inheritdoc />
    (double Values, double Delta) IFusedOptimizer<T>.StepBounds(double gradientBound, double parameterBound)
    {
        // G' ≤ A + g²; since G' ≥ g², |η g / (√G' + ε)| ≤ η; the numerator η g is formed first.
        double eta = LearningRate, square = gradientBound * gradientBound;
        _nextMaxAccumulator = _maxAccumulator + square;
        return (Math.Max(Math.Max(eta * gradientBound, _maxAccumulator + square), parameterBound + eta), eta);
    }

    /// <inheritdoc />
    UpdateOutcome IFusedOptimizer<T>.FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
    {
        OptimizerChecks.RequireStep(this, _accumulator?.Length ?? -1, parameters.Length, gradientSums.Length);
        if (_accumulator is null)
        {
            Allocate(parameters.Length);
        }

        var rule = new AdaGradRule<T>(_accumulator, T.CreateChecked(LearningRate), T.CreateChecked(Epsilon));
        UpdateOutcome outcome = FusedUpdate.Run(ref rule, spec, parameters, gradientSums, inputs, blockMaxima, inputLayer);
        (_maxAccumulator, _nextMaxAccumulator) = (_nextMaxAccumulator, double.PositiveInfinity);
        StepCount++;
        return outcome;
    }

    /// <inheritdoc />
    void IFusedOptimizer<T>.MeasureState() => _maxAccumulator = _accumulator is null ? InitialAccumulator : FusedUpdate.MaxMagnitude<T>(_accumulator);
}
