using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>
/// The run-time counterpart of the generator's calculus table (src/Generator/Emit/LayerMath.cs): each activation's
/// forward formula and derivative, vectorized over a span. The generic engine uses it; the tests prove it and the
/// generated code agree with each other and with finite differences.
/// </summary>
/// <remarks>
/// <code>
/// activation   σ(z)                          σ'(z), written with a = σ(z) where cheaper
/// identity     z                             1
/// sigmoid      1 / (1 + e^−z)                a (1 − a)
/// tanh         tanh z                        1 − a²
/// relu         max(0, z)                     1[z &gt; 0]
/// leaky_relu   z &gt; 0 ? z : α z              z &gt; 0 ? 1 : α
/// elu          z &gt; 0 ? z : α (e^z − 1)      z &gt; 0 ? 1 : a + α
/// softmax      e^{z_j − max} / Σ e^{z − max}  δ = a ∘ (g − (g·a))  (Jacobian-vector product)
/// silu         z / (1 + e^−z)                s (1 + z (1 − s)),  s = sigmoid z
/// gelu         ½ z (1 + tanh(c (z + k z³)))  ½ (1 + t) + ½ z (1 − t²) c (1 + 3 k z²),  c = √(2/π), k = 0.044715
/// softplus     max(z, 0) + ln(1 + e^−|z|)    sigmoid z
/// mish         z tanh(softplus z)            t + z (1 − t²) sigmoid z,  t = tanh(softplus z)
/// custom       the user's σ (a delegate)     the generator's σ' (a delegate)
/// </code>
/// </remarks>
public static class ActivationMath
{
    /// <summary>a = σ(z) for one sample's row (softmax normalizes over the whole span).</summary>
    public static void Activate<T>(Activation activation, T alpha, ReadOnlySpan<T> z, Span<T> a, CustomActivation? function = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.SiLU:
                Elementwise<T, Activations.SiLU>(z, a);
                break;
            case Activation.GELU:
                Elementwise<T, Activations.GELU>(z, a);
                break;
            case Activation.Softplus:
                Elementwise<T, Activations.Softplus>(z, a);
                break;
            case Activation.Mish:
                Elementwise<T, Activations.Mish>(z, a);
                break;
            case Activation.Custom:
                ArgumentNullException.ThrowIfNull(function);
                for (int j = 0; j < z.Length; j++)
                {
                    a[j] = function.Apply(z[j]);
                }

                break;
            case Activation.Identity:
                z.CopyTo(a);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(z, a);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(z, a);
                break;
            case Activation.ReLU:
                TensorPrimitives.Max(z, T.Zero, a);
                break;
            case Activation.LeakyReLU:
                LeakyRelu(z, alpha, a);
                break;
            case Activation.ELU:
                Elu(z, alpha, a);
                break;
            case Activation.Softmax:
                Softmax(z, a);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>δ = σ'(z) ∘ g for one sample's row, where g = ∂C/∂a (softmax: δ = a ∘ (g − (g·a))).</summary>
    /// <param name="activation">σ.</param>
    /// <param name="alpha">α of LeakyReLU/ELU.</param>
    /// <param name="z">The pre-activation.</param>
    /// <param name="a">σ(z).</param>
    /// <param name="g">∂C/∂a.</param>
    /// <param name="delta">∂C/∂z, overwritten; may alias <paramref name="g"/>.</param>
    /// <param name="function">The user-written activation when <paramref name="activation"/> is Custom.</param>
    public static void Backprop<T>(Activation activation, T alpha, ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, CustomActivation? function = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = z.Length;
        switch (activation)
        {
            case Activation.SiLU:
                DeltaElementwise<T, Activations.SiLU>(z, a, g, delta);
                break;
            case Activation.GELU:
                DeltaElementwise<T, Activations.GELU>(z, a, g, delta);
                break;
            case Activation.Softplus:
                DeltaElementwise<T, Activations.Softplus>(z, a, g, delta);
                break;
            case Activation.Mish:
                DeltaElementwise<T, Activations.Mish>(z, a, g, delta);
                break;
            case Activation.Custom:
                ArgumentNullException.ThrowIfNull(function);
                for (int j = 0; j < n; j++)
                {
                    delta[j] = g[j] * function.Derivative(z[j]);
                }

                break;
            case Activation.Identity:
                g.CopyTo(delta);
                break;
            case Activation.Sigmoid:
                for (int j = 0; j < n; j++)
                {
                    delta[j] = g[j] * a[j] * (T.One - a[j]);
                }

                break;
            case Activation.Tanh:
                for (int j = 0; j < n; j++)
                {
                    delta[j] = g[j] * (T.One - a[j] * a[j]);
                }

                break;
            case Activation.ReLU:
                for (int j = 0; j < n; j++)
                {
                    delta[j] = z[j] > T.Zero ? g[j] : T.Zero;
                }

                break;
            case Activation.LeakyReLU:
                for (int j = 0; j < n; j++)
                {
                    delta[j] = z[j] > T.Zero ? g[j] : alpha * g[j];
                }

                break;
            case Activation.ELU:
                for (int j = 0; j < n; j++)
                {
                    delta[j] = z[j] > T.Zero ? g[j] : g[j] * (a[j] + alpha);
                }

                break;
            case Activation.Softmax:
            {
                T dot = TensorPrimitives.Dot(g, a);
                for (int j = 0; j < n; j++)
                {
                    delta[j] = a[j] * (g[j] - dot);
                }

                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    private static void Elementwise<T, TAct>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T> where TAct : struct, IActivation
    {
        for (int j = 0; j < z.Length; j++)
        {
            a[j] = TAct.Apply(z[j], T.Zero);
        }
    }

    private static void DeltaElementwise<T, TAct>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta) where T : unmanaged, IFloatingPointIeee754<T> where TAct : struct, IActivation
    {
        for (int j = 0; j < z.Length; j++)
        {
            delta[j] = TAct.Delta(g[j], z[j], a[j], T.Zero);
        }
    }

    /// <summary>Numerically stable softmax: subtracts the maximum before exponentiating.</summary>
    public static void Softmax<T>(ReadOnlySpan<T> z, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, a);
        TensorPrimitives.Exp(a, a);
        T sum = TensorPrimitives.Sum<T>(a);
        TensorPrimitives.Divide(a, sum, a);
    }

    private static void LeakyRelu<T>(ReadOnlySpan<T> z, T alpha, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var valpha = new Vector<T>(alpha);
            for (; j <= z.Length - Vector<T>.Count; j += Vector<T>.Count)
            {
                var v = new Vector<T>(z.Slice(j));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, v * valpha).CopyTo(a.Slice(j));
            }
        }

        for (; j < z.Length; j++)
        {
            a[j] = z[j] > T.Zero ? z[j] : alpha * z[j];
        }
    }

