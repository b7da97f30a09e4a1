namespace NetGen.Testing;

// The gradient check the tests once carried here is public now: NetGen.GradientCheck (src/Runtime/Diagnostics).

/// <summary>Comparisons of two vectors relative to the larger magnitude of the reference.</summary>
public static class Compare
{
    /// <summary>max_i |a_i − b_i| / max(max_i |b_i|, 1e-30): the error relative to the vector's scale.</summary>
    public static double ScaledError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"lengths differ: {actual.Length} vs {expected.Length}");
        }

        double scale = 1e-30, diff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double d = Math.Abs(actual[i] - expected[i]);
            diff = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(diff, d);
        }

        return diff / scale;
    }

    public static double ScaledError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        var a = new double[actual.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = actual[i];
        }

        return ScaledError(a, expected);
    }

    public static double ScaledError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        var a = new double[actual.Length];
        var b = new double[expected.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = actual[i];
        }

        for (int i = 0; i < b.Length; i++)
        {
            b[i] = expected[i];
        }

        return ScaledError(a, b);
    }

    /// <summary>|a − b| / max(|a|, |b|, 1e-30).</summary>
    public static double Relative(double a, double b) => Math.Abs(a - b) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), 1e-30);
}
