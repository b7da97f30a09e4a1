using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Numerics;

namespace NetGen;

/// <summary>
/// A per-feature affine scaling x′ = (x − offset) / scale, fitted on training rows only and then applied unchanged to
/// training, validation and test rows (fitting on all rows would leak test information into training). Statistics are
/// computed and kept in double precision; the result is rounded to T once.
/// </summary>
public abstract class FeatureScaler
{
    private readonly double[] _offsets;
    private readonly double[] _scales;

    private protected FeatureScaler(double[] offsets, double[] scales)
    {
        _offsets = offsets;
        _scales = scales;
    }

    /// <summary>The number of features per row the scaler was fitted on.</summary>
    public int FeatureCount => _offsets.Length;

    /// <summary>What is subtracted from each feature (the mean, or the minimum).</summary>
    public ReadOnlySpan<double> Offsets => _offsets;

    /// <summary>What each feature is then divided by (the standard deviation, or the range; 1 for a constant feature).</summary>
    public ReadOnlySpan<double> Scales => _scales;

    /// <summary>A new dataset with scaled features; the targets, labels and class names are copied unchanged.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Rows with <see cref="FeatureCount"/> features; not modified.</param>
    public Dataset<T> Transform<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(data.FeatureCount, nameof(data));
        var features = (T[])data.Features.Clone();
        TransformInPlace<T>(features);
        return new Dataset<T>(
            features, (T[])data.Targets.Clone(), data.FeatureCount, data.TargetCount,
            (int[]?)data.Labels?.Clone(), (string[]?)data.ClassNames?.Clone());
    }

    /// <summary>Scales the features of <paramref name="data"/> in place (its <see cref="Dataset{T}.Features"/> array is overwritten).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Rows with <see cref="FeatureCount"/> features.</param>
    public void TransformInPlace<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(data.FeatureCount, nameof(data));
        TransformInPlace<T>(data.Features);
    }

    /// <summary>Scales row-major features in place.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">A whole number of rows of <see cref="FeatureCount"/> values.</param>
    public void TransformInPlace<T>(Span<T> features)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(features.Length, nameof(features));
        int width = _offsets.Length;
        for (int row = 0; row < features.Length; row += width)
        {
            Span<T> values = features.Slice(row, width);
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = T.CreateTruncating((double.CreateTruncating(values[j]) - _offsets[j]) / _scales[j]);
            }
        }
    }

    /// <summary>Undoes the scaling of row-major features in place: x = x′ · scale + offset.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">A whole number of rows of <see cref="FeatureCount"/> values.</param>
    public void InverseTransformInPlace<T>(Span<T> features)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(features.Length, nameof(features));
        int width = _offsets.Length;
        for (int row = 0; row < features.Length; row += width)
        {
            Span<T> values = features.Slice(row, width);
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = T.CreateTruncating(double.CreateTruncating(values[j]) * _scales[j] + _offsets[j]);
            }
        }
    }

    private protected static double[] Copy(IReadOnlyList<double> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count == 0)
        {
            throw new ArgumentException("At least one feature is needed.", name);
        }

        var copy = new double[values.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = values[i];
            if (!double.IsFinite(copy[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}] is {copy[i]}; every statistic must be finite."), name);
            }
        }

        return copy;
    }

    /// <summary>Per-feature count-checked statistics of row-major features: min, max, mean and population variance.</summary>
    private protected static (double[] Min, double[] Max, double[] Mean, double[] Variance) Statistics<T>(ReadOnlySpan<T> features, int featureCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        if (features.Length % featureCount != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{features.Length} values are not a whole number of rows of {featureCount} features."), nameof(features));
        }

        int rows = features.Length / featureCount;
        if (rows == 0)
        {
            throw new ArgumentException("A scaler needs at least one row to fit on.", nameof(features));
        }

        var min = new double[featureCount];
        var max = new double[featureCount];
        var mean = new double[featureCount];
        var variance = new double[featureCount];
        min.AsSpan().Fill(double.PositiveInfinity);
        max.AsSpan().Fill(double.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = features.Slice(r * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++)
            {
                double x = double.CreateTruncating(row[j]);
                if (!double.IsFinite(x))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Feature {j} of row {r} is {x}; a scaler can only be fitted on finite values."), nameof(features));
                }

                mean[j] += x;
                min[j] = Math.Min(min[j], x);
                max[j] = Math.Max(max[j], x);
            }
        }

        for (int j = 0; j < featureCount; j++)
        {
            // A constant feature's mean is its value exactly (a computed sum / n could be off by an ulp).
            mean[j] = min[j] == max[j] ? min[j] : mean[j] / rows;
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = features.Slice(r * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++)
            {
                double d = double.CreateTruncating(row[j]) - mean[j];
                variance[j] += d * d;
            }
        }

        for (int j = 0; j < featureCount; j++)
        {
            variance[j] /= rows;
        }

        return (min, max, mean, variance);
    }

    private void CheckWidth(int featureCount, string name)
    {
        if (featureCount != _offsets.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The scaler was fitted on {_offsets.Length} features, but the data have {featureCount}."), name);
        }
    }

    private void CheckRows(int length, string name)
    {
        if (length % _offsets.Length != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{length} values are not a whole number of rows of the {_offsets.Length} features the scaler was fitted on."), name);
        }
    }
}

