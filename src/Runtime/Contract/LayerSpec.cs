using System;
using System.Globalization;

namespace NetGen;

/// <summary>One layer of a <see cref="NetworkSpec"/>, in the order the layers apply.</summary>
public abstract record LayerSpec;

/// <summary>A dense layer: z = W a + b, a = σ(z).</summary>
/// <param name="Size">The number of neurons.</param>
/// <param name="Activation">The activation σ.</param>
/// <param name="Alpha">The α of LeakyReLU or ELU; <see cref="double.NaN"/> means the default (0.01 and 1).</param>
public sealed record DenseLayerSpec(int Size, Activation Activation = Activation.Identity, double Alpha = double.NaN) : LayerSpec
{
    /// <summary>A dense layer with a user-written activation (<see cref="Activation"/> is <see cref="NetGen.Activation.Custom"/>).</summary>
    /// <param name="size">The number of neurons.</param>
    /// <param name="function">σ and σ'.</param>
    public DenseLayerSpec(int size, CustomActivation function)
        : this(size, Activation.Custom) => Function = function ?? throw new ArgumentNullException(nameof(function));

    /// <summary>The user-written activation when <see cref="Activation"/> is <see cref="NetGen.Activation.Custom"/>, else null.</summary>
    public CustomActivation? Function { get; init; }

    /// <summary>The α the activation uses: the given one, or its default.</summary>
    public double EffectiveAlpha => double.IsNaN(Alpha) ? ActivationInfo.DefaultAlpha(Activation) : Alpha;

    /// <summary>Two dense layers are equal when they compute the same function: an α written out equal to the default equals the default.</summary>
    public bool Equals(DenseLayerSpec? other) =>
        other is not null && Size == other.Size && Activation == other.Activation && EffectiveAlpha.Equals(other.EffectiveAlpha) &&
        Equals(Function, other.Function);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Size, Activation, EffectiveAlpha, Function);

    /// <inheritdoc />
    public override string ToString()
    {
        string name = Function?.Name ?? ActivationInfo.Name(Activation);
        return ActivationInfo.HasAlpha(Activation)
            ? string.Create(CultureInfo.InvariantCulture, $"Dense({Size}, {name}, α={EffectiveAlpha:R})")
            : string.Create(CultureInfo.InvariantCulture, $"Dense({Size}, {name})");
    }
}

/// <summary>Inverted dropout: units kept with probability 1 − <paramref name="Rate"/> and scaled by 1/(1 − Rate) in training.</summary>
/// <param name="Rate">The probability p of dropping a unit, in [0, 1).</param>
public sealed record DropoutLayerSpec(double Rate) : LayerSpec
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Dropout({Rate:R})");
}

/// <summary>Batch normalization of the preceding dense layer's z, before its activation.</summary>
/// <param name="Momentum">running = momentum · running + (1 − momentum) · batch statistic.</param>
/// <param name="Epsilon">Added to the variance before the square root.</param>
public sealed record BatchNormLayerSpec(double Momentum = 0.99, double Epsilon = 0.001) : LayerSpec
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"BatchNorm(momentum={Momentum:R}, ε={Epsilon:R})");
}

/// <summary>Names and defaults of the activations, shared by the runtime and the messages.</summary>
public static class ActivationInfo
{
    /// <summary>Whether the activation takes an α.</summary>
    public static bool HasAlpha(Activation activation) => activation is Activation.LeakyReLU or Activation.ELU;

    /// <summary>The default α: 0.01 for LeakyReLU, 1 for ELU, NaN for the others.</summary>
    public static double DefaultAlpha(Activation activation) => activation switch
    {
        Activation.LeakyReLU => 0.01,
        Activation.ELU => 1.0,
        _ => double.NaN,
    };

    /// <summary>The lower-case name used in messages and model summaries.</summary>
    public static string Name(Activation activation) => activation switch
    {
        Activation.Identity => "identity",
        Activation.Sigmoid => "sigmoid",
        Activation.Tanh => "tanh",
        Activation.ReLU => "relu",
        Activation.LeakyReLU => "leaky_relu",
        Activation.ELU => "elu",
        Activation.Softmax => "softmax",
        Activation.SiLU => "silu",
        Activation.GELU => "gelu",
        Activation.Softplus => "softplus",
        Activation.Mish => "mish",
        Activation.Custom => "custom",
        _ => $"undefined activation {(int)activation}",
    };
}
