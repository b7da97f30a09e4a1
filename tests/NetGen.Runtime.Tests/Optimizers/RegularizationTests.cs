namespace NetGen.Runtime.Tests.Optimizers;

/// <summary>L1/L2 weight penalties and gradient clipping.</summary>
public class RegularizationTests
{
    // ---- WeightPenalty ----

    [Fact]
    public void Penalty_by_hand_on_a_tiny_network()
    {
        // Input(2) → Dense(1): θ = [w1, w2, b] = [2, −3, 5], g = [0.1, 0.2, 0.3], λ1 = 0.3, λ2 = 0.7.
        // R = 0.3 (2 + 3) + 0.7/2 (4 + 9) = 1.5 + 4.55 = 6.05
        // ∂R/∂w1 = 0.3 + 0.7·2 = 1.7; ∂R/∂w2 = −0.3 + 0.7·(−3) = −2.4; the bias is not penalized.
        NetworkSpec spec = NetworkSpec.Input(2).Dense(1).Build(Loss.MeanSquaredError);
        double[] theta = [2, -3, 5];
        double[] g = [0.1, 0.2, 0.3];
        double r = WeightPenalty.AddPenalty<double>(spec, theta, g, 0.3, 0.7);
        Assert.Equal(6.05, r, 1e-14);
        Assert.Equal(0.1 + 1.7, g[0], 1e-14);
        Assert.Equal(0.2 - 2.4, g[1], 1e-14);
        Assert.Equal(0.3, g[2]);

        float[] thetaF = [2, -3, 5];
        float[] gF = [0.1f, 0.2f, 0.3f];
        float rF = WeightPenalty.AddPenalty<float>(spec, thetaF, gF, 0.3, 0.7);
        Assert.Equal(6.05f, rF, 1e-5f);
        Assert.Equal(1.8f, gF[0], 1e-6f);
        Assert.Equal(-2.2f, gF[1], 1e-6f);
        Assert.Equal(0.3f, gF[2]);
    }

    [Fact]
    public void L1_uses_sign_zero_at_zero()
    {
        NetworkSpec spec = NetworkSpec.Input(2).Dense(1).Build(Loss.MeanSquaredError);
        double[] theta = [0, -0.5, 0];
        double[] g = [0, 0, 0];
        double r = WeightPenalty.AddPenalty<double>(spec, theta, g, 0.25, 0);
        Assert.Equal(0.25 * 0.5, r);
        Assert.Equal([0, -0.25, 0], g);
    }

    [Fact]
    public void Zero_coefficients_change_nothing()
    {
        NetworkSpec spec = NetworkSpec.Input(3).Dense(4).Build(Loss.MeanSquaredError);
        double[] theta = Enumerable.Range(0, spec.ParameterCount).Select(i => i - 7.5).ToArray();
        double[] g = Enumerable.Range(0, spec.ParameterCount).Select(i => 0.1 * i).ToArray();
        double[] before = (double[])g.Clone();
        Assert.Equal(0, WeightPenalty.AddPenalty<double>(spec, theta, g, 0, 0));
        Assert.Equal(before, g);
    }

