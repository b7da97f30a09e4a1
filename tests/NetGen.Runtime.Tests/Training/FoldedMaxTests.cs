namespace NetGen.Runtime.Tests.Training;

/// <summary>
/// Issue 12, finiteness checked inside the pass: the fold of the second core's gradients into the first's also finds
/// max |Σ ∂C/∂θ|, which Fit's fused step needs before it changes a parameter, so the step has no scan of its own over the
/// gradient buffer. Its answer must be the scan's, NaN and ∞ included, and it must never be offered for sums it did not write.
/// </summary>
public sealed class FoldedMaxTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(37)]
    [InlineData(100)]
    public void AddAndClear_returns_the_scan_s_answer_over_the_sums_it_wrote(int length)
    {
        var rng = new Random(length + 11);
        float[] Values() => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray();
        float[] g = Values(), h = Values();
        Assert.Equal(FusedUpdate.MaxMagnitude<float>(Sum(g, h)), VectorMath.AddAndClear<float>(g, h));
        Assert.Equal(FusedUpdate.MaxMagnitude<float>(g), VectorMath.AddAndClear<float>(g, new float[length]));

        if (length == 0)
        {
            return;
        }

        // an infinity, a NaN, both, and opposite infinities whose sum is NaN, at the first, a middle and the last index
        foreach (int at in new[] { 0, length / 2, length - 1 })
        {
            foreach ((float a, float b) in new[] { (float.PositiveInfinity, 1f), (-1f, float.NegativeInfinity), (float.NaN, 0f), (float.PositiveInfinity, float.NegativeInfinity) })
            {
                g = Values();
                h = Values();
                g[at] = a;
                h[at] = b;
                double expected = FusedUpdate.MaxMagnitude<float>(Sum(g, h));
                double max = VectorMath.AddAndClear<float>(g, h);
                Assert.Equal(expected, max);
                Assert.False(double.IsFinite(max));
            }
        }
    }

    [Fact]
    public void The_two_core_fold_gives_the_one_core_answer_and_NaN_when_either_half_saw_one()
    {
        int length = TwoCorePasses.SplitLength * 2 + 37;
        var rng = new Random(5);
        float[] g = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] h = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble() - 2).ToArray();
        float[] expected = Sum(g, h);
        Assert.Equal(FusedUpdate.MaxMagnitude<float>(expected), TwoCorePasses.AddAndClear<float>(g, h));
        Assert.Equal(expected, g);
        Assert.All(h, v => Assert.Equal(0f, v));

        h[3] = float.PositiveInfinity;                 // the first half
        Assert.Equal(double.PositiveInfinity, TwoCorePasses.AddAndClear<float>(g, h));
        h[length - 2] = float.NaN;                     // the second half, with an infinity in the first
        h[3] = float.NegativeInfinity;
        Assert.True(double.IsNaN(TwoCorePasses.AddAndClear<float>(g, h)));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(130)]
    public void A_batch_on_two_cores_offers_the_max_of_the_gradients_it_left(int rows)
    {
        Dataset<float> data = Data(130, 3, rows, seed: rows);
        var net = new SplitFirstLayer(seed: 3);
        ITrainingEngine<float> engine = ((IEngineBacked<float>)net).Engine;
        bool enabled = Parallelism.Enabled;
        try
        {
            foreach (bool parallel in new[] { true, false })
            {
                Parallelism.Enabled = parallel;   // off: the second part runs after the first, and is folded all the same
                net.ZeroGradients();
                net.BackwardBatch(data.Features, data.Targets);
                Assert.True(engine.TryFoldedMaxMagnitude(0, out double max));
                Assert.Equal(FusedUpdate.MaxMagnitude<float>(net.Gradients), max);
                Assert.False(engine.TryFoldedMaxMagnitude(1, out _));

                // a second batch adds to the sums: the fold's max is that of the totals
                net.BackwardBatch(data.Features, data.Targets);
                Assert.True(engine.TryFoldedMaxMagnitude(0, out max));
                Assert.Equal(FusedUpdate.MaxMagnitude<float>(net.Gradients), max);

                net.ZeroGradients();
                Assert.False(engine.TryFoldedMaxMagnitude(0, out _));

                // the deferred call folds only what follows the first layer
                engine.BackwardDeferringInputLayer(data.Features, data.Targets);
                int rest = engine.DeferredInputLayer(data.Features).RestStart;
                Assert.False(engine.TryFoldedMaxMagnitude(0, out _));
                Assert.True(engine.TryFoldedMaxMagnitude(rest, out max));
                Assert.Equal(FusedUpdate.MaxMagnitude<float>(net.Gradients.Slice(rest)), max);
            }
        }
        finally
        {
            Parallelism.Enabled = enabled;
        }
    }

    [Fact]
    public void A_batch_on_one_core_or_a_single_sample_offers_nothing()
    {
        Dataset<float> data = Data(130, 3, 9, seed: 9);
        var net = new SplitFirstLayer(seed: 3);
        ITrainingEngine<float> engine = ((IEngineBacked<float>)net).Engine;
        Dataset<float> large = Data(130, 3, 64, seed: 1);
        net.ZeroGradients();
        net.BackwardBatch(large.Features, large.Targets);
        Assert.True(engine.TryFoldedMaxMagnitude(0, out _));

        net.BackwardBatch(data.Features, data.Targets);   // 9 rows: one core, no fold; the 64 rows' max is stale
        Assert.False(engine.TryFoldedMaxMagnitude(0, out _));

        net.BackwardBatch(large.Features, large.Targets);
        net.Backward(data.Features.AsSpan(0, 130), data.Targets.AsSpan(0, 3));
        Assert.False(engine.TryFoldedMaxMagnitude(0, out _));
    }

    [Fact]
    public void A_NaN_parameter_makes_the_fold_s_answer_NaN()
    {
        Dataset<float> data = Data(130, 3, 64, seed: 2);
        var net = new SplitFirstLayer(seed: 3);
        net.Parameters[net.Parameters.Length - 1] = float.NaN;   // the last bias: every output and every δ is NaN
        net.ZeroGradients();
        net.BackwardBatch(data.Features, data.Targets);
        Assert.True(((IEngineBacked<float>)net).Engine.TryFoldedMaxMagnitude(0, out double max));
        Assert.True(double.IsNaN(max));
        Assert.True(double.IsNaN(FusedUpdate.MaxMagnitude<float>(net.Gradients)));
    }

    private static float[] Sum(float[] g, float[] h) => g.Zip(h, (a, b) => a + b).ToArray();

    private static Dataset<float> Data(int inputs, int outputs, int rows, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new float[rows * inputs];
        var y = new float[rows * outputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextGaussian();
        }

        for (int s = 0; s < rows; s++)
        {
            y[s * outputs + (int)(rng.NextDouble() * outputs)] = 1;
        }

        return new Dataset<float>(x, y, inputs, outputs);
    }
}
