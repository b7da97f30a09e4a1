namespace NetGen.Runtime.Tests.Optimizers;

/// <summary>Every learning-rate schedule against rates computed by hand, at and around its boundaries.</summary>
public class ScheduleTests
{
    private const double Base = 0.1;

    private static void AssertRate(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-15, $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Constant_returns_the_base_rate()
    {
        AssertRate(0.1, ConstantRate.Instance.Rate(Base, 0, 0));
        AssertRate(0.1, ConstantRate.Instance.Rate(Base, 123_456, 77));
    }

    [Fact]
    public void StepDecay_multiplies_by_gamma_every_stepSize_epochs()
    {
        var schedule = new StepDecay(stepSize: 3, gamma: 0.5);
        AssertRate(0.1, schedule.Rate(Base, 0, 0));
        AssertRate(0.1, schedule.Rate(Base, 999, 2)); // last epoch of the first period; the step is ignored
        AssertRate(0.1 * 0.5, schedule.Rate(Base, 0, 3)); // first decay at epoch 3
        AssertRate(0.1 * 0.5, schedule.Rate(Base, 0, 5));
        AssertRate(0.1 * 0.5 * 0.5, schedule.Rate(Base, 0, 6));
        AssertRate(0.1 * 0.5 * 0.5 * 0.5, schedule.Rate(Base, 0, 10));
        AssertRate(0.1 * 0.1, new StepDecay(1).Rate(Base, 0, 1)); // PyTorch's default γ = 0.1
    }

    [Fact]
    public void ExponentialDecay_continuous_and_staircase()
    {
        var smooth = new ExponentialDecay(decayRate: 0.5, decaySteps: 10);
        AssertRate(0.1, smooth.Rate(Base, 0, 0));
        AssertRate(0.1 * Math.Sqrt(0.5), smooth.Rate(Base, 5, 0)); // 0.5^(5/10)
        AssertRate(0.1 * 0.5, smooth.Rate(Base, 10, 0));
        AssertRate(0.1 * 0.5 * Math.Sqrt(0.5), smooth.Rate(Base, 15, 7)); // 0.5^1.5; the epoch is ignored

        var stairs = new ExponentialDecay(decayRate: 0.5, decaySteps: 10, staircase: true);
        AssertRate(0.1, stairs.Rate(Base, 9, 0)); // ⌊9/10⌋ = 0
        AssertRate(0.1 * 0.5, stairs.Rate(Base, 10, 0)); // drops exactly at the boundary
        AssertRate(0.1 * 0.5, stairs.Rate(Base, 19, 0));
        AssertRate(0.1 * 0.25, stairs.Rate(Base, 20, 0));
    }

    [Fact]
    public void InverseTimeDecay_continuous_and_staircase()
    {
        var smooth = new InverseTimeDecay(decayRate: 0.5, decaySteps: 10);
        AssertRate(0.1, smooth.Rate(Base, 0, 0));
        AssertRate(0.1 / (1 + 0.5 * 0.5), smooth.Rate(Base, 5, 0)); // 1 + 0.5 · 5/10
        AssertRate(0.1 / 1.5, smooth.Rate(Base, 10, 0));
        AssertRate(0.1 / (1 + 0.5 * 2.5), smooth.Rate(Base, 25, 0));

        var stairs = new InverseTimeDecay(decayRate: 0.5, decaySteps: 10, staircase: true);
        AssertRate(0.1, stairs.Rate(Base, 9, 0));
        AssertRate(0.1 / 1.5, stairs.Rate(Base, 10, 0));
        AssertRate(0.1 / 2, stairs.Rate(Base, 25, 0)); // ⌊25/10⌋ = 2 → 1 + 0.5 · 2
    }

    [Fact]
    public void CosineAnnealing_falls_to_alpha_and_stays()
    {
        var schedule = new CosineAnnealing(totalSteps: 100, alpha: 0.1);
        AssertRate(0.1, schedule.Rate(Base, 0, 0));
        AssertRate(0.1 * (0.1 + 0.9 * 0.5 * (1 + Math.Sqrt(0.5))), schedule.Rate(Base, 25, 0)); // cos(π/4) = √½
        AssertRate(0.1 * (0.1 + 0.9 * 0.5), schedule.Rate(Base, 50, 0)); // cos(π/2) = 0
        AssertRate(0.1 * (0.1 + 0.9 * 0.5 * (1 - Math.Sqrt(0.5))), schedule.Rate(Base, 75, 0));
        AssertRate(0.1 * 0.1, schedule.Rate(Base, 100, 0)); // end: α η₀
        AssertRate(0.1 * 0.1, schedule.Rate(Base, 150, 0)); // and stays there (Keras), no climb back
        AssertRate(0, new CosineAnnealing(100).Rate(Base, 100, 0)); // α = 0 by default
    }

    [Fact]
    public void LinearWarmup_rises_linearly_then_follows_the_shifted_schedule()
    {
        var schedule = new LinearWarmup(10, new ExponentialDecay(0.5, 10));
        AssertRate(0, schedule.Rate(Base, 0, 0)); // from 0
        AssertRate(0.1 * 0.5, schedule.Rate(Base, 5, 0));
        AssertRate(0.1 * 0.9, schedule.Rate(Base, 9, 0)); // last warm-up step
        AssertRate(0.1, schedule.Rate(Base, 10, 0)); // end of warm-up: the wrapped schedule at its step 0
        AssertRate(0.1 * Math.Sqrt(0.5), schedule.Rate(Base, 15, 0)); // wrapped step 5
        AssertRate(0.1 * 0.5, schedule.Rate(Base, 20, 0)); // wrapped step 10

        var fromFraction = new LinearWarmup(10, ConstantRate.Instance, startFraction: 0.2);
        AssertRate(0.1 * 0.2, fromFraction.Rate(Base, 0, 0));
        AssertRate(0.1 * (0.2 + 0.8 * 0.5), fromFraction.Rate(Base, 5, 0));
        AssertRate(0.1, fromFraction.Rate(Base, 10, 0));
        AssertRate(0.1, fromFraction.Rate(Base, 11, 0));
    }

    [Fact]
    public void LinearWarmup_passes_the_epoch_through_and_zero_steps_is_the_wrapped_schedule()
    {
        // Warming up towards an epoch-based schedule: the target is the wrapped rate at step 0 of this epoch.
        var schedule = new LinearWarmup(10, new StepDecay(1, 0.5));
        AssertRate(0.1 * 0.25 * 0.3, schedule.Rate(Base, 3, 2));
        AssertRate(0.1 * 0.125, schedule.Rate(Base, 40, 3));

        var none = new LinearWarmup(0, new CosineAnnealing(100));
        AssertRate(0.1, none.Rate(Base, 0, 0));
        AssertRate(new CosineAnnealing(100).Rate(Base, 30, 0), none.Rate(Base, 30, 0));
    }

    [Fact]
    public void Warmup_then_cosine_end_to_end()
    {
        // 4 warm-up steps from 0, then a cosine over 8 steps down to 0.
        var schedule = new LinearWarmup(4, new CosineAnnealing(8));
        double[] expected =
        [
            0, 0.1 * 0.25, 0.1 * 0.5, 0.1 * 0.75, // warm-up
            0.1, 0.1 * 0.5 * (1 + Math.Cos(Math.PI / 8)), 0.1 * 0.5 * (1 + Math.Sqrt(0.5)), 0.1 * 0.5 * (1 + Math.Cos(3 * Math.PI / 8)),
            0.1 * 0.5, 0.1 * 0.5 * (1 - Math.Cos(3 * Math.PI / 8)), 0.1 * 0.5 * (1 - Math.Sqrt(0.5)), 0.1 * 0.5 * (1 - Math.Cos(Math.PI / 8)),
            0, 0,
        ];
        for (int step = 0; step < expected.Length; step++)
        {
            AssertRate(expected[step], schedule.Rate(Base, step, 0));
        }
    }

    [Fact]
    public void Schedules_validate_their_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(1, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(double.NaN, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(0.5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(10, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(-1, ConstantRate.Instance));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(5, ConstantRate.Instance, -0.1));
        Assert.Throws<ArgumentNullException>(() => new LinearWarmup(5, null!));

        ILearningRateSchedule[] all = [ConstantRate.Instance, new StepDecay(2), new ExponentialDecay(0.5, 2), new InverseTimeDecay(0.5, 2), new CosineAnnealing(2), new LinearWarmup(2, ConstantRate.Instance)];
        foreach (ILearningRateSchedule schedule in all)
        {
            Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(Base, -1, 0)).ParamName);
            Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(Base, 0, -1)).ParamName);
            Assert.Equal("baseRate", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(-0.1, 0, 0)).ParamName);
            Assert.Equal("baseRate", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(double.NaN, 0, 0)).ParamName);
        }
    }

    [Fact]
    public void Schedules_describe_themselves()
    {
        Assert.Equal("LinearWarmup(500 steps from 0, then CosineAnnealing(10000 steps, α=0.1))", new LinearWarmup(500, new CosineAnnealing(10000, 0.1)).ToString());
        Assert.Equal("ExponentialDecay(r=0.96 per 1000 steps, staircase)", new ExponentialDecay(0.96, 1000, true).ToString());
        Assert.Equal("StepDecay(every 10 epochs, γ=0.1)", new StepDecay(10).ToString());
    }
}
