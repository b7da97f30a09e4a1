namespace NetGen
{
    /// <summary>The cost C of one sample; training minimizes its mean over a batch.</summary>
    public enum Loss
    {
        /// <summary>C = ½ Σ_j (a_j − y_j)², the course's squared error. Any output activation.</summary>
        MeanSquaredError = 0,

        /// <summary>C = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]. Requires a Sigmoid output; then δ^L = a^L − y.</summary>
        BinaryCrossEntropy = 1,

        /// <summary>C = −Σ_j y_j ln a_j. Requires a Softmax output; then δ^L = a^L − y.</summary>
        CrossEntropy = 2,

        /// <summary>
        /// Huber: C = Σ_j h(a_j − y_j), h(d) = ½ d² for |d| ≤ δ, else δ (|d| − ½ δ), with δ = 1; ∂C/∂a_j = clamp(d, −δ, δ).
        /// Any output activation.
        /// </summary>
        Huber = 3,

        /// <summary>Log-cosh: C = Σ_j ln cosh(a_j − y_j) (computed as |d| + ln(1 + e^−2|d|) − ln 2); ∂C/∂a_j = tanh(a_j − y_j).</summary>
        LogCosh = 4,

        /// <summary>
        /// Mean absolute error: C = Σ_j |a_j − y_j|; ∂C/∂a_j = sign(a_j − y_j), taking the subgradient 0 where a_j = y_j.
        /// </summary>
        MeanAbsoluteError = 5,

        /// <summary>
        /// A user-written ℓ(a, y), named in a <see cref="NetworkAttribute"/> by <c>nameof</c> of a static method marked
        /// <see cref="LossFunctionAttribute"/>; never written as <c>Loss.Custom</c>.
        /// </summary>
        Custom = 6,
    }
}
