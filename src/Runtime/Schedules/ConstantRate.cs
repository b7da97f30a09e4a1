namespace NetGen;

/// <summary>No schedule: η = η₀ at every step.</summary>
public sealed class ConstantRate : ILearningRateSchedule
{
    /// <summary>The shared instance.</summary>
    public static ConstantRate Instance { get; } = new();

    /// <summary>Returns η₀.</summary>
    /// <inheritdoc />
    public double Rate(double baseRate, long step, int epoch)
    {
        ScheduleChecks.Require(baseRate, step, epoch);
        return baseRate;
    }

    /// <summary>A short description: <c>Constant</c>.</summary>
    public override string ToString() => "Constant";
}
