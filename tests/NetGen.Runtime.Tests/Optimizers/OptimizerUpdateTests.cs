using System.Numerics;

namespace NetGen.Runtime.Tests.Optimizers;

/// <summary>
/// Each optimizer over three steps against its published update rule written out by hand, in float and double, on
/// 3 parameters (scalar code) and on 37 (vector loops plus the scalar tail). η changes between steps, as under a schedule.
/// </summary>
public class OptimizerUpdateTests
{
    private const double FloatTolerance = 3e-6;
    private const double DoubleTolerance = 1e-12;
    private static readonly int[] Lengths = [3, 37];

    // ---- SGD ----

    [Theory, InlineData(true), InlineData(false)]
    public void Sgd_follows_the_rule(bool single)
    {
        double[] eta = [0.1, 0.05, 0.2];

        // θ ← θ − η g.
        OptimizerKit.HandRule byHand = (θ, g1, g2, g3) =>
        {
            double θ1 = θ - eta[0] * g1;
            double θ2 = θ1 - eta[1] * g2;
            double θ3 = θ2 - eta[2] * g3;
            return [θ1, θ2, θ3];
        };

        Check(single, () => new Sgd<float>(), () => new Sgd<double>(), eta, byHand);
    }

    // ---- Momentum (PyTorch) ----

    private static OptimizerKit.HandRule MomentumByHand(double[] eta, bool nesterov) => (θ, g1, g2, g3) =>
    {
        // PyTorch SGD, μ = 0.9, dampening 0: v ← μ v + g; θ ← θ − η v, or with Nesterov θ ← θ − η (g + μ v).
        double v1 = 0.9 * 0 + g1;
        double θ1 = θ - eta[0] * (nesterov ? g1 + 0.9 * v1 : v1);
        double v2 = 0.9 * v1 + g2;
        double θ2 = θ1 - eta[1] * (nesterov ? g2 + 0.9 * v2 : v2);
        double v3 = 0.9 * v2 + g3;
        double θ3 = θ2 - eta[2] * (nesterov ? g3 + 0.9 * v3 : v3);
        return [θ1, θ2, θ3];
    };

    [Theory, InlineData(true, false), InlineData(false, false), InlineData(true, true), InlineData(false, true)]
    public void Momentum_follows_the_PyTorch_rule(bool single, bool nesterov)
    {
        double[] eta = [0.1, 0.05, 0.2];
        Check(single, () => new Momentum<float>(0.1, 0.9, nesterov), () => new Momentum<double>(0.1, 0.9, nesterov), eta, MomentumByHand(eta, nesterov));
    }

    [Fact]
    public void Momentum_pinned_values()
    {
        // Parameter 1 (θ = 1; g = 0.5, 0.25, −1; η = 0.1; μ = 0.9):
        // classical: v = 0.5, 0.7, −0.37 → θ = 0.95, 0.88, 0.917
        // Nesterov:  θ = 1 − 0.1·0.95 = 0.905, 0.905 − 0.1·0.88 = 0.817, 0.817 − 0.1·(−1.333) = 0.9503
        double[] eta = [0.1, 0.1, 0.1];
        AssertClose([0.95, 0.88, 0.917], MomentumByHand(eta, false)(1, 0.5, 0.25, -1));
        AssertClose([0.905, 0.817, 0.9503], MomentumByHand(eta, true)(1, 0.5, 0.25, -1));
        AssertClose([0.917], [OptimizerKit.Run(new Momentum<double>(0.1), 3, 0.1)[0]]);
        AssertClose([0.9503], [OptimizerKit.Run(new Momentum<double>(0.1, nesterov: true), 3, 0.1)[0]]);
    }

    // ---- AdaGrad ----

    private static OptimizerKit.HandRule AdaGradByHand(double[] eta) => (θ, g1, g2, g3) =>
    {
        // G₀ = 0.1, ε = 1e-7: G ← G + g²; θ ← θ − η g / (√G + ε).
        double a1 = 0.1 + g1 * g1;
        double θ1 = θ - eta[0] * g1 / (Math.Sqrt(a1) + 1e-7);
        double a2 = a1 + g2 * g2;
        double θ2 = θ1 - eta[1] * g2 / (Math.Sqrt(a2) + 1e-7);
        double a3 = a2 + g3 * g3;
        double θ3 = θ2 - eta[2] * g3 / (Math.Sqrt(a3) + 1e-7);
        return [θ1, θ2, θ3];
    };

    [Theory, InlineData(true), InlineData(false)]
    public void AdaGrad_follows_the_rule(bool single)
    {
        double[] eta = [0.1, 0.05, 0.2];
        Check(single, () => new AdaGrad<float>(0.1, 0.1, 1e-7), () => new AdaGrad<double>(0.1, 0.1, 1e-7), eta, AdaGradByHand(eta));
    }

