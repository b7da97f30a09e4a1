using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The statements of each equation, in the two kernel shapes the plan chooses from: unrolled scalar statements
/// (one per weight, as the course derives the 2-2-1 network) and <c>Vector&lt;T&gt;</c> loops with constant trip
/// counts and a scalar remainder. Every block opens with the equation it implements.
/// </summary>
internal static class DenseKernels
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(string name) => LayerPlan.Field(name);

    private static string T(NetworkPlan plan) => plan.T.Name;

    // ───────────────────────────── forward ─────────────────────────────

    public static void InputDropout(SourceWriter w, NetworkPlan plan)
    {
        NumericType t = plan.T;
        w.Line($"global::System.ReadOnlySpan<{t.Name}> a0 = x;");
        double rate = plan.Model.InputDropout;
        if (rate <= 0)
        {
            return;
        }

        w.Line();
        w.Line($"// ─── Dropout on the input (p = {NumericType.DoubleText(rate)}): a0 = x ∘ m0 in training, m0_k = 1/(1 − p) with probability 1 − p, else 0 ───");
        using (w.Block("if (training)"))
        {
            w.Line($"global::System.Span<{t.Name}> dropped = ws.A0, m0 = ws.M0;");
            using (w.Block("for (int i = 0; i < rows * Layer0Size; i++)"))
            {
                w.Line($"{t.Name} m = global::NetGen.DropoutMask.Keep(key, 0, firstRow * Layer0Size + i, {NumericType.DoubleText(rate)}) ? {t.Lit(1.0 / (1.0 - rate))} : {t.Lit(0)};");
                w.Line("m0[i] = m;");
                w.Line("dropped[i] = x[i] * m;");
            }

            w.Line("a0 = dropped;");
        }
    }

    public static void Forward(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        LayerMath.ActivationRule act = LayerMath.For(layer.Model.Activation);
        int l = layer.Index;
        string kernel = layer.Unrolled ? $"unrolled, {layer.Model.WeightCount} weights" : $"register-blocked product, Vector<{t.Name}>";
        w.Line($"// ─── Layer {l}: dense {layer.In} → {layer.Out}, {act.Name} ({kernel}) ───");
        w.Line($"// z{l} = W{l} a{l - 1} + b{l}      z{l}_j = Σ_k w{l}_jk a{l - 1}_k + b{l}_j,  w{l}_jk at W{l} + k·{layer.Out} + j");
        if (layer.Model.BatchNorm)
        {
            w.Line($"// v{l} = γ{l} ∘ (z{l} − μ) / √(σ² + ε) + β{l}   (batch normalization)");
        }

        w.Line($"// {layer.ActOut} = σ({layer.ActIn})      {act.Forward}{AlphaNote(layer)}");
        w.Line($"global::System.Span<{t.Name}> {layer.Z} = ws.{F(layer.Z)};");
        if (layer.Model.BatchNorm)
        {
            w.Line($"global::System.Span<{t.Name}> {layer.ZHat} = ws.{F(layer.ZHat)}, {layer.ActIn} = ws.{F(layer.ActIn)}, {layer.InvStd} = ws.{F(layer.InvStd)};");
        }

        w.Line(layer.HasDropout
            ? $"global::System.Span<{t.Name}> {layer.ActOut} = ws.{F(layer.ActOut)}, {layer.Mask} = ws.{F(layer.Mask)}, {layer.A} = ws.{F(layer.A)};"
            : $"global::System.Span<{t.Name}> {layer.A} = ws.{F(layer.A)};");

        string aPrev = $"a{l - 1}";
        if (layer.Unrolled)
        {
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"int i = s * {layer.InSize}, o = s * {layer.OutSize};");
                for (int j = 0; j < layer.Out; j++)
                {
                    IEnumerable<string> terms = Enumerable.Range(0, layer.In).Select(k => $"p[{layer.W} + {I(k)} * {I(layer.Out)} + {I(j)}] * {aPrev}[i + {I(k)}]");
                    w.Line($"{layer.Z}[o + {I(j)}] = {string.Join(" + ", terms)} + p[{layer.B} + {I(j)}];");
                }

                if (layer.InlineActivation)
                {
                    for (int j = 0; j < layer.Out; j++)
                    {
                        w.Line($"{layer.ActOut}[o + {I(j)}] = {act.Scalar(t, $"{layer.Z}[o + {I(j)}]", Alpha(t, layer))};");
                    }
                }
            }
        }
        else
        {
            bool fused = layer.ActivationOnStore;
            w.Line($"// z{l}: 4 samples × 2 vectors of outputs per block in 8 accumulators; each kk loads two vectors of row kk of W{l} and broadcasts a{l - 1}[s, kk]" + (fused ? $"; σ applied on the store" : ""));
            using (w.Block())
            {
                w.Line("ref var wr = ref Ref(p);");
                w.Line($"ref var xr = ref Ref({aPrev});");
                w.Line($"ref var zr = ref Ref({layer.Z});");
                if (fused)
                {
                    w.Line($"ref var ar = ref Ref({layer.ActOut});");
                }

                if (layer.Panels)
                {
                    long kib = (long)layer.In * layer.Out * t.Bytes / 1024;
                    w.Line($"// W{l} ({layer.In} × {layer.Out}, {kib} KiB) is larger than L1: for {NetworkPlan.PanelRows} rows or more it is first copied into panels of 2 vectors");
                    w.Line($"// of columns, each contiguous over k, so that the 4-sample blocks read one stream instead of a row of W{l} per step");
                    w.Line($"bool packed = rows >= {NetworkPlan.PanelRows};");
                    using (w.Block("if (packed)"))
                    {
                        w.Line($"global::NetGen.VectorMath.PackPanels<{t.Name}>(p.Slice({layer.W}, {layer.InSize} * {layer.OutSize}), {layer.InSize}, {layer.OutSize}, 2 * VectorWidth, ws.Panels{l});");
                    }

                    w.Line($"ref var pr = ref packed ? ref Ref(ws.Panels{l}) : ref Get(ref wr, {layer.W});");
                    w.Line($"nint panelStart = packed ? {layer.InSize} : 1;   // columns j… start at j · panelStart");
                    w.Line($"nint panelStep = packed ? 2 * VectorWidth : {layer.OutSize};   // from row kk to row kk + 1");
                }

                BlockedKernels.Product(w, t, "xr", layer.InSize, "wr", $"{layer.W} + ", layer.OutSize,
                    col => $"Load(ref wr, {layer.B} + {col})", col => $"Get(ref wr, {layer.B} + {col})",
                    (ww, o, col, value, vector) =>
                    {
                        if (vector)
                        {
                            ww.Line($"Store(ref zr, {o} + {col}, {value});" + (fused ? $" Store(ref ar, {o} + {col}, {act.Vector(t, value, Alpha(t, layer))});" : ""));
                        }
                        else
                        {
                            ww.Line($"Get(ref zr, {o} + {col}) = {value};" + (fused ? $" Get(ref ar, {o} + {col}) = {act.Scalar(t, value, Alpha(t, layer))};" : ""));
                        }
                    },
                    layer.Panels ? "pr" : null);
            }
        }

        if (layer.Model.BatchNorm)
        {
            BatchNormForward(w, plan, layer);
        }

        if (!layer.InlineActivation && !layer.ActivationOnStore)
        {
            if (layer.Model.Activation == ActivationKind.Softmax)
            {
                SoftmaxForward(w, plan, layer);
            }
            else
            {
                Elementwise(w, plan, $"{layer.ActIn}", $"{layer.ActOut}", $"rows * {layer.OutSize}",
                    v => act.Vector(t, v, VecAlpha(t, layer)), s => act.Scalar(t, s, Alpha(t, layer)),
                    $"{layer.ActOut} = σ({layer.ActIn}) over all rows × {layer.Out} values");
            }
        }

        if (layer.HasDropout)
        {
            double rate = layer.Model.DropoutRate;
            w.Line($"// Dropout (p = {NumericType.DoubleText(rate)}): {layer.A} = {layer.ActOut} ∘ {layer.Mask} in training, {layer.Mask}_j = 1/(1 − p) with probability 1 − p, else 0; {layer.A} = {layer.ActOut} in inference");
            using (w.Block("if (training)"))
            {
                using (w.Block($"for (int i = 0; i < rows * {layer.OutSize}; i++)"))
                {
                    w.Line($"{t.Name} m = global::NetGen.DropoutMask.Keep(key, {I(l)}, firstRow * {layer.OutSize} + i, {NumericType.DoubleText(rate)}) ? {t.Lit(1.0 / (1.0 - rate))} : {t.Lit(0)};");
                    w.Line($"{layer.Mask}[i] = m;");
                    w.Line($"{layer.A}[i] = {layer.ActOut}[i] * m;");
                }
            }

            using (w.Block("else"))
            {
                w.Line($"{layer.A} = {layer.ActOut};");
            }
        }
    }

    private static void BatchNormForward(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        string T = t.Name;
        int l = layer.Index;
        double momentum = layer.Model.BatchNormMomentum;
        w.Line($"// Batch normalization: ẑ{l} = (z{l} − μ) / √(σ² + ε),  v{l} = γ{l} ẑ{l} + β{l};  training: μ, σ² of this batch (biased), running ← {NumericType.DoubleText(momentum)}·running + (1 − {NumericType.DoubleText(momentum)})·batch; inference: running statistics");
        w.Line($"{T} invRows{l} = {t.Lit(1)} / rows;");
        using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
        {
            w.Line($"{T} mean, variance;");
            using (w.Block("if (training)"))
            {
                w.Line($"mean = {t.Lit(0)};");
                using (w.Block("for (int s = 0; s < rows; s++)"))
                {
                    w.Line($"mean += {layer.Z}[s * {layer.OutSize} + j];");
                }

                w.Line($"mean *= invRows{l};");
                w.Line($"variance = {t.Lit(0)};");
                using (w.Block("for (int s = 0; s < rows; s++)"))
                {
                    w.Line($"{T} d = {layer.Z}[s * {layer.OutSize} + j] - mean;");
                    w.Line("variance += d * d;");
                }

                w.Line($"variance *= invRows{l};");
                w.Line($"st[mean{l} + j] = {t.Lit(momentum)} * st[mean{l} + j] + ({t.Lit(1)} - {t.Lit(momentum)}) * mean;");
                w.Line($"st[variance{l} + j] = {t.Lit(momentum)} * st[variance{l} + j] + ({t.Lit(1)} - {t.Lit(momentum)}) * variance;");
            }

            using (w.Block("else"))
            {
                w.Line($"mean = st[mean{l} + j];");
                w.Line($"variance = st[variance{l} + j];");
            }

            w.Line($"{T} inv = {t.Lit(1)} / {t.Math}.Sqrt(variance + {t.Lit(layer.Model.BatchNormEpsilon)});");
            w.Line($"{layer.InvStd}[j] = inv;");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"int i = s * {layer.OutSize} + j;");
                w.Line($"{layer.ZHat}[i] = ({layer.Z}[i] - mean) * inv;");
                w.Line($"{layer.ActIn}[i] = p[gamma{l} + j] * {layer.ZHat}[i] + p[beta{l} + j];");
            }
        }
    }

    private static void SoftmaxForward(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        w.Line($"// softmax per sample: subtract the max (so e^x never overflows), exponentiate, normalize");
        using (w.Block("for (int s = 0; s < rows; s++)"))
        {
            w.Line($"var zs = {layer.ActIn}.Slice(s * {layer.OutSize}, {layer.OutSize});");
            w.Line($"var os = {layer.ActOut}.Slice(s * {layer.OutSize}, {layer.OutSize});");
            w.Line($"{t.Name} max = zs[0];");
            using (w.Block($"for (int j = 1; j < {layer.OutSize}; j++)"))
            {
                w.Line($"max = {t.Math}.Max(max, zs[j]);");
            }

            w.Line($"{t.Name} sum = {t.Lit(0)};");
            using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
            {
                w.Line($"os[j] = {t.Math}.Exp(zs[j] - max);");
                w.Line("sum += os[j];");
            }

            using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
            {
                w.Line("os[j] /= sum;");
            }
        }
    }

    // ───────────────────────────── backward ─────────────────────────────

    public static void OutputError(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        string T = t.Name;
        LayerMath.LossRule loss = LayerMath.For(plan.Model.Loss);
        LayerMath.ActivationRule act = LayerMath.For(layer.Model.Activation);
        int l = layer.Index;
        string v = layer.ActIn, a = layer.A, d = layer.Delta;
        w.Line($"// ─── Output error, layer {l} ({act.Name}), {loss.Name} ───");
        w.Line($"// {loss.Cost}" + (loss.StableCost != loss.Cost ? $",  computed as {loss.StableCost}" : ""));
        w.Line($"// {loss.Delta.Replace("^L", l.ToString(CultureInfo.InvariantCulture)).Replace("δ", "δ")}" + (plan.Model.Loss == LossKind.MeanSquaredError ? $",  {act.Derivative}" : ""));
        using (w.Block("for (int s = 0; s < rows; s++)"))
        {
            w.Line($"int o = s * {layer.OutSize};");
            switch (plan.Model.Loss)
            {
                case LossKind.MeanSquaredError when layer.Model.Activation == ActivationKind.Softmax:
                    w.Line($"{T} dot = {t.Lit(0)};   // (a − y)·a, for the softmax Jacobian-vector product");
                    using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"{T} e = {a}[o + j] - y[o + j];");
                        w.Line($"loss += {t.Lit(0.5)} * e * e;");
                        w.Line($"dot += e * {a}[o + j];");
                    }

                    using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"{d}[o + j] = {a}[o + j] * (({a}[o + j] - y[o + j]) - dot);");
                    }

                    break;

                case LossKind.MeanSquaredError:
                    if (layer.Unrolled)
                    {
                        for (int j = 0; j < layer.Out; j++)
                        {
                            w.Line($"{T} e{I(j)} = {a}[o + {I(j)}] - y[o + {I(j)}];   // ∂C/∂a{l}_{I(j)}");
                            w.Line($"loss += {t.Lit(0.5)} * e{I(j)} * e{I(j)};");
                            w.Line($"{d}[o + {I(j)}] = {act.ScalarDelta(t, $"e{I(j)}", $"{v}[o + {I(j)}]", $"{a}[o + {I(j)}]", Alpha(t, layer))};");
                        }
                    }
                    else
                    {
                        using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                        {
                            w.Line($"{T} e = {a}[o + j] - y[o + j];   // ∂C/∂a");
                            w.Line($"loss += {t.Lit(0.5)} * e * e;");
                            w.Line($"{d}[o + j] = {act.ScalarDelta(t, "e", $"{v}[o + j]", $"{a}[o + j]", Alpha(t, layer))};");
                        }
                    }

                    break;

                case LossKind.BinaryCrossEntropy:
                    using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"{T} vj = {v}[o + j];");
                        w.Line($"loss += {t.Math}.Max(vj, {t.Lit(0)}) - vj * y[o + j] + {t.Math}.Log({t.Lit(1)} + {t.Math}.Exp(-{t.Math}.Abs(vj)));");
                        w.Line($"{d}[o + j] = {a}[o + j] - y[o + j];");
                    }

                    break;

                case LossKind.CrossEntropy:
                    w.Line($"{T} max = {v}[o];");
                    using (w.Block($"for (int j = 1; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"max = {t.Math}.Max(max, {v}[o + j]);");
                    }

                    w.Line($"{T} sum = {t.Lit(0)}, sumY = {t.Lit(0)};");
                    using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"sum += {t.Math}.Exp({v}[o + j] - max);");
                    }

                    w.Line($"{T} lse = max + {t.Math}.Log(sum);   // ln Σ_k e^(z_k)");
                    using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"loss += y[o + j] * (lse - {v}[o + j]);");
                        w.Line("sumY += y[o + j];");
                    }

                    using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"{d}[o + j] = {a}[o + j] * sumY - y[o + j];");
                    }

                    break;
            }
        }
    }

    public static void BatchNormBackward(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        string T = t.Name;
        int l = layer.Index;
        string d = layer.Delta;
        w.Line($"// ─── Batch normalization of layer {l}, backward: {d} holds ∂C/∂v{l} ───");
        w.Line($"// ∂C/∂γ{l} += Σ_s ∂C/∂v ∘ ẑ,   ∂C/∂β{l} += Σ_s ∂C/∂v");
        w.Line($"// δ{l} = γ{l} / √(σ² + ε) ∘ (∂C/∂v − mean_s ∂C/∂v − ẑ ∘ mean_s(∂C/∂v ∘ ẑ))");
        w.Line($"{T} invRowsBack{l} = {t.Lit(1)} / rows;");
        using (w.Block($"for (int j = 0; j < {layer.OutSize}; j++)"))
        {
            w.Line($"{T} sum = {t.Lit(0)}, sumZHat = {t.Lit(0)};");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"int i = s * {layer.OutSize} + j;");
                w.Line($"sum += {d}[i];");
                w.Line($"sumZHat += {d}[i] * {layer.ZHat}[i];");
            }

            w.Line($"{T} gammaScale = p[gamma{l} + j] * {layer.InvStd}[j];   // read before the update below (g may be the parameters)");
            w.Line($"g[gamma{l} + j] += scale * sumZHat;");
            w.Line($"g[beta{l} + j] += scale * sum;");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"int i = s * {layer.OutSize} + j;");
                w.Line($"{d}[i] = gammaScale * ({d}[i] - invRowsBack{l} * sum - {layer.ZHat}[i] * invRowsBack{l} * sumZHat);");
            }
        }
    }

    public static void WeightGradients(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        int l = layer.Index;
        string aPrev = $"a{l - 1}", d = layer.Delta;
        w.Line($"// ─── Layer {l} gradients: ∂C/∂W{l}_jk += δ{l}_j a{l - 1}_k,   ∂C/∂b{l}_j += δ{l}_j   (times scale: 1, or −η/B for a fused SGD step) ───");
        if (!layer.Unrolled)
        {
            w.Line(layer.Out == 1
                ? $"// ∂C/∂W{l} += a{l - 1}ᵀ δ{l}: W{l} has one column, contiguous over k: 4 vectors of k per block, summed over the samples in 4 accumulators; ∂C/∂b{l} += Σ_s δ{l}"
                : $"// ∂C/∂W{l} += a{l - 1}ᵀ δ{l}: 4 rows of W{l} × 2 vectors per block, summed over the samples in 8 accumulators; ∂C/∂b{l} += Σ_s δ{l}");
            using (w.Block())
            {
                w.Line("ref var gr = ref Ref(g);");
                w.Line($"ref var xr = ref Ref({aPrev});");
                w.Line($"ref var dr = ref Ref({d});");
                if (layer.Out == 1)
                {
                    BlockedKernels.ColumnGradient(w, t, "xr", layer.InSize, "dr", "gr", layer.W, layer.B);
                }
                else
                {
                    BlockedKernels.TransposedProduct(w, t, "xr", layer.InSize, "dr", layer.OutSize, "gr", $"{layer.W} + ", layer.B);
                }
            }

            return;
        }

        using (w.Block("for (int s = 0; s < rows; s++)"))
        {
            w.Line($"int i = s * {layer.InSize}, o = s * {layer.OutSize};");
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"{T(plan)} d{I(j)} = scale * {d}[o + {I(j)}];")));
            for (int k = 0; k < layer.In; k++)
            {
                for (int j = 0; j < layer.Out; j++)
                {
                    w.Line($"g[{layer.W} + {I(k)} * {I(layer.Out)} + {I(j)}] += d{I(j)} * {aPrev}[i + {I(k)}];");
                }
            }

            for (int j = 0; j < layer.Out; j++)
            {
                w.Line($"g[{layer.B} + {I(j)}] += d{I(j)};");
            }
        }
    }

    public static void BackpropagateError(SourceWriter w, NetworkPlan plan, LayerPlan layer, LayerPlan previous)
    {
        NumericType t = plan.T;
        string T = t.Name;
        int l = layer.Index, p = previous.Index;
        LayerMath.ActivationRule act = LayerMath.For(previous.Model.Activation);
        string d = layer.Delta, dp = previous.Delta;
        w.Line($"// ─── Back-propagate to layer {p}: δ{p} = ((W{l})ᵀ δ{l}) ∘ σ'({previous.ActIn}),   {act.Derivative}{AlphaNote(previous)} ───");
        if (previous.HasDropout)
        {
            w.Line($"// dropout: ∂C/∂{previous.ActOut} = ∂C/∂{previous.A} ∘ {previous.Mask}");
        }

        if (previous.Model.BatchNorm)
        {
            w.Line($"// batch norm: this gives ∂C/∂v{p}; the batch-normalization block below turns it into δ{p} = ∂C/∂z{p}");
        }

        string mask(string index) => previous.HasDropout ? $" * {previous.Mask}[{index}]" : "";
        if (layer.Unrolled)
        {
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"int i = s * {previous.OutSize}, o = s * {layer.OutSize};");
                for (int k = 0; k < layer.In; k++)
                {
                    IEnumerable<string> terms = Enumerable.Range(0, layer.Out).Select(j => $"p[{layer.W} + {I(k)} * {I(layer.Out)} + {I(j)}] * {d}[o + {I(j)}]");
                    string index = $"i + {I(k)}";
                    w.Line($"{T} da{I(k)} = ({string.Join(" + ", terms)}){mask(index)};   // ∂C/∂{previous.ActOut}_{I(k)}");
                    w.Line($"{dp}[{index}] = {act.ScalarDelta(t, $"da{I(k)}", $"{previous.ActIn}[{index}]", $"{previous.ActOut}[{index}]", Alpha(t, previous))};");
                }
            }

            return;
        }

        using (w.Block("if (transposed)"))
        {
            w.Line($"// ∂C/∂a{p} = δ{l} W{l}ᵀ as a product with the transposed copy of W{l} (made once per batch): 4 samples × 2 vectors per block");
            w.Line($"ref var tr = ref Ref(_wt{l});");
            w.Line($"ref var dr = ref Ref({d});");
            w.Line($"ref var gr = ref Ref({dp});");
            BlockedKernels.Product(w, t, "dr", layer.OutSize, "tr", "", previous.OutSize, null, null,
                (ww, o, col, value, vector) => ww.Line(vector ? $"Store(ref gr, {o} + {col}, {value});" : $"Get(ref gr, {o} + {col}) = {value};"));
        }

        if (layer.Out == 1)
        {
            using (w.Block("else for (int s = 0; s < rows; s++)"))
            {
                w.Line($"// W{l} has one column, contiguous over k: ∂C/∂a{p}_k = w{l}_k δ{l}, for all k at once");
                w.Line($"ref var gs = ref Get(ref Ref({dp}), s * {previous.OutSize});");
                w.Line($"ref var wr = ref Get(ref Ref(p), {layer.W});");
                w.Line($"{T} dj = {d}[s];");
                w.Line("var dv = Vec(dj);");
                w.Line("int k = 0;");
                using (w.Block($"for (; k + VectorWidth <= {previous.OutSize}; k += VectorWidth)"))
                {
                    w.Line("Store(ref gs, k, Load(ref wr, k) * dv);");
                }

                using (w.Block($"for (; k < {previous.OutSize}; k++)"))
                {
                    w.Line("Get(ref gs, k) = Get(ref wr, k) * dj;");
                }
            }
        }
        else using (w.Block("else for (int s = 0; s < rows; s++)"))
        {
            // Fewer than 4 rows: no transposed copy; ∂C/∂a_k = W[k, :]·δ row by row, four rows of W at a time so that four
            // independent chains of fused multiply-adds are in flight (one chain waits on the FMA latency at every step).
            w.Line($"// ∂C/∂a{p}_k = Σ_j w{l}_jk δ{l}_j = W{l}[k, :]·δ{l}: 4 rows k at a time, one accumulator each, then a horizontal sum");
            w.Line($"ref var ds = ref Get(ref Ref({d}), s * {layer.OutSize});");
            w.Line($"ref var gs = ref Get(ref Ref({dp}), s * {previous.OutSize});");
            w.Line($"ref var wr = ref Get(ref Ref(p), {layer.W});");
            w.Line("int k = 0;");
            foreach (int group in new[] { 4, 1 })
            {
                using (w.Block(group == 4 ? $"for (; k + 4 <= {previous.OutSize}; k += 4)" : $"for (; k < {previous.OutSize}; k++)"))
                {
                    for (int r = 0; r < group; r++)
                    {
                        w.Line($"ref var w{r} = ref Get(ref wr, (k + {r}) * {layer.OutSize});");
                    }

                    w.Line(string.Join(" ", Enumerable.Range(0, group).Select(r => $"var c{r} = {t.VecLit(0)};")));
                    w.Line("int j = 0;");
                    using (w.Block($"for (; j + VectorWidth <= {layer.OutSize}; j += VectorWidth)"))
                    {
                        w.Line("var dv = Load(ref ds, j);");
                        w.Line(string.Join(" ", Enumerable.Range(0, group).Select(r => $"c{r} = Fma(Load(ref w{r}, j), dv, c{r});")));
                    }

                    if (group == 4)
                    {
                        using (w.Block($"if ({layer.OutSize} % VectorWidth == 0)"))
                        {
                            w.Line("global::NetGen.VectorMath.StoreSums(c0, c1, c2, c3, ref Get(ref gs, k));   // no remainder: the four horizontal sums at once");
                            w.Line("continue;");
                        }
                    }

                    // A layer narrower than a vector has no vector part: its accumulators are zero and are not summed.
                    w.Line(string.Join(" ", Enumerable.Range(0, group).Select(r => $"{T} dot{r} = {layer.OutSize} >= VectorWidth ? global::System.Numerics.Vector.Sum(c{r}) : {t.Lit(0)};")));
                    using (w.Block($"for (; j < {layer.OutSize}; j++)"))
                    {
                        w.Line($"{T} dj = Get(ref ds, j);");
                        w.Line(string.Join(" ", Enumerable.Range(0, group).Select(r => $"dot{r} = {t.Math}.FusedMultiplyAdd(Get(ref w{r}, j), dj, dot{r});")));
                    }

                    w.Line(string.Join(" ", Enumerable.Range(0, group).Select(r => $"Get(ref gs, k + {r}) = dot{r};")));
                }
            }
        }

        if (previous.HasDropout)
        {
            w.Line($"for (int i = 0; i < rows * {previous.OutSize}; i++) {dp}[i] *= {previous.Mask}[i];");
        }

        Elementwise(w, plan, dp, dp, $"rows * {previous.OutSize}",
            v => act.VectorDelta(t, v, $"Vec({previous.ActIn}, i)", $"Vec({previous.ActOut}, i)", VecAlpha(t, previous)),
            s => act.ScalarDelta(t, s, $"{previous.ActIn}[i]", $"{previous.ActOut}[i]", Alpha(t, previous)),
            $"δ{p} = ∂C/∂{previous.ActOut} ∘ σ'({previous.ActIn})");
    }

    // ───────────────────────────── helpers ─────────────────────────────

    /// <summary>dst[i] = f(src[i]) over <paramref name="length"/> values, in Vector&lt;T&gt; chunks then a scalar remainder.</summary>
    private static void Elementwise(SourceWriter w, NetworkPlan plan, string src, string dst, string length,
        System.Func<string, string> vector, System.Func<string, string> scalar, string? comment = null)
    {
        NumericType t = plan.T;
        if (vector("u") == "u")
        {
            if (src != dst)
            {
                w.Line($"{src}.Slice(0, {length}).CopyTo({dst});   // identity");
            }

            return;
        }

        using (w.Block(comment is null ? "" : $"// {comment}", "}"))
        {
            w.Line($"ref var sr = ref Ref({src});");
            w.Line($"ref var dr = ref Ref({dst});");
            w.Line("int i = 0;");
            using (w.Block($"for (; i <= {length} - VectorWidth; i += VectorWidth)"))
            {
                w.Line("var u = Load(ref sr, i);");
                w.Line($"Store(ref dr, i, {vector("u")});");
            }

            using (w.Block($"for (; i < {length}; i++)"))
            {
                w.Line($"{t.Name} u = {src}[i];");
                w.Line($"{dst}[i] = {scalar("u")};");
            }
        }
    }

    private static string Alpha(NumericType t, LayerPlan layer) => t.Lit(layer.Model.Alpha);

    private static string VecAlpha(NumericType t, LayerPlan layer) => t.Lit(layer.Model.Alpha);

    private static string AlphaNote(LayerPlan layer) =>
        layer.Model.Activation is ActivationKind.LeakyReLU or ActivationKind.ELU ? $",  α = {NumericType.DoubleText(layer.Model.Alpha)}" : "";
}
