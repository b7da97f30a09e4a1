using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Exponential decay per step, Keras' <c>ExponentialDecay</c>: η = η₀ · r^(step / decaySteps), or with
/// <see cref="Staircase"/> η = η₀ · r^⌊step / decaySteps⌋ (the rate drops by r at once every decaySteps steps).
/// The epoch argument is ignored.
/// </summary>
public sealed class ExponentialDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="decayRate">r in (0, 1], the factor applied over every <paramref name="decaySteps"/> steps.</param>
    /// <param name="decaySteps">The number of steps over which the rate is multiplied by r (≥ 1).</param>
    /// <param name="staircase">Whether the exponent is rounded down to a whole number of periods.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ExponentialDecay(double decayRate, long decaySteps, bool staircase = false)
    {
        DecayRate = ScheduleChecks.DecayFactor(decayRate, nameof(decayRate), "The decay rate");
        ArgumentOutOfRangeException.ThrowIfLessThan(decaySteps, 1);
        DecaySteps = decaySteps;
        Staircase = staircase;
    }

    /// <summary>r, the factor applied over every <see cref="DecaySteps"/> steps.</summary>
    public double DecayRate { get; }

    /// <summary>The number of steps over which the rate is multiplied by r.</summary>
    public long DecaySteps { get; }

    /// <summary>Whether the exponent is rounded down to a whole number of periods.</summary>
    public bool Staircase { get; }

    /// <summary>η₀ · r^(step / decaySteps), the exponent rounded down with <see cref="Staircase"/>.</summary>
    /// <inheritdoc />
    public double Rate(double baseRate, long step, int epoch)
    {
        ScheduleChecks.Require(baseRate, step, epoch);
        double exponent = Staircase ? step / DecaySteps : (double)step / DecaySteps;
        return baseRate * Math.Pow(DecayRate, exponent);
    }

    /// <summary>A short description, e.g. <c>ExponentialDecay(r=0.96 per 1000 steps, staircase)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ExponentialDecay(r={DecayRate:g6} per {DecaySteps} steps{(Staircase ? ", staircase" : "")})");
}
