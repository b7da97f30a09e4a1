using System.Numerics.Tensors;

namespace NetGen.Runtime.Tests.Data;

/// <summary>Datasets from ordinary .NET objects and from tensors; inference on tensors with shape checks.</summary>
public sealed class RecordsAndTensorsTests
{
    private sealed record House(float Rooms, float Area, float Price);

    private sealed record Flower(float SepalLength, float SepalWidth, string Species);

    private enum Size { Small, Medium, Large }

    private static readonly House[] s_houses =
    [
        new(3, 70, 210), new(4, 95, 300), new(2, 50, 150), new(5, 120, 390),
    ];

    private static readonly Flower[] s_flowers =
    [
        new(5.1f, 3.5f, "setosa"), new(7.0f, 3.2f, "versicolor"), new(6.3f, 3.3f, "virginica"), new(4.9f, 3.0f, "setosa"),
    ];

    [Fact]
    public void FromRecords_takes_features_and_targets_row_by_row()
    {
        House[] records = s_houses;
        // --- README begin
        var houses = Dataset<float>.FromRecords(records, h => new[] { h.Rooms, h.Area }, h => h.Price);           // one target
        var same   = Dataset<float>.FromRecords(records, h => new[] { h.Rooms, h.Area }, h => new[] { h.Price });  // targets as a row
        // --- README end
        Assert.Equal(same.Features, houses.Features);
        Assert.Equal(same.Targets, houses.Targets);
        Dataset<float> data = same;
        Assert.Equal(4, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(1, data.TargetCount);
        Assert.Equal(new float[] { 3, 70, 4, 95, 2, 50, 5, 120 }, data.Features);
        Assert.Equal(new float[] { 210, 300, 150, 390 }, data.Targets);
        Assert.False(data.IsClassification);

        // One scalar target, and a lazily enumerated sequence (enumerated once).
        int enumerations = 0;
        IEnumerable<House> Lazy()
        {
            enumerations++;
            foreach (House h in s_houses)
            {
                yield return h;
            }
        }

        var scalar = Dataset<double>.FromRecords(Lazy(), h => new double[] { h.Rooms, h.Area }, h => (double)h.Price);
        Assert.Equal(1, enumerations);
        Assert.Equal(new double[] { 210, 300, 150, 390 }, scalar.Targets);
        Assert.Equal(new double[] { 4, 95 }, scalar.FeatureRow(1).ToArray());
    }

    [Fact]
    public void FromLabeledRecords_one_hot_encodes_sorted_classes_or_the_given_order()
    {
        var data = Dataset<float>.FromLabeledRecords(s_flowers, f => new[] { f.SepalLength, f.SepalWidth }, f => f.Species);
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, data.ClassNames);
        Assert.Equal(new[] { 0, 1, 2, 0 }, data.Labels);
        Assert.Equal(3, data.TargetCount);
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0 }, data.Targets);

        var ordered = Dataset<float>.FromLabeledRecords(s_flowers, f => new[] { f.SepalLength }, f => f.Species, ["virginica", "versicolor", "setosa", "unseen"]);
        Assert.Equal(new[] { 2, 1, 0, 2 }, ordered.Labels);
        Assert.Equal(4, ordered.TargetCount);
        Assert.Equal(new[] { "virginica", "versicolor", "setosa", "unseen" }, ordered.ClassNames);

        // Enum labels sort by value (Comparer<T>.Default), not by name.
        var sizes = Dataset<double>.FromLabeledRecords(new[] { Size.Large, Size.Small, Size.Large }, s => new double[] { (int)s }, s => s);
        Assert.Equal(new[] { "Small", "Large" }, sizes.ClassNames);
        Assert.Equal(new[] { 1, 0, 1 }, sizes.Labels);
    }

    [Fact]
    public void Bad_records_get_exceptions_that_name_the_record()
    {
        House[] ragged = [new(3, 70, 210), new(4, 95, 300)];
        var e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromRecords(ragged, h => h.Rooms > 3 ? new[] { h.Rooms } : new[] { h.Rooms, h.Area }, h => new[] { h.Price }));
        Assert.Equal("Record 1: the features selector returned 1 values, but record 0's returned 2. (Parameter 'features')", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromRecords(Array.Empty<House>(), h => new[] { h.Rooms }, h => h.Price));
        Assert.Contains("no records", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromRecords(ragged, h => Array.Empty<float>(), h => h.Price));
        Assert.Contains("returned no values", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromLabeledRecords(s_flowers, f => new[] { f.SepalLength }, f => f.Species, ["setosa", "virginica"]));
        Assert.StartsWith("Record 1: the label 'versicolor' is not one of the 2 classes (setosa, virginica).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromLabeledRecords(s_flowers, f => new[] { f.SepalLength }, f => f.Species, ["setosa", "setosa"]));
        Assert.Contains("listed twice", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromLabeledRecords(s_flowers, f => new[] { f.SepalLength }, f => f.SepalWidth > 3.4f ? null! : f.Species));
        Assert.StartsWith("Record 0: the label selector returned null.", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Dataset<float>.FromRecords<House>(null!, h => new[] { h.Rooms }, h => h.Price));
    }

    [Fact]
    public void Tensor_ForwardBatch_equals_the_span_ForwardBatch_for_contiguous_and_strided_views()
    {
        NetworkSpec spec = NetworkSpec.Input(3).Dense(5, Activation.Tanh).Dense(2, Activation.Softmax).Build(Loss.CrossEntropy);
        var network = new GenericNetwork<float>(spec, seed: 2);
        float[] x = Enumerable.Range(0, 12).Select(i => 0.1f * i - 0.5f).ToArray();
        var expected = new float[8];
        network.ForwardBatch(x, expected);

        Tensor<float> inputs = Tensor.Create(x, [4, 3]);
        Tensor<float> predicted = network.Predict(inputs);
        Assert.Equal(new nint[] { 4, 2 }, predicted.Lengths.ToArray());
        var flat = new float[8];
        predicted.FlattenTo(flat);
        Assert.Equal(expected, flat);

        // The array overloads are still chosen for arrays (no ambiguity with the tensor ones).
        float[] one = network.Predict(new float[] { 0.1f, 0.2f, 0.3f });
        float[] rows = network.Predict(x);
        Assert.Equal(2, one.Length);
        Assert.Equal(expected, rows);

        // A transposed view of a [3, 4] buffer is the same [4, 3] matrix, not row-major: copied, same result.
        var transposedData = new float[12];
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                transposedData[c * 4 + r] = x[r * 3 + c];
            }
        }

        var transposed = new ReadOnlyTensorSpan<float>(transposedData, [4, 3], [1, 4]);
        var outputBuffer = new float[12];
        // Outputs into the first 2 columns of a [4, 3] buffer: a strided view, written through a copy.
        var outputs = new TensorSpan<float>(outputBuffer, [4, 2], [3, 1]);
        network.ForwardBatch(transposed, outputs);
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(expected[2 * r], outputBuffer[3 * r]);
            Assert.Equal(expected[2 * r + 1], outputBuffer[3 * r + 1]);
            Assert.Equal(0f, outputBuffer[3 * r + 2]);
        }
    }

    [Fact]
    public void Tensors_of_the_wrong_shape_get_clear_exceptions()
    {
        var network = new GenericNetwork<float>(NetworkSpec.Input(3).Dense(2).Build(Loss.MeanSquaredError));
        var e = Assert.Throws<ArgumentException>(() => network.Predict(Tensor.Create(new float[8], [4, 2])));
        Assert.Equal("inputs", e.ParamName);
        Assert.StartsWith("The inputs tensor must have the shape [n, 3] (n rows of 3 features), but its shape is [4, 2].", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.Predict(Tensor.Create(new float[3], [3])));
        Assert.Contains("but its shape is [3]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.ForwardBatch(Tensor.Create(new float[6], [2, 3]), Tensor.Create(new float[6], [3, 2])));
        Assert.Equal("outputs", e.ParamName);
        Assert.StartsWith("The outputs have 3 rows, but the inputs have 2: the outputs must be [2, 2].", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.ForwardBatch(Tensor.Create(new float[6], [2, 3]), Tensor.Create(new float[6], [2, 3])));
        Assert.StartsWith("The outputs tensor must have the shape [n, 2]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Dataset<float>.FromTensors(Tensor.Create(new float[6], [2, 3]), Tensor.Create(new float[3], [3, 1])));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("[2, targets]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Datasets_convert_to_and_from_tensors()
    {
        Tensor<double> x = Tensor.Create(new double[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        Tensor<double> y = Tensor.Create(new double[] { 7, 8, 9 }, [3, 1]);
        var data = Dataset<double>.FromTensors(x, y);
        Assert.Equal(3, data.Count);
        Assert.Equal(new double[] { 3, 4 }, data.FeatureRow(1).ToArray());
        Assert.Equal(new double[] { 9 }, data.TargetRow(2).ToArray());
        Assert.Equal(new nint[] { 3, 2 }, data.FeaturesTensor().Lengths.ToArray());
        Assert.Equal(5.0, data.FeaturesTensor()[2, 0]);
        Assert.Equal(8.0, data.TargetsTensor()[1, 0]);
    }

    /// <summary>The README draft's "Data from .NET objects / tensors" code, compiled and run here.</summary>
    [Fact]
    public void The_readme_example_trains_on_records_and_predicts_a_tensor()
    {
        // --- README begin
        Flower[] flowers = s_flowers;
        var data = Dataset<float>.FromLabeledRecords(flowers, f => new[] { f.SepalLength, f.SepalWidth }, f => f.Species);
        var net = new GenericNetwork<float>(NetworkSpec.Input(2).Dense(8, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy));
        net.Fit(data.Features, data.Targets, epochs: 50, batchSize: 2, learningRate: 0.05);

        Tensor<float> probabilities = net.Predict(data.FeaturesTensor());     // [4, 3]
        string first = data.ClassNames![OneHot.ArgMax(probabilities.GetSpan([0, 0], 3))];
        // --- README end
        Assert.Contains(first, data.ClassNames);
        Assert.Equal(new nint[] { 4, 3 }, probabilities.Lengths.ToArray());
    }
}