    [Fact]
    public void AdaGrad_pinned_value()
    {
        // θ = 1, g = 0.5, η = 0.1: G = 0.1 + 0.25 = 0.35, θ = 1 − 0.05 / (√0.35 + 1e-7) = 0.91548458881286…
        AssertClose([0.9154845888128602], [AdaGradByHand([0.1, 0.1, 0.1])(1, 0.5, 0.25, -1)[0]]);
        var optimizer = new AdaGrad<double>(0.1);
        double[] theta = [1];
        optimizer.Step(theta, [0.5]);
        AssertClose([0.9154845888128602], theta);
    }

    // ---- RMSprop ----

    private static OptimizerKit.HandRule RmsPropByHand(double[] eta, bool centered, bool momentum) => (θ, g1, g2, g3) =>
    {
        // ρ = 0.9, ε = 1e-7, μ = 0.5 when momentum:
        // s ← ρ s + (1 − ρ) g²; ḡ ← ρ ḡ + (1 − ρ) g; d = √s + ε (centered: √(s − ḡ²) + ε);
        // θ ← θ − η g / d, or with momentum b ← μ b + g / d; θ ← θ − η b.
        double mu = momentum ? 0.5 : 0;
        double s1 = 0.9 * 0 + 0.1 * g1 * g1, a1 = 0.9 * 0 + 0.1 * g1;
        double d1 = Math.Sqrt(centered ? s1 - a1 * a1 : s1) + 1e-7;
        double b1 = mu * 0 + g1 / d1;
        double θ1 = θ - eta[0] * b1;
        double s2 = 0.9 * s1 + 0.1 * g2 * g2, a2 = 0.9 * a1 + 0.1 * g2;
        double d2 = Math.Sqrt(centered ? s2 - a2 * a2 : s2) + 1e-7;
        double b2 = mu * b1 + g2 / d2;
        double θ2 = θ1 - eta[1] * b2;
        double s3 = 0.9 * s2 + 0.1 * g3 * g3, a3 = 0.9 * a2 + 0.1 * g3;
        double d3 = Math.Sqrt(centered ? s3 - a3 * a3 : s3) + 1e-7;
        double b3 = mu * b2 + g3 / d3;
        double θ3 = θ2 - eta[2] * b3;
        return [θ1, θ2, θ3];
    };

    [Theory]
    [InlineData(true, false, false), InlineData(false, false, false)]
    [InlineData(true, true, false), InlineData(false, true, false)]
    [InlineData(true, false, true), InlineData(false, false, true)]
    [InlineData(true, true, true), InlineData(false, true, true)]
    public void RmsProp_follows_the_rule(bool single, bool centered, bool momentum)
    {
        double[] eta = [0.01, 0.005, 0.02];
        double mu = momentum ? 0.5 : 0;
        Check(
            single,
            () => new RmsProp<float>(0.01, 0.9, 1e-7, mu, centered),
            () => new RmsProp<double>(0.01, 0.9, 1e-7, mu, centered),
            eta,
            RmsPropByHand(eta, centered, momentum));
    }

    [Fact]
    public void RmsProp_pinned_value()
    {
        // θ = 1, g = 0.5, η = 0.01: s = 0.1 · 0.25 = 0.025, θ = 1 − 0.005 / (√0.025 + 1e-7) = 0.96837724339830…
        var optimizer = new RmsProp<double>(0.01);
        double[] theta = [1];
        optimizer.Step(theta, [0.5]);
        AssertClose([0.9683772433983036], theta);
    }

    // ---- Adam and AdamW ----

    private static OptimizerKit.HandRule AdamByHand(double[] eta, double weightDecay) => (θ, g1, g2, g3) =>
    {
        // β1 = 0.9, β2 = 0.999, ε = 1e-8; decoupled decay θ ← θ − η λ θ first (AdamW on a weight), then
        // m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; θ ← θ − η (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε).
        double m1 = 0.9 * 0 + 0.1 * g1, v1 = 0.999 * 0 + 0.001 * g1 * g1;
        double θ1 = θ - eta[0] * weightDecay * θ;
        θ1 -= eta[0] * (m1 / (1 - 0.9)) / (Math.Sqrt(v1 / (1 - 0.999)) + 1e-8);
        double m2 = 0.9 * m1 + 0.1 * g2, v2 = 0.999 * v1 + 0.001 * g2 * g2;
        double θ2 = θ1 - eta[1] * weightDecay * θ1;
        θ2 -= eta[1] * (m2 / (1 - 0.9 * 0.9)) / (Math.Sqrt(v2 / (1 - 0.999 * 0.999)) + 1e-8);
        double m3 = 0.9 * m2 + 0.1 * g3, v3 = 0.999 * v2 + 0.001 * g3 * g3;
        double θ3 = θ2 - eta[2] * weightDecay * θ2;
        θ3 -= eta[2] * (m3 / (1 - 0.9 * 0.9 * 0.9)) / (Math.Sqrt(v3 / (1 - 0.999 * 0.999 * 0.999)) + 1e-8);
        return [θ1, θ2, θ3];
    };

