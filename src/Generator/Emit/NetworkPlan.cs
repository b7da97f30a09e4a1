using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// What the emitter decides from a model before writing a line: offsets, buffers and, per layer, the kernel
/// shape — chosen by size, never by the user.
/// </summary>
internal sealed class NetworkPlan
{
    /// <summary>Layers with at most this many weights are emitted as unrolled scalar statements, like the course's 2-2-1 derivation.</summary>
    public const int UnrollLimit = 64;

    /// <summary>Outside the lane kernels, an unrolled layer also sums at most this many inputs per output.</summary>
    public const int UnrollFanInLimit = 16;

    /// <summary>The most rows a batch tile holds; fewer for very wide networks so each buffer stays below <see cref="MaxTileValues"/>.</summary>
    public const int MaxTileRows = 256;

    /// <summary>The most values one per-layer buffer holds for a tile (4 Mi).</summary>
    public const int MaxTileValues = 1 << 22;

    /// <summary>A blocked layer whose weights take more bytes than this reads them from column panels in large batches (NetGen.Dense.PanelBytes; shown in the topology table).</summary>
    public const int PanelBytes = 32 * 1024;

    /// <summary>The work (floating-point operations) a batch must hold before it is split across two cores.</summary>
    public const double MinParallelFlops = 1e7;

    /// <summary>
    /// The smallest training batch split across two cores, whatever its work: each half keeps its own gradient buffer,
    /// cleared, filled and folded every step, which 16-row halves do not pay for (784-128-64-10, fused SGD step,
    /// 2026-12-07: 32 rows split over two cores 9.4 µs per sample, one core's single tile at 16 rows 7.1; 64 rows split 6.5
    /// against 10.2 on one core).
    /// </summary>
    public const int MinParallelTrainingRows = 64;

    /// <summary>The smallest inference batch split across two cores, whatever its work.</summary>
    public const int MinParallelInferenceRows = 32;

    /// <summary>The smallest batch that is split across two cores: enough work for each half to pay for the hand-off.</summary>
    public int ParallelRows(bool training)
    {
        double weights = Layers.Sum(l => (double)l.In * l.Out);
        double flopsPerRow = (training ? 6 : 2) * weights;
        double rows = System.Math.Ceiling(MinParallelFlops / System.Math.Max(1, flopsPerRow));
        return (int)System.Math.Min(int.MaxValue, System.Math.Max(training ? MinParallelTrainingRows : MinParallelInferenceRows, rows));
    }

    public NetworkPlan(NetworkModel model)
    {
        Model = model;
        T = model.IsDouble ? NumericType.Double : NumericType.Single;
        var layers = new List<LayerPlan>();
        long offset = 0, state = 0;
        foreach (LayerModel layer in model.Layers)
        {
            var plan = new LayerPlan(layer, layer.Index == model.Layers.Count, (int)offset, (int)state);
            layers.Add(plan);
            offset += plan.ParameterCount;
            state += plan.StateCount;
        }

        Layers = layers;
        ParameterCount = (int)offset;
        StateCount = (int)state;
        int widest = Math.Max(model.InputSize, model.Layers.Max(l => l.OutputSize));
        TileRows = Math.Max(1, Math.Min(MaxTileRows, MaxTileValues / widest));

        var buffers = new List<ScratchBuffer>();
        if (model.InputDropout > 0)
        {
            buffers.Add(new ScratchBuffer("A0", "Layer0Size", true, "a0 = x ∘ m0, the input after dropout"));
            buffers.Add(new ScratchBuffer("M0", "Layer0Size", true, "m0, the input's dropout mask"));
        }

        foreach (LayerPlan layer in layers)
        {
            buffers.AddRange(layer.Buffers);
        }

        Buffers = buffers;

        // A wide fan-in is summed faster by the blocked kernel (independent FMA chains) than as one unrolled expression
        // (64 dependent adds for a 64 → 1 output layer); networks that run SIMD across samples keep every layer unrolled.
        if (!LaneKernels.Applies(this))
        {
            foreach (LayerPlan layer in layers.Where(l => l.Unrolled && l.In > UnrollFanInLimit))
            {
                layer.Unrolled = false;
            }
        }

        foreach (LayerPlan layer in layers)
        {
            layer.Panels = !layer.Unrolled && (long)layer.In * layer.Out * T.Bytes > PanelBytes;
        }
    }

    public NetworkModel Model { get; }

    public NumericType T { get; }

    public IReadOnlyList<LayerPlan> Layers { get; }

    public IReadOnlyList<ScratchBuffer> Buffers { get; }