/// <summary>
/// Standardization: each feature becomes (x − mean) / σ with the mean and the population standard deviation σ of the
/// training rows (as scikit-learn's StandardScaler). A constant feature gets σ = 1, so it becomes 0 rather than NaN.
/// </summary>
public sealed class Standardizer : FeatureScaler
{
    /// <summary>Rebuilds a fitted standardizer from saved statistics.</summary>
    /// <param name="means">The mean of each feature (finite).</param>
    /// <param name="standardDeviations">The σ of each feature (finite, &gt; 0; 1 for a constant feature).</param>
    public Standardizer(IReadOnlyList<double> means, IReadOnlyList<double> standardDeviations)
        : this(Copy(means, nameof(means)), CheckPositive(Copy(standardDeviations, nameof(standardDeviations))))
    {
    }

    private Standardizer(double[] means, double[] deviations)
        : base(means, deviations)
    {
        if (means.Length != deviations.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{means.Length} means but {deviations.Length} standard deviations."), nameof(deviations));
        }

        Means = Array.AsReadOnly((double[])means.Clone());
        StandardDeviations = Array.AsReadOnly((double[])deviations.Clone());
    }

    /// <summary>The mean of each feature over the training rows.</summary>
    public ReadOnlyCollection<double> Means { get; }

    /// <summary>The population standard deviation of each feature over the training rows; 1 for a constant feature.</summary>
    public ReadOnlyCollection<double> StandardDeviations { get; }

    /// <summary>Fits on the features of <paramref name="training"/> (its training rows only).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="training">At least one row of finite features.</param>
    public static Standardizer Fit<T>(Dataset<T> training)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit<T>(training.Features, training.FeatureCount);
    }

    /// <summary>Fits on row-major features.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">At least one row of finite values.</param>
    /// <param name="featureCount">Values per row.</param>
    public static Standardizer Fit<T>(ReadOnlySpan<T> features, int featureCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (double[] min, double[] max, double[] mean, double[] variance) = Statistics(features, featureCount);
        var deviations = new double[featureCount];
        for (int j = 0; j < featureCount; j++)
        {
            double sigma = Math.Sqrt(variance[j]);
            if (!double.IsFinite(sigma))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The variance of feature {j} overflows a double; rescale the values first."), nameof(features));
            }

            deviations[j] = min[j] == max[j] || !(sigma > 0) ? 1.0 : sigma;
        }

        return new Standardizer(mean, deviations);
    }

    private static double[] CheckPositive(double[] deviations)
    {
        for (int i = 0; i < deviations.Length; i++)
        {
            if (!(deviations[i] > 0))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"standardDeviations[{i}] is {deviations[i]}; every standard deviation must be > 0 (use 1 for a constant feature)."),
                    "standardDeviations");
            }
        }

        return deviations;
    }
}

/// <summary>
/// Min–max scaling: each feature becomes (x − min) / (max − min) with the minimum and maximum of the training rows, so
/// training values lie in [0, 1]; other rows may fall outside (no clipping). A constant feature gets a range of 1, so
/// it becomes x − min (0 on the training rows) rather than NaN.
/// </summary>
public sealed class MinMaxScaler : FeatureScaler
{
    /// <summary>Rebuilds a fitted scaler from saved statistics.</summary>
    /// <param name="minimums">The minimum of each feature (finite).</param>
    /// <param name="maximums">The maximum of each feature (finite, ≥ the minimum).</param>
    public MinMaxScaler(IReadOnlyList<double> minimums, IReadOnlyList<double> maximums)
        : this(Copy(minimums, nameof(minimums)), Copy(maximums, nameof(maximums)), validate: true)
    {
    }

    private MinMaxScaler(double[] minimums, double[] maximums, bool validate)
        : base(minimums, Ranges(minimums, maximums, validate))
    {
        Minimums = Array.AsReadOnly((double[])minimums.Clone());
        Maximums = Array.AsReadOnly((double[])maximums.Clone());
    }

    /// <summary>The minimum of each feature over the training rows.</summary>
    public ReadOnlyCollection<double> Minimums { get; }

    /// <summary>The maximum of each feature over the training rows.</summary>
    public ReadOnlyCollection<double> Maximums { get; }

    /// <summary>Fits on the features of <paramref name="training"/> (its training rows only).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="training">At least one row of finite features.</param>
    public static MinMaxScaler Fit<T>(Dataset<T> training)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit<T>(training.Features, training.FeatureCount);
    }

    /// <summary>Fits on row-major features.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">At least one row of finite values.</param>
    /// <param name="featureCount">Values per row.</param>
    public static MinMaxScaler Fit<T>(ReadOnlySpan<T> features, int featureCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (double[] min, double[] max, _, _) = Statistics(features, featureCount);
        return new MinMaxScaler(min, max, validate: false);
    }

    private static double[] Ranges(double[] minimums, double[] maximums, bool validate)
    {
        if (minimums.Length != maximums.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{minimums.Length} minimums but {maximums.Length} maximums."), nameof(maximums));
        }

        var ranges = new double[minimums.Length];
        for (int j = 0; j < ranges.Length; j++)
        {
            if (validate && !(maximums[j] >= minimums[j]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"maximums[{j}] = {maximums[j]} is below minimums[{j}] = {minimums[j]}."), nameof(maximums));
            }

            double range = maximums[j] - minimums[j];
            if (!double.IsFinite(range))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The range of feature {j} ({minimums[j]} to {maximums[j]}) overflows a double."), nameof(maximums));
            }

            ranges[j] = range > 0 ? range : 1.0;
        }

        return ranges;
    }
}
