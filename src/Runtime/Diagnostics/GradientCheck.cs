using System;
using System.Globalization;
using System.Linq;
using System.Numerics;

namespace NetGen;

/// <summary>
/// Checks a network's back-propagation against central finite differences of its own loss, in double precision, as
/// PyTorch's <c>gradcheck</c> does: run it on your own network (generated, generic, with user-written functions) to
/// see that <see cref="INetwork{T}.Backward"/> computes the gradient of the loss it reports.
/// </summary>
/// <remarks>
/// <para>
/// For each parameter θ_i (all of them, or an evenly spaced sample) the fourth-order stencil
/// n_i = (C(θ − 2h) − 8 C(θ − h) + 8 C(θ + h) − C(θ + 2h)) / 12h is taken at h = 10⁻³ max(1, |θ_i|) and at h/5 (and at
/// h/25 when neither is within the tolerance: a loss curved on the scale of h, as batch norm over a few rows can be), and
/// the estimate closer to the analytic ∂C/∂θ_i is kept (a wrong gradient disagrees with all of them). The error is
/// |a − n| / max(|a|, |n|, τ), relative where the difference can resolve the gradient and absolute below the floor
/// τ = max(10⁻⁴, 10⁷ ε |C| / h). Dropout masks are held fixed (RandomState is restored for every evaluation).
/// </para>
/// <para>
/// Where a perturbation moves a unit across a kink of its activation (ReLU, LeakyReLU and ELU at z = 0) the loss is not
/// differentiable, so the parameter is skipped and counted. A float network is checked against the differences of a
/// double twin (<see cref="GenericNetwork{T}"/> with the same parameters): its own gradient is compared, with the
/// tolerance float allows.
/// </para>
/// </remarks>
public static class GradientCheck
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Checks a double network on a batch; see the remarks of <see cref="GradientCheck"/>.</summary>
    /// <param name="network">The network; its parameters are restored afterwards.</param>
    /// <param name="inputs">[rows × InputSize] features.</param>
    /// <param name="targets">[rows × OutputSize] targets.</param>
    /// <param name="maxParameters">Check at most this many parameters, evenly spaced (all by default).</param>
    /// <param name="tolerance">The largest error that passes (10⁻⁶ by default).</param>
    public static GradientCheckResult Check(INetwork<double> network, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int maxParameters = int.MaxValue, double tolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(network);
        double[] analytic = Analytic(network, inputs, targets);
        return Compare(network, analytic, inputs.ToArray(), targets.ToArray(), maxParameters, tolerance);
    }

    /// <summary>
    /// Checks a float network: its gradient (from its own Backward, in float) against central differences of a double twin
    /// with the same parameters; <paramref name="tolerance"/> is 10⁻² by default, what float's rounding allows.
    /// </summary>
    public static GradientCheckResult Check(INetwork<float> network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int maxParameters = int.MaxValue, double tolerance = 1e-2)
    {
        ArgumentNullException.ThrowIfNull(network);
        ulong state = network.RandomState;
        network.ZeroGradients();
        network.BackwardBatch(inputs, targets);
        network.RandomState = state;
        double[] analytic = network.Gradients.ToArray().Select(g => (double)g).ToArray();
        var twin = new GenericNetwork<double>(network.Spec.WithPrecision(Precision.Double));
        for (int i = 0; i < twin.ParameterCount; i++)
        {
            twin.Parameters[i] = network.Parameters[i];
        }

        for (int i = 0; i < twin.State.Length; i++)
        {
            twin.State[i] = network.State[i];
        }

        twin.RandomState = state;
        double[] x = inputs.ToArray().Select(v => (double)v).ToArray(), y = targets.ToArray().Select(v => (double)v).ToArray();
        return Compare(twin, analytic, x, y, maxParameters, tolerance);
    }

    private static double[] Analytic(INetwork<double> net, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        ulong state = net.RandomState;
        net.ZeroGradients();
        net.BackwardBatch(x, y);
        net.RandomState = state;
        return net.Gradients.ToArray();
    }

    private static GradientCheckResult Compare(INetwork<double> net, double[] analytic, double[] x, double[] y, int maxParameters, double tolerance)
    {
        ulong state = net.RandomState;
        double loss = Loss(net, x, y, state);
        NetworkSpec spec = net.Spec;
        GenericNetwork<double>? probe = spec.Stages.Any(s => s.Activation is Activation.ReLU or Activation.LeakyReLU or Activation.ELU)
            ? new GenericNetwork<double>(spec.WithPrecision(Precision.Double))
            : null;
        double max = 0, worstA = 0, worstN = 0;
        int worst = -1, skipped = 0, checkedCount = 0;
        int length = net.Parameters.Length;
        int stride = Math.Max(1, length / Math.Max(1, maxParameters));
        for (int i = 0; i < length; i += stride)
        {
            double theta = net.Parameters[i];
            double h = 1e-3 * Math.Max(1.0, Math.Abs(theta));
            if (probe is not null && CrossesKink(probe, net, i, theta, 2 * h, x, y, state))
            {
                skipped++;
                continue;
            }

            double floor = Math.Max(1e-4, 1e7 * MachineEpsilon * Math.Abs(loss) / (h / 5));
            double numeric = Stencil(net, i, theta, h, x, y, state);
            double error = Error(analytic[i], numeric, floor);
            foreach (double step in (ReadOnlySpan<double>)[h / 5, h / 25])
            {
                if (step < h / 5 && error <= tolerance)
                {
                    break;   // h/25 only where neither h nor h/5 agrees: a loss curved on the scale of h (batch norm of a few rows)
                }

                double small = Stencil(net, i, theta, step, x, y, state);
                if (Error(analytic[i], small, floor) < error)
                {
                    numeric = small;
                    error = Error(analytic[i], small, floor);
                }
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

        (string name, int layer) = worst < 0 ? ("none", 0) : Describe(spec, worst);
        return new GradientCheckResult(max, tolerance, checkedCount, skipped, worst, name, layer, worstA, worstN);
    }

    /// <summary>The parameter's name in the layout, e.g. <c>W2[3, 1]</c> (input 3 → output 1 of layer 2) or <c>b1[0]</c>.</summary>
    internal static (string Name, int Layer) Describe(NetworkSpec spec, int index)
    {
        foreach (ParameterBlock block in spec.Layout)
        {
            if (index >= block.Offset && index < block.Offset + block.Length)
            {
                int within = index - block.Offset;
                string name = block.Kind == ParameterKind.Weights
                    ? string.Create(CultureInfo.InvariantCulture, $"{block.Name}[{within / block.Columns}, {within % block.Columns}]")
                    : string.Create(CultureInfo.InvariantCulture, $"{block.Name}[{within}]");
                return (name, block.Layer);
            }
        }

        return ($"#{index}", 0);
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

    private static bool CrossesKink(GenericNetwork<double> probe, INetwork<double> net, int index, double theta, double h, double[] x, double[] y, ulong state)
    {
        net.Parameters.CopyTo(probe.Parameters);
        net.State.CopyTo(probe.State);
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
        return Enumerable.Range(1, probe.Spec.Stages.Count).SelectMany(l => probe.PreActivations(l, count).ToArray().Select(v => v > 0)).ToArray();
    }
}

/// <summary>What <see cref="GradientCheck"/> found.</summary>
/// <param name="MaxError">The largest error over the checked parameters.</param>
/// <param name="Tolerance">The largest error that passes.</param>
/// <param name="Checked">How many parameters were checked.</param>
/// <param name="SkippedAtKinks">How many were skipped because a perturbation crossed a kink of an activation.</param>
/// <param name="WorstIndex">The index of the worst parameter in <see cref="INetwork{T}.Parameters"/> (−1 when none).</param>
/// <param name="WorstParameter">Its name in the layout, e.g. <c>W2[3, 1]</c>.</param>
/// <param name="WorstLayer">Its dense layer l.</param>
/// <param name="WorstAnalytic">Its gradient from Backward.</param>
/// <param name="WorstNumeric">Its finite-difference estimate.</param>
public sealed record GradientCheckResult(double MaxError, double Tolerance, int Checked, int SkippedAtKinks, int WorstIndex, string WorstParameter, int WorstLayer, double WorstAnalytic, double WorstNumeric)
{
    /// <summary>Whether every checked parameter's error is within the tolerance.</summary>
    public bool Passed => MaxError <= Tolerance;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "passed" : "FAILED")}: max error {MaxError:E2} (tolerance {Tolerance:E0}) over {Checked} parameters ({SkippedAtKinks} skipped at kinks); worst {WorstParameter} of layer {WorstLayer}: Backward {WorstAnalytic:R}, finite differences {WorstNumeric:R}");
}
