using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;

namespace NetGen;

/// <summary>The names <see cref="SearchSpace{T}"/> gives its built-in axes (the columns of the result table).</summary>
public static class SearchAxes
{
    /// <summary>The learning rate η (<see cref="FitOptions.LearningRate"/>).</summary>
    public const string LearningRate = "eta";

    /// <summary>The L2 strength λ2 (<see cref="FitOptions.L2"/>), the course's λ.</summary>
    public const string L2 = "l2";

    /// <summary>The L1 strength λ1 (<see cref="FitOptions.L1"/>).</summary>
    public const string L1 = "l1";

    /// <summary>The mini-batch size (<see cref="FitOptions.BatchSize"/>).</summary>
    public const string BatchSize = "batch";

    /// <summary>The number of epochs (<see cref="FitOptions.Epochs"/>).</summary>
    public const string Epochs = "epochs";

    /// <summary>The optimizer's name, one of <see cref="Optimizers.Names"/>.</summary>
    public const string Optimizer = "optimizer";
}

/// <summary>
/// Builds the candidates of a grid or random search from axes: learning rates, L2/L1 strengths, batch sizes, epochs,
/// optimizer names, and any other <see cref="FitOptions"/> property through <see cref="Add{TValue}"/>. Each candidate
/// starts from <see cref="BaseOptions"/>, applies its value of every axis in the order the axes were added, and trains
/// with a new optimizer from the optimizer factory (by default <see cref="Optimizers.Create{T}"/> of the
/// <see cref="SearchAxes.Optimizer"/> value, or of the default name when there is no such axis).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example>
/// The course's grid of η and λ:
/// <code>
/// double[] decades = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
/// var space = new SearchSpace&lt;float&gt;(new FitOptions { Epochs = 20, BatchSize = 32 }, "adam").LearningRates(decades).L2(decades);
/// SearchResult result = HyperparameterSearch.Run(seed =&gt; new DigitsNet(seed), space.Grid(), train, validation);
/// </code>
/// </example>
public sealed class SearchSpace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Axis> _axes = [];
    private readonly string _defaultOptimizer;
    private Func<Hyperparameters, IOptimizer<T>>? _optimizerFactory;

    /// <summary>Starts an empty space (one candidate: the base options).</summary>
    /// <param name="baseOptions">
    /// The options every candidate starts from; null for <c>new FitOptions { TrainingMetrics = false }</c> (the search
    /// scores on validation rows, so the per-epoch inference pass over the training rows would only cost time).
    /// </param>
    /// <param name="optimizer">The optimizer when there is no <see cref="SearchAxes.Optimizer"/> axis, one of <see cref="Optimizers.Names"/>.</param>
    /// <exception cref="ArgumentException">The optimizer name is unknown or the base options are invalid.</exception>
    public SearchSpace(FitOptions? baseOptions = null, string optimizer = "adam")
    {
        BaseOptions = baseOptions ?? new FitOptions { TrainingMetrics = false };
        BaseOptions.Validate();
        _ = NetGen.Optimizers.Create<T>(optimizer);
        _defaultOptimizer = optimizer;
    }

    /// <summary>The options every candidate starts from.</summary>
    public FitOptions BaseOptions { get; }

    /// <summary>The axis names in the order they were added (the order of the table's columns and of the grid's loops).</summary>
    public IReadOnlyList<string> AxisNames => _axes.Select(a => a.Name).ToArray();

    /// <summary>The number of grid candidates (the product of the axes' value counts), or null when an axis is a continuous range.</summary>
    public long? GridSize
    {
        get
        {
            long size = 1;
            foreach (Axis axis in _axes)
            {
                if (axis.Values is null)
                {
                    return null;
                }

                size *= axis.Values.Count;
            }

            return size;
        }
    }

    /// <summary>Learning rates η to try (<see cref="FitOptions.LearningRate"/>, overriding the optimizer's default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, infinite or NaN.</exception>
    public SearchSpace<T> LearningRates(params double[] values) => LearningRates(ParameterDistribution.Choice(CheckAll(values, nameof(values), "learning rate")));

    /// <summary>A learning-rate range for random search, e.g. <see cref="ParameterDistribution.LogUniform"/>(1e-4, 1e-1).</summary>
    public SearchSpace<T> LearningRates(ParameterDistribution<double> values) =>
        Add(SearchAxes.LearningRate, values, static (o, eta) => o with { LearningRate = eta });

    /// <summary>L2 strengths λ2 to try (<see cref="FitOptions.L2"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A strength is negative, infinite or NaN.</exception>
    public SearchSpace<T> L2(params double[] values) => L2(ParameterDistribution.Choice(CheckAll(values, nameof(values), "L2 strength")));

    /// <summary>An L2 range for random search.</summary>
    public SearchSpace<T> L2(ParameterDistribution<double> values) => Add(SearchAxes.L2, values, static (o, l2) => o with { L2 = l2 });

    /// <summary>L1 strengths λ1 to try (<see cref="FitOptions.L1"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A strength is negative, infinite or NaN.</exception>
    public SearchSpace<T> L1(params double[] values) => L1(ParameterDistribution.Choice(CheckAll(values, nameof(values), "L1 strength")));

    /// <summary>An L1 range for random search.</summary>
    public SearchSpace<T> L1(ParameterDistribution<double> values) => Add(SearchAxes.L1, values, static (o, l1) => o with { L1 = l1 });

    /// <summary>Mini-batch sizes to try (<see cref="FitOptions.BatchSize"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public SearchSpace<T> BatchSizes(params int[] values) => BatchSizes(ParameterDistribution.Choice(CheckPositive(values, nameof(values), "batch size")));

    /// <summary>A batch-size distribution for random search.</summary>
    public SearchSpace<T> BatchSizes(ParameterDistribution<int> values) => Add(SearchAxes.BatchSize, values, static (o, b) => o with { BatchSize = b });

    /// <summary>Epoch counts to try (<see cref="FitOptions.Epochs"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1.</exception>
    public SearchSpace<T> Epochs(params int[] values) => Epochs(ParameterDistribution.Choice(CheckPositive(values, nameof(values), "epoch count")));

    /// <summary>An epoch-count distribution for random search.</summary>
    public SearchSpace<T> Epochs(ParameterDistribution<int> values) => Add(SearchAxes.Epochs, values, static (o, e) => o with { Epochs = e });

    /// <summary>Optimizers to try, by name (<see cref="Optimizers.Names"/>), each with its default hyperparameters; η comes from the learning-rate axis when there is one.</summary>
    /// <exception cref="ArgumentException">A name is unknown; the message lists the valid ones.</exception>
    public SearchSpace<T> Optimizers(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (string name in names)
        {
            _ = NetGen.Optimizers.Create<T>(name);
        }

        return Add<string>(SearchAxes.Optimizer, ParameterDistribution.Choice(names), apply: null);
    }

    /// <summary>
    /// Adds an axis: a name, its values, and how a value changes the Fit options (e.g.
    /// <c>(o, v) =&gt; o with { ClipNorm = v }</c>). With <paramref name="apply"/> null the value only reaches the
    /// optimizer factory (see <see cref="WithOptimizer"/>), e.g. a momentum coefficient.
    /// </summary>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="name">A name not used by another axis; the column title.</param>
    /// <param name="values">A list (<see cref="ParameterDistribution.Choice{TValue}"/>) or a range for random search.</param>
    /// <param name="apply">Returns the options with the value applied; must not mutate shared state (it runs on many threads).</param>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public SearchSpace<T> Add<TValue>(string name, ParameterDistribution<TValue> values, Func<FitOptions, TValue, FitOptions>? apply = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        if (_axes.Exists(a => string.Equals(a.Name, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The axis '{name}' is already defined; give each axis all its values at once.", nameof(name));
        }

        _axes.Add(new Axis<TValue>(name, values, apply));
        return this;
    }

    /// <summary>
    /// Replaces the optimizer factory: it receives a candidate's values and returns a new optimizer for each run (e.g.
    /// <c>p =&gt; new Momentum&lt;float&gt;(momentum: p.Get&lt;double&gt;("mu"))</c>). A learning-rate axis still sets η through
    /// <see cref="FitOptions.LearningRate"/>.
    /// </summary>
    public SearchSpace<T> WithOptimizer(Func<Hyperparameters, IOptimizer<T>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _optimizerFactory = factory;
        return this;
    }

    /// <summary>
    /// Every combination of the axes' values (the Cartesian product), the first axis varying slowest and the last
    /// fastest, e.g. η outer and λ inner: (η1, λ1), (η1, λ2), …
    /// </summary>
    /// <exception cref="InvalidOperationException">An axis is a continuous range (use <see cref="Random"/>), or the grid has more than 2³¹ − 1 points.</exception>
    public IReadOnlyList<Candidate<T>> Grid()
    {
        Axis[] axes = [.. _axes];
        foreach (Axis axis in axes)
        {
            if (axis.Values is null)
            {
                throw new InvalidOperationException($"The axis '{axis.Name}' is the continuous range {axis.Description}, which a grid cannot enumerate; use Random(count, seed) or give it a list of values.");
            }
        }

        if (GridSize is not { } size || size > int.MaxValue)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The grid has {GridSize} points, more than a search can hold; use random search."));
        }

        Func<Hyperparameters, TrainingSetup<T>> setup = CreateSetupFunction(axes);
        var candidates = new List<Candidate<T>>((int)size);
        var digits = new int[axes.Length];
        for (int c = 0; c < size; c++)
        {
            var values = new KeyValuePair<string, object?>[axes.Length];
            for (int a = 0; a < axes.Length; a++)
            {
                values[a] = new KeyValuePair<string, object?>(axes[a].Name, axes[a].Values![digits[a]]);
            }

            candidates.Add(new Candidate<T>(new Hyperparameters(values), setup));

            // Odometer: the last axis turns fastest.
            for (int a = axes.Length - 1; a >= 0; a--)
            {
                if (++digits[a] < axes[a].Values!.Count)
                {
                    break;
                }

                digits[a] = 0;
            }
        }

        return candidates;
    }

    /// <summary>
    /// <paramref name="count"/> candidates drawn independently: for each candidate, one value of every axis in axis
    /// order (a list uniformly, a range by its distribution), all from one generator seeded with <paramref name="seed"/>,
    /// so the same seed gives the same candidates. Draws are with replacement, so list-only spaces can repeat a point.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public IReadOnlyList<Candidate<T>> Random(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Axis[] axes = [.. _axes];
        Func<Hyperparameters, TrainingSetup<T>> setup = CreateSetupFunction(axes);
        var random = new SplitMix64(seed);
        var candidates = new List<Candidate<T>>(count);
        for (int c = 0; c < count; c++)
        {
            var values = new KeyValuePair<string, object?>[axes.Length];
            for (int a = 0; a < axes.Length; a++)
            {
                values[a] = new KeyValuePair<string, object?>(axes[a].Name, axes[a].Sample(ref random));
            }

            candidates.Add(new Candidate<T>(new Hyperparameters(values), setup));
        }

        return candidates;
    }

    /// <summary>The axes and their values, e.g. <c>eta {0.1, 0.01} × l2 log-uniform[1e-05, 1]</c>.</summary>
    public override string ToString() => _axes.Count == 0 ? "(no axes)" : string.Join(" × ", _axes.Select(a => a.Name + " " + a.Description));

    private Func<Hyperparameters, TrainingSetup<T>> CreateSetupFunction(Axis[] axes)
    {
        FitOptions baseOptions = BaseOptions;
        string defaultOptimizer = _defaultOptimizer;
        Func<Hyperparameters, IOptimizer<T>> optimizer = _optimizerFactory
            ?? (p => NetGen.Optimizers.Create<T>(p.GetOrDefault(SearchAxes.Optimizer, defaultOptimizer)));
        return p =>
        {
            FitOptions options = baseOptions;
            foreach (Axis axis in axes)
            {
                options = axis.Apply(options, p[axis.Name]);
            }

            return new TrainingSetup<T>(optimizer(p), options);
        };
    }

    private static double[] CheckAll(double[] values, string parameter, string what)
    {
        ArgumentNullException.ThrowIfNull(values, parameter);
        foreach (double v in values)
        {
            if (!(v >= 0) || double.IsPositiveInfinity(v))
            {
                throw new ArgumentOutOfRangeException(parameter, v, $"Every {what} must be a finite number ≥ 0.");
            }
        }

        return values;
    }

    private static int[] CheckPositive(int[] values, string parameter, string what)
    {
        ArgumentNullException.ThrowIfNull(values, parameter);
        foreach (int v in values)
        {
            if (v < 1)
            {
                throw new ArgumentOutOfRangeException(parameter, v, $"Every {what} must be at least 1.");
            }
        }

        return values;
    }

    private abstract class Axis(string name)
    {
        public string Name { get; } = name;

        public abstract IReadOnlyList<object?>? Values { get; }

        public abstract string Description { get; }

        public abstract object? Sample(ref SplitMix64 random);

        public abstract FitOptions Apply(FitOptions options, object? value);
    }

    private sealed class Axis<TValue>(string name, ParameterDistribution<TValue> distribution, Func<FitOptions, TValue, FitOptions>? apply) : Axis(name)
    {
        private readonly object?[]? _values = distribution.Values?.Select(v => (object?)v).ToArray();

        public override IReadOnlyList<object?>? Values => _values;

        public override string Description => distribution.ToString();

        public override object? Sample(ref SplitMix64 random) => distribution.Sample(ref random);

        public override FitOptions Apply(FitOptions options, object? value)
        {
            if (apply is null)
            {
                return options;
            }

            FitOptions result = apply(options, (TValue)value!);
            return result ?? throw new InvalidOperationException($"The axis '{Name}' returned null options for the value {Hyperparameters.Format(value)}.");
        }
    }
}
