using System.Numerics;

namespace NetGen.Runtime.Tests.Generic;

/// <summary>
/// One shared <see cref="GenericNetwork{T}"/> serving many threads: every concurrent Forward and ForwardBatch equals
/// the sequential output bit for bit, and the single-threaded path allocates nothing.
/// </summary>
public sealed class GenericConcurrencyTests
{
    private static readonly NetworkSpec[] s_specs =
    [
        NetworkSpec.Input(9).Dense(13, Activation.Tanh).Dense(7, Activation.ReLU).Dense(11, Activation.Softmax).Build(Loss.CrossEntropy),
        NetworkSpec.Input(5).Dropout(0.2).Dense(16, Activation.ELU).BatchNorm().Dropout(0.5).Dense(3, Activation.Sigmoid).Build(Loss.BinaryCrossEntropy),
        NetworkSpec.Input(64).Dense(100, Activation.LeakyReLU).Dense(10).Build(Loss.MeanSquaredError),
    ];

    private static T[] Rows<T>(int count, int width, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var rows = new T[count * width];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = T.CreateChecked(rng.NextDouble() * 4 - 2);
        }

        return rows;
    }

    private static void ManyThreadsEqualSequential<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (NetworkSpec spec in s_specs)
        {
            var network = new GenericNetwork<T>(spec, seed: 3);
            // Running statistics that are not the initial (0, 1), so batch normalization's inference form matters.
            for (int i = 0; i < network.State.Length; i++)
            {
                network.State[i] = T.CreateChecked(0.5 + 0.01 * i);
            }

            const int Inputs = 48;
            int[] batchSizes = [1, 3, 17, 64];
            T[][] rows = Enumerable.Range(0, Inputs).Select(i => Rows<T>(1, network.InputSize, i)).ToArray();
            T[][] batches = batchSizes.Select((n, i) => Rows<T>(n, network.InputSize, 1000 + i)).ToArray();
            T[][] rowOutputs = rows.Select(x => { var y = new T[network.OutputSize]; network.Forward(x, y); return y; }).ToArray();
            T[][] batchOutputs = batches.Select(x => { var y = new T[x.Length / network.InputSize * network.OutputSize]; network.ForwardBatch(x, y); return y; }).ToArray();

            const int Threads = 8;
            int mismatches = 0;
            string? first = null;
            using var start = new Barrier(Threads);
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                var y = new T[network.OutputSize];
                T[][] batchY = batchOutputs.Select(b => new T[b.Length]).ToArray();
                start.SignalAndWait();
                for (int call = 0; call < 600; call++)
                {
                    // Each thread walks the inputs in its own order, mixing single rows with batches of growing size.
                    int i = (call * (2 * t + 1) + t) % Inputs;
                    network.Forward(rows[i], y);
                    if (!y.AsSpan().SequenceEqual(rowOutputs[i]))
                    {
                        Interlocked.Increment(ref mismatches);
                        Interlocked.CompareExchange(ref first, $"thread {t}, call {call}: Forward of input {i}", null);
                    }

                    if (call % 5 == t % 5)
                    {
                        int b = (call + t) % batches.Length;
                        network.ForwardBatch(batches[b], batchY[b]);
                        if (!batchY[b].AsSpan().SequenceEqual(batchOutputs[b]))
                        {
                            Interlocked.Increment(ref mismatches);
                            Interlocked.CompareExchange(ref first, $"thread {t}, call {call}: ForwardBatch of {batchSizes[b]} rows", null);
                        }
                    }
                }
            })).ToArray();
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.True(mismatches == 0, $"{spec}: {mismatches} concurrent outputs differ from the sequential ones; the first: {first}.");
        }
    }

    [Fact]
    public void Eight_threads_on_one_float_instance_get_the_sequential_outputs_bit_for_bit() => ManyThreadsEqualSequential<float>();

    [Fact]
    public void Eight_threads_on_one_double_instance_get_the_sequential_outputs_bit_for_bit() => ManyThreadsEqualSequential<double>();

    [Fact]
    public void Single_threaded_Forward_and_ForwardBatch_allocate_nothing()
    {
        foreach (NetworkSpec spec in s_specs)
        {
            var network = new GenericNetwork<float>(spec, seed: 1);
            float[] x = Rows<float>(1, network.InputSize, 1), y = new float[network.OutputSize];
            float[] xs = Rows<float>(32, network.InputSize, 2), ys = new float[32 * network.OutputSize];
            network.Forward(x, y);
            network.ForwardBatch(xs, ys);   // grows the pooled buffers to 32 rows once

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                network.Forward(x, y);
            }

            long forward = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                network.ForwardBatch(xs, ys);
                network.Forward(x, y);
            }

            long batch = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(forward == 0, $"{spec}: 1000 single-threaded Forward calls allocated {forward} bytes.");
            Assert.True(batch == 0, $"{spec}: 100 ForwardBatch + Forward calls allocated {batch} bytes.");
        }
    }

    [Fact]
    public void Activations_still_show_the_last_call_and_training_after_inference_is_unchanged()
    {
        NetworkSpec spec = s_specs[1];
        var a = new GenericNetwork<double>(spec, seed: 4);
        var b = new GenericNetwork<double>(spec, seed: 4);
        double[] x = Rows<double>(6, spec.InputSize, 5), t = Rows<double>(6, spec.OutputSize, 6);
        var outputs = new double[6 * spec.OutputSize];
        a.ForwardBatch(x, outputs);
        Assert.Equal(outputs, a.Activations(spec.Stages.Count, 6).ToArray());

        // Interleaving inference with training changes nothing the training computes.
        double lossA = a.BackwardBatch(x, t);
        a.Forward(x.AsSpan(0, spec.InputSize), new double[spec.OutputSize]);
        lossA += a.BackwardBatch(x, t);
        double lossB = b.BackwardBatch(x, t) + b.BackwardBatch(x, t);
        Assert.Equal(lossB, lossA);
        Assert.Equal(b.Gradients.ToArray(), a.Gradients.ToArray());
        Assert.Equal(b.State.ToArray(), a.State.ToArray());
    }
}
