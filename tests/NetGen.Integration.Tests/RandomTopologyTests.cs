using CsCheck;
using NetGen.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NetGen.Integration.Tests;

/// <summary>
/// Property-based: random topologies (depth 1–4, widths 1–70, random activations, α, batch normalization and
/// dropout) are generated, compiled and checked against finite differences and against the generic engine.
/// </summary>
public sealed class RandomTopologyTests(ITestOutputHelper output)
{
    private static readonly Activation[] s_hidden = [.. Specs.HiddenActivations, .. Specs.AddedActivations];

    /// <summary>Hidden indices past s_hidden pick a user-written activation (issue 15).</summary>
    private static readonly CustomActivation[] s_custom = TestFunctions.Activations;

    /// <summary>
    /// Output activation and loss; indices past them pick a user-written loss on an identity output. Mean absolute
    /// error is left to the matrix tests: its kink at a = y is not one the gradient check's probe can see.
    /// </summary>
    private static readonly (Activation Output, Loss Loss)[] s_outputs =
        [.. Specs.OutputCombinations, .. Specs.AddedOutputCombinations.Where(c => c.Loss != Loss.MeanAbsoluteError)];

    /// <summary>A random valid spec.</summary>
    public static readonly Gen<NetworkSpec> SpecGen =
        from input in Gen.Int[1, 70]
        from depth in Gen.Int[1, 4]
        from widths in Gen.Int[1, 70].Array[depth]
        from hidden in Gen.Int[0, s_hidden.Length + s_custom.Length - 1].Array[depth]
        from alphas in Gen.Double[0.0, 2.0].Array[depth]
        from givenAlpha in Gen.Bool.Array[depth]
        from batchNorm in Gen.Int[0, 5].Array[depth]
        from dropout in Gen.Int[0, 5].Array[depth + 1]
        from outputKind in Gen.Int[0, s_outputs.Length + TestFunctions.Losses.Length - 1]
        from precision in Gen.Bool
        select Build(input, widths, hidden, alphas, givenAlpha, batchNorm, dropout, outputKind, precision);

    private static NetworkSpec Build(int input, int[] widths, int[] hidden, double[] alphas, bool[] givenAlpha, int[] batchNorm, int[] dropout, int outputKind, bool isDouble)
    {
        var layers = new List<LayerSpec>();
        if (dropout[0] == 0)
        {
            layers.Add(new DropoutLayerSpec(0.2));
        }

        (Activation outputActivation, Loss loss) = outputKind < s_outputs.Length ? s_outputs[outputKind] : (Activation.Identity, Loss.Custom);
        for (int l = 0; l < widths.Length; l++)
        {
            bool last = l == widths.Length - 1;
            if (!last && hidden[l] >= s_hidden.Length)
            {
                layers.Add(new DenseLayerSpec(widths[l], s_custom[hidden[l] - s_hidden.Length]));
            }
            else
            {
                Activation activation = last ? outputActivation : s_hidden[hidden[l]];
                double alpha = givenAlpha[l] && ActivationInfo.HasAlpha(activation) ? Math.Round(alphas[l], 3) : double.NaN;
                layers.Add(new DenseLayerSpec(widths[l], activation, alpha));
            }

            if (batchNorm[l] == 0)
            {
                layers.Add(new BatchNormLayerSpec(0.9, 1e-3));
            }

            if (!last && dropout[l + 1] == 0)
            {
                layers.Add(new DropoutLayerSpec(0.3));
            }
        }

        Precision precision = isDouble ? Precision.Double : Precision.Single;
        return loss == Loss.Custom
            ? new NetworkSpec(input, layers, TestFunctions.Losses[outputKind - s_outputs.Length], precision)
            : new NetworkSpec(input, layers, loss, precision);
    }

