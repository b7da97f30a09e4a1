namespace NetGen.Runtime.Tests.Data;

public class OneHotTests
{
    [Fact]
    public void Encode_puts_one_at_the_label()
    {
        float[] rows = OneHot.Encode<float>([2, 0, 1], 3);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0], rows);
    }

    [Fact]
    public void Round_trip_for_random_labels()
    {
        var rng = new SplitMix64(17);
        for (int trial = 0; trial < 50; trial++)
        {
            int classes = 1 + rng.NextInt(12);
            int[] labels = Enumerable.Range(0, rng.NextInt(40)).Select(_ => rng.NextInt(classes)).ToArray();
            double[] encoded = OneHot.Encode<double>(labels, classes);
            Assert.Equal(labels.Length * classes, encoded.Length);
            Assert.Equal(labels.Length, encoded.Sum());
            Assert.Equal(labels, OneHot.Decode<double>(encoded, classes));
        }
    }

    [Fact]
    public void Decode_takes_the_arg_max_of_outputs()
    {
        double[] outputs = [0.1, 0.7, 0.2, 0.5, 0.5, 0.0, double.NaN, -1, -2, double.NaN, double.NaN, double.NaN];
        Assert.Equal([1, 0, 1, 0], OneHot.Decode<double>(outputs, 3));
        Assert.Equal(2, OneHot.ArgMax<float>([-3f, -2f, -1f]));
    }

    [Fact]
    public void Bad_labels_and_shapes_are_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode<float>([0, 3, 1], 3));
        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode<float>([-1], 3));
        Assert.Throws<ArgumentException>(() => OneHot.Encode<float>([0], 2, new float[3]));
        Assert.Throws<ArgumentException>(() => OneHot.Decode<float>(new float[5], 2));
        Assert.Throws<ArgumentException>(() => OneHot.ArgMax<float>([]));
    }
}
