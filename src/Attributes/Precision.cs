namespace NetGen
{
    /// <summary>The floating-point type a network computes in.</summary>
    public enum Precision
    {
        /// <summary><see cref="float"/> (32-bit); the default.</summary>
        Single = 0,

        /// <summary><see cref="double"/> (64-bit).</summary>
        Double = 1,
    }
}
