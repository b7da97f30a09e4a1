using System;

namespace NetGen
{
    /// <summary>
    /// Marks a static method of a network class as a loss ℓ(a, y) of one output, which
    /// <c>[Network(nameof(Method))]</c> sums over the outputs: C = Σ_j ℓ(a_j, y_j). The generator differentiates it with
    /// respect to a at compile time and emits ℓ and ∂ℓ/∂a; anything it cannot differentiate is an NG diagnostic.
    /// </summary>
    /// <remarks>
    /// The method takes the output a and the target y in the network's precision and returns that type:
    /// <c>static double Huber(double a, double y)</c>. Its body follows the rules of <see cref="ActivationFunctionAttribute"/>.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class LossFunctionAttribute : Attribute
    {
    }
}
