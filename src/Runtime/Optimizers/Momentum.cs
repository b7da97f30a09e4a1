using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// Stochastic gradient descent with momentum (heavy ball), optionally Nesterov's, in PyTorch's formulation
/// (<c>torch.optim.SGD</c> with dampening 0):
/// <code>
/// v ← μ v + g
/// θ ← θ − η v              (classical)
/// θ ← θ − η (g + μ v)      (Nesterov, with the updated v)
/// </code>
/// with the velocity v starting at 0.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Defaults: η = 0.01 is the default learning rate of Keras' <c>SGD</c>; μ = 0.9 is the customary momentum (both
/// Keras and PyTorch default to μ = 0, that is plain SGD, which is <see cref="Sgd{T}"/> here).
/// </para>
/// <para>
/// Keras writes the same method with the learning rate inside the velocity: u ← μ u − η g, θ ← θ + u (Nesterov:
/// θ ← θ + μ u − η g). With a constant η, u = −η v and both produce the same parameters step for step. They differ
/// only while η changes (a schedule): here the current η scales the whole velocity, in Keras each past gradient keeps
/// the η of its own step.
/// </para>
/// <para>
/// State: one velocity per parameter, allocated by <see cref="Bind"/>. If <see cref="Step"/> is called before
/// <see cref="Bind"/>, the optimizer binds itself to the length of the parameters (the first step then allocates);
/// every later step allocates nothing.
/// </para>
/// </remarks>
public sealed class Momentum<T> : IFusedOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;
    private T[]? _velocity;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η ≥ 0; 0.01 by default (Keras' SGD default).</param>
    /// <param name="momentum">μ in [0, 1); 0.9 by default.</param>
    /// <param name="nesterov">Whether to use Nesterov's momentum θ ← θ − η (g + μ v); it needs μ &gt; 0 (as in PyTorch).</param>
    /// <exception cref="ArgumentOutOfRangeException">η or μ is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> with μ = 0.</exception>
    public Momentum(double learningRate = 0.01, double momentum = 0.9, bool nesterov = false)
    {
        LearningRate = learningRate;
        MomentumCoefficient = OptimizerChecks.UnitInterval(momentum, nameof(momentum), "The momentum μ");
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum μ > 0 (with μ = 0 it is plain SGD).", nameof(nesterov));
        }

        Nesterov = nesterov;
    }

    /// <summary>The momentum coefficient μ.</summary>
    public double MomentumCoefficient { get; }

    /// <summary>Whether the update is Nesterov's θ ← θ − η (g + μ v) rather than θ ← θ − η v.</summary>
    public bool Nesterov { get; }

    /// <summary>The number of steps taken since the last <see cref="Bind"/> or <see cref="Reset"/>.</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public string Name =>
        $"{(Nesterov ? "Nesterov" : "Momentum")}(η={OptimizerChecks.Format(LearningRate)}, μ={OptimizerChecks.Format(MomentumCoefficient)})";

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerChecks.LearningRate(value, nameof(value));
    }

    /// <summary>Allocates one velocity per parameter of <paramref name="spec"/>, all 0, and sets the step count to 0.</summary>
    public void Bind(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Allocate(spec.ParameterCount);
    }

    /// <summary>One update: v ← μ v + g, then θ ← θ − η v (or θ ← θ − η (g + μ v) with Nesterov).</summary>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g = ∂C/∂θ, the gradient of the mean loss of the batch.</param>
    /// <exception cref="ArgumentException">The lengths differ from each other or from the bound network.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        OptimizerChecks.RequireStep(this, _velocity?.Length ?? -1, parameters.Length, gradients.Length);
        if (_velocity is null)
        {
            Allocate(parameters.Length);
        }

        Span<T> velocity = _velocity;
        T mu = T.CreateChecked(MomentumCoefficient);
        T eta = T.CreateChecked(LearningRate);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Span<Vector<T>> p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            ReadOnlySpan<Vector<T>> g = MemoryMarshal.Cast<T, Vector<T>>(gradients);
            Span<Vector<T>> v = MemoryMarshal.Cast<T, Vector<T>>(velocity);
            var muV = new Vector<T>(mu);
            var etaV = new Vector<T>(eta);
            if (Nesterov)
            {
                for (int k = 0; k < p.Length; k++)
                {
                    Vector<T> vk = muV * v[k] + g[k];
                    v[k] = vk;
                    p[k] -= etaV * (g[k] + muV * vk);
                }
            }
            else
            {
                for (int k = 0; k < p.Length; k++)
                {
                    Vector<T> vk = muV * v[k] + g[k];
                    v[k] = vk;
                    p[k] -= etaV * vk;
                }
            }

            i = p.Length * Vector<T>.Count;
        }

        for (; i < parameters.Length; i++)
        {
            T vi = mu * velocity[i] + gradients[i];
            velocity[i] = vi;
            parameters[i] -= eta * (Nesterov ? gradients[i] + mu * vi : vi);
        }

        StepCount++;
    }

    /// <summary>1: the velocity v.</summary>
    public int StateBufferCount => 1;

    /// <inheritdoc />
    public Span<T> StateBuffer(int index) => ResumableChecks.Buffer(_velocity, index, _velocity!);

    /// <inheritdoc />
    public void RestoreStepCount(long stepCount) => StepCount = ResumableChecks.StepCount(stepCount);

    /// <summary>Sets every velocity to 0 and the step count to 0 (keeps the binding).</summary>
    public void Reset()
    {
        if (_velocity is not null)
        {
            Array.Clear(_velocity);
        }

        StepCount = 0;
    }

    [MemberNotNull(nameof(_velocity))]
    private void Allocate(int length)
    {
        _velocity = new T[length];
        StepCount = 0;
    }


    // max |v|: measured, then bounded step by step (v' ≤ μ V + G), committed when the step runs.
    private double _maxVelocity = double.PositiveInfinity, _nextMaxVelocity = double.PositiveInfinity;

    /// <inheritdoc />
    (double Values, double Delta) IFusedOptimizer<T>.StepBounds(double gradientBound, double parameterBound)
    {
        // v' ≤ μ V + G; |Δθ| ≤ η (G + μ v') covers both forms.
        double eta = LearningRate, mu = MomentumCoefficient;
        double velocity = mu * _maxVelocity + gradientBound;
        double delta = eta * (gradientBound + mu * velocity);
        _nextMaxVelocity = velocity;
        return (Math.Max(Math.Max(eta, velocity), Math.Max(delta, parameterBound + delta)), delta);
    }

    /// <inheritdoc />
    UpdateOutcome IFusedOptimizer<T>.FusedStep(NetworkSpec spec, Span<T> parameters, ReadOnlySpan<T> gradientSums, in UpdateInputs<T> inputs, Span<double> blockMaxima,
        in InputLayerGradients<T> inputLayer)
    {
        OptimizerChecks.RequireStep(this, _velocity?.Length ?? -1, parameters.Length, gradientSums.Length);
        if (_velocity is null)
        {
            Allocate(parameters.Length);
        }

        var rule = new MomentumRule<T>(_velocity, T.CreateChecked(MomentumCoefficient), T.CreateChecked(LearningRate), Nesterov);
        UpdateOutcome outcome = FusedUpdate.Run(ref rule, spec, parameters, gradientSums, inputs, blockMaxima, inputLayer);
        (_maxVelocity, _nextMaxVelocity) = (_nextMaxVelocity, double.PositiveInfinity);
        StepCount++;
        return outcome;
    }

    /// <inheritdoc />
    void IFusedOptimizer<T>.MeasureState() => _maxVelocity = _velocity is null ? 0 : FusedUpdate.MaxMagnitude<T>(_velocity);
}
