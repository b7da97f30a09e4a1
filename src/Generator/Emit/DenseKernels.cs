using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The statements of each equation, in the two shapes the plan chooses from: unrolled scalar statements (one per
/// weight, as the course derives the 2-2-1 network) for tiny layers, and for wide layers one call to the runtime's
/// generic kernel (NetGen.Dense, BatchNorm, Dropout, Softmax, Losses) that takes the layer's sizes as a type argument.
/// Every block opens with the equation it implements (the text comes from <see cref="LayerMath"/>).
/// </summary>
internal static class DenseKernels
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    // ───────────────────────────── forward ─────────────────────────────

    public static void InputDropout(SourceWriter w, NetworkPlan plan)
    {
        NumericType t = plan.T;
        w.Line($"global::System.ReadOnlySpan<{t.Name}> a0 = t.Inputs;");
        double rate = plan.Model.InputDropout;
        if (rate <= 0)
        {
            return;
        }

        w.Line($"// ─── Dropout on the input: {LayerMath.DropoutForward("a0", "x", "m0", NumericType.DoubleText(rate))} ───");
        using (w.Block("if (t.Training)"))
        {
            w.Line($"global::NetGen.Dropout.Forward<{t.Name}>(t.Inputs, ws[M0], ws[A0], rows * Layer0Size, t.Key, 0, t.FirstRow * Layer0Size, {NumericType.DoubleText(rate)});");
            w.Line("a0 = ws[A0];");
        }
    }

    public static void Forward(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        LayerMath.ActivationRule act = LayerMath.For(layer.Model, t);
        int l = layer.Index;
        string kernel = layer.Unrolled ? $"unrolled, {layer.Model.WeightCount} weights" : layer.Panels ? $"register-blocked product, W in column panels from {PanelRows(layer, plan.T)} rows" : "register-blocked product";
        w.Line();
        w.Line($"// ─── Layer {l}: dense {layer.In} → {layer.Out}, {act.Name} ({kernel}) ───");
        w.Line($"// {LayerMath.DenseForward(l, layer.Out)}");
        if (layer.Model.BatchNorm)
        {
            w.Line($"// {LayerMath.BatchNormForward(l, NumericType.DoubleText(layer.Model.BatchNormMomentum))}");
        }

        w.Line($"// {layer.ActOut} = σ({layer.ActIn})      {act.Forward}{AlphaNote(layer)}");
        if (layer.HasDropout)
        {
            w.Line($"// {LayerMath.DropoutForward(layer.A, layer.ActOut, layer.Mask, NumericType.DoubleText(layer.Model.DropoutRate))}");
        }

        var spans = new List<string> { $"{layer.Z} = ws[{LayerPlan.Field(layer.Z)}]" };
        if (layer.Model.BatchNorm)
        {
            spans.Add($"{layer.ZHat} = ws[{LayerPlan.Field(layer.ZHat)}]");
            spans.Add($"{layer.ActIn} = ws[{LayerPlan.Field(layer.ActIn)}]");
            spans.Add($"{layer.InvStd} = ws[{LayerPlan.Field(layer.InvStd)}]");
        }

        if (layer.HasDropout)
        {
            spans.Add($"{layer.ActOut} = ws[{LayerPlan.Field(layer.ActOut)}]");
            spans.Add($"{layer.Mask} = ws[{LayerPlan.Field(layer.Mask)}]");
        }

        spans.Add($"{layer.A} = ws[{LayerPlan.Field(layer.A)}]");
        w.Line($"global::System.Span<{t.Name}> {string.Join(", ", spans)};");

        string aPrev = $"a{l - 1}";
        bool activated = false;
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

                    activated = true;
                }
            }
        }
        else if (!layer.Model.BatchNorm && !act.RowWise)
        {
            w.Line($"global::NetGen.Dense.Forward<{t.Name}, {layer.Shape}, {act.Kernel}>(p, {aPrev}, {layer.Z}, {layer.ActOut}, rows, ws);");
            activated = true;
        }
        else
        {
            w.Line($"global::NetGen.Dense.Product<{t.Name}, {layer.Shape}>(p, {aPrev}, {layer.Z}, rows, ws);");
        }

        if (layer.Model.BatchNorm)
        {
            w.Line($"global::NetGen.BatchNorm.Forward<{t.Name}, {layer.Shape}>(p, t.State, {layer.Z}, {layer.ZHat}, {layer.ActIn}, {layer.InvStd}, rows, t.Training);");
        }

        if (!activated)
        {
            w.Line(act.RowWise
                ? $"global::NetGen.Softmax.Forward<{t.Name}>({layer.ActIn}, {layer.ActOut}, rows, {layer.OutSize});"
                : $"global::NetGen.Activations.Apply<{t.Name}, {act.Kernel}>({layer.ActIn}, {layer.ActOut}, rows * {layer.OutSize}, {Alpha(t, layer)});");
        }

        if (layer.HasDropout)
        {
            using (w.Block("if (t.Training)"))
            {
                w.Line($"global::NetGen.Dropout.Forward<{t.Name}>({layer.ActOut}, {layer.Mask}, {layer.A}, rows * {layer.OutSize}, t.Key, {I(l)}, t.FirstRow * {layer.OutSize}, {NumericType.DoubleText(layer.Model.DropoutRate)});");
            }

            using (w.Block("else"))
            {
                w.Line($"{layer.A} = {layer.ActOut};");
            }
        }
    }

    // ───────────────────────────── backward ─────────────────────────────

    public static void OutputError(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        string T = t.Name;
        LayerMath.LossRule loss = LayerMath.For(plan.Model);
        LayerMath.ActivationRule act = LayerMath.For(layer.Model, t);
        int l = layer.Index;
        string v = layer.ActIn, a = layer.A, d = layer.Delta;
        w.Line($"// ─── Output error, layer {l} ({act.Name}), {loss.Name} ───");
        w.Line($"// {loss.Cost}" + (loss.StableCost != loss.Cost ? $",  computed as {loss.StableCost}" : ""));
        bool throughActivation = plan.Model.Loss == LossKind.MeanSquaredError || LayerMath.IsElementLoss(plan.Model.Loss);
        w.Line($"// {loss.Delta.Replace("^L", I(l))}" + (throughActivation ? $",  {act.Derivative}" : ""));
        if (LayerMath.IsElementLoss(plan.Model.Loss))
        {
            string lossType = LayerMath.ElementLossType(plan.Model, t);
            w.Line(act.RowWise
                ? $"{T} loss = global::NetGen.Losses.SoftmaxElementwise<{T}, {lossType}>({a}, y, {d}, rows, {layer.OutSize});"
                : $"{T} loss = global::NetGen.Losses.Elementwise<{T}, {lossType}, {act.Kernel}>({v}, {a}, y, {d}, rows, {layer.OutSize}, {Alpha(t, layer)});");
            return;
        }

        if (plan.Model.Loss == LossKind.MeanSquaredError && layer.Unrolled && !act.RowWise)
        {
            w.Line($"{T} loss = {t.Lit(0)};");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"int o = s * {layer.OutSize};");
                for (int j = 0; j < layer.Out; j++)
                {
                    w.Line($"{T} e{I(j)} = {a}[o + {I(j)}] - y[o + {I(j)}];   // ∂C/∂a{l}_{I(j)}");
                    w.Line($"loss += {t.Lit(0.5)} * e{I(j)} * e{I(j)};");
                    w.Line($"{d}[o + {I(j)}] = {act.ScalarDelta(t, $"e{I(j)}", $"{v}[o + {I(j)}]", $"{a}[o + {I(j)}]", Alpha(t, layer))};");
                }
            }

            return;
        }

        string kernel = LayerMath.LossKernel(plan.Model.Loss, act.RowWise);
        w.Line(plan.Model.Loss == LossKind.MeanSquaredError && !act.RowWise
            ? $"{T} loss = {kernel}<{T}, {act.Kernel}>({v}, {a}, y, {d}, rows, {layer.OutSize}, {Alpha(t, layer)});"
            : plan.Model.Loss == LossKind.MeanSquaredError
                ? $"{T} loss = {kernel}<{T}>({a}, y, {d}, rows, {layer.OutSize});"
                : $"{T} loss = {kernel}<{T}>({v}, {a}, y, {d}, rows, {layer.OutSize});");
    }

    /// <summary>Layer l's backward block: batch normalization, δ^{l−1} (read W^l before it may be written), then the gradients.</summary>
    public static void Backward(SourceWriter w, NetworkPlan plan, LayerPlan layer, LayerPlan? previous)
    {
        NumericType t = plan.T;
        int l = layer.Index;
        w.Line();
        w.Line($"// ─── Layer {l} ───");
        if (layer.Model.BatchNorm)
        {
            w.Line($"// {LayerMath.BatchNormBackward(l)}   ({layer.Delta} holds ∂C/∂v{l} on entry)");
            w.Line($"global::NetGen.BatchNorm.Backward<{t.Name}, {layer.Shape}>(p, g, {layer.Delta}, {layer.ZHat}, {layer.InvStd}, rows, scale);");
        }

        // δ^{l−1} first: it reads W^l, which the gradient step below may update in place (fused SGD).
        if (previous is not null)
        {
            Backpropagate(w, plan, layer, previous);
        }

        WeightGradients(w, plan, layer);
    }

    private static void WeightGradients(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        int l = layer.Index;
        string aPrev = $"a{l - 1}", d = layer.Delta;
        w.Line($"// {LayerMath.Gradients(l)}   (times scale: 1, or −η/B for a fused SGD step)");
        if (!layer.Unrolled)
        {
            // the first layer's call also leaves them to the optimizer when the tile says so (the same in every network)
            w.Line(l == 1 && plan.DefersInputLayer
                ? $"global::NetGen.Dense.AccumulateInputLayerGradients<{t.Name}, {layer.Shape}>(t, g, {aPrev}, {d}, rows, scale);"
                : $"global::NetGen.Dense.AccumulateGradients<{t.Name}, {layer.Shape}>(g, {aPrev}, {d}, rows, scale);");
            return;
        }

        using (w.Block("for (int s = 0; s < rows; s++)"))
        {
            w.Line($"int i = s * {layer.InSize}, o = s * {layer.OutSize};");
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"{t.Name} d{I(j)} = scale * {d}[o + {I(j)}];")));
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

    private static void Backpropagate(SourceWriter w, NetworkPlan plan, LayerPlan layer, LayerPlan previous)
    {
        NumericType t = plan.T;
        string T = t.Name;
        int l = layer.Index, p = previous.Index;
        LayerMath.ActivationRule act = LayerMath.For(previous.Model, t);
        string d = layer.Delta, dp = previous.Delta;
        w.Line($"// {LayerMath.Backpropagate(l, previous.ActIn)},   {act.Derivative}{AlphaNote(previous)}" +
            (previous.HasDropout ? $";  dropout: ∂C/∂{previous.ActOut} = ∂C/∂{previous.A} ∘ {previous.Mask}" : "") +
            (previous.Model.BatchNorm ? $";  this gives ∂C/∂v{p}, turned into δ{p} by layer {p}'s batch normalization" : ""));
        if (layer.Unrolled)
        {
            string mask(string index) => previous.HasDropout ? $" * {previous.Mask}[{index}]" : "";
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

        w.Line($"global::NetGen.Dense.Backpropagate<{T}, {layer.Shape}>(p, t.Transposed, {layer.TransposedOffset}, {d}, {dp}, rows);");
        if (previous.HasDropout)
        {
            w.Line($"global::NetGen.Dropout.Backward<{T}>({dp}, {previous.Mask}, rows * {previous.OutSize});");
        }

        if (!act.RowWise && previous.Model.Activation != ActivationKind.Identity)
        {
            w.Line($"global::NetGen.Activations.Delta<{T}, {act.Kernel}>({dp}, {previous.ActIn}, {previous.ActOut}, rows * {previous.OutSize}, {Alpha(t, previous)});");
        }
    }

    // ───────────────────────────── helpers ─────────────────────────────

    public static string Alpha(NumericType t, LayerPlan layer) => t.Lit(layer.Model.Alpha);

    /// <summary>
    /// The fewest rows for which the runtime's forward product reads a paneled layer's W from column panels (NetGen.Dense:
    /// one panel on the stack from 8 rows for a W over 256 KB, from 32 below; all of W in the workspace from 128 rows for
    /// more than 2048 inputs).
    /// </summary>
    private static int PanelRows(LayerPlan layer, NumericType t) =>
        layer.In > 2048 ? 128 : (long)layer.In * layer.Out * t.Bytes > 256 * 1024 ? 8 : 32;

    private static string AlphaNote(LayerPlan layer) =>
        layer.Model.Activation is ActivationKind.LeakyReLU or ActivationKind.ELU ? $",  α = {NumericType.DoubleText(layer.Model.Alpha)}" : "";
}
