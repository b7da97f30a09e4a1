using System.Numerics;

namespace NetGen.Runtime.Tests.Training;

/// <summary>37 → 29 (ReLU) → 5 (softmax): W1's 29 columns are a whole panel of 16 and a part (one vector and 5 lanes), its 37 rows 6 blocks of 6 and one of 1.</summary>
[Network(Loss.CrossEntropy)]
[Input(37)]
[Dense(29, Activation.ReLU)]
[Dense(5, Activation.Softmax)]
public partial class NarrowFirstLayer { }

/// <summary>130 → 260 (tanh) → 3 (softmax): 33,800 weights in W1, split by columns over two cores (8 panels of 16 and 9, the last one part of a panel); batches of 64 rows or more run as two parts.</summary>
[Network(Loss.CrossEntropy)]
[Input(130)]
[Dense(260, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class SplitFirstLayer { }

/// <summary>140 → 256 (ReLU) → 4 (softmax): W1's rows a whole number of panels, so each band of rows goes to the update in one piece; split over two cores.</summary>
[Network(Loss.CrossEntropy)]
[Input(140)]
[Dense(256, Activation.ReLU)]
[Dense(4, Activation.Softmax)]
public partial class WholePanelFirstLayer { }

/// <summary>60 → 40 (a user-written activation, differentiated by the generator) → 3 (softmax): δ1 comes from the generated σ'.</summary>
[Network(Loss.CrossEntropy)]
[Input(60)]
[Dense(40, nameof(Softsign))]
[Dense(3, Activation.Softmax)]
public partial class CustomFirstLayer
{
    /// <summary>z / (1 + |z|).</summary>
    [ActivationFunction] public static float Softsign(float z) => z / (1 + System.MathF.Abs(z));
}

/// <summary>80 → 40 (ReLU, batch-normalized) → 2: its first layer's gradients go through batch normalization, so they stay in the gradient buffer.</summary>
[Network(Loss.MeanSquaredError)]
[Input(80)]
[Dense(40, Activation.ReLU)]
[BatchNorm]
[Dense(2)]
public partial class NormalizedFirstLayer { }

/// <summary>41 → 18 (sigmoid) → 1, MSE, in double: two vectors of 4 and the rest of a panel of 8, and a one-unit output layer.</summary>
[Network(Loss.MeanSquaredError, Precision = Precision.Double)]
[Input(41)]
[Dense(18, Activation.Sigmoid)]
[Dense(1)]
public partial class DoubleFirstLayer { }

/// <summary>
/// Issue 12, the optimizer inside the step: with <see cref="FitOptions.UpdateInsideInputLayer"/> the fused update forms
/// ∂C/∂W1 and ∂C/∂b1 from δ1 inside its own pass over W1 (<see cref="InputLayerPass"/>). Every optimizer, with and
/// without penalties and clipping, on one core or two, must give the parameters the gradient buffer gives, bit for bit;
/// and the sums it forms for a guarded step must be those back-propagation writes.
/// </summary>
public sealed class InputLayerUpdateTests
{
    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (string optimizer in NetGen.Optimizers.Names)
        {
            data.Add(optimizer, optimizer == "sgd" ? "clip" : "plain", 16);   // plain SGD takes the network's own fused step instead
            data.Add(optimizer, "l1+l2+clip", 7);
            data.Add(optimizer, "l2", 100);
        }

        data.Add("adamw", "plain", 1);
        return data;
    }

    private static IOptimizer<T> Create<T>(string name) where T : unmanaged, IFloatingPointIeee754<T> =>
        NetGen.Optimizers.Create<T>(name, name is "sgd" or "momentum" or "nesterov" ? 0.05 : 0.005);

    private static FitOptions Options(string extra, int batch) => new()
    {
        Epochs = 2,
        BatchSize = batch,
        Seed = 3,
        TrainingMetrics = false,
        L1 = extra.Contains("l1", StringComparison.Ordinal) ? 1e-4 : 0,
        L2 = extra.Contains("l2", StringComparison.Ordinal) ? 1e-3 : 0,
        ClipValue = extra.Contains("clip", StringComparison.Ordinal) ? 0.02 : null,
    };

    private static Dataset<T> Data<T>(int inputs, int outputs, bool classes, int rows, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new SplitMix64((ulong)seed);
        var x = new T[rows * inputs];
        var y = new T[rows * outputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateChecked(rng.NextGaussian());
        }

        for (int s = 0; s < rows; s++)
        {
            if (classes)
            {
                // a class that depends on the inputs, so that training has something to learn
                int c = (int)(Math.Abs(double.CreateChecked(x[s * inputs] + x[s * inputs + 1])) * outputs) % outputs;
                y[s * outputs + c] = T.One;
            }
            else
            {
                y[s] = T.CreateChecked(Math.Tanh(double.CreateChecked(x[s * inputs] * x[s * inputs + 2])));
            }
        }

        return new Dataset<T>(x, y, inputs, outputs);
    }

    private static void Same<T, TNet>(Func<TNet> create, Dataset<T> data, string optimizer, string extra, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TNet : INetwork<T>
    {
        TNet separate = create(), inside = create();
        Assert.True(((IEngineBacked<T>)inside).Engine.CanDeferInputLayer(batch));
        FitOptions options = Options(extra, batch);
        TrainingHistory a = separate.Fit(data, Create<T>(optimizer), options);
        TrainingHistory b = inside.Fit(data, Create<T>(optimizer), options with { UpdateInsideInputLayer = true });

        Assert.NotEqual(create().Parameters.ToArray(), inside.Parameters.ToArray());
        Assert.Equal(separate.Parameters.ToArray(), inside.Parameters.ToArray());
        for (int e = 0; e < a.Epochs.Count; e++)
        {
            // The penalty's sums are added in another order: the reported losses agree to rounding.
            Assert.Equal(a.Epochs[e].Train.Loss, b.Epochs[e].Train.Loss, 1e-6 * Math.Max(1, Math.Abs(a.Epochs[e].Train.Loss)));
        }

        Assert.Equal(a.GuardedSteps, b.GuardedSteps);   // the same steps guarded (none, but for a network whose pass the bound cannot clear)
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_update_inside_the_first_layer_gives_the_parameters_of_the_gradient_buffer(string optimizer, string extra, int batch)
    {
        Same(() => new NarrowFirstLayer(seed: 2), Data<float>(37, 5, classes: true, 130, seed: 1), optimizer, extra, batch);
        Same(() => new DoubleFirstLayer(seed: 2), Data<double>(41, 1, classes: false, 130, seed: 2), optimizer, extra, batch);
        Same(() => new CustomFirstLayer(seed: 2), Data<float>(60, 3, classes: true, 130, seed: 5), optimizer, extra, batch);
    }

    [Theory]
    [InlineData("adam", "plain", 100)]
    [InlineData("rmsprop", "l1+l2+clip", 64)]
    [InlineData("nesterov", "l2", 37)]
    [InlineData("adagrad", "plain", 256)]
    public void A_first_layer_split_over_two_cores_gives_the_same_parameters_on_one_core_or_two(string optimizer, string extra, int batch)
    {
        Dataset<float> data = Data<float>(130, 3, classes: true, 300, seed: 3);
        Dataset<float> whole = Data<float>(140, 4, classes: true, 300, seed: 4);
        bool enabled = Parallelism.Enabled;
        try
        {
            Same(() => new SplitFirstLayer(seed: 5), data, optimizer, extra, batch);
            Same(() => new WholePanelFirstLayer(seed: 5), whole, optimizer, extra, batch);
            Parallelism.Enabled = false;   // the second part then runs after the first, on this core
            Same(() => new SplitFirstLayer(seed: 5), data, optimizer, extra, batch);
            Same(() => new WholePanelFirstLayer(seed: 5), whole, optimizer, extra, batch);
        }
        finally
        {
            Parallelism.Enabled = enabled;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(64)]
    [InlineData(130)]
    public void The_sums_formed_for_a_guarded_step_are_those_back_propagation_writes(int rows)
    {
        Dataset<float> data = Data<float>(130, 3, classes: true, rows, seed: rows);
        var reference = new SplitFirstLayer(seed: 7);
        var deferred = new SplitFirstLayer(seed: 7);
        reference.ZeroGradients();
        float expectedLoss = reference.BackwardBatch(data.Features, data.Targets);

        ITrainingEngine<float> engine = ((IEngineBacked<float>)deferred).Engine;
        deferred.Gradients.Fill(float.NaN);   // what back-propagation leaves alone must be formed, not kept
        Assert.Equal(expectedLoss, engine.BackwardDeferringInputLayer(data.Features, data.Targets));
        InputLayerGradients<float> layer = engine.DeferredInputLayer(data.Features);
        Assert.True(float.IsNaN(deferred.Gradients[0]));
        Assert.Equal(reference.Gradients.Slice(layer.RestStart).ToArray(), deferred.Gradients.Slice(layer.RestStart).ToArray());
        InputLayerPass.Form(layer, deferred.Gradients);

        Assert.Equal(reference.Gradients.ToArray(), deferred.Gradients.ToArray());

        // and the bound taken before the update holds: |∂C/∂W1_jk| ≤ max|x| · max_j Σ_s |δ1_sj|
        double bound = engine.DeferredDeltaBound() * Math.Max(1, FusedUpdate.MaxMagnitude<float>(data.Features));
        Assert.True(bound >= FusedUpdate.MaxMagnitude<float>(reference.Gradients.Slice(0, layer.RestStart)));
    }

    [Fact]
    public void Networks_whose_first_layer_is_written_out_or_normalized_keep_the_gradient_buffer()
    {
        Assert.False(new QuadraticFit() is IEngineBacked<float>);   // a lane network: every layer written out
        Assert.False(new NormalizedFirstLayer() is IEngineBacked<float>);   // batch normalization after the first layer
        Assert.True(new NarrowFirstLayer() is IEngineBacked<float>);
    }
}
