using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// RMSprop (Hinton, 2012): each parameter's step is divided by the root of a moving average of its squared gradients,
/// in PyTorch's formulation (<c>torch.optim.RMSprop</c>):
/// <code>
/// s ← ρ s + (1 − ρ) g²
/// d ← √s + ε                                 (centered: ḡ ← ρ ḡ + (1 − ρ) g;  d ← √(s − ḡ²) + ε)
/// θ ← θ − η g / d                            (momentum μ &gt; 0: b ← μ b + g / d;  θ ← θ − η b)
/// </code>
/// with s, ḡ and b starting at 0.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Defaults are Keras' (and Hinton's lecture's): η = 0.001, ρ = 0.9, ε = 1e-7, μ = 0, not centered. PyTorch's are
/// η = 0.01, ρ (<c>alpha</c>) = 0.99, ε = 1e-8; pass them to reproduce <c>torch.optim.RMSprop</c> exactly.
/// Keras 3 differs in form: it puts ε inside the root, d = √(s + ε) (centered: √(s − ḡ² + ε)), and keeps η inside the
/// momentum buffer (b ← μ b + η g / d; θ ← θ − b), which is the same as here for a constant η.
/// </para>
/// <para>
/// Centered: s − ḡ² is a variance and is never negative in exact arithmetic; rounding can make it slightly negative, so
/// it is clamped at 0 before the root.
/// </para>
/// <para>
/// State: s per parameter, plus ḡ when centered and b when μ &gt; 0, allocated by <see cref="Bind"/>. If
/// <see cref="Step"/> is called before <see cref="Bind"/>, the optimizer binds itself to the length of the parameters
/// (the first step then allocates); every later step allocates nothing.
/// </para>
/// </remarks>
public sealed class RmsProp<T> : IFusedOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;
    private T[]? _squareAverage;
    private T[] _gradientAverage = [];
    private T[] _buffer = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η ≥ 0; 0.001 by default (Keras).</param>
    /// <param name="rho">ρ in [0, 1), the decay of the moving averages; 0.9 by default (Keras; PyTorch's <c>alpha</c> is 0.99).</param>
    /// <param name="epsilon">ε &gt; 0; 1e-7 by default (Keras; PyTorch's is 1e-8).</param>
    /// <param name="momentum">μ in [0, 1); 0 (no momentum) by default.</param>
    /// <param name="centered">Whether to divide by an estimate of the gradient's standard deviation, √(s − ḡ²), rather than by √s.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-7, double momentum = 0, bool centered = false)
    {
        LearningRate = learningRate;
        Rho = OptimizerChecks.UnitInterval(rho, nameof(rho), "ρ");
        Epsilon = OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        MomentumCoefficient = OptimizerChecks.UnitInterval(momentum, nameof(momentum), "The momentum μ");
        Centered = centered;
    }

    /// <summary>ρ, the decay of the moving averages.</summary>
    public double Rho { get; }

    /// <summary>ε, added to the root.</summary>
    public double Epsilon { get; }

    /// <summary>The momentum coefficient μ (0: none).</summary>
    public double MomentumCoefficient { get; }

    /// <summary>Whether the denominator is √(s − ḡ²) + ε (centered) rather than √s + ε.</summary>
    public bool Centered { get; }

    /// <summary>The number of steps taken since the last <see cref="Bind"/> or <see cref="Reset"/>.</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public string Name =>
        $"RMSprop(η={OptimizerChecks.Format(LearningRate)}, ρ={OptimizerChecks.Format(Rho)}, ε={OptimizerChecks.Format(Epsilon)}" +
        (MomentumCoefficient > 0 ? $", μ={OptimizerChecks.Format(MomentumCoefficient)}" : "") +
        (Centered ? ", centered)" : ")");

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerChecks.LearningRate(value, nameof(value));
    }

    /// <summary>Allocates the state for the parameters of <paramref name="spec"/>, all 0, and sets the step count to 0.</summary>
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Allocate(spec.ParameterCount);
    }

    /// <summary>One update (see the class summary for the formula).</summary>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g = ∂C/∂θ, the gradient of the mean loss of the batch.</param>
    /// <exception cref="ArgumentException">The lengths differ from each other or from the bound network.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        OptimizerChecks.RequireStep(this, _squareAverage?.Length ?? -1, parameters.Length, gradients.Length);
        if (_squareAverage is null)
        {
            Allocate(parameters.Length);
        }

        Span<T> square = _squareAverage;
        Span<T> average = _gradientAverage;
        Span<T> buffer = _buffer;
        bool centered = Centered, momentum = MomentumCoefficient > 0;
        T eta = T.CreateChecked(LearningRate);
        T rho = T.CreateChecked(Rho);
        T oneMinusRho = T.CreateChecked(1 - Rho);
        T eps = T.CreateChecked(Epsilon);
        T mu = T.CreateChecked(MomentumCoefficient);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Span<Vector<T>> p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            ReadOnlySpan<Vector<T>> g = MemoryMarshal.Cast<T, Vector<T>>(gradients);
            Span<Vector<T>> s = MemoryMarshal.Cast<T, Vector<T>>(square);
            Span<Vector<T>> a = MemoryMarshal.Cast<T, Vector<T>>(average);
            Span<Vector<T>> b = MemoryMarshal.Cast<T, Vector<T>>(buffer);
            var etaV = new Vector<T>(eta);
            var rhoV = new Vector<T>(rho);
            var oneMinusRhoV = new Vector<T>(oneMinusRho);
            var epsV = new Vector<T>(eps);
            var muV = new Vector<T>(mu);
            for (int k = 0; k < p.Length; k++)
            {
                Vector<T> gk = g[k];
                Vector<T> sk = rhoV * s[k] + oneMinusRhoV * (gk * gk);
                s[k] = sk;
                Vector<T> variance = sk;
                if (centered)
                {
                    Vector<T> ak = rhoV * a[k] + oneMinusRhoV * gk;
                    a[k] = ak;
                    variance = Vector.Max(sk - ak * ak, Vector<T>.Zero);
                }

                Vector<T> ratio = gk / (Vector.SquareRoot(variance) + epsV);
                if (momentum)
                {
                    ratio = muV * b[k] + ratio;
                    b[k] = ratio;
                }

                p[k] -= etaV * ratio;
            }

            i = p.Length * Vector<T>.Count;
        }

        for (; i < parameters.Length; i++)
        {
            T gi = gradients[i];
            T si = rho * square[i] + oneMinusRho * (gi * gi);
            square[i] = si;
            T variance = si;
            if (centered)
            {
                T ai = rho * average[i] + oneMinusRho * gi;
                average[i] = ai;
                variance = T.Max(si - ai * ai, T.Zero);
            }

            T ratio = gi / (T.Sqrt(variance) + eps);
            if (momentum)
            {
                ratio = mu * buffer[i] + ratio;
                buffer[i] = ratio;
            }

            parameters[i] -= eta * ratio;
        }

        StepCount++;
    }

    /// <summary>3: the square average s, the gradient average ḡ (empty unless centered), the momentum buffer b (empty unless μ &gt; 0).</summary>
    public int StateBufferCount => 3;

    /// <inheritdoc />
    public Span<T> StateBuffer(int index) => ResumableChecks.Buffer(_squareAverage, index, _squareAverage!, _gradientAverage, _buffer);

    /// <inheritdoc />
    public void RestoreStepCount(long stepCount) => StepCount = ResumableChecks.StepCount(stepCount);

    /// <summary>Sets the moving averages and the momentum buffer to 0 and the step count to 0 (keeps the binding).</summary>
    public void Reset()
    {
        if (_squareAverage is not null)
        {
            Array.Clear(_squareAverage);
        }

        Array.Clear(_gradientAverage);
        Array.Clear(_buffer);
        StepCount = 0;
    }

    [MemberNotNull(nameof(_squareAverage))]
    private void Allocate(int length)
    {
        _squareAverage = new T[length];
        _gradientAverage = Centered ? new T[length] : [];
        _buffer = MomentumCoefficient > 0 ? new T[length] : [];
        StepCount = 0;
    }


    // max |s|, |a|, |b|: measured, then bounded step by step, committed when the step runs.
    private double _maxSquare = double.PositiveInfinity, _maxAverage = double.PositiveInfinity, _maxBuffer = double.PositiveInfinity;
    private (double Square, double Average, double Buffer) _next = (double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);

    /// <inheritdoc />
    (double Values, double Delta) IFusedOptimizer<T>.StepBounds(double gradientBound, double parameterBound)
    {
        // s' ≤ max(S, G²); a' ≤ max(A, G); the variance may be 0, so r ≤ G / ε; b' ≤ μ B + r; |Δθ| ≤ η b'.
        double eta = LearningRate, square = gradientBound * gradientBound;
        double average = Centered ? Math.Max(_maxAverage, gradientBound) : 0;
        double ratio = gradientBound / Epsilon;
        double buffer = MomentumCoefficient > 0 ? MomentumCoefficient * _maxBuffer + ratio : ratio;
        double delta = eta * buffer;
        _next = (Math.Max(_maxSquare, square), Math.Max(_maxAverage, gradientBound), MomentumCoefficient > 0 ? buffer : 0);
        return (Math.Max(Math.Max(Math.Max(eta, square), Math.Max(_maxSquare, average * average)), Math.Max(buffer, parameterBound + delta)), delta);
    }

    /// <inheritdoc />
    UpdateOutcome IFusedOptimizer<T>.FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
    {
        OptimizerChecks.RequireStep(this, _squareAverage?.Length ?? -1, parameters.Length, gradientSums.Length);
        if (_squareAverage is null)
        {
            Allocate(parameters.Length);
        }

        var rule = new RmsPropRule<T>(_squareAverage, _gradientAverage, _buffer, T.CreateChecked(LearningRate), T.CreateChecked(Rho), T.CreateChecked(1 - Rho),
            T.CreateChecked(Epsilon), T.CreateChecked(MomentumCoefficient), Centered, MomentumCoefficient > 0);
        UpdateOutcome outcome = FusedUpdate.Run(ref rule, spec, parameters, gradientSums, inputs, blockMaxima, inputLayer);
        (_maxSquare, _maxAverage, _maxBuffer) = _next;
        _next = (double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
        StepCount++;
        return outcome;
    }

    /// <inheritdoc />
    void IFusedOptimizer<T>.MeasureState()
    {
        _maxSquare = _squareAverage is null ? 0 : FusedUpdate.MaxMagnitude<T>(_squareAverage);
        _maxAverage = FusedUpdate.MaxMagnitude<T>(_gradientAverage);
        _maxBuffer = FusedUpdate.MaxMagnitude<T>(_buffer);
    }
}
