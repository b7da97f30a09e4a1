using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;

namespace NetGen;

/// <summary>The row indices of one cross-validation fold: train on <see cref="Train"/>, evaluate on <see cref="Validation"/>.</summary>
/// <param name="Train">The rows to train on, ascending.</param>
/// <param name="Validation">The rows held out, ascending.</param>
public sealed record Fold(int[] Train, int[] Validation);

/// <summary>
/// Deterministic train/test, train/validation/test and k-fold splits (the same seed gives the same split on every
/// machine, through <see cref="SplitMix64"/>). Classification data are stratified by default: each class is split in
/// the proportions asked, so the test (and validation) part's count of every class is within one of its exact share
/// (class size × fraction) and training takes the rest, while each part's total is exact. Part sizes round half away from zero (e.g. 20 % of 150 rows is 30). Rows keep their original
/// order within each part.
/// </summary>
public static class DataSplit
{
    /// <summary>Splits a dataset into a training and a test part.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The rows.</param>
    /// <param name="testFraction">The share of rows for the test part, in (0, 1).</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <param name="stratify">Split each class proportionally (only when <paramref name="data"/> has labels).</param>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) TrainTest<T>(Dataset<T> data, double testFraction, ulong seed, bool stratify = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        (int[] train, int[] test) = TrainTestIndices(data.Count, testFraction, seed, stratify ? data.Labels : null);
        return (data.Subset(train), data.Subset(test));
    }

    /// <summary>Splits a dataset into training, validation and test parts.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The rows.</param>
    /// <param name="validationFraction">The share of rows for validation, &gt; 0.</param>
    /// <param name="testFraction">The share of rows for testing, &gt; 0; the two shares sum to less than 1.</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <param name="stratify">Split each class proportionally (only when <paramref name="data"/> has labels).</param>
    /// <exception cref="ArgumentException">A fraction is out of range or leaves a part empty.</exception>
    public static (Dataset<T> Train, Dataset<T> Validation, Dataset<T> Test) TrainValidationTest<T>(
        Dataset<T> data, double validationFraction, double testFraction, ulong seed, bool stratify = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        (int[] train, int[] validation, int[] test) =
            TrainValidationTestIndices(data.Count, validationFraction, testFraction, seed, stratify ? data.Labels : null);
        return (data.Subset(train), data.Subset(validation), data.Subset(test));
    }

    /// <summary>The row indices of a train/test split of <paramref name="count"/> rows.</summary>
    /// <param name="count">The number of rows.</param>
    /// <param name="testFraction">The share of rows for the test part, in (0, 1).</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <param name="labels">The class of each row to stratify by (non-negative), or null for a plain random split.</param>
    /// <returns>Both parts, ascending.</returns>
    public static (int[] Train, int[] Test) TrainTestIndices(int count, double testFraction, ulong seed, IReadOnlyList<int>? labels = null)
    {
        CheckFraction(testFraction, nameof(testFraction));
        int[][] parts = SplitIndices(count, [1 - testFraction, testFraction], ["training", "test"], seed, labels);
        return (parts[0], parts[1]);
    }

    /// <summary>The row indices of a train/validation/test split of <paramref name="count"/> rows.</summary>
    /// <param name="count">The number of rows.</param>
    /// <param name="validationFraction">The share of rows for validation, &gt; 0.</param>
    /// <param name="testFraction">The share of rows for testing, &gt; 0; the two shares sum to less than 1.</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <param name="labels">The class of each row to stratify by (non-negative), or null for a plain random split.</param>
    /// <returns>The three parts, ascending.</returns>
    public static (int[] Train, int[] Validation, int[] Test) TrainValidationTestIndices(
        int count, double validationFraction, double testFraction, ulong seed, IReadOnlyList<int>? labels = null)
    {
        CheckFraction(validationFraction, nameof(validationFraction));
        CheckFraction(testFraction, nameof(testFraction));
        if (!(validationFraction + testFraction < 1))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The validation ({validationFraction:R}) and test ({testFraction:R}) fractions must sum to less than 1, leaving rows to train on."),
                nameof(testFraction));
        }

        int[][] parts = SplitIndices(
            count, [1 - validationFraction - testFraction, validationFraction, testFraction], ["training", "validation", "test"], seed, labels);
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>Splits a dataset's rows into <paramref name="folds"/> folds for cross-validation.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The rows.</param>
    /// <param name="folds">The number of folds k, from 2 to the number of rows.</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <param name="stratify">Spread each class evenly over the folds (only when <paramref name="data"/> has labels).</param>
    /// <returns>k folds; every row is in exactly one validation part, and fold sizes differ by at most one.</returns>
    public static Fold[] KFold<T>(Dataset<T> data, int folds, ulong seed, bool stratify = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return KFold(data.Count, folds, seed, stratify ? data.Labels : null);
    }

    /// <summary>Splits <paramref name="count"/> rows into <paramref name="folds"/> folds for cross-validation.</summary>
    /// <param name="count">The number of rows.</param>
    /// <param name="folds">The number of folds k, from 2 to <paramref name="count"/>.</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <param name="labels">
    /// The class of each row (non-negative) to stratify by, or null. Stratified, the rows of each class are dealt to the
    /// folds in turn, so each fold's count of a class is within one of every other fold's.
    /// </param>
    /// <returns>k folds; every row is in exactly one validation part, and fold sizes differ by at most one.</returns>
    public static Fold[] KFold(int count, int folds, ulong seed, IReadOnlyList<int>? labels = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (folds < 2 || folds > count)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, string.Create(CultureInfo.InvariantCulture, $"k-fold needs 2 ≤ k ≤ {count} (the number of rows)."));
        }

        var rng = new SplitMix64(seed);
        var order = new int[count];
        int position = 0;
        foreach (int[] group in Groups(count, labels))
        {
            rng.Shuffle(group.AsSpan());
            group.CopyTo(order, position);
            position += group.Length;
        }

        // Dealing the class-ordered, shuffled rows round-robin spreads every class evenly and balances fold sizes.
        var foldOf = new int[count];
        for (int i = 0; i < count; i++)
        {
            foldOf[order[i]] = i % folds;
        }

        var result = new Fold[folds];
        for (int k = 0; k < folds; k++)
        {
            int size = count / folds + (k < count % folds ? 1 : 0);
            var validation = new int[size];
            var train = new int[count - size];
            int v = 0, t = 0;
            for (int row = 0; row < count; row++)
            {
                if (foldOf[row] == k)
                {
                    validation[v++] = row;
                }
                else
                {
                    train[t++] = row;
                }
            }

            result[k] = new Fold(train, validation);
        }

        return result;
    }

    private static void CheckFraction(double fraction, string name)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(name, fraction, "The fraction must be in (0, 1).");
        }
    }

    /// <summary>The rows grouped by class (ascending within a group); one group of all rows when unstratified.</summary>
    private static List<int[]> Groups(int count, IReadOnlyList<int>? labels)
    {
        if (labels is null)
        {
            var all = new int[count];
            for (int i = 0; i < count; i++)
            {
                all[i] = i;
            }

            return [all];
        }

        if (labels.Count != count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{count} rows need {count} labels, but there are {labels.Count}."), nameof(labels));
        }

        int classes = 0;
        for (int i = 0; i < count; i++)
        {
            if (labels[i] < 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Label {labels[i]} of row {i} is negative."), nameof(labels));
            }

            classes = Math.Max(classes, labels[i] + 1);
        }

        var sizes = new int[classes];
        for (int i = 0; i < count; i++)
        {
            sizes[labels[i]]++;
        }

        var groups = new int[classes][];
        for (int c = 0; c < classes; c++)
        {
            groups[c] = new int[sizes[c]];
        }

        var filled = new int[classes];
        for (int i = 0; i < count; i++)
        {
            int c = labels[i];
            groups[c][filled[c]++] = i;
        }

        var result = new List<int[]>(classes);
        foreach (int[] group in groups)
        {
            if (group.Length > 0)
            {
                result.Add(group);
            }
        }

        return result;
    }

    /// <summary>
    /// Splits the rows into parts of the given shares (summing to 1). Part sizes are the rounded shares of the total
    /// (the first part takes what is left); within each group (class) the counts are apportioned by largest
    /// remainder, so each is within one of group size × share. Each group is shuffled and cut in that order.
    /// </summary>
    private static int[][] SplitIndices(int count, double[] shares, string[] names, ulong seed, IReadOnlyList<int>? labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int parts = shares.Length;
        var totals = new int[parts];
        int rest = count;
        for (int p = 1; p < parts; p++)
        {
            totals[p] = (int)Math.Round(count * shares[p], MidpointRounding.AwayFromZero);
            rest -= totals[p];
        }

        totals[0] = rest;
        for (int p = 0; p < parts; p++)
        {
            if (totals[p] <= 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"A {shares[p]:R} share of {count} rows leaves the {names[p]} part {(totals[p] < 0 ? "negative" : "empty")}; use more rows or other fractions."),
                    p == 0 ? "testFraction" : names[p] + "Fraction");
            }
        }

        List<int[]> groups = Groups(count, labels);

        // counts[g][p]: how many rows of group g go to part p. Parts 1.. are apportioned one after another over
        // what the earlier parts left in each group; part 0 takes the remainder.
        var counts = new int[groups.Count][];
        var left = new int[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            counts[g] = new int[parts];
            left[g] = groups[g].Length;
        }

        for (int p = 1; p < parts; p++)
        {
            Apportion(groups, counts, left, p, shares[p], totals[p]);
        }

        var rng = new SplitMix64(seed);
        var result = new List<int>[parts];
        for (int p = 0; p < parts; p++)
        {
            result[p] = new List<int>(totals[p]);
        }

        for (int g = 0; g < groups.Count; g++)
        {
            int[] group = groups[g];
            rng.Shuffle(group.AsSpan());
            counts[g][0] = left[g];
            int at = 0;
            for (int p = 0; p < parts; p++)
            {
                result[p].AddRange(group.AsSpan(at, counts[g][p]));
                at += counts[g][p];
            }
        }

        var arrays = new int[parts][];
        for (int p = 0; p < parts; p++)
        {
            arrays[p] = result[p].ToArray();
            Array.Sort(arrays[p]);
        }

        return arrays;
    }

    /// <summary>Largest-remainder apportionment of <paramref name="total"/> rows of part <paramref name="part"/> over the groups.</summary>
    private static void Apportion(List<int[]> groups, int[][] counts, int[] left, int part, double share, int total)
    {
        int assigned = 0;
        var remainders = new double[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            double exact = groups[g].Length * share;
            int floor = Math.Min((int)Math.Floor(exact), left[g]);
            counts[g][part] = floor;
            left[g] -= floor;
            assigned += floor;
            remainders[g] = exact - floor;
        }

        // Hand out the rest one at a time to the group with the largest remainder that still has rows (ties: lowest group).
        while (assigned < total)
        {
            int best = -1;
            for (int g = 0; g < groups.Count; g++)
            {
                if (left[g] > 0 && (best < 0 || remainders[g] > remainders[best]))
                {
                    best = g;
                }
            }

            if (best < 0)
            {
                throw new InvalidOperationException("No rows are left to apportion; the part sizes exceed the row count.");
            }

            counts[best][part]++;
            left[best]--;
            remainders[best] -= 1;
            assigned++;
        }

        // Rounding the total up can never make it smaller than the sum of floors, except by rounding error; trim then.
        while (assigned > total)
        {
            int worst = -1;
            for (int g = 0; g < groups.Count; g++)
            {
                if (counts[g][part] > 0 && (worst < 0 || remainders[g] < remainders[worst]))
                {
                    worst = g;
                }
            }

            counts[worst][part]--;
            left[worst]++;
            remainders[worst] += 1;
            assigned--;
        }
    }
}