    [Fact]
    public void Penalty_gradient_matches_central_differences_and_skips_biases_gamma_beta()
    {
        // 3·9 + 9 + 9 + 9 + 9·2 + 2 parameters: W1 (27, vector loop and tail), b1, γ1, β1, W2, b2.
        NetworkSpec spec = NetworkSpec.Input(3).Dense(9, Activation.Tanh).BatchNorm().Dense(2).Build(Loss.MeanSquaredError);
        var random = new Random(11);
        double[] theta = new double[spec.ParameterCount];
        for (int i = 0; i < theta.Length; i++)
        {
            double magnitude = 0.05 + random.NextDouble(); // away from 0, where |w| has no derivative
            theta[i] = random.Next(2) == 0 ? magnitude : -magnitude;
        }

        const double l1 = 0.03, l2 = 0.2, h = 1e-6;
        double[] initial = Enumerable.Range(0, theta.Length).Select(i => Math.Cos(i)).ToArray();
        double[] g = (double[])initial.Clone();
        double r = WeightPenalty.AddPenalty<double>(spec, theta, g, l1, l2);
        Assert.True(r > 0);

        double[] scratch = new double[theta.Length];
        foreach (ParameterBlock block in spec.Layout)
        {
            for (int i = block.Offset; i < block.Offset + block.Length; i++)
            {
                double saved = theta[i];
                theta[i] = saved + h;
                double plus = WeightPenalty.AddPenalty<double>(spec, theta, scratch, l1, l2);
                theta[i] = saved - h;
                double minus = WeightPenalty.AddPenalty<double>(spec, theta, scratch, l1, l2);
                theta[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                double analytic = g[i] - initial[i];
                Assert.True(Math.Abs(numeric - analytic) <= 1e-7, $"{block.Name}[{i - block.Offset}]: analytic {analytic}, numeric {numeric}.");
                if (!block.IsPenalized)
                {
                    Assert.Equal(initial[i], g[i]); // untouched, bit for bit
                }
                else
                {
                    Assert.NotEqual(0, analytic);
                }
            }
        }

        // The float path agrees with the double one.
        float[] thetaF = theta.Select(x => (float)x).ToArray();
        float[] gF = initial.Select(x => (float)x).ToArray();
        float rF = WeightPenalty.AddPenalty<float>(spec, thetaF, gF, l1, l2);
        Assert.Equal(r, rF, 1e-5 * r);
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(g[i], gF[i], 1e-5);
        }
    }

    [Fact]
    public void Penalty_validates_its_arguments()
    {
        NetworkSpec spec = NetworkSpec.Input(2).Dense(1).Build(Loss.MeanSquaredError);
        Assert.Equal("l1", Assert.Throws<ArgumentOutOfRangeException>(() => WeightPenalty.AddPenalty<double>(spec, new double[3], new double[3], -1, 0)).ParamName);
        Assert.Equal("l2", Assert.Throws<ArgumentOutOfRangeException>(() => WeightPenalty.AddPenalty<double>(spec, new double[3], new double[3], 0, double.NaN)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => WeightPenalty.AddPenalty<double>(spec, new double[2], new double[3], 0, 0)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => WeightPenalty.AddPenalty<double>(spec, new double[3], new double[4], 0, 0)).ParamName);
    }

    // ---- GradientClipping ----

    [Fact]
    public void ClipByGlobalNorm_scales_to_the_limit_keeping_the_direction()
    {
        double[] g = [3, 4];
        Assert.Equal(5, GradientClipping.ClipByGlobalNorm<double>(g, 1));
        Assert.Equal(0.6, g[0], 1e-15);
        Assert.Equal(0.8, g[1], 1e-15);

        // 37 values: vector loop and tail; the ratio after / before is the same for all, and the new norm is the limit.
        foreach (bool single in new[] { true, false })
        {
            double[] values = Enumerable.Range(0, 37).Select(i => Math.Sin(i) * (i + 1)).ToArray();
            double norm = Math.Sqrt(values.Sum(v => v * v));
            double[] after = single ? Clip(values.Select(v => (float)v).ToArray(), 2.5) : Clip(values.ToArray(), 2.5);
            double tolerance = single ? 1e-6 : 1e-13;
            Assert.Equal(2.5, Math.Sqrt(after.Sum(v => v * v)), tolerance * 10);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.Equal(values[i] * 2.5 / norm, after[i], tolerance);
            }
        }

