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
    }
}
