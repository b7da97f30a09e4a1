using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NetGen;

/// <summary>
/// The named hyperparameter values of one search candidate, in axis order, e.g. <c>eta=0.001, l2=1e-05</c>.
/// Two sets are equal when they hold the same names with equal values in the same order.
/// </summary>
public sealed class Hyperparameters : IReadOnlyList<KeyValuePair<string, object?>>, IEquatable<Hyperparameters>
{
    private readonly KeyValuePair<string, object?>[] _values;

    /// <summary>Creates a set from (name, value) pairs, in that order.</summary>
    /// <param name="values">Pairs with distinct, non-empty names; a value may be any object (numbers, strings, enums) or null.</param>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public Hyperparameters(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> pair in _values)
        {
            if (string.IsNullOrWhiteSpace(pair.Key))
            {
                throw new ArgumentException("A hyperparameter name must not be empty.", nameof(values));
            }

            if (!seen.Add(pair.Key))
            {
                throw new ArgumentException($"The hyperparameter '{pair.Key}' appears twice.", nameof(values));
            }
        }
    }

    /// <summary>An empty set (a search of one candidate: the base options alone).</summary>
    public static Hyperparameters Empty { get; } = new([]);

    /// <summary>Creates a set from (name, value) tuples, e.g. <c>Hyperparameters.Of(("eta", 0.1), ("optimizer", "sgd"))</c>.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static Hyperparameters Of(params (string Name, object? Value)[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Hyperparameters(values.Select(v => new KeyValuePair<string, object?>(v.Name, v.Value)));
    }

    /// <summary>The number of named values.</summary>
    public int Count => _values.Length;

    /// <summary>The names, in axis order.</summary>
    public IReadOnlyList<string> Names => _values.Select(v => v.Key).ToArray();

    /// <summary>The (name, value) pair at <paramref name="index"/>.</summary>
    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>The value called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such name; the message lists the names there are.</exception>
    public object? this[string name] => TryGetValue(name, out object? value)
        ? value
        : throw new KeyNotFoundException($"No hyperparameter '{name}'; this candidate has: {(Count == 0 ? "none" : string.Join(", ", Names))}.");

    /// <summary>Whether a value called <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => TryGetValue(name, out _);

    /// <summary>Looks up the value called <paramref name="name"/>.</summary>
    public bool TryGetValue(string name, out object? value)
    {
        foreach (KeyValuePair<string, object?> pair in _values)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal))
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The value called <paramref name="name"/> as a <typeparamref name="TValue"/> (numbers are converted, e.g. an int to a double).</summary>
    /// <exception cref="KeyNotFoundException">There is no such name.</exception>
    /// <exception cref="InvalidCastException">The value is not a <typeparamref name="TValue"/> and cannot be converted to one.</exception>
    public TValue Get<TValue>(string name) => Convert<TValue>(name, this[name]);

    /// <summary>The value called <paramref name="name"/> as a <typeparamref name="TValue"/>, or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="InvalidCastException">The value is present but not convertible to <typeparamref name="TValue"/>.</exception>
    public TValue GetOrDefault<TValue>(string name, TValue fallback) =>
        TryGetValue(name, out object? value) ? Convert<TValue>(name, value) : fallback;

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/> (appended when new, replaced in place otherwise).</summary>
    public Hyperparameters With(string name, object? value)
    {
        var list = _values.ToList();
        int at = list.FindIndex(p => string.Equals(p.Key, name, StringComparison.Ordinal));
        if (at >= 0)
        {
            list[at] = new KeyValuePair<string, object?>(name, value);
        }
        else
        {
            list.Add(new KeyValuePair<string, object?>(name, value));
        }

        return new Hyperparameters(list);
    }

    /// <summary>Formats a value as the tables print it: numbers in invariant culture with 6 significant digits (<c>0.001</c>, <c>1e-05</c>), null as <c>-</c>.</summary>
    public static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("g6", CultureInfo.InvariantCulture),
        float f => f.ToString("g6", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary><c>name=value, name=value</c> with <see cref="Format"/>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (KeyValuePair<string, object?> pair in _values)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(pair.Key).Append('=').Append(Format(pair.Value));
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(Hyperparameters? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        for (int i = 0; i < _values.Length; i++)
        {
            if (!string.Equals(_values[i].Key, other._values[i].Key, StringComparison.Ordinal) || !Equals(_values[i].Value, other._values[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Hyperparameters);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (KeyValuePair<string, object?> pair in _values)
        {
            hash.Add(pair.Key, StringComparer.Ordinal);
            hash.Add(pair.Value);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static TValue Convert<TValue>(string name, object? value)
    {
        if (value is TValue typed)
        {
            return typed;
        }

        if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(Nullable.GetUnderlyingType(typeof(TValue)) ?? typeof(TValue)))
        {
            try
            {
                return (TValue)System.Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(TValue)) ?? typeof(TValue), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
            {
                throw new InvalidCastException($"The hyperparameter '{name}' = {Format(value)} ({value.GetType().Name}) cannot be converted to {typeof(TValue).Name}.", e);
            }
        }

        if (value is null && default(TValue) is null)
        {
            return default!;
        }

        throw new InvalidCastException($"The hyperparameter '{name}' = {Format(value)} ({value?.GetType().Name ?? "null"}) is not a {typeof(TValue).Name}.");
    }
}