    private static void Elu<T>(ReadOnlySpan<T> z, T alpha, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // a = z > 0 ? z : α (e^z − 1); the exponent is clamped at 0 so positive z never overflow.
        TensorPrimitives.Min(z, T.Zero, a);
        TensorPrimitives.Exp(a, a);
        for (int j = 0; j < z.Length; j++)
        {
            a[j] = z[j] > T.Zero ? z[j] : alpha * (a[j] - T.One);
        }
    }
}

/// <summary>
/// The run-time counterpart of the loss rows of the calculus table: the per-sample cost from the output layer's
/// pre-activation v and activation a = σ(v), and the output error δ^L = ∂C/∂v.
/// </summary>
/// <remarks>
/// <code>
/// loss                C (computed stably from v)                       δ^L = ∂C/∂v
/// mean squared error  ½ Σ_j (a_j − y_j)²                               σ'(v) ∘ (a − y)  (softmax: its Jacobian-vector product)
/// binary CE, sigmoid  Σ_j max(v_j, 0) − v_j y_j + ln(1 + e^−|v_j|)     a − y
/// cross-entropy, sm.  Σ_j y_j (lse(v) − v_j),  lse = max + ln Σ e^{v−max}  a Σ_j y_j − y  (= a − y when Σ y = 1)
/// huber (δ = 1)       Σ_j (|d| ≤ 1 ? ½ d² : |d| − ½),  d = a_j − y_j        σ'(v) ∘ clamp(d, −1, 1)
/// log-cosh            Σ_j |d| + ln(1 + e^−2|d|) − ln 2                     σ'(v) ∘ tanh d
/// mean absolute error Σ_j |d|                                             σ'(v) ∘ sign d  (0 at d = 0: the subgradient)
/// custom              Σ_j ℓ(a_j, y_j)  (a delegate)                         σ'(v) ∘ ∂ℓ/∂a  (the generator's, a delegate)
/// </code>
/// </remarks>
public static class LossMath
{
    /// <summary>The per-sample cost C.</summary>
    public static T Cost<T>(Loss loss, ReadOnlySpan<T> v, ReadOnlySpan<T> a, ReadOnlySpan<T> y, CustomLoss? function = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T c = T.Zero;
        switch (loss)
        {
            case Loss.Huber:
                return Sum<T, Losses.Huber>(a, y);
            case Loss.LogCosh:
                return Sum<T, Losses.LogCosh>(a, y);
            case Loss.MeanAbsoluteError:
                return Sum<T, Losses.MeanAbsoluteError>(a, y);
            case Loss.Custom:
                ArgumentNullException.ThrowIfNull(function);
                for (int j = 0; j < a.Length; j++)
                {
                    c += function.Loss(a[j], y[j]);
                }

                return c;
            case Loss.MeanSquaredError:
                for (int j = 0; j < a.Length; j++)
                {
                    T d = a[j] - y[j];
                    c += d * d;
                }

                return c / T.CreateChecked(2);
            case Loss.BinaryCrossEntropy:
                for (int j = 0; j < v.Length; j++)
                {
                    c += T.Max(v[j], T.Zero) - v[j] * y[j] + T.LogP1(T.Exp(-T.Abs(v[j])));
                }

                return c;
            case Loss.CrossEntropy:
            {
                T lse = LogSumExp(v);
                for (int j = 0; j < v.Length; j++)
                {
                    c += y[j] * (lse - v[j]);
                }

                return c;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, null);
        }
    }

