using System.Globalization;
using System.Numerics;
using Factory = NetGen.Optimizers;

namespace NetGen.Runtime.Tests.Optimizers;

/// <summary>Reset, binding, allocation, validation, names and the factory of every optimizer.</summary>
public class OptimizerBehaviorTests
{
    private static readonly NetworkSpec Small = NetworkSpec.Input(2).Dense(2).Build(Loss.MeanSquaredError);
    private static readonly NetworkSpec Medium = NetworkSpec.Input(10).Dense(20, Activation.Tanh).BatchNorm().Dense(3).Build(Loss.MeanSquaredError);

    public static TheoryData<string> AllNames => new(Factory.Names);

    /// <summary>Every optimizer, including the variants the factory does not name.</summary>
    private static IEnumerable<IOptimizer<T>> Every<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (string name in Factory.Names)
        {
            yield return Factory.Create<T>(name, 0.01);
        }

        yield return new RmsProp<T>(0.01, momentum: 0.5, centered: true);
        yield return new AdaGrad<T>(0.01, initialAccumulator: 0);
    }

    [Theory, MemberData(nameof(AllNames))]
    public void Reset_restores_the_fresh_state(string name)
    {
        foreach (bool single in new[] { true, false })
        {
            if (single)
            {
                Run<float>();
            }
            else
            {
                Run<double>();
            }
        }

        void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            IOptimizer<T> fresh = Factory.Create<T>(name, 0.05);
            fresh.Bind(Small);
            T[] expected = OptimizerKit.Run(fresh, Small.ParameterCount, 0.05);

            IOptimizer<T> used = Factory.Create<T>(name, 0.05);
            used.Bind(Small);
            OptimizerKit.Run(used, Small.ParameterCount, 0.05);
            T[] second = OptimizerKit.Run(used, Small.ParameterCount, 0.05);
            if (name != "sgd")
            {
                Assert.NotEqual(expected, second); // without a reset, the state carries over
            }

            used.Reset();
            Assert.Equal(expected, OptimizerKit.Run(used, Small.ParameterCount, 0.05));

            used.Bind(Small); // Bind starts afresh as well
            Assert.Equal(expected, OptimizerKit.Run(used, Small.ParameterCount, 0.05));
        }
    }

    [Fact]
    public void Reset_and_Bind_set_the_step_count_to_zero()
    {
        var adam = new Adam<double>();
        var adamW = new AdamW<double>();
        var momentum = new Momentum<double>();
        var adaGrad = new AdaGrad<double>();
        var rmsProp = new RmsProp<double>();
        adamW.Bind(Small);
        foreach (IOptimizer<double> o in new IOptimizer<double>[] { adam, adamW, momentum, adaGrad, rmsProp })
        {
            OptimizerKit.Run(o, Small.ParameterCount, 0.01);
        }

        Assert.Equal([3L, 3, 3, 3, 3], new[] { adam.StepCount, adamW.StepCount, momentum.StepCount, adaGrad.StepCount, rmsProp.StepCount });
        adam.Reset();
        adamW.Reset();
        momentum.Reset();
        adaGrad.Reset();
        rmsProp.Bind(Small);
        Assert.Equal([0L, 0, 0, 0, 0], new[] { adam.StepCount, adamW.StepCount, momentum.StepCount, adaGrad.StepCount, rmsProp.StepCount });
    }

    [Fact]
    public void Steps_allocate_nothing_after_Bind()
    {
        AssertNoAllocations<float>();
        AssertNoAllocations<double>();

        static void AssertNoAllocations<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var schedule = new LinearWarmup(5, new CosineAnnealing(200, 0.1));
            int n = Medium.ParameterCount;
            T[] theta = new T[n];
            T[] g = new T[n];
            var random = new Random(7);
            for (int i = 0; i < n; i++)
            {
                theta[i] = T.CreateChecked(random.NextDouble() - 0.5);
            }

            foreach (IOptimizer<T> optimizer in Every<T>())
            {
                optimizer.Bind(Medium);
                Steps(optimizer, 5); // warm-up: JIT, statics
                long before = GC.GetAllocatedBytesForCurrentThread();
                Steps(optimizer, 200);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated == 0, $"{optimizer.Name} ({typeof(T).Name}) allocated {allocated} bytes in 200 steps.");
            }

            void Steps(IOptimizer<T> optimizer, int count)
            {
                Span<double> norms = stackalloc double[Medium.DenseLayers.Count];
                for (int step = 0; step < count; step++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        g[i] = T.CreateChecked(Math.Sin(i + step));
                    }

                    WeightPenalty.AddPenalty<T>(Medium, theta, g, 1e-4, 1e-3);
                    GradientClipping.BlockNorms<T>(Medium, g, norms);
                    GradientClipping.ClipByGlobalNorm<T>(g, 1.0);
                    GradientClipping.ClipByValue<T>(g, 0.5);
                    optimizer.LearningRate = schedule.Rate(0.01, step, step / 10);
                    optimizer.Step(theta, g);
                }
            }
        }
    }

    [Fact]
    public void Step_before_Bind_binds_to_the_parameters_except_AdamW()
    {
        foreach (IOptimizer<double> optimizer in Every<double>())
        {
            double[] theta = [1, 2, 3];
            if (optimizer is AdamW<double>)
            {
                var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step(theta, [1, 1, 1]));
                Assert.Contains("Bind", e.Message, StringComparison.Ordinal);
                continue;
            }

            optimizer.Step(theta, [1, 1, 1]);
            Assert.NotEqual([1, 2, 3], theta);

            // Bound to 3 parameters now: another length is a mistake, not a new network.
            if (optimizer is not Sgd<double>)
            {
                var e = Assert.Throws<ArgumentException>(() => optimizer.Step(new double[4], new double[4]));
                Assert.Contains("Bind", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Step_checks_the_lengths()
    {
        foreach (IOptimizer<double> optimizer in Every<double>())
        {
            optimizer.Bind(Small); // 6 parameters
            Assert.Throws<ArgumentException>(() => optimizer.Step(new double[6], new double[5]));
            if (optimizer is not Sgd<double>)
            {
                Assert.Throws<ArgumentException>(() => optimizer.Step(new double[7], new double[7]));
            }
        }
    }

    public static TheoryData<string, Func<object>> InvalidArguments => new()
    {
        { "η < 0", () => new Sgd<double>(-0.1) },
        { "η NaN", () => new Adam<double>(double.NaN) },
        { "η ∞", () => new Momentum<float>(double.PositiveInfinity) },
        { "μ = 1", () => new Momentum<double>(momentum: 1) },
        { "μ < 0", () => new Momentum<double>(momentum: -0.1) },
        { "G₀ < 0", () => new AdaGrad<double>(initialAccumulator: -1) },
        { "ε = 0", () => new AdaGrad<double>(epsilon: 0) },
        { "ρ = 1", () => new RmsProp<double>(rho: 1) },
        { "RMSprop μ = 1", () => new RmsProp<double>(momentum: 1) },
        { "β1 = 1", () => new Adam<double>(beta1: 1) },
        { "β2 < 0", () => new Adam<double>(beta2: -0.5) },
        { "ε < 0", () => new Adam<float>(epsilon: -1e-8) },
        { "λ < 0", () => new AdamW<double>(weightDecay: -0.01) },
        { "λ NaN", () => new AdamW<double>(weightDecay: double.NaN) },
        { "β1 NaN", () => new AdamW<double>(beta1: double.NaN) },
    };

    [Theory, MemberData(nameof(InvalidArguments))]
    public void Constructors_reject_invalid_hyperparameters(string what, Func<object> create)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.False(string.IsNullOrWhiteSpace(e.ParamName), what);
    }

    [Fact]
    public void Nesterov_needs_momentum()
    {
        var e = Assert.Throws<ArgumentException>(() => new Momentum<double>(momentum: 0, nesterov: true));
        Assert.Equal("nesterov", e.ParamName);
    }

    [Fact]
    public void LearningRate_setter_rejects_invalid_rates()
    {
        foreach (IOptimizer<double> optimizer in Every<double>())
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = double.NaN);
            optimizer.LearningRate = 0; // allowed: a schedule may reach 0
            Assert.Equal(0, optimizer.LearningRate);
        }
    }

    [Fact]
    public void Defaults_and_names()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma must not leak into names
            Assert.Equal("SGD(η=0.01)", new Sgd<float>().Name);
            Assert.Equal("Momentum(η=0.01, μ=0.9)", new Momentum<float>().Name);
            Assert.Equal("Nesterov(η=0.01, μ=0.9)", new Momentum<float>(nesterov: true).Name);
            Assert.Equal("AdaGrad(η=0.001, G₀=0.1, ε=1e-07)", new AdaGrad<float>().Name);
            Assert.Equal("RMSprop(η=0.001, ρ=0.9, ε=1e-07)", new RmsProp<float>().Name);
            Assert.Equal("RMSprop(η=0.001, ρ=0.9, ε=1e-07, μ=0.5, centered)", new RmsProp<float>(momentum: 0.5, centered: true).Name);
            Assert.Equal("Adam(η=0.001, β1=0.9, β2=0.999, ε=1e-08)", new Adam<double>().Name);
            Assert.Equal("AdamW(η=0.001, β1=0.9, β2=0.999, ε=1e-08, λ=0.01)", new AdamW<double>().Name);
            var adam = new Adam<double> { LearningRate = 0.0005 };
            Assert.Equal("Adam(η=0.0005, β1=0.9, β2=0.999, ε=1e-08)", adam.Name); // the name shows the current η
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("sgd", typeof(Sgd<double>), 0.01)]
    [InlineData("SGD", typeof(Sgd<double>), 0.01)]
    [InlineData("Momentum", typeof(Momentum<double>), 0.01)]
    [InlineData("nesterov", typeof(Momentum<double>), 0.01)]
    [InlineData("AdaGrad", typeof(AdaGrad<double>), 0.001)]
    [InlineData(" rmsprop ", typeof(RmsProp<double>), 0.001)]
    [InlineData("ADAM", typeof(Adam<double>), 0.001)]
    [InlineData("adamW", typeof(AdamW<double>), 0.001)]
    public void Factory_creates_by_name(string name, Type type, double defaultRate)
    {
        IOptimizer<double> withDefault = Factory.Create<double>(name);
        Assert.IsType(type, withDefault);
        Assert.Equal(defaultRate, withDefault.LearningRate);
        Assert.Equal(0.123, Factory.Create<double>(name, 0.123).LearningRate);
        Assert.Equal(name.Trim().Equals("nesterov", StringComparison.OrdinalIgnoreCase), (withDefault as Momentum<double>)?.Nesterov ?? false);
    }

    [Fact]
    public void Factory_rejects_unknown_names_and_lists_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Factory.Create<float>("adamax", 0.01));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("adamax", e.Message, StringComparison.Ordinal);
        foreach (string valid in new[] { "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw" })
        {
            Assert.Contains(valid, e.Message, StringComparison.Ordinal);
        }

        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => Factory.Create<float>("adam", -1));
        Assert.Equal("learningRate", rate.ParamName);
    }
}
