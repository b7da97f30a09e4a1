using System;
using System.Globalization;

namespace NetGen;

/// <summary>The argument checks and formatting the optimizers share, with messages that say what is wrong and how to fix it.</summary>
internal static class OptimizerChecks
{
    /// <summary>Formats a hyperparameter for a <c>Name</c>: invariant culture, 6 significant digits (<c>0.001</c>, <c>1e-08</c>).</summary>
    public static string Format(double value) => value.ToString("g6", CultureInfo.InvariantCulture);

    /// <summary>Throws unless η is a finite number ≥ 0.</summary>
    public static double LearningRate(double value, string parameter)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(parameter, value, "The learning rate η must be a finite number ≥ 0.");
        }

        return value;
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1 (a decay or momentum coefficient such as β1, β2, ρ, μ).</summary>
    public static double UnitInterval(double value, string parameter, string symbol)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{symbol} must be in [0, 1) (0 ≤ {symbol} < 1).");
        }

        return value;
    }

    /// <summary>Throws unless ε is a finite number &gt; 0.</summary>
    public static double Epsilon(double value, string parameter)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(parameter, value, "ε must be a finite number > 0 (it keeps the denominator away from 0).");
        }

        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is a finite number ≥ 0.</summary>
    public static double NonNegative(double value, string parameter, string what)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{what} must be a finite number ≥ 0.");
        }

        return value;
    }

    /// <summary>The checks at the start of every <c>Step</c>: the gradients match the parameters, and the bound state (if any) matches both.</summary>
    /// <param name="optimizer">The optimizer, for its name in the message (only read when throwing).</param>
    /// <param name="boundLength">The number of parameters the state was allocated for, or −1 when not bound yet.</param>
    /// <param name="parameterLength">The length of the parameters.</param>
    /// <param name="gradientLength">The length of the gradients.</param>
    public static void RequireStep<T>(IOptimizer<T> optimizer, int boundLength, int parameterLength, int gradientLength)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Shapes.RequireLength(gradientLength, parameterLength, "gradients", "The gradients");
        if (boundLength >= 0 && boundLength != parameterLength)
        {
            throw new ArgumentException(
                $"{optimizer.Name} holds state for {boundLength} parameters, but the parameters hold {parameterLength} values; " +
                "call Bind with the network's spec before training another network.",
                "parameters");
        }
    }
}
