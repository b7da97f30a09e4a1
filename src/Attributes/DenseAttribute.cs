using System;

namespace NetGen
{
    /// <summary>
    /// A fully connected layer l: z^l = W^l a^{l−1} + b^l, a^l = σ(z^l). Layers apply in the order they are
    /// written; the last <see cref="DenseAttribute"/> is the output layer.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DenseAttribute : Attribute
    {
        /// <summary>Declares a dense layer.</summary>
        /// <param name="size">The number of neurons (outputs) of the layer; at least 1.</param>
        /// <param name="activation">The activation σ; <see cref="NetGen.Activation.Identity"/> by default.</param>
        public DenseAttribute(int size, Activation activation = Activation.Identity)
        {
            Size = size;
            Activation = activation;
        }

        /// <summary>Declares a dense layer whose activation is a user-written function of the network class.</summary>
        /// <param name="size">The number of neurons (outputs) of the layer; at least 1.</param>
        /// <param name="activationFunction">
        /// <c>nameof</c> a static method of the network class marked <see cref="ActivationFunctionAttribute"/>, e.g.
        /// <c>[Dense(16, nameof(Swish))]</c>; the generator differentiates it at compile time.
        /// </param>
        public DenseAttribute(int size, string activationFunction)
        {
            Size = size;
            Activation = Activation.Custom;
            ActivationFunction = activationFunction;
        }

        /// <summary>The name of the user-written activation, or null for a built-in one.</summary>
        public string? ActivationFunction { get; }

        /// <summary>The number of neurons of the layer.</summary>
        public int Size { get; }

        /// <summary>The activation σ of the layer.</summary>
        public Activation Activation { get; }

        /// <summary>
        /// The α of <see cref="NetGen.Activation.LeakyReLU"/> (default 0.01) or <see cref="NetGen.Activation.ELU"/> (default 1).
        /// Setting it for any other activation is an error (NG0009).
        /// </summary>
        public double Alpha { get; set; } = double.NaN;
    }
}