    [Fact]
    public void Random_topologies_have_correct_gradients_and_match_the_generic_engine()
    {
        int checkedNetworks = 0, floatSkipped = 0;
        double worstGradient = 0, worstDoubleAgreement = 0, worstFloatAgreement = 0;
        SpecGen.Array[24].Sample(specs =>
        {
            var doubles = specs.Select(s => s.WithPrecision(Precision.Double)).ToArray();
            var floats = specs.Select(s => s.WithPrecision(Precision.Single)).ToArray();
            IReadOnlyList<Func<int, object>> doubleNets = DynamicNetworks.Compile(doubles);
            IReadOnlyList<Func<int, object>> floatNets = DynamicNetworks.Compile(floats);
            for (int i = 0; i < specs.Length; i++)
            {
                NetworkSpec spec = doubles[i];
                bool narrow = spec.Stages.All(s => s.InputSize * s.OutputSize <= 64);
                int count = spec.Stages.Any(s => s.BatchNorm is not null) ? 4 : narrow ? 11 : 3;   // 11 = 8 lanes + 3 rows for narrow nets
                (double[] x, double[] y) = TestData.Make(spec, count, seed: i);
                if (HasLossSeam(spec) || spec.Stages.Any(s => s.Dense.Function?.Name == TestFunctions.Knee.Name))
                {
                    // the test functions' seams (a jump of the second derivative) are not kinks the check's probe skips:
                    // data whose pass stays away from them, for the network of seed i
                    (x, y, _) = AwayFromKinks(spec, count, networkSeed: i, seed: i);
                }

                // Gradient check (a sample of at most 300 parameters per network keeps the suite fast).
                var net = (INetwork<double>)doubleNets[i](i);
                GradientCheckResult result = GradientCheck.Check(net, x, y, maxParameters: 300);
                Assert.True(result.MaxError <= 1e-6, $"{spec}: {result}");
                worstGradient = Math.Max(worstGradient, result.MaxError);

                // Generated ≡ generic, double, on a bigger batch (two 8-lane vectors + 3 rows; 4-row blocks).
                // The engines round differently (FMA, summation order), so data are drawn where no ReLU/ELU unit
                // sits within 1e-3 of its kink: there the two may legitimately take different branches in float.
                double margin;
                (x, y, margin) = AwayFromKinks(spec, 19, i + 100, seed: i + 50);
                var generated = (INetwork<double>)doubleNets[i](i + 100);
                var generic = new GenericNetwork<double>(spec, seed: i + 100);
                worstDoubleAgreement = Math.Max(worstDoubleAgreement, Agreement(generated, generic, x, y, spec, 1e-12));

                // Generated ≡ generic, float: only when no kink unit is within 1e-4 (float rounding of z is ~1e-6).
                if (margin < 1e-4)
                {
                    floatSkipped++;
                    checkedNetworks++;
                    continue;
                }

                var generatedF = (INetwork<float>)floatNets[i](i + 100);
                var genericF = new GenericNetwork<float>(floats[i], seed: i + 100);
                // Each float engine is measured against a double reference with the same (float-rounded) parameters,
                // data and dropout masks. How far float round-off may take a gradient depends on the network (batch norm
                // of nearly constant units is badly conditioned), so the generic engine's float error is sampled on six
                // rounding patterns (the parameters moved by random single ulps, each with its own reference): the
                // generated engine must stay within twice the worst of them (or 1e-5), and the engines must agree to
                // their two errors added (|g − G| ≤ |g − ref| + |G − ref|), with 10 % for the scales of the comparisons.
                float[] xf = TestData.ToFloat(x), yf = TestData.ToFloat(y);
                float[] parameters = genericF.Parameters.ToArray();
                double genericNoise = GenericFloatNoise(floats[i], spec, i + 100, parameters, xf, yf);
                double generatedNoise = FloatError((INetwork<float>)floatNets[i](i + 100), parameters, xf, yf, spec, i + 100);
                Assert.True(generatedNoise <= Math.Max(1e-5, 2 * genericNoise), $"{floats[i]}: the generated engine's float gradients are {generatedNoise:E2} from double, the generic engine's up to {genericNoise:E2}");
                double tolerance = Math.Max(1e-5, 1.1 * (genericNoise + generatedNoise));
                worstFloatAgreement = Math.Max(worstFloatAgreement, Agreement(generatedF, genericF, xf, yf, floats[i], tolerance));
                checkedNetworks++;
            }
        }, iter: 3, threads: 1);
        output.WriteLine($"{checkedNetworks} random networks: worst gradient error {worstGradient:E2}, generated vs generic {worstDoubleAgreement:E2} (double), {worstFloatAgreement:E2} (float; {floatSkipped} without data clear of kinks)");
        Assert.True(floatSkipped <= checkedNetworks / 5, $"{floatSkipped} of {checkedNetworks} networks had no data clear of their kinks");
    }

    private static (double[] X, double[] Y, double Margin) AwayFromKinks(NetworkSpec spec, int count, int networkSeed, int seed)
    {
        var twin = new GenericNetwork<double>(spec, networkSeed);
        (double[] X, double[] Y) best = default;
        double bestMargin = -1;
        for (int attempt = 0; attempt < 40; attempt++)
        {
            (double[] x, double[] y) = TestData.Make(spec, count, seed + 1000 * attempt);
            double margin = double.PositiveInfinity;
            twin.RandomState = Initializers.InitialRandomState(networkSeed);
            twin.ZeroGradients();
            twin.BackwardBatch(x, y);
            margin = Math.Min(margin, Margin(twin, spec, count, y));
            twin.ForwardBatch(x, new double[count * spec.OutputSize]);
            margin = Math.Min(margin, Margin(twin, spec, count, y));
            if (margin > bestMargin)
            {
                (best, bestMargin) = ((x, y), margin);
            }

            if (margin >= 1e-3)
            {
                break;
            }
        }

        return (best.X!, best.Y!, bestMargin);
    }

