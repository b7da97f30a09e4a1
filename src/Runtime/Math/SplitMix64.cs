using System;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// A small, fast, deterministic random generator (SplitMix64, Steele et al. 2014): the same seed gives the same
/// stream on every machine and .NET version, which is what reproducible training needs. Used for initialization,
/// shuffling and hyperparameter search; dropout masks use the counter-based <see cref="DropoutMask"/>.
/// </summary>
public struct SplitMix64
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>Starts a stream from a seed.</summary>
    public SplitMix64(ulong seed)
    {
        _state = seed;
        _spareGaussian = 0;
        _hasSpare = false;
    }

    /// <summary>The 64-bit counter the stream is at (not the spare Gaussian): training checkpoints save and restore the shuffling stream with it.</summary>
    internal ulong State
    {
        readonly get => _state;
        set => _state = value;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, maxExclusive), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold)
            {
                return (int)(r % bound);
            }
        }
    }

    /// <summary>A standard normal deviate (Box–Muller, polar form).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);

        double factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    /// <summary>Shuffles a span in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>The SplitMix64 output function: a bijective 64-bit mix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// Counter-based dropout masks: whether unit <c>index</c> of layer <c>layer</c> is kept in the training call keyed
/// by <c>key</c> is a pure function of the three, so generated and generic networks draw identical masks whatever
/// order they visit the units in, and a saved <see cref="INetwork{T}.RandomState"/> replays them.
/// </summary>
public static class DropoutMask
{
    /// <summary>The key of the training call after the one keyed by <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Next(ulong key) => SplitMix64.Mix(key + 0x9E3779B97F4A7C15UL);

    /// <summary>Whether unit <paramref name="index"/> (sample·width + unit) of dense layer <paramref name="layer"/> (0 = input) is kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Keep(ulong key, int layer, int index, double rate)
    {
        ulong bits = SplitMix64.Mix(key ^ SplitMix64.Mix(((ulong)(uint)layer << 32) | (uint)index));
        return (bits >> 11) * (1.0 / (1UL << 53)) >= rate;
    }
}
