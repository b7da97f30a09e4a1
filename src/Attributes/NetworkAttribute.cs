using System;

namespace NetGen
{
    /// <summary>
    /// Marks a <c>partial class</c> as a feed-forward network whose forward pass and back-propagation
    /// NetGen generates. Declare the layers with <see cref="InputAttribute"/> and one or more
    /// <see cref="DenseAttribute"/> (optionally <see cref="DropoutAttribute"/> and <see cref="BatchNormAttribute"/>)
    /// on the same class, in the order they apply.
    /// </summary>
    /// <example>
    /// <code>
    /// [Network(Loss.MeanSquaredError)]
    /// [Input(2)]
    /// [Dense(2, Activation.Sigmoid)]
    /// [Dense(1)]
    /// public partial class QuadraticFit { }
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <summary>Declares a network trained with the given loss.</summary>
        /// <param name="loss">The per-sample cost function.</param>
        public NetworkAttribute(Loss loss) => Loss = loss;

        /// <summary>Declares a network trained with a user-written loss.</summary>
        /// <param name="lossFunction">
        /// <c>nameof</c> a static method of the network class marked <see cref="LossFunctionAttribute"/>: ℓ(a, y) of one
        /// output, summed over the outputs; the generator differentiates it with respect to a at compile time.
        /// </param>
        public NetworkAttribute(string lossFunction)
        {
            Loss = Loss.Custom;
            LossFunction = lossFunction;
        }

        /// <summary>The per-sample cost function.</summary>
        public Loss Loss { get; }

        /// <summary>The name of the user-written loss, or null for a built-in one.</summary>
        public string? LossFunction { get; }

        /// <summary>The floating-point type of the generated network; <see cref="NetGen.Precision.Single"/> by default.</summary>
        public Precision Precision { get; set; } = Precision.Single;
    }
}
