using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Cosine decay per step, Keras' <c>CosineDecay</c> (without its warm-up; wrap in <see cref="LinearWarmup"/> for one):
/// <code>
/// η = η₀ · (α + (1 − α) · ½ (1 + cos(π · min(step, T) / T)))
/// </code>
/// from η₀ at step 0 down to α η₀ at step T = <see cref="TotalSteps"/>, then constant at α η₀. The epoch argument is ignored.
/// </summary>
/// <remarks>
/// Up to step T this is PyTorch's <c>CosineAnnealingLR</c> with T_max = T and η_min = α η₀; after T, PyTorch's
/// closed form would climb back up along the cosine, while this schedule (like Keras) stays at α η₀.
/// </remarks>
public sealed class CosineAnnealing : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="totalSteps">T ≥ 1, the number of steps over which the rate falls to α η₀.</param>
    /// <param name="alpha">α in [0, 1], the final rate as a fraction of η₀ (Keras' <c>alpha</c>); 0 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public CosineAnnealing(long totalSteps, double alpha = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α, the final rate as a fraction of the base rate, must be in [0, 1].");
        }

        TotalSteps = totalSteps;
        Alpha = alpha;
    }

    /// <summary>T, the number of steps over which the rate falls to α η₀.</summary>
    public long TotalSteps { get; }

    /// <summary>α, the final rate as a fraction of η₀.</summary>
    public double Alpha { get; }

    /// <summary>η₀ · (α + (1 − α) · ½ (1 + cos(π · min(step, T) / T))).</summary>
    /// <inheritdoc />
    public double Rate(double baseRate, long step, int epoch)
    {
        ScheduleChecks.Require(baseRate, step, epoch);
        double progress = (double)Math.Min(step, TotalSteps) / TotalSteps;
        return baseRate * (Alpha + (1 - Alpha) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>A short description, e.g. <c>CosineAnnealing(10000 steps, α=0)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"CosineAnnealing({TotalSteps} steps, α={Alpha:g6})");
}
