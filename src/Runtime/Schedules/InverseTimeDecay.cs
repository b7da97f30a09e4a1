using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Inverse-time decay per step, Keras' <c>InverseTimeDecay</c>: η = η₀ / (1 + r · step / decaySteps), or with
/// <see cref="Staircase"/> η = η₀ / (1 + r · ⌊step / decaySteps⌋). The epoch argument is ignored.
/// </summary>
public sealed class InverseTimeDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="decayRate">r ≥ 0 (finite); after decaySteps steps the rate is η₀ / (1 + r).</param>
    /// <param name="decaySteps">The step unit of the decay (≥ 1).</param>
    /// <param name="staircase">Whether step / decaySteps is rounded down.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public InverseTimeDecay(double decayRate, long decaySteps, bool staircase = false)
    {
        if (!(decayRate >= 0) || double.IsPositiveInfinity(decayRate))
        {
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "The decay rate must be a finite number ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(decaySteps, 1);
        DecayRate = decayRate;
        DecaySteps = decaySteps;
        Staircase = staircase;
    }

    /// <summary>r.</summary>
    public double DecayRate { get; }

    /// <summary>The step unit of the decay.</summary>
    public long DecaySteps { get; }

    /// <summary>Whether step / decaySteps is rounded down.</summary>
    public bool Staircase { get; }

    /// <summary>η₀ / (1 + r · step / decaySteps), the quotient rounded down with <see cref="Staircase"/>.</summary>
    /// <inheritdoc />
    public double Rate(double baseRate, long step, int epoch)
    {
        ScheduleChecks.Require(baseRate, step, epoch);
        double periods = Staircase ? step / DecaySteps : (double)step / DecaySteps;
        return baseRate / (1 + DecayRate * periods);
    }

    /// <summary>A short description, e.g. <c>InverseTimeDecay(r=0.5 per 1000 steps)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"InverseTimeDecay(r={DecayRate:g6} per {DecaySteps} steps{(Staircase ? ", staircase" : "")})");
}