    /// <summary>The cost of an output a alone (no pre-activation available), clamping probabilities away from 0 and 1.</summary>
    public static T CostFromOutput<T>(Loss loss, ReadOnlySpan<T> a, ReadOnlySpan<T> y, CustomLoss? function = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T eps = typeof(T) == typeof(float) ? T.CreateChecked(1e-7) : T.CreateChecked(1e-15);
        T c = T.Zero;
        switch (loss)
        {
            case Loss.MeanSquaredError or Loss.Huber or Loss.LogCosh or Loss.MeanAbsoluteError or Loss.Custom:
                return Cost(loss, a, a, y, function);
            case Loss.BinaryCrossEntropy:
                for (int j = 0; j < a.Length; j++)
                {
                    T p = T.Clamp(a[j], eps, T.One - eps);
                    c -= y[j] * T.Log(p) + (T.One - y[j]) * T.Log(T.One - p);
                }

                return c;
            case Loss.CrossEntropy:
                for (int j = 0; j < a.Length; j++)
                {
                    c -= y[j] * T.Log(T.Max(a[j], eps));
                }

                return c;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, null);
        }
    }

    /// <summary>δ^L = ∂C/∂v for the output layer.</summary>
    public static void OutputDelta<T>(Loss loss, Activation activation, T alpha, ReadOnlySpan<T> v, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Span<T> delta,
        CustomLoss? function = null, CustomActivation? activationFunction = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (loss)
        {
            case Loss.MeanSquaredError:
                TensorPrimitives.Subtract(a, y, delta);
                ActivationMath.Backprop(activation, alpha, v, a, delta, delta, activationFunction);
                break;
            case Loss.Huber or Loss.LogCosh or Loss.MeanAbsoluteError or Loss.Custom:
                for (int j = 0; j < a.Length; j++)
                {
                    delta[j] = loss switch
                    {
                        Loss.Huber => Losses.Huber.Derivative(a[j], y[j]),
                        Loss.LogCosh => Losses.LogCosh.Derivative(a[j], y[j]),
                        Loss.MeanAbsoluteError => Losses.MeanAbsoluteError.Derivative(a[j], y[j]),
                        _ => (function ?? throw new ArgumentNullException(nameof(function))).Derivative(a[j], y[j]),
                    };
                }

                ActivationMath.Backprop(activation, alpha, v, a, delta, delta, activationFunction);
                break;
            case Loss.BinaryCrossEntropy:
                TensorPrimitives.Subtract(a, y, delta);
                break;
            case Loss.CrossEntropy:
            {
                T sumY = TensorPrimitives.Sum(y);
                for (int j = 0; j < a.Length; j++)
                {
                    delta[j] = a[j] * sumY - y[j];
                }

                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, null);
        }
    }

    private static T Sum<T, TLoss>(ReadOnlySpan<T> a, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T> where TLoss : struct, IElementLoss
    {
        T c = T.Zero;
        for (int j = 0; j < a.Length; j++)
        {
            c += TLoss.Loss(a[j], y[j]);
        }

        return c;
    }

    /// <summary>ln Σ_j e^{v_j}, computed as max + ln Σ e^{v − max}.</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(v);
        T sum = T.Zero;
        for (int j = 0; j < v.Length; j++)
        {
            sum += T.Exp(v[j] - max);
        }

        return max + T.Log(sum);
    }
}