    /// <summary>L, the number of dense layers.</summary>
    public int L => Layers.Count;

    public int ParameterCount { get; }

    public int StateCount { get; }

    public int TileRows { get; }

    public bool HasBatchNorm => Layers.Any(l => l.Model.BatchNorm);

    /// <summary>
    /// Whether back-propagation can leave ∂C/∂W1 and ∂C/∂b1 to the optimizer's pass (Tile.DefersInputLayer): a first
    /// layer whose gradients are one <c>Dense.AccumulateGradients</c> call over x itself, with no batch normalization.
    /// </summary>
    public bool DefersInputLayer => !Layers[0].Unrolled && !HasBatchNorm && Model.InputDropout == 0;

    public bool HasDropout => Model.InputDropout > 0 || Layers.Any(l => l.Model.DropoutRate > 0);

    /// <summary>The layers l ≥ 2 whose δ^{l−1} is computed with a transposed copy of W^l (the wide ones).</summary>
    public IEnumerable<LayerPlan> TransposedLayers => Layers.Where(l => l.Index >= 2 && !l.Unrolled);


    /// <summary>e.g. "2 → 2 (sigmoid) → 1 (identity)".</summary>
    public string Summary =>
        Model.InputSize.ToString(CultureInfo.InvariantCulture) +
        string.Concat(Layers.Select(l => $" → {l.Out} ({LayerMath.For(l.Model, T).Name})"));

    public IEnumerable<string> TopologyTable()
    {
        yield return "l  layer                      activation   kernel";
        yield return $"0  input [{Model.InputSize}]".PadRight(43) + (Model.InputDropout > 0 ? $"dropout p = {NumericType.DoubleText(Model.InputDropout)}" : "");
        foreach (LayerPlan layer in Layers)
        {
            string name = LayerMath.For(layer.Model, T).Name;
            if (layer.Model.Activation is ActivationKind.LeakyReLU or ActivationKind.ELU)
            {
                name += $" α={NumericType.DoubleText(layer.Model.Alpha)}";
            }

            string extras = (layer.Model.BatchNorm ? ", batch norm" : "") + (layer.Model.DropoutRate > 0 ? $", dropout p = {NumericType.DoubleText(layer.Model.DropoutRate)}" : "");
            string kernel = layer.Unrolled ? $"unrolled ({layer.Model.WeightCount} weights)" : layer.Panels ? "register-blocked product, W in column panels" : "register-blocked product";
            yield return $"{layer.Index,-2} dense {layer.In} → {layer.Out}".PadRight(30) + $"{name,-13}{kernel}{extras}";
        }
    }

    public IEnumerable<string> LayoutTable()
    {
        foreach (LayerPlan layer in Layers)
        {
            int l = layer.Index;
            yield return $"W{l}".PadRight(8) + $"[{layer.WeightOffset}, {layer.BiasOffset})".PadRight(24) + $"[{layer.In} × {layer.Out}]";
            yield return $"b{l}".PadRight(8) + $"[{layer.BiasOffset}, {layer.BiasOffset + layer.Out})".PadRight(24) + $"[{layer.Out}]";
            if (layer.Model.BatchNorm)
            {
                yield return $"gamma{l}".PadRight(8) + $"[{layer.GammaOffset}, {layer.GammaOffset + layer.Out})".PadRight(24) + $"[{layer.Out}]";
                yield return $"beta{l}".PadRight(8) + $"[{layer.BetaOffset}, {layer.BetaOffset + layer.Out})".PadRight(24) + $"[{layer.Out}]";
            }
        }
    }
}

/// <summary>Dense layer l as the emitter writes it.</summary>
internal sealed class LayerPlan
{
    public LayerPlan(LayerModel model, bool isOutput, int offset, int stateOffset)
    {
        Model = model;
        IsOutput = isOutput;
        WeightOffset = offset;
        BiasOffset = offset + model.InputSize * model.OutputSize;
        GammaOffset = model.BatchNorm ? BiasOffset + model.OutputSize : -1;
        BetaOffset = model.BatchNorm ? GammaOffset + model.OutputSize : -1;
        MeanOffset = model.BatchNorm ? stateOffset : -1;
        VarianceOffset = model.BatchNorm ? stateOffset + model.OutputSize : -1;
        Unrolled = model.WeightCount <= NetworkPlan.UnrollLimit;
    }

    public LayerModel Model { get; }

    public int Index => Model.Index;

    public int In => Model.InputSize;

    public int Out => Model.OutputSize;

    public bool IsOutput { get; }

    /// <summary>Small layers are unrolled into one scalar statement per weight.</summary>
    public bool Unrolled { get; set; }

