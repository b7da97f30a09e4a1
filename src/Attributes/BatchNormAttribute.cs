using System;

namespace NetGen
{
    /// <summary>
    /// Batch normalization of the preceding <see cref="DenseAttribute"/> layer's z, before its activation:
    /// ẑ = (z − μ_B) / √(σ²_B + ε), z' = γ ẑ + β, with learnable γ and β stored in the network's parameters.
    /// Training uses the batch statistics; inference uses running averages updated as
    /// running = momentum · running + (1 − momentum) · batch (Keras's convention).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNormAttribute : Attribute
    {
        /// <summary>The weight of the old running average in each update; 0.99 by default (Keras).</summary>
        public double Momentum { get; set; } = 0.99;

        /// <summary>The ε added to the variance; 0.001 by default (Keras).</summary>
        public double Epsilon { get; set; } = 0.001;
    }
}
