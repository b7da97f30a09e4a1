using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

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

    /// <summary>
    /// A dataset from ordinary .NET objects: one row per record, its features and targets taken by the selectors
    /// (the widths come from the first record; every record must give the same).
    /// <code>
    /// var data = Dataset&lt;float&gt;.FromRecords(houses, h =&gt; new[] { h.Rooms, h.Area }, h =&gt; new[] { h.Price });
    /// </code>
    /// </summary>
    /// <typeparam name="TRecord">The record type (a class, struct or record).</typeparam>
    /// <param name="records">The records, enumerated once.</param>
    /// <param name="features">The feature values of a record (an array, or any span).</param>
    /// <param name="targets">The target values of a record.</param>
    /// <exception cref="ArgumentException">No records, an empty selection, or a record whose width differs from the first record's; the message names the record's index.</exception>
    public static Dataset<T> FromRecords<TRecord>(IEnumerable<TRecord> records, Func<TRecord, ReadOnlySpan<T>> features, Func<TRecord, ReadOnlySpan<T>> targets)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        var x = new List<T>();
        var y = new List<T>();
        int featureCount = -1, targetCount = -1, index = 0;
        foreach (TRecord record in records)
        {
            Append(x, features(record), ref featureCount, index, "features");
            Append(y, targets(record), ref targetCount, index, "targets");
            index++;
        }

        RequireRecords(index);
        return new Dataset<T>(x.ToArray(), y.ToArray(), featureCount, targetCount);
    }

    /// <summary>
    /// A regression dataset from ordinary .NET objects with one target per record:
    /// <c>Dataset&lt;float&gt;.FromRecords(houses, h =&gt; new[] { h.Rooms, h.Area }, h =&gt; h.Price)</c>.
    /// </summary>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="records">The records, enumerated once.</param>
    /// <param name="features">The feature values of a record.</param>
    /// <param name="target">The record's one target value.</param>
    public static Dataset<T> FromRecords<TRecord>(IEnumerable<TRecord> records, Func<TRecord, ReadOnlySpan<T>> features, Func<TRecord, T> target)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(target);
        var x = new List<T>();
        var y = new List<T>();
        int featureCount = -1, index = 0;
        foreach (TRecord record in records)
        {
            Append(x, features(record), ref featureCount, index, "features");
            y.Add(target(record));
            index++;
        }

        RequireRecords(index);
        return new Dataset<T>(x.ToArray(), y.ToArray(), featureCount, 1);
    }

    /// <summary>
    /// A classification dataset from ordinary .NET objects: the features by a selector, the class by a label selector,
    /// one-hot targets (<see cref="OneHot"/>), <see cref="Labels"/> and <see cref="ClassNames"/>.
    /// <code>
    /// var data = Dataset&lt;float&gt;.FromLabeledRecords(flowers, f =&gt; new[] { f.SepalLength, f.SepalWidth }, f =&gt; f.Species);
    /// </code>
    /// </summary>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <typeparam name="TLabel">The label type (a string, an enum, an int…).</typeparam>
    /// <param name="records">The records, enumerated once.</param>
    /// <param name="features">The feature values of a record.</param>
    /// <param name="label">The record's class.</param>
    /// <param name="classes">
    /// The classes in the order of the one-hot columns, or null to take the distinct labels sorted (ordinal for strings,
    /// <see cref="Comparer{T}.Default"/> otherwise), as scikit-learn's LabelEncoder does.
    /// </param>
    /// <exception cref="ArgumentException">No records, a null label, a label not in <paramref name="classes"/>, duplicate classes, or a record whose width differs; the message names the record's index.</exception>
    public static Dataset<T> FromLabeledRecords<TRecord, TLabel>(
        IEnumerable<TRecord> records, Func<TRecord, ReadOnlySpan<T>> features, Func<TRecord, TLabel> label, IReadOnlyList<TLabel>? classes = null)
        where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(label);
        var x = new List<T>();
        var rowLabels = new List<TLabel>();
        int featureCount = -1, index = 0;
        foreach (TRecord record in records)
        {
            Append(x, features(record), ref featureCount, index, "features");
            TLabel value = label(record);
            if (value is null)
            {
                throw new ArgumentException($"Record {index}: the label selector returned null.", nameof(label));
            }

            rowLabels.Add(value);
            index++;
        }

        RequireRecords(index);
        TLabel[] classList;
        if (classes is null)
        {
            var distinct = new HashSet<TLabel>(rowLabels);
            classList = [.. distinct];
            if (typeof(TLabel) == typeof(string))
            {
                Array.Sort((string[])(object)classList, StringComparer.Ordinal);
            }
            else
            {
                Array.Sort(classList, Comparer<TLabel>.Default);
            }
        }
        else
        {
            classList = [.. classes];
        }

        var columns = new Dictionary<TLabel, int>(classList.Length);
        for (int c = 0; c < classList.Length; c++)
        {
            if (classList[c] is null || !columns.TryAdd(classList[c], c))
            {
                throw new ArgumentException($"Class {c} ('{classList[c]}') is null or listed twice.", nameof(classes));
            }
        }

        if (classList.Length == 0)
        {
            throw new ArgumentException("The list of classes is empty.", nameof(classes));
        }

        var labels = new int[rowLabels.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            if (!columns.TryGetValue(rowLabels[i], out labels[i]))
            {
                throw new ArgumentException(
                    $"Record {i}: the label '{rowLabels[i]}' is not one of the {classList.Length} classes ({string.Join(", ", classList)}).", nameof(label));
            }
        }

        string[] names = Array.ConvertAll(classList, c => Convert.ToString(c, CultureInfo.InvariantCulture) ?? string.Empty);
        return new Dataset<T>(x.ToArray(), OneHot.Encode<T>(labels, classList.Length), featureCount, classList.Length, labels, names);
    }

    /// <summary>A dataset from two rank-2 tensors, <c>[n, FeatureCount]</c> and <c>[n, TargetCount]</c> (copied).</summary>
    /// <param name="features">The features, one row per sample.</param>
    /// <param name="targets">The targets, one row per sample.</param>
    /// <exception cref="ArgumentException">A tensor is not rank 2, or the row counts differ.</exception>
    public static Dataset<T> FromTensors(scoped in ReadOnlyTensorSpan<T> features, scoped in ReadOnlyTensorSpan<T> targets)
    {
        if (features.Rank != 2 || features.Lengths[1] == 0)
        {
            throw new ArgumentException($"The features tensor must have the shape [n, features] with at least one feature, but its shape is [{string.Join(", ", features.Lengths.ToArray())}].", nameof(features));
        }

        if (targets.Rank != 2 || targets.Lengths[1] == 0 || targets.Lengths[0] != features.Lengths[0])
        {
            throw new ArgumentException(
                $"The targets tensor must have the shape [{features.Lengths[0]}, targets] (one row per feature row), but its shape is [{string.Join(", ", targets.Lengths.ToArray())}].",
                nameof(targets));
        }

        int width = checked((int)features.Lengths[1]), targetWidth = checked((int)targets.Lengths[1]);
        int rows = TensorExtensions.RequireMatrix(features.Lengths, width, nameof(features), "features");
        TensorExtensions.RequireMatrix(targets.Lengths, targetWidth, nameof(targets), "targets");
        return new Dataset<T>(TensorExtensions.Flatten(features, rows * width), TensorExtensions.Flatten(targets, rows * targetWidth), width, targetWidth);
    }

    /// <summary>The features as a tensor <c>[Count, FeatureCount]</c> over <see cref="Features"/> (no copy).</summary>
    public Tensor<T> FeaturesTensor() => Tensor.Create(Features, [Count, FeatureCount]);

    /// <summary>The targets as a tensor <c>[Count, TargetCount]</c> over <see cref="Targets"/> (no copy).</summary>
    public Tensor<T> TargetsTensor() => Tensor.Create(Targets, [Count, TargetCount]);

    private static void Append(List<T> values, ReadOnlySpan<T> row, ref int width, int index, string what)
    {
        if (width < 0)
        {
            if (row.IsEmpty)
            {
                throw new ArgumentException($"Record 0: the {what} selector returned no values.", what);
            }

            width = row.Length;
        }
        else if (row.Length != width)
        {
            throw new ArgumentException($"Record {index}: the {what} selector returned {row.Length} values, but record 0's returned {width}.", what);
        }

        values.AddRange(row);
    }

    private static void RequireRecords(int count)
    {
        if (count == 0)
        {
            throw new ArgumentException("There are no records: a dataset needs at least one to know its widths.", "records");
        }
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
