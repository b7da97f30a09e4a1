using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>The moment updates and the bias-corrected step that <see cref="Adam{T}"/> and <see cref="AdamW{T}"/> share.</summary>
internal static class AdamKernel
{
    /// <summary>
    /// Step t of Adam over the whole buffer, in PyTorch's arrangement of the textbook rule:
    /// m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; θ ← θ − (η / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε),
    /// which is θ ← θ − η m̂ / (√v̂ + ε) with m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ).
    /// </summary>
    public static void Update<T>(
        Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> first, Span<T> second,
        double learningRate, double beta1, double beta2, double epsilon, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The scalars are formed in double, then rounded once to T.
        double correction1 = 1 - Math.Pow(beta1, step);
        double correction2 = 1 - Math.Pow(beta2, step);
        T b1 = T.CreateChecked(beta1), c1 = T.CreateChecked(1 - beta1);
        T b2 = T.CreateChecked(beta2), c2 = T.CreateChecked(1 - beta2);
        T stepSize = T.CreateChecked(learningRate / correction1);
        T root2 = T.CreateChecked(Math.Sqrt(correction2));
        T eps = T.CreateChecked(epsilon);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Span<Vector<T>> p = MemoryMarshal.Cast<T, Vector<T>>(parameters);
            ReadOnlySpan<Vector<T>> g = MemoryMarshal.Cast<T, Vector<T>>(gradients);
            Span<Vector<T>> m = MemoryMarshal.Cast<T, Vector<T>>(first);
            Span<Vector<T>> v = MemoryMarshal.Cast<T, Vector<T>>(second);
            var b1V = new Vector<T>(b1);
            var c1V = new Vector<T>(c1);
            var b2V = new Vector<T>(b2);
            var c2V = new Vector<T>(c2);
            var stepV = new Vector<T>(stepSize);
            var rootV = new Vector<T>(root2);
            var epsV = new Vector<T>(eps);
            for (int k = 0; k < p.Length; k++)
            {
                Vector<T> gk = g[k];
                Vector<T> mk = b1V * m[k] + c1V * gk;
                Vector<T> vk = b2V * v[k] + c2V * (gk * gk);
                m[k] = mk;
                v[k] = vk;
                p[k] -= stepV * mk / (Vector.SquareRoot(vk) / rootV + epsV);
            }

            i = p.Length * Vector<T>.Count;
        }

        for (; i < parameters.Length; i++)
        {
            T gi = gradients[i];
            T mi = b1 * first[i] + c1 * gi;
            T vi = b2 * second[i] + c2 * (gi * gi);
            first[i] = mi;
            second[i] = vi;
            parameters[i] -= stepSize * mi / (T.Sqrt(vi) / root2 + eps);
        }
    }
}
