using System;
using System.Globalization;
using System.Numerics;

namespace NetGen;

/// <summary>One-hot encoding of class labels and its inverse (the arg-max of each row).</summary>
public static class OneHot
{
    /// <summary>Row-major one-hot rows: row i has 1 at <c>labels[i]</c> and 0 elsewhere.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="labels">Class indices in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">The number of classes (the width of a row).</param>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classCount); the message names its index.</exception>
    public static T[] Encode<T>(ReadOnlySpan<int> labels, int classCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if ((long)labels.Length * classCount > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"{labels.Length} rows × {classCount} classes do not fit in one array.");
        }

        var rows = new T[labels.Length * classCount];
        Encode(labels, classCount, rows);
        return rows;
    }

    /// <summary>Writes row-major one-hot rows into <paramref name="destination"/> (overwritten, exactly labels.Length × classCount values).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="labels">Class indices in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">The number of classes (the width of a row).</param>
    /// <param name="destination">Where the rows go.</param>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classCount); the message names its index.</exception>
    public static void Encode<T>(ReadOnlySpan<int> labels, int classCount, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        Shapes.RequireLength(destination.Length, checked(labels.Length * classCount), nameof(destination), "The one-hot destination");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(labels), labels[i],
                    string.Create(CultureInfo.InvariantCulture, $"Label {labels[i]} at index {i} is outside [0, {classCount})."));
            }
        }

        destination.Clear();
        for (int i = 0; i < labels.Length; i++)
        {
            destination[i * classCount + labels[i]] = T.One;
        }
    }

    /// <summary>The arg-max of each row of <paramref name="rows"/> (one-hot targets or network outputs).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="rows">Row-major values, a whole number of rows of <paramref name="classCount"/>.</param>
    /// <param name="classCount">The width of a row.</param>
    /// <remarks>Ties go to the lowest index; NaN is never the maximum unless the whole row is NaN (then 0).</remarks>
    public static int[] Decode<T>(ReadOnlySpan<T> rows, int classCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (rows.Length % classCount != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not a whole number of rows of {classCount} classes.", nameof(rows));
        }

        var labels = new int[rows.Length / classCount];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = ArgMax(rows.Slice(i * classCount, classCount));
        }

        return labels;
    }

    /// <summary>The index of the largest value.</summary>
    /// <typeparam name="T">A floating-point type.</typeparam>
    /// <param name="values">At least one value.</param>
    /// <remarks>Ties go to the lowest index; NaN is never the maximum unless every value is NaN (then 0).</remarks>
    public static int ArgMax<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("ArgMax needs at least one value.", nameof(values));
        }

        int best = -1;
        T max = T.Zero;
        for (int i = 0; i < values.Length; i++)
        {
            T v = values[i];
            if (!T.IsNaN(v) && (best < 0 || v > max))
            {
                best = i;
                max = v;
            }
        }

        return best < 0 ? 0 : best;
    }
}
