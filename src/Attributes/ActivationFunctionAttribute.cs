using System;

namespace NetGen
{
    /// <summary>
    /// Marks a static method of a network class as an activation σ that layers name with
    /// <c>[Dense(size, nameof(Method))]</c>. The generator differentiates its body at compile time and emits σ and σ'
    /// beside the built-ins; anything it cannot differentiate is an NG diagnostic on that construct.
    /// </summary>
    /// <remarks>
    /// The method takes and returns the network's precision (<c>float</c> or <c>double</c>): <c>static float F(float z)</c>.
    /// Its body is an expression, or local declarations and a return, using + − * /, unary −, numeric literals, its
    /// parameter and locals, conditional expressions with comparisons (piecewise functions), calls to
    /// <c>Math</c>/<c>MathF</c> Exp, Log, Sqrt, Pow, Abs, Tanh, Sinh, Cosh, Sin, Cos, Atan, Max, Min, and calls to other
    /// <c>[ActivationFunction]</c> methods of the class.
    /// </remarks>
    /// <example>
    /// <code>
    /// [ActivationFunction] public static float Swish(float z) => z / (1f + MathF.Exp(-z));
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class ActivationFunctionAttribute : Attribute
    {
    }
}
