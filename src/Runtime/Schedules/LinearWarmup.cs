using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// A linear warm-up in front of another schedule. With W = <see cref="WarmupSteps"/>, f = <see cref="StartFraction"/>
/// and the wrapped schedule S:
/// <code>
/// step &lt; W:  η = S(η₀, 0, epoch) · (f + (1 − f) · step / W)
/// step ≥ W:  η = S(η₀, step − W, epoch)
/// </code>
/// The rate rises linearly from f · S(η₀, 0) at step 0 to S(η₀, 0) at step W, where S starts as if the warm-up had not
/// happened (its steps are shifted by W), so the rate is continuous. Only steps are shifted: the epoch is passed to S
/// unchanged, so an epoch-based S (such as <see cref="StepDecay"/>) keeps counting epochs from 0.
/// </summary>
/// <remarks>
/// With f = 0 (the default, as in Keras' warm-up and Hugging Face's linear warm-up) the very first step has rate 0 and
/// leaves the parameters unchanged; pass f &gt; 0 to move from the first step.
/// </remarks>
public sealed class LinearWarmup : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">W ≥ 0, the number of warm-up steps (0: no warm-up, just <paramref name="then"/>).</param>
    /// <param name="then">S, the schedule that follows (use <see cref="ConstantRate.Instance"/> for a constant rate).</param>
    /// <param name="startFraction">f in [0, 1], the rate at step 0 as a fraction of S(η₀, 0); 0 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="then"/> is null.</exception>
    public LinearWarmup(long warmupSteps, ILearningRateSchedule then, double startFraction = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentNullException.ThrowIfNull(then);
        if (!(startFraction >= 0 && startFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFraction), startFraction, "The start fraction f must be in [0, 1].");
        }

        WarmupSteps = warmupSteps;
        Then = then;
        StartFraction = startFraction;
    }

    /// <summary>W, the number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>S, the schedule that follows the warm-up.</summary>
    public ILearningRateSchedule Then { get; }

    /// <summary>f, the rate at step 0 as a fraction of S(η₀, 0).</summary>
    public double StartFraction { get; }

    /// <summary>S(η₀, 0, epoch) · (f + (1 − f) · step / W) during the warm-up, S(η₀, step − W, epoch) after it.</summary>
    /// <inheritdoc />
    public double Rate(double baseRate, long step, int epoch)
    {
        ScheduleChecks.Require(baseRate, step, epoch);
        if (step >= WarmupSteps)
        {
            return Then.Rate(baseRate, step - WarmupSteps, epoch);
        }

        double target = Then.Rate(baseRate, 0, epoch);
        return target * (StartFraction + (1 - StartFraction) * ((double)step / WarmupSteps));
    }

    /// <summary>A short description, e.g. <c>LinearWarmup(500 steps from 0, then CosineAnnealing(10000 steps, α=0))</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"LinearWarmup({WarmupSteps} steps from {StartFraction:g6}, then {Then})");
}
