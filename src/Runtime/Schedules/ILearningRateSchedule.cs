using System;

namespace NetGen;

/// <summary>
/// A learning-rate schedule: the η of each optimizer step as a function of a base rate, the step and the epoch.
/// The trainer sets <c>optimizer.LearningRate = schedule.Rate(baseRate, step, epoch)</c> before each step, so any
/// schedule composes with any <see cref="IOptimizer{T}"/>. Schedules are stateless and allocation-free.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate of the next step.</summary>
    /// <param name="baseRate">η₀ ≥ 0, the rate the schedule scales (the optimizer's configured learning rate).</param>
    /// <param name="step">The number of optimizer steps taken before this one, from 0, counted across epochs.</param>
    /// <param name="epoch">The epoch this step belongs to, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">η₀ is negative or not finite, or the step or epoch is negative.</exception>
    double Rate(double baseRate, long step, int epoch);
}

/// <summary>The argument checks the schedules share.</summary>
internal static class ScheduleChecks
{
    /// <summary>Checks the arguments of <see cref="ILearningRateSchedule.Rate"/>.</summary>
    public static void Require(double baseRate, long step, int epoch)
    {
        if (!(baseRate >= 0) || double.IsPositiveInfinity(baseRate))
        {
            throw new ArgumentOutOfRangeException(nameof(baseRate), baseRate, "The base learning rate must be a finite number ≥ 0.");
        }

        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step counts the steps taken before this one and starts at 0.");
        }

        if (epoch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch starts at 0.");
        }
    }

    /// <summary>Throws unless 0 &lt; <paramref name="value"/> ≤ 1.</summary>
    public static double DecayFactor(double value, string parameter, string what)
    {
        if (!(value > 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{what} must be in (0, 1]: each period multiplies the rate by it.");
        }

        return value;
    }
}
