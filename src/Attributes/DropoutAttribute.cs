using System;

namespace NetGen
{
    /// <summary>
    /// Inverted dropout on the activations of the preceding <see cref="DenseAttribute"/> layer: while training each
    /// unit is kept with probability 1 − rate and scaled by 1 / (1 − rate); in inference it is the identity.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : Attribute
    {
        /// <summary>Declares a dropout layer.</summary>
        /// <param name="rate">The probability p of dropping a unit, in [0, 1).</param>
        public DropoutAttribute(double rate) => Rate = rate;

        /// <summary>The probability of dropping a unit.</summary>
        public double Rate { get; }
    }
}
