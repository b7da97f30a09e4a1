using System;
using System.Numerics;

namespace NetGen;

/// <summary>How weights are drawn. Biases and β start at 0, γ at 1.</summary>
public enum Initializer
{
    /// <summary>Glorot/Xavier uniform: U(−r, r), r = √(6 / (in + out)). The default (as in Keras).</summary>
    GlorotUniform,

    /// <summary>Glorot/Xavier normal: N(0, 2 / (in + out)).</summary>
    GlorotNormal,

    /// <summary>He uniform: U(−r, r), r = √(6 / in). For ReLU-family layers.</summary>
    HeUniform,

    /// <summary>He normal: N(0, 2 / in). For ReLU-family layers.</summary>
    HeNormal,

    /// <summary>Standard normal N(0, 1) weights, biases 0.01, as in the course's code (<c>np.random.randn</c>).</summary>
    StandardNormal,
}

/// <summary>Fills a network's flat parameter buffer deterministically from a seed.</summary>
public static class Initializers
{
    /// <summary>Initializes all parameters of <paramref name="spec"/> in <paramref name="parameters"/> and resets <paramref name="state"/>.</summary>
    /// <param name="spec">The topology; its <see cref="NetworkSpec.Layout"/> says where each block lives.</param>
    /// <param name="parameters">The flat buffer (ParameterCount values).</param>
    /// <param name="state">The running statistics (StateCount values): means 0, variances 1.</param>
    /// <param name="initializer">How weights are drawn.</param>
    /// <param name="seed">The seed; the same seed gives the same values, bit for bit.</param>
    public static void Initialize<T>(NetworkSpec spec, Span<T> parameters, Span<T> state, Initializer initializer = Initializer.GlorotUniform, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (parameters.Length != spec.ParameterCount)
        {
            throw new ArgumentException($"Expected {spec.ParameterCount} parameters, got {parameters.Length}.", nameof(parameters));
        }

        if (state.Length != spec.StateCount)
        {
            throw new ArgumentException($"Expected {spec.StateCount} state values, got {state.Length}.", nameof(state));
        }

        var rng = new SplitMix64((ulong)(uint)seed * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL);
        foreach (DenseStage stage in spec.Stages)
        {
            int fanIn = stage.InputSize, fanOut = stage.OutputSize;
            Span<T> weights = parameters.Slice(stage.WeightOffset, fanIn * fanOut);
            Span<T> bias = parameters.Slice(stage.BiasOffset, fanOut);
            switch (initializer)
            {
                case Initializer.GlorotUniform:
                    FillUniform(weights, Math.Sqrt(6.0 / (fanIn + fanOut)), ref rng);
                    bias.Clear();
                    break;
                case Initializer.GlorotNormal:
                    FillNormal(weights, Math.Sqrt(2.0 / (fanIn + fanOut)), ref rng);
                    bias.Clear();
                    break;
                case Initializer.HeUniform:
                    FillUniform(weights, Math.Sqrt(6.0 / fanIn), ref rng);
                    bias.Clear();
                    break;
                case Initializer.HeNormal:
                    FillNormal(weights, Math.Sqrt(2.0 / fanIn), ref rng);
                    bias.Clear();
                    break;
                case Initializer.StandardNormal:
                    FillNormal(weights, 1.0, ref rng);
                    bias.Fill(T.CreateChecked(0.01));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(initializer), initializer, "Unknown initializer.");
            }

            if (stage.BatchNorm is not null)
            {
                parameters.Slice(stage.GammaOffset, fanOut).Fill(T.One);
                parameters.Slice(stage.BetaOffset, fanOut).Clear();
                state.Slice(stage.MeanOffset, fanOut).Clear();
                state.Slice(stage.VarianceOffset, fanOut).Fill(T.One);
            }
        }
    }

    /// <summary>The <see cref="INetwork{T}.RandomState"/> a network constructed with <paramref name="seed"/> starts from.</summary>
    public static ulong InitialRandomState(int seed) => SplitMix64.Mix((ulong)(uint)seed ^ 0xA0761D6478BD642FUL);

    private static void FillUniform<T>(Span<T> values, double limit, ref SplitMix64 rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked((2 * rng.NextDouble() - 1) * limit);
        }
    }

    private static void FillNormal<T>(Span<T> values, double std, ref SplitMix64 rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked(rng.NextGaussian() * std);
        }
    }
}