    [Theory, InlineData(true), InlineData(false)]
    public void Adam_follows_the_textbook_rule(bool single)
    {
        double[] eta = [0.01, 0.005, 0.02];
        Check(single, () => new Adam<float>(0.01, 0.9, 0.999, 1e-8), () => new Adam<double>(0.01, 0.9, 0.999, 1e-8), eta, AdamByHand(eta, 0));
    }

    [Fact]
    public void Adam_pinned_value()
    {
        // Step 1 of Adam moves by η m̂ / (√v̂ + ε) = η g / (|g| + ε): θ = 1 − 0.01 · 0.5 / (0.5 + 1e-8) = 0.9900000002.
        var optimizer = new Adam<double>(0.01);
        double[] theta = [1];
        optimizer.Step(theta, [0.5]);
        AssertClose([0.9900000002], theta);
        Assert.Equal(1, optimizer.StepCount);
    }

    [Theory, InlineData(true), InlineData(false)]
    public void AdamW_decays_weights_only_and_follows_the_rule(bool single)
    {
        // Input(2) → Dense(1): [w1, w2, b]; Input(9) → Dense(4): 36 weights then 4 biases (vector loops and tail).
        double[] eta = [0.01, 0.005, 0.02];
        foreach (NetworkSpec spec in new[] { NetworkSpec.Input(2).Dense(1).Build(Loss.MeanSquaredError), NetworkSpec.Input(9).Dense(4).Build(Loss.MeanSquaredError) })
        {
            int weights = spec.Layout[0].Length;
            Assert.Equal(ParameterKind.Weights, spec.Layout[0].Kind);
            Func<int, OptimizerKit.HandRule> ruleFor = i => i < weights ? AdamByHand(eta, 0.1) : AdamByHand(eta, 0);
            if (single)
            {
                var optimizer = new AdamW<float>(0.01, 0.9, 0.999, 1e-8, weightDecay: 0.1);
                optimizer.Bind(spec);
                OptimizerKit.AssertTrajectory(optimizer, eta, spec.ParameterCount, ruleFor, FloatTolerance);
            }
            else
            {
                var optimizer = new AdamW<double>(0.01, 0.9, 0.999, 1e-8, weightDecay: 0.1);
                optimizer.Bind(spec);
                OptimizerKit.AssertTrajectory(optimizer, eta, spec.ParameterCount, ruleFor, DoubleTolerance);
            }
        }
    }

    [Fact]
    public void AdamW_with_zero_gradients_only_shrinks_the_weights()
    {
        // With g = 0 the Adam part is 0 / (0 + ε) = 0, so one step is exactly θ ← θ (1 − η λ) on weights, θ on the rest.
        NetworkSpec spec = NetworkSpec.Input(2).Dense(3).BatchNorm().Dense(2).Build(Loss.MeanSquaredError);
        var optimizer = new AdamW<double>(0.1, weightDecay: 0.5);
        optimizer.Bind(spec);
        double[] theta = Enumerable.Range(1, spec.ParameterCount).Select(i => (double)i).ToArray();
        double[] before = (double[])theta.Clone();
        optimizer.Step(theta, new double[spec.ParameterCount]);
        foreach (ParameterBlock block in spec.Layout)
        {
            for (int i = block.Offset; i < block.Offset + block.Length; i++)
            {
                double expected = block.Kind == ParameterKind.Weights ? before[i] * (1 - 0.1 * 0.5) : before[i];
                Assert.True(expected == theta[i], $"{block.Name}[{i - block.Offset}]: expected {expected}, got {theta[i]}.");
            }
        }
    }

    [Theory, InlineData(true), InlineData(false)]
    public void AdamW_with_zero_decay_is_Adam(bool single)
    {
        NetworkSpec spec = NetworkSpec.Input(5).Dense(3).Build(Loss.MeanSquaredError);
        if (single)
        {
            var adamW = new AdamW<float>(0.01, weightDecay: 0);
            adamW.Bind(spec);
            Assert.Equal(OptimizerKit.Run(new Adam<float>(0.01), spec.ParameterCount, 0.01), OptimizerKit.Run(adamW, spec.ParameterCount, 0.01));
        }
        else
        {
            var adamW = new AdamW<double>(0.01, weightDecay: 0);
            adamW.Bind(spec);
            Assert.Equal(OptimizerKit.Run(new Adam<double>(0.01), spec.ParameterCount, 0.01), OptimizerKit.Run(adamW, spec.ParameterCount, 0.01));
        }
    }

    // ---- helpers ----

    private static void Check(bool single, Func<IOptimizer<float>> createSingle, Func<IOptimizer<double>> createDouble, double[] eta, OptimizerKit.HandRule byHand)
    {
        foreach (int length in Lengths)
        {
            if (single)
            {
                OptimizerKit.AssertTrajectory(createSingle(), eta, length, _ => byHand, FloatTolerance);
            }
            else
            {
                OptimizerKit.AssertTrajectory(createDouble(), eta, length, _ => byHand, DoubleTolerance);
            }
        }
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            OptimizerKit.AssertClose(expected[i], actual[i], 1e-12, $"value {i}");
        }
    }
}
