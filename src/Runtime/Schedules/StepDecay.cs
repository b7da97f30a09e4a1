using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Step decay per epoch, PyTorch's <c>StepLR</c>: η = η₀ · γ^⌊epoch / stepSize⌋ — the rate is multiplied by γ every
/// <see cref="StepSize"/> epochs. The step argument is ignored.
/// </summary>
public sealed class StepDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="stepSize">The number of epochs between decays (≥ 1).</param>
    /// <param name="gamma">γ in (0, 1], the factor applied every <paramref name="stepSize"/> epochs; 0.1 by default (PyTorch).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public StepDecay(int stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        StepSize = stepSize;
        Gamma = ScheduleChecks.DecayFactor(gamma, nameof(gamma), "γ");
    }

    /// <summary>The number of epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ, the factor applied every <see cref="StepSize"/> epochs.</summary>
    public double Gamma { get; }

    /// <summary>η₀ · γ^⌊epoch / stepSize⌋.</summary>
    /// <inheritdoc />
    public double Rate(double baseRate, long step, int epoch)
    {
        ScheduleChecks.Require(baseRate, step, epoch);
        return baseRate * Math.Pow(Gamma, epoch / StepSize);
    }

    /// <summary>A short description, e.g. <c>StepDecay(every 10 epochs, γ=0.1)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"StepDecay(every {StepSize} epochs, γ={Gamma:g6})");
}
