using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// A table of samples in row-major flat arrays, ready for <see cref="INetwork{T}.BackwardBatch"/>: features
/// [Count × FeatureCount] and targets [Count × TargetCount]; for classification also the class index of each row.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Dataset<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps existing arrays (no copy).</summary>
    /// <param name="features">Row-major features, a whole number of rows of <paramref name="featureCount"/>.</param>
    /// <param name="targets">Row-major targets, the same number of rows of <paramref name="targetCount"/>.</param>
    /// <param name="featureCount">Features per row.</param>
    /// <param name="targetCount">Targets per row.</param>
    /// <param name="labels">The class index of each row, for classification (else null).</param>
    /// <param name="classNames">The names of the classes, if known.</param>
    public Dataset(T[] features, T[] targets, int featureCount, int targetCount, int[]? labels = null, string[]? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        if (features.Length % featureCount != 0)
        {
            throw new ArgumentException($"{features.Length} feature values are not a whole number of rows of {featureCount}.", nameof(features));
        }

        int count = features.Length / featureCount;
        if (targets.Length != (long)count * targetCount)
        {
            throw new ArgumentException($"{count} rows need {(long)count * targetCount} target values ({targetCount} per row), but there are {targets.Length}.", nameof(targets));
        }

        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"{count} rows need {count} labels, but there are {labels.Length}.", nameof(labels));
        }

        Features = features;
        Targets = targets;
        FeatureCount = featureCount;
        TargetCount = targetCount;
        Count = count;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>Row-major features.</summary>
    public T[] Features { get; }

    /// <summary>Row-major targets.</summary>
    public T[] Targets { get; }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Targets per row.</summary>
    public int TargetCount { get; }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>The class index of each row for classification data, else null.</summary>
    public int[]? Labels { get; }

    /// <summary>The class names, if known.</summary>
    public string[]? ClassNames { get; }

    /// <summary>Whether the rows carry class labels.</summary>
    public bool IsClassification => Labels is not null;

    /// <summary>The features of row <paramref name="index"/>.</summary>
    public ReadOnlySpan<T> FeatureRow(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>The targets of row <paramref name="index"/>.</summary>
    public ReadOnlySpan<T> TargetRow(int index) => Targets.AsSpan(index * TargetCount, TargetCount);

    /// <summary>A new dataset with the rows at <paramref name="indices"/>, in that order (copies).</summary>
    public Dataset<T> Subset(ReadOnlySpan<int> indices)
    {
        var features = new T[indices.Length * FeatureCount];
        var targets = new T[indices.Length * TargetCount];
        int[]? labels = Labels is null ? null : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int row = indices[i];
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), row, $"Row index {row} is outside the {Count} rows.");
            }

            FeatureRow(row).CopyTo(features.AsSpan(i * FeatureCount));
            TargetRow(row).CopyTo(targets.AsSpan(i * TargetCount));
            if (labels is not null)
            {
                labels[i] = Labels![row];
            }
        }

        return new Dataset<T>(features, targets, FeatureCount, TargetCount, labels, ClassNames);
    }
}