    /// <summary>
    /// Whether the forward product reads W from column panels (contiguous over k) for batches of
    /// <see cref="NetworkPlan.PanelRows"/> rows or more: blocked layers whose weights outgrow L1.
    /// </summary>
    public bool Panels { get; set; }

    /// <summary>Whether the runtime kernels need the layer's sizes as a struct (wide layers and batch-normalized ones).</summary>
    public bool NeedsShape => !Unrolled || Model.BatchNorm;

    /// <summary>The struct that carries the layer's sizes and offsets to the runtime kernels.</summary>
    public string Shape => $"Layer{Index}";

    /// <summary>The constant offset of (W^l)ᵀ in the transposed copies (wide layers l ≥ 2).</summary>
    public string TransposedOffset => $"WT{Index}";

    /// <summary>Whether σ is applied inside the per-sample block (unrolled, no batch norm, not softmax).</summary>
    public bool InlineActivation => Unrolled && !Model.BatchNorm && Model.Activation != ActivationKind.Softmax;

    public int WeightOffset { get; }

    public int BiasOffset { get; }

    public int GammaOffset { get; }

    public int BetaOffset { get; }

    public int MeanOffset { get; }

    public int VarianceOffset { get; }

    public int ParameterCount => In * Out + Out + (Model.BatchNorm ? 2 * Out : 0);

    public int StateCount => Model.BatchNorm ? 2 * Out : 0;

    public bool HasDropout => Model.DropoutRate > 0;

    // Names, as in the equations.
    public string InSize => $"Layer{Index - 1}Size";

    public string OutSize => $"Layer{Index}Size";

    public string W => $"W{Index}";

    public string B => $"b{Index}";

    public string Z => $"z{Index}";

    /// <summary>The activation's input: z, or v = γ ẑ + β after batch normalization.</summary>
    public string ActIn => Model.BatchNorm ? $"v{Index}" : Z;

    /// <summary>σ's output: a, or h before dropout.</summary>
    public string ActOut => HasDropout ? $"h{Index}" : A;

    public string A => $"a{Index}";

    public string Mask => $"m{Index}";

    public string Delta => $"delta{Index}";

    public string ZHat => $"zhat{Index}";

    public string InvStd => $"invStd{Index}";

    public IEnumerable<string> ConstantNames
    {
        get
        {
            yield return W;
            yield return B;
            if (Model.BatchNorm)
            {
                yield return $"gamma{Index}";
                yield return $"beta{Index}";
                yield return $"mean{Index}";
                yield return $"variance{Index}";
            }
        }
    }

    public IEnumerable<ScratchBuffer> Buffers
    {
        get
        {
            yield return new ScratchBuffer(Field(Z), OutSize, true, $"z{Index} = W{Index} a{Index - 1} + b{Index}");
            if (Model.BatchNorm)
            {
                yield return new ScratchBuffer(Field(ZHat), OutSize, true, $"ẑ{Index} = (z{Index} − μ) / √(σ² + ε)");
                yield return new ScratchBuffer(Field(ActIn), OutSize, true, $"v{Index} = γ{Index} ẑ{Index} + β{Index}");
                yield return new ScratchBuffer(Field(InvStd), OutSize, false, "1 / √(σ² + ε) per unit");
            }

            if (HasDropout)
            {
                yield return new ScratchBuffer(Field(ActOut), OutSize, true, $"h{Index} = σ({ActIn}), before dropout");
                yield return new ScratchBuffer(Field(Mask), OutSize, true, $"m{Index}, the dropout mask: 0 or 1/(1 − p)");
                yield return new ScratchBuffer(Field(A), OutSize, true, $"a{Index} = h{Index} ∘ m{Index}");
            }
            else
            {
                yield return new ScratchBuffer(Field(A), OutSize, true, $"a{Index} = σ({ActIn})");
            }

            yield return new ScratchBuffer(Field(Delta), OutSize, true, $"δ{Index} = ∂C/∂z{Index}");
        }
    }

    /// <summary>The workspace field holding the buffer of an equation name: z1 → Z1, invStd1 → InvStd1.</summary>
    public static string Field(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);
}

/// <summary>A workspace buffer of the generated kernels (its slot is its position in <see cref="NetworkPlan.Buffers"/>).</summary>
/// <param name="Field">The slot's constant name.</param>
/// <param name="Width">The constant width per row.</param>
/// <param name="PerRow">Whether it holds one row per sample (else one value per unit).</param>
/// <param name="Comment">What it holds.</param>
internal sealed record ScratchBuffer(string Field, string Width, bool PerRow, string Comment);
