namespace NetGen
{
    /// <summary>The activation function σ of a <see cref="DenseAttribute"/> layer: a = σ(z).</summary>
    public enum Activation
    {
        /// <summary>σ(z) = z, σ'(z) = 1. The default; use it on the output of a regression network.</summary>
        Identity = 0,

        /// <summary>σ(z) = 1 / (1 + e^−z), σ'(z) = σ(z)(1 − σ(z)).</summary>
        Sigmoid = 1,

        /// <summary>σ(z) = tanh z, σ'(z) = 1 − tanh² z.</summary>
        Tanh = 2,

        /// <summary>σ(z) = max(0, z), σ'(z) = 1 for z &gt; 0, else 0.</summary>
        ReLU = 3,

        /// <summary>σ(z) = z for z &gt; 0, else α z (α = <see cref="DenseAttribute.Alpha"/>, default 0.01).</summary>
        LeakyReLU = 4,

        /// <summary>σ(z) = z for z &gt; 0, else α (e^z − 1) (α = <see cref="DenseAttribute.Alpha"/>, default 1).</summary>
        ELU = 5,

        /// <summary>a_j = e^{z_j} / Σ_k e^{z_k}; only allowed on the output layer.</summary>
        Softmax = 6,

        /// <summary>SiLU / Swish: σ(z) = z / (1 + e^−z) = z·sigmoid(z), σ'(z) = s (1 + z (1 − s)) with s = sigmoid(z).</summary>
        SiLU = 7,

        /// <summary>GELU, tanh form: σ(z) = ½ z (1 + tanh(√(2/π) (z + 0.044715 z³))).</summary>
        GELU = 8,

        /// <summary>Softplus: σ(z) = ln(1 + e^z) (computed as max(z, 0) + ln(1 + e^−|z|)), σ'(z) = sigmoid(z).</summary>
        Softplus = 9,

        /// <summary>Mish: σ(z) = z tanh(softplus(z)).</summary>
        Mish = 10,

        /// <summary>
        /// A user-written function, named in a <see cref="DenseAttribute"/> by <c>nameof</c> of a static method marked
        /// <see cref="ActivationFunctionAttribute"/>; never written as <c>Activation.Custom</c> (the name says which function).
        /// </summary>
        Custom = 11,
    }
}
