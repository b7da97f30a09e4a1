using NetGen.Integration.Tests.Infrastructure;

namespace NetGen.Integration.Tests;

/// <summary>
/// <see cref="ITrainingOutputs{T}"/>: the outputs a^L a training call keeps (for the training metrics of the training
/// pass) are those of the forward pass it ran — the inference outputs with the same parameters where training and
/// inference agree, and the generic engine's (same dropout masks, same batch statistics) where they do not — on every
/// kernel shape: lane kernels (whole vectors, remainders, single rows), tile passes, wide layers, two cores.
/// </summary>
public sealed class TrainingOutputsTests
{
    private static NetworkSpec Spec(string name) => name switch
    {
        "lanes, softmax" => NetworkSpec.Input(2).Dense(3, Activation.Tanh).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double),
        "lanes, one output" => NetworkSpec.Input(2).Dense(2, Activation.Sigmoid).Dense(1).Build(Loss.MeanSquaredError, Precision.Double),
        "wide" => NetworkSpec.Input(5).Dense(40, Activation.Sigmoid).Dense(3).Build(Loss.MeanSquaredError, Precision.Double),
        "two cores" => NetworkSpec.Input(20).Dense(64, Activation.ReLU).Dense(10, Activation.Softmax).Build(Loss.CrossEntropy, Precision.Double),
        _ => NetworkSpec.Input(6).Dropout(0.2).Dense(12, Activation.ReLU).BatchNorm().Dropout(0.3).Dense(2, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy, Precision.Double),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "lanes, softmax", "lanes, one output", "wide", "dropout and batch norm" })
        {
            foreach (int count in new[] { 1, 3, 11, 37 })
            {
                data.Add(name, count);
            }
        }

        data.Add("two cores", 1500);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_calls_keep_the_outputs_of_their_forward_pass(string name, int count)
    {
        NetworkSpec spec = Spec(name);
        bool sameAsInference = !spec.HasTrainingBehavior;
        (double[] x, double[] y) = TestData.Make(spec, count, seed: count);
        var generated = DynamicNetworks.Create<double>(spec, seed: 3);
        var generic = new GenericNetwork<double>(spec, seed: 3);
        var keepGenerated = (ITrainingOutputs<double>)generated;
        Assert.True(keepGenerated.TrainingOutputs.IsEmpty);
        generated.BackwardBatch(x, y);
        Assert.True(keepGenerated.TrainingOutputs.IsEmpty);   // off by default

        keepGenerated.KeepTrainingOutputs = true;
        generic.KeepTrainingOutputs = true;
        var inference = new double[count * spec.OutputSize];
        generated.ForwardBatch(x, inference);
        ulong dropoutKey = generated.RandomState;
        generic.RandomState = dropoutKey;

        // BackwardBatch
        generated.BackwardBatch(x, y);
        generic.BackwardBatch(x, y);
        double[] kept = keepGenerated.TrainingOutputs.ToArray();
        Assert.Equal(count * spec.OutputSize, kept.Length);
        Assert.True(Compare.ScaledError(kept, generic.TrainingOutputs) <= 1e-12, $"{name}, {count} rows: kept outputs differ from the generic engine's");
        if (sameAsInference)
        {
            Assert.True(Compare.ScaledError(kept, inference) <= 1e-12, $"{name}, {count} rows: kept outputs differ from ForwardBatch's");
        }

        // TrainStep (fused or through the gradients) keeps the outputs of the parameters before its step
        generated.RandomState = dropoutKey;
        ((ISgdStep<double>)generated).TrainStep(x, y, 0.1);
        Assert.True(Compare.ScaledError(keepGenerated.TrainingOutputs, kept) <= 1e-12, $"{name}, {count} rows: TrainStep kept other outputs");

        // Backward of one row
        if (count == 1)
        {
            var one = DynamicNetworks.Create<double>(spec, seed: 3);
            ((ITrainingOutputs<double>)one).KeepTrainingOutputs = true;
            one.RandomState = dropoutKey;
            one.Backward(x, y);
            Assert.True(Compare.ScaledError(((ITrainingOutputs<double>)one).TrainingOutputs, kept) <= 1e-12, $"{name}: Backward kept other outputs");
        }

        keepGenerated.KeepTrainingOutputs = false;
        generated.BackwardBatch(x, y);
        Assert.True(keepGenerated.TrainingOutputs.IsEmpty);
    }
}