    /// <summary>Huber (δ = 1) and the test loss SmoothL1 change formula at |a − y| = 1, where their second derivative jumps.</summary>
    private static bool HasLossSeam(NetworkSpec spec) => spec.Loss == Loss.Huber || spec.LossFunction?.Name == TestFunctions.SmoothL1.Name;

    /// <summary>
    /// How far the last pass stayed from every seam the finite differences must not straddle: z = 0 of ReLU, leaky ReLU
    /// and ELU, z = 1 of the test activation Knee, and |a − y| = 1 of Huber and of the test loss SmoothL1 (piecewise, their
    /// second derivative jumps there).
    /// </summary>
    private static double Margin(GenericNetwork<double> twin, NetworkSpec spec, int count, double[] y)
    {
        double margin = double.PositiveInfinity;
        for (int l = 1; l <= spec.Stages.Count; l++)
        {
            DenseStage stage = spec.Stages[l - 1];
            double seam = stage.Activation is Activation.ReLU or Activation.LeakyReLU or Activation.ELU ? 0
                : stage.Dense.Function?.Name == TestFunctions.Knee.Name ? 1
                : double.NaN;
            if (!double.IsNaN(seam))
            {
                foreach (double v in twin.PreActivations(l, count))
                {
                    margin = Math.Min(margin, Math.Abs(v - seam));
                }
            }
        }

        if (HasLossSeam(spec))
        {
            ReadOnlySpan<double> a = twin.Activations(spec.Stages.Count, count);
            for (int i = 0; i < a.Length; i++)
            {
                margin = Math.Min(margin, Math.Abs(Math.Abs(a[i] - y[i]) - 1));
            }
        }

        return margin;
    }

    private static double Agreement<T>(INetwork<T> generated, GenericNetwork<T> generic, T[] x, T[] y, NetworkSpec spec, double tolerance)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int count = x.Length / spec.InputSize;
        var a = new T[count * spec.OutputSize];
        var b = new T[count * spec.OutputSize];
        generated.ForwardBatch(x, a);
        generic.ForwardBatch(x, b);
        double outputs = Compare.ScaledError(ToDouble(a), ToDouble(b));
        double lossA = double.CreateChecked(generated.BackwardBatch(x, y));
        double lossB = double.CreateChecked(generic.BackwardBatch(x, y));
        double gradients = Compare.ScaledError(ToDouble(generated.Gradients), ToDouble(generic.Gradients));
        double state = generic.State.Length == 0 ? 0 : Compare.ScaledError(ToDouble(generated.State), ToDouble(generic.State));
        double worst = Math.Max(Math.Max(outputs, gradients), Math.Max(Compare.Relative(lossA, lossB), state));
        Assert.True(worst <= tolerance, $"{spec}: outputs {outputs:E2}, loss {Compare.Relative(lossA, lossB):E2}, gradients {gradients:E2}, state {state:E2}");
        return worst;
    }

    /// <summary>The worst float error of the generic engine over six rounding patterns: the given parameters, then five times moved by random single ulps.</summary>
    private static double GenericFloatNoise(NetworkSpec floatSpec, NetworkSpec doubleSpec, int seed, float[] parameters, float[] x, float[] y)
    {
        var random = new Random(seed);
        double worst = 0;
        for (int k = 0; k < 6; k++)
        {
            float[] moved = parameters.Select(p => k == 0 ? p : random.Next(3) switch { 0 => MathF.BitDecrement(p), 1 => p, _ => MathF.BitIncrement(p) }).ToArray();
            worst = Math.Max(worst, FloatError(new GenericNetwork<float>(floatSpec, seed), moved, x, y, doubleSpec, seed));
        }

        return worst;
    }

    /// <summary>
    /// Scaled error of a fresh float network's batch gradients, with the given parameters, against the double generic
    /// engine's with the same parameters, data and dropout masks (the same seed).
    /// </summary>
    private static double FloatError(INetwork<float> network, float[] parameters, float[] x, float[] y, NetworkSpec doubleSpec, int seed)
    {
        parameters.CopyTo(network.Parameters);
        network.BackwardBatch(x, y);
        var reference = new GenericNetwork<double>(doubleSpec, seed);
        for (int p = 0; p < parameters.Length; p++)
        {
            reference.Parameters[p] = parameters[p];
        }

        reference.BackwardBatch(TestData.ToDouble(x), TestData.ToDouble(y));
        return Compare.ScaledError(ToDouble<float>(network.Gradients), reference.Gradients.ToArray());
    }

    private static double[] ToDouble<T>(ReadOnlySpan<T> values) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = double.CreateChecked(values[i]);
        }

        return result;
    }
}
