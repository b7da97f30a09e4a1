namespace NetGen.Testing;

/// <summary>
/// Checks a network's analytic gradient (from BackwardBatch) against central finite differences of its own loss,
/// in double precision, with the fourth-order central stencil
/// n_i = (C(θ − 2h) − 8 C(θ − h) + 8 C(θ + h) − C(θ + 2h)) / 12h, at h = 1e-3 · max(1, |θ_i|) and at h/5
/// (truncation O(h⁴) ≈ 1e-12, round-off ε·C/h ≈ 4e-11 for summed losses of order 100), keeping the estimate
/// closer to the analytic value: each alone is a valid approximation, and a wrong gradient disagrees with both.
/// The error of a component is |a − n| / max(|a|, |n|, τ) with τ = max(1e-4, 10⁷ ε |C| / h_min): relative for
/// gradients the finite difference can resolve to 1e-6 through the round-off of the loss itself (a sum of many
/// rounded terms, ~10 ε|C|, divided by h), absolute below. Dropout masks are held fixed by restoring RandomState.
/// Parameters whose perturbation moves a ReLU/LeakyReLU/ELU unit across z = 0 (where σ' or, for ELU, σ'' jumps) are skipped
/// and counted, because the loss is not differentiable there; a generic twin with the same parameters detects them.
/// </summary>
public static class GradientCheck
{
    public const double Floor = 1e-4;

    private const double MachineEpsilon = 2.220446049250313e-16;

    public sealed record Result(double MaxError, int Checked, int SkippedAtKinks, int WorstIndex, double WorstAnalytic, double WorstNumeric)
    {
        public override string ToString() =>
            $"max error {MaxError:E2} over {Checked} parameters ({SkippedAtKinks} skipped at kinks); worst #{WorstIndex}: analytic {WorstAnalytic:R}, numeric {WorstNumeric:R}";
    }

    /// <summary>The analytic gradient of the summed loss of a batch (Gradients after ZeroGradients + BackwardBatch).</summary>
    public static double[] Analytic(INetwork<double> net, double[] x, double[] y)
    {
        ulong state = net.RandomState;
        net.ZeroGradients();
        net.BackwardBatch(x, y);
        net.RandomState = state;
        return net.Gradients.ToArray();
    }

    public static Result Check(INetwork<double> net, double[] x, double[] y, int maxParameters = int.MaxValue)
    {
        double[] analytic = Analytic(net, x, y);
        ulong state = net.RandomState;
        double loss = Loss(net, x, y, state);
        GenericNetwork<double>? probe = NeedsKinkProbe(net.Spec) ? new GenericNetwork<double>(net.Spec) : null;
        double max = 0;
        int worst = -1, skipped = 0, checkedCount = 0;
        double worstA = 0, worstN = 0;
        Span<double> p = net.Parameters;
        int stride = Math.Max(1, p.Length / Math.Max(1, maxParameters));
        for (int i = 0; i < p.Length; i += stride)
        {
            double theta = p[i];
            double h = 1e-3 * Math.Max(1.0, Math.Abs(theta));
            if (probe is not null && CrossesKink(probe, net, i, theta, 2 * h, x, y, state))
            {
                skipped++;
                continue;
            }

            // Two step sizes: the larger has less round-off, the smaller less truncation (near a kink of σ'' or
            // where batch normalization sharpens the loss); a wrong analytic gradient disagrees with both.
            double floor = Math.Max(Floor, 1e7 * MachineEpsilon * Math.Abs(loss) / (h / 5));
            double numeric = Stencil(net, i, theta, h, x, y, state);
            double error = Error(analytic[i], numeric, floor);
            double numericSmall = Stencil(net, i, theta, h / 5, x, y, state);
            if (Error(analytic[i], numericSmall, floor) < error)
            {
                numeric = numericSmall;
                error = Error(analytic[i], numericSmall, floor);
            }

            checkedCount++;
            if (error > max || worst < 0)
            {
                max = Math.Max(max, error);
                worst = i;
                worstA = analytic[i];
                worstN = numeric;
            }
        }

        return new Result(max, checkedCount, skipped, worst, worstA, worstN);
    }

    private static double Stencil(INetwork<double> net, int i, double theta, double h, double[] x, double[] y, ulong state)
    {
        net.Parameters[i] = theta + h;
        double plus = Loss(net, x, y, state);
        net.Parameters[i] = theta - h;
        double minus = Loss(net, x, y, state);
        net.Parameters[i] = theta + 2 * h;
        double plus2 = Loss(net, x, y, state);
        net.Parameters[i] = theta - 2 * h;
        double minus2 = Loss(net, x, y, state);
        net.Parameters[i] = theta;
        return (minus2 - 8 * minus + 8 * plus - plus2) / (12 * h);
    }

    private static double Error(double analytic, double numeric, double floor) =>
        Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), floor);

    private static double Loss(INetwork<double> net, double[] x, double[] y, ulong state)
    {
        net.RandomState = state;
        double loss = net.BackwardBatch(x, y);
        net.RandomState = state;
        return loss;
    }

    private static bool NeedsKinkProbe(NetworkSpec spec) =>
        spec.Stages.Any(s => s.Activation is Activation.ReLU or Activation.LeakyReLU or Activation.ELU);

    private static bool CrossesKink(GenericNetwork<double> probe, INetwork<double> net, int index, double theta, double h, double[] x, double[] y, ulong state)
    {
        net.Parameters.CopyTo(probe.Parameters);
        probe.Parameters[index] = theta + h;
        bool[] plus = Signs(probe, x, y, state);
        probe.Parameters[index] = theta - h;
        bool[] minus = Signs(probe, x, y, state);
        return !plus.AsSpan().SequenceEqual(minus);
    }

    private static bool[] Signs(GenericNetwork<double> probe, double[] x, double[] y, ulong state)
    {
        probe.RandomState = state;
        probe.ZeroGradients();
        probe.BackwardBatch(x, y);
        int count = x.Length / probe.InputSize;
        var signs = new List<bool>();
        for (int l = 1; l <= probe.Spec.Stages.Count; l++)
        {
            foreach (double v in probe.PreActivations(l, count))
            {
                signs.Add(v > 0);
            }
        }

        return [.. signs];
    }
}

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
