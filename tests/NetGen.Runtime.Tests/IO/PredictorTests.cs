using System.Numerics;
using static NetGen.Runtime.Tests.IO.IoTestSupport;

namespace NetGen.Runtime.Tests.IO;

/// <summary>Predictor&lt;T&gt;: raw rows in, the network's outputs in original units (or labels) out, exactly as scaling by hand would give.</summary>
public sealed class PredictorTests
{
    /// <summary>Raw rows with features of very different offsets and spreads (feature j ~ 100·j ± 10^j).</summary>
    internal static T[] RawRows<T>(int count, int width, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new SplitMix64(seed);
        var x = new T[count * width];
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % width;
            x[i] = T.CreateChecked(Math.Pow(10, j % 4) * (rng.NextDouble() * 4 - 1) + 100 * (j % 7));
        }

        return x;
    }

    /// <summary>scaler.TransformInPlace → ForwardBatch → target.InverseTransformInPlace, by hand.</summary>
    internal static T[] ByHand<T>(INetwork<T> network, Preprocessing preprocessing, T[] raw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = (T[])raw.Clone();
        preprocessing.InputScaling?.TransformInPlace<T>(x);
        T[] y = Outputs(network, x);
        preprocessing.TargetScaling?.InverseTransformInPlace<T>(y);
        return y;
    }

    public static TheoryData<string, int> Cases() => new()
    {
        { "standard", 3 }, { "minmax", 3 }, { "none", 3 }, { "standard", 300 }, { "minmax", 300 },
    };

    private static FeatureScaler? Scaler(string kind, float[] rows, int width) => kind switch
    {
        "standard" => Standardizer.Fit<float>(rows, width),
        "minmax" => MinMaxScaler.Fit<float>(rows, width),
        _ => null,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_equal_scale_forward_unscale_by_hand_bit_for_bit(string scaling, int inputs)
    {
        // 300 inputs: wider than Predictor.StackValues, so a single row is scaled in a rented buffer.
        Check<float>(scaling, inputs);
        Check<double>(scaling, inputs);
    }

    private static void Check<T>(string scaling, int inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        NetworkSpec spec = NetworkSpec.Input(inputs).Dense(9, Activation.Tanh).BatchNorm().Dense(2).Build(Loss.MeanSquaredError, ValueCodec.PrecisionOf<T>());
        var net = new GenericNetwork<T>(spec, 1);
        Randomize(net, 4);
        float[] fit = RawRows<float>(40, inputs, 1);
        float[] targets = RawRows<float>(40, 2, 2);
        var preprocessing = new Preprocessing(Scaler(scaling, fit, inputs), targetScaling: Standardizer.Fit<float>(targets, 2));
        var predictor = new Predictor<T>(net, preprocessing);

        T[] raw = RawRows<T>(7, inputs, 3);
        T[] expected = ByHand(net, preprocessing, raw);

        var batch = new T[expected.Length];
        predictor.PredictBatch(raw, batch);
        AssertBitsEqual<T>(expected, batch, "PredictBatch");

        var withScratch = new T[expected.Length];
        predictor.PredictBatch(raw, withScratch, new T[raw.Length + 5]);
        AssertBitsEqual<T>(expected, withScratch, "PredictBatch with scratch");

        for (int s = 0; s < 7; s++)
        {
            // One row by hand goes through Forward, as Predict does.
            T[] row = raw.AsSpan(s * inputs, inputs).ToArray();
            preprocessing.InputScaling?.TransformInPlace<T>(row);
            var single = new T[2];
            net.Forward(row, single);
            preprocessing.TargetScaling!.InverseTransformInPlace<T>(single);
            AssertBitsEqual<T>(single, predictor.Predict(raw.AsSpan(s * inputs, inputs)), $"Predict of row {s}");
        }

        // The raw rows are not modified.
        AssertBitsEqual<T>(RawRows<T>(7, inputs, 3), raw, "raw rows");
    }

    [Fact]
    public void A_generated_network_predicts_labels_as_argmax_of_its_outputs_on_scaled_rows()
    {
        var net = new DigitsNet(3);
        Train(net, steps: 2, seed: 1);
        float[] fit = RawRows<float>(50, 64, 8);
        string[] labels = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        var preprocessing = new Preprocessing(Standardizer.Fit<float>(fit, 64), labels);
        var predictor = new Predictor<float>(net, preprocessing);

        float[] raw = RawRows<float>(30, 64, 9);
        float[] outputs = ByHand(net, preprocessing, raw);
        string[] predicted = predictor.PredictLabels(raw);
        var classes = new int[30];
        predictor.PredictClasses(raw, classes);
        for (int s = 0; s < 30; s++)
        {
            int expected = Evaluation.ClassOf<float>(outputs.AsSpan(10 * s, 10));
            Assert.Equal(expected, classes[s]);
            Assert.Equal(labels[expected], predicted[s]);
            Assert.Equal(labels[expected], predictor.PredictLabel(raw.AsSpan(64 * s, 64)));
            Assert.Equal(expected, predictor.PredictClass(raw.AsSpan(64 * s, 64)));
        }

        Assert.True(predicted.Distinct().Count() > 1, "the rows should not all get one class");
    }

    [Fact]
    public void A_single_sigmoid_output_is_class_1_from_one_half_on()
    {
        // a = σ(x′₀) with x′₀ = (x₀ − 10) / 4: class "yes" exactly when x₀ ≥ 10 (σ(0) = 0.5 is "yes").
        var net = new GenericNetwork<double>(NetworkSpec.Input(2).Dense(1, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy, Precision.Double), 1);
        net.Parameters.Clear();
        net.Parameters[0] = 1;   // W[0, 0]: from input 0
        var predictor = new Predictor<double>(net, new Preprocessing(new Standardizer([10.0, -3.0], [4.0, 2.0]), ["no", "yes"]));
        Assert.Equal("yes", predictor.PredictLabel([10.0, 1e6]));
        Assert.Equal("yes", predictor.PredictLabel([10.5, 0]));
        Assert.Equal("no", predictor.PredictLabel([9.999, 0]));
        Assert.Equal(["no", "yes", "yes"], predictor.PredictLabels([-5, 0, 10, 0, 50, 0]));
        Assert.Equal(0.5, predictor.Predict([10.0, 7.0])[0]);
    }

    [Fact]
    public void Predictions_allocate_nothing_once_warm()
    {
        var net = new GenericNetwork<float>(NetworkSpec.Input(5).Dense(8, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy), 1);
        float[] fit = RawRows<float>(20, 5, 1);
        var predictor = new Predictor<float>(net, new Preprocessing(Standardizer.Fit<float>(fit, 5), ["a", "b", "c"]));
        float[] rows = RawRows<float>(16, 5, 2);
        var outputs = new float[16 * 3];
        var scratch = new float[rows.Length];
        var classes = new int[16];
        var one = new float[3];

        void All()
        {
            predictor.Predict(rows.AsSpan(0, 5), one);
            predictor.PredictClass(rows.AsSpan(5, 5));
            predictor.PredictBatch(rows, outputs, scratch);
            predictor.PredictBatch(rows, outputs);
            predictor.PredictClasses(rows, classes);
        }

        All();

        // Three rounds of 100 calls; one must allocate nothing: a call that allocated would allocate in every round. CI once
        // saw 184 bytes in a single round under load, most likely ArrayPool<T>.Shared (which the batch calls rent their
        // scratch from) rebuilding a buffer it had dropped at a gen-2 collection caused by the tests running in parallel.
        long[] allocated = new long[3];
        for (int round = 0; round < allocated.Length; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                All();
            }

            allocated[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(allocated.Min() == 0, $"bytes allocated per round of 100 calls: {string.Join(", ", allocated)}");
    }

    [Fact]
    public void Concurrent_callers_on_one_predictor_get_the_sequential_outputs_bit_for_bit()
    {
        // The network is made safe by a lock, so that any shared scratch in the predictor itself would show as wrong outputs.
        var net = new LockedNetwork<float>(new GenericNetwork<float>(NetworkSpec.Input(300).Dense(16, Activation.Tanh).Dense(4).Build(Loss.MeanSquaredError), 2));
        float[] fit = RawRows<float>(20, 300, 1);
        float[] targets = RawRows<float>(20, 4, 2);
        var predictor = new Predictor<float>(net, new Preprocessing(MinMaxScaler.Fit<float>(fit, 300), targetScaling: Standardizer.Fit<float>(targets, 4)));
        const int rows = 64;
        float[] raw = RawRows<float>(rows, 300, 3);
        var expected = new float[rows * 4];
        var expectedBatches = new float[rows - 8][];
        for (int s = 0; s < rows; s++)
        {
            predictor.Predict(raw.AsSpan(s * 300, 300), expected.AsSpan(s * 4, 4));
        }

        for (int first = 0; first < rows - 8; first++)
        {
            expectedBatches[first] = new float[8 * 4];
            predictor.PredictBatch(raw.AsSpan(first * 300, 8 * 300), expectedBatches[first]);
        }

        int wrong = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var output = new float[4];
            var batch = new float[8 * 4];
            for (int i = 0; i < 400; i++)
            {
                int s = (i * 7 + worker) % rows;
                predictor.Predict(raw.AsSpan(s * 300, 300), output);
                if (!output.AsSpan().SequenceEqual(expected.AsSpan(s * 4, 4)))
                {
                    Interlocked.Increment(ref wrong);
                }

                int first = s % (rows - 8);
                predictor.PredictBatch(raw.AsSpan(first * 300, 8 * 300), batch);
                if (!batch.AsSpan().SequenceEqual(expectedBatches[first]))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Wrong_shapes_and_missing_labels_are_named()
    {
        var net = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(2).Build(Loss.MeanSquaredError), 1);
        var predictor = new Predictor<float>(net, new Preprocessing(new Standardizer([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])));
        var e = Assert.Throws<ArgumentException>(() => predictor.Predict([1f, 2f]));
        Assert.Contains("row has 2 values; the model needs 3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => predictor.PredictBatch(new float[7], new float[4]));
        Assert.Contains("7 values are not a whole number of rows of 3 features", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => predictor.PredictBatch(new float[6], new float[3]));
        Assert.Contains("2 rows need 4 outputs", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => predictor.PredictBatch(new float[6], new float[4], new float[5]));
        Assert.Contains("scratch buffer has 5 values", e.Message, StringComparison.Ordinal);
        var ex = Assert.Throws<InvalidOperationException>(() => predictor.PredictLabel([1f, 2f, 3f]));
        Assert.Contains("no class labels", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Predictor<float>(net, new Preprocessing(classLabels: ["a", "b", "c"])));
    }
}

/// <summary>Serializes every call to the wrapped network: a network that is safe from many threads whatever its own implementation.</summary>
internal sealed class LockedNetwork<T>(INetwork<T> inner) : INetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Lock _lock = new();

    public NetworkSpec Spec => inner.Spec;

    public int InputSize => inner.InputSize;

    public int OutputSize => inner.OutputSize;

    public int ParameterCount => inner.ParameterCount;

    public Span<T> Parameters => inner.Parameters;

    public Span<T> Gradients => inner.Gradients;

    public Span<T> State => inner.State;

    public ulong RandomState
    {
        get => inner.RandomState;
        set => inner.RandomState = value;
    }

    public void Forward(ReadOnlySpan<T> input, Span<T> output)
    {
        lock (_lock)
        {
            inner.Forward(input, output);
        }
    }

    public void ForwardBatch(ReadOnlySpan<T> inputs, Span<T> outputs)
    {
        lock (_lock)
        {
            inner.ForwardBatch(inputs, outputs);
        }
    }

    public T Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> target) => inner.Backward(input, target);

    public T BackwardBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets) => inner.BackwardBatch(inputs, targets);

    public void ZeroGradients() => inner.ZeroGradients();
}
