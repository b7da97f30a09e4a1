using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen;

/// <summary>
/// The values one search axis may take: a finite list (usable by grid and random search) or a continuous range
/// (random search only). Create them with <see cref="ParameterDistribution"/>.
/// </summary>
/// <typeparam name="TValue">The type of the values.</typeparam>
public abstract class ParameterDistribution<TValue>
{
    private protected ParameterDistribution()
    {
    }

    /// <summary>The values a grid enumerates, in order; null for a continuous range, which only random search can sample.</summary>
    public abstract IReadOnlyList<TValue>? Values { get; }

    /// <summary>Draws one value.</summary>
    /// <param name="random">The generator; advanced by the draw.</param>
    public abstract TValue Sample(ref SplitMix64 random);

    /// <summary>A description such as <c>{0.1, 0.01}</c> or <c>log-uniform[1e-05, 1]</c>.</summary>
    public abstract override string ToString();
}

/// <summary>Factories of <see cref="ParameterDistribution{TValue}"/>: a list of choices, uniform and log-uniform ranges.</summary>
public static class ParameterDistribution
{
    /// <summary>A finite list of values: a grid takes each in order, random search picks one uniformly.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static ParameterDistribution<TValue> Choice<TValue>(params TValue[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        TValue[] copy = (TValue[])values.Clone();
        if (copy.Length == 0)
        {
            throw new ArgumentException("A choice needs at least one value.", nameof(values));
        }

        return new ChoiceDistribution<TValue>(copy);
    }

    /// <summary>Uniform on [<paramref name="min"/>, <paramref name="max"/>), for random search.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="max"/> &lt; <paramref name="min"/>.</exception>
    public static ParameterDistribution<double> Uniform(double min, double max)
    {
        CheckRange(min, max, logarithmic: false);
        return new RangeDistribution(min, max, logarithmic: false);
    }

    /// <summary>
    /// Log-uniform on [<paramref name="min"/>, <paramref name="max"/>): log x is uniform, so every decade is equally likely
    /// (the usual prior for learning rates and regularization strengths). Both bounds must be &gt; 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite and positive, or <paramref name="max"/> &lt; <paramref name="min"/>.</exception>
    public static ParameterDistribution<double> LogUniform(double min, double max)
    {
        CheckRange(min, max, logarithmic: true);
        return new RangeDistribution(min, max, logarithmic: true);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="max"/>], both included, for random search.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> &lt; <paramref name="min"/>.</exception>
    public static ParameterDistribution<int> IntegerUniform(int min, int max)
    {
        if (max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, string.Create(CultureInfo.InvariantCulture, $"The range [{min}, {max}] is empty."));
        }

        return new IntegerDistribution(min, max);
    }

    private static void CheckRange(double min, double max, bool logarithmic)
    {
        if (!double.IsFinite(min) || (logarithmic && !(min > 0)))
        {
            throw new ArgumentOutOfRangeException(nameof(min), min, logarithmic ? "A log-uniform range needs finite bounds > 0." : "The bounds must be finite.");
        }

        if (!double.IsFinite(max) || !(max >= min))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, string.Create(CultureInfo.InvariantCulture, $"The upper bound must be finite and ≥ the lower bound {min:g6}."));
        }
    }

    private sealed class ChoiceDistribution<TValue>(TValue[] values) : ParameterDistribution<TValue>
    {
        public override IReadOnlyList<TValue> Values => values;

        public override TValue Sample(ref SplitMix64 random) => values[random.NextInt(values.Length)];

        public override string ToString() => "{" + string.Join(", ", values.Select(v => Hyperparameters.Format(v))) + "}";
    }

    private sealed class RangeDistribution(double min, double max, bool logarithmic) : ParameterDistribution<double>
    {
        public override IReadOnlyList<double>? Values => null;

        public override double Sample(ref SplitMix64 random)
        {
            double u = random.NextDouble();
            double value = logarithmic ? Math.Exp(Math.Log(min) + u * (Math.Log(max) - Math.Log(min))) : min + u * (max - min);
            return Math.Clamp(value, min, max);
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{(logarithmic ? "log-uniform" : "uniform")}[{min:g6}, {max:g6}]");
    }

    private sealed class IntegerDistribution(int min, int max) : ParameterDistribution<int>
    {
        public override IReadOnlyList<int>? Values => null;

        public override int Sample(ref SplitMix64 random) => (int)(min + (long)(random.NextDouble() * ((long)max - min + 1)));

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"integers[{min}, {max}]");
    }
}
