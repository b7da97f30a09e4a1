using System;
using System.Numerics;

namespace NetGen;

/// <summary>
/// The memory-bound passes of a training step over the whole gradient buffer (clearing it, folding the second core's
/// half into it, which also finds max |Σ ∂C/∂θ|, and that scan alone where no fold ran), as two halves on <see cref="SecondCore"/> from <see cref="SplitLength"/>
/// values: on one core each streams about 1 MB per pass for the Fashion-sized network. Each element is computed as on
/// one core, so the results are the same bit for bit.
/// </summary>
internal static unsafe class TwoCorePasses
{
    /// <summary>Buffers of at least this many values are split (256 KB of floats; below, a pass takes a few µs).</summary>
    public const int SplitLength = 1 << 16;

    /// <summary>Where a buffer of <paramref name="length"/> values is split: half of it, at a multiple of 64 values.</summary>
    private static int Split(int length) => length / 2 / 64 * 64;

    /// <summary>Sets <paramref name="values"/> to zero.</summary>
    public static void Clear<T>(Span<T> values) where T : unmanaged
    {
        if (values.Length < SplitLength || !Parallelism.SplitPasses)
        {
            values.Clear();
            return;
        }

        fixed (T* p = values)
        {
            var work = new ClearWork<T> { Values = p };
            SecondCoreSplit<ClearWork<T>>.Run(ref work, values.Length, Split(values.Length), out _);
        }
    }

    /// <summary>g += h, then h = 0 (<see cref="VectorMath.AddAndClear{T}"/>); returns max |g| of the sums, as <see cref="MaxMagnitude{T}"/> would.</summary>
    public static double AddAndClear<T>(Span<T> g, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length < SplitLength || g.Length != h.Length || !Parallelism.SplitPasses)
        {
            return VectorMath.AddAndClear(g, h);
        }

        fixed (T* pg = g, ph = h)
        {
            var work = new AddAndClearWork<T> { G = pg, H = ph };
            SecondCoreSplit<AddAndClearWork<T>>.Run(ref work, g.Length, Split(g.Length), out AddAndClearWork<T> second);
            return Larger(work.Max, second.Max);
        }
    }

    /// <summary>max |x| in double, NaN or +∞ when a value is (<see cref="FusedUpdate.MaxMagnitude{T}"/>; NaN when the halves saw one of each).</summary>
    public static double MaxMagnitude<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.Length < SplitLength || !Parallelism.SplitPasses)
        {
            return FusedUpdate.MaxMagnitude(values);
        }

        fixed (T* p = values)
        {
            var work = new MaxWork<T> { Values = p };
            SecondCoreSplit<MaxWork<T>>.Run(ref work, values.Length, Split(values.Length), out MaxWork<T> second);
            return Larger(work.Max, second.Max);
        }
    }

    /// <summary>The two halves' maxima as one: NaN when either saw a NaN.</summary>
    private static double Larger(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private struct ClearWork<T> : IRangeWork where T : unmanaged
    {
        public T* Values;

        public readonly void Run(int from, int to) => new Span<T>(Values + from, to - from).Clear();
    }

    private struct AddAndClearWork<T> : IRangeWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* G, H;
        public double Max;

        public void Run(int from, int to) => Max = VectorMath.AddAndClear(new Span<T>(G + from, to - from), new Span<T>(H + from, to - from));
    }

    private struct MaxWork<T> : IRangeWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Values;
        public double Max;

        public void Run(int from, int to) => Max = FusedUpdate.MaxMagnitude(new ReadOnlySpan<T>(Values + from, to - from));
    }
}