        static double[] Clip<T>(T[] values, double maxNorm) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            double expectedNorm = Math.Sqrt(values.Sum(v => double.CreateChecked(v) * double.CreateChecked(v)));
            Assert.Equal(expectedNorm, GradientClipping.ClipByGlobalNorm<T>(values, maxNorm), expectedNorm * 1e-12);
            return values.Select(v => double.CreateChecked(v)).ToArray();
        }
    }

    [Fact]
    public void ClipByGlobalNorm_leaves_small_gradients_alone()
    {
        double[] g = [0.3, -0.4];
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm<double>(g, 0.5), 1e-15); // at the limit: unchanged
        Assert.Equal([0.3, -0.4], g);
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm<double>(g, double.PositiveInfinity), 1e-15);
        Assert.Equal([0.3, -0.4], g);
        Assert.Equal(0, GradientClipping.ClipByGlobalNorm<double>([], 1));
    }

    [Fact]
    public void ClipByGlobalNorm_returns_NaN_and_infinity_without_scaling()
    {
        double[] withNaN = [double.NaN, 1, 2];
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm<double>(withNaN, 1)));
        Assert.True(double.IsNaN(withNaN[0]));
        Assert.Equal([1.0, 2.0], withNaN[1..]);

        float[] withInfinity = [float.PositiveInfinity, 1, 2];
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipByGlobalNorm<float>(withInfinity, 1));
        Assert.Equal([float.PositiveInfinity, 1, 2], withInfinity);

        double[] both = [double.NegativeInfinity, double.NaN];
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm<double>(both, 1)));
    }

    [Fact]
    public void Global_norm_does_not_overflow_for_finite_gradients()
    {
        // Float: 3e20² overflows float but not the double accumulator.
        float[] f = [3e20f, 4e20f];
        Assert.Equal(5e20, GradientClipping.ClipByGlobalNorm<float>(f, 1), 5e20 * 1e-6);
        Assert.Equal(0.6f, f[0], 1e-6f);
        Assert.Equal(0.8f, f[1], 1e-6f);

        // Double: 3e200² overflows double; the norm is rescaled by the largest magnitude.
        double[] d = [3e200, 4e200];
        Assert.Equal(5e200, GradientClipping.ClipByGlobalNorm<double>(d, 1), 5e200 * 1e-15);
        Assert.Equal(0.6, d[0], 1e-15);
        Assert.Equal(0.8, d[1], 1e-15);
    }

    [Fact]
    public void ClipByValue_limits_each_value()
    {
        double[] d = Enumerable.Range(0, 37).Select(i => (i - 18) / 6.0).ToArray(); // −3 … 3
        double[] before = (double[])d.Clone();
        GradientClipping.ClipByValue<double>(d, 1);
        for (int i = 0; i < d.Length; i++)
        {
            Assert.Equal(Math.Clamp(before[i], -1, 1), d[i]);
        }

        float[] f = [-3, 0.5f, 2, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.25f];
        GradientClipping.ClipByValue<float>(f, 1);
        Assert.Equal(-1, f[0]);
        Assert.Equal(0.5f, f[1]);
        Assert.Equal(1, f[2]);
        Assert.True(float.IsNaN(f[3]));
        Assert.Equal(1, f[4]);
        Assert.Equal(-1, f[5]);
        Assert.Equal(-0.25f, f[6]);

        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue<float>(f, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue<float>(f, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm<float>(f, 0));
    }

    [Fact]
    public void BlockNorms_sums_all_blocks_of_each_layer()
    {
        // Layer 1: W1 (4), b1 (2), γ1 (2), β1 (2) = values 1..10; layer 2: W2 (2), b2 (1) = values 11..13.
        NetworkSpec spec = NetworkSpec.Input(2).Dense(2).BatchNorm().Dense(1).Build(Loss.MeanSquaredError);
        float[] g = Enumerable.Range(1, 13).Select(i => (float)i).ToArray();
        double[] norms = new double[2];
        GradientClipping.BlockNorms<float>(spec, g, norms);
        Assert.Equal(Math.Sqrt(1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81 + 100), norms[0], 1e-12); // √385
        Assert.Equal(Math.Sqrt(121 + 144 + 169), norms[1], 1e-12); // √434

        Assert.Equal("normsPerLayer", Assert.Throws<ArgumentException>(() => GradientClipping.BlockNorms<float>(spec, g, new double[3])).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => GradientClipping.BlockNorms<float>(spec, new float[12], norms)).ParamName);
    }
}
