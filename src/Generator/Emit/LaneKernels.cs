using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The kernel shape for networks narrower than a vector: SIMD across samples. Each <c>Vector&lt;T&gt;</c> holds one
/// quantity for VectorWidth samples (lane i = sample s + i), so the course's unrolled equations run unchanged,
/// VectorWidth samples at a time: z1_0 = w1_0_0 a0_0 + w1_1_0 a0_1 + b1_0 on vectors. Weights are broadcast once
/// per batch, every gradient accumulates in its own vector, and the lanes are summed at the end.
/// </summary>
internal static class LaneKernels
{
    /// <summary>Networks with at most this many parameters get the lane kernels (one vector register or stack slot each).</summary>
    public const int MaxParameters = 160;

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether the plan uses the lane kernels: every layer unrolled, no batch norm or dropout, few parameters, and only the
    /// first seven activations and three losses (user-written functions and the issue-15 built-ins run the row kernels).
    /// </summary>
    public static bool Applies(NetworkPlan plan) =>
        plan.Layers.All(l => l.Unrolled) && !plan.HasBatchNorm && !plan.HasDropout && plan.ParameterCount <= MaxParameters &&
        plan.Layers.All(l => l.Model.Activation <= ActivationKind.Softmax) && plan.Model.Loss <= LossKind.CrossEntropy;

    public static void Write(SourceWriter w, NetworkPlan plan)
    {
        NumericType t = plan.T;
        string T = t.Name;
        string ro = $"global::System.ReadOnlySpan<{T}>", rw = $"global::System.Span<{T}>";
        LayerPlan output = plan.Layers[plan.L - 1];
        w.Line("/// <summary>SIMD across samples: lane i of every vector is sample s + i of the tile transposed (xt, yt: a row per feature). Inference");
        w.Line("/// writes a^L transposed into ot; training (the same forward equations) adds scale · ∂C/∂θ to g, returns the summed loss.</summary>");
        using (w.Block($"public static {T} Lanes({ro} p, {rw} g, {ro} xt, {ro} yt, {rw} ot, int rows, {T} scale)"))
        {
            Prologue(w, plan);
            string loop = $"for (int s = 0; s < rows; s += {t.Vector}.Count)";
            string inputs = string.Join(" ", Enumerable.Range(0, plan.Model.InputSize).Select(k => $"var a0_{I(k)} = {t.Vec($"xt.Slice({I(k)} * rows + s)")};"));
            using (w.Block("if (!ot.IsEmpty)"))
            {
                using (w.Block(loop + "   // inference"))
                {
                    w.Line(inputs);
                    foreach (LayerPlan layer in plan.Layers)
                    {
                        Forward(w, plan, layer, comments: false);
                    }

                    w.Line(string.Join(" ", Enumerable.Range(0, output.Out).Select(j => $"a{output.Index}_{I(j)}.CopyTo(ot.Slice({I(j)} * rows + s));")));
                }

                w.Line($"return {t.Lit(0)};");
            }

            w.Line("// gradient accumulators, one vector per parameter, summed over the lanes at the end");
            foreach (LayerPlan layer in plan.Layers)
            {
                w.Line(string.Join(" ", Weights(layer).Select(wk => $"var d{wk.Name} = {t.VecLit(0)};")) + " " +
                    string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var db{layer.Index}_{I(j)} = {t.VecLit(0)};")));
            }

            w.Line($"var loss = {t.VecLit(0)};");
            using (w.Block(loop + "   // training"))
            {
                w.Line(inputs);
                foreach (LayerPlan layer in plan.Layers)
                {
                    Forward(w, plan, layer, comments: true);
                }

                w.Line(string.Join(" ", Enumerable.Range(0, output.Out).Select(j => $"var y_{I(j)} = {t.Vec($"yt.Slice({I(j)} * rows + s)")};")));
                OutputError(w, plan, output);
                for (int l = plan.L; l >= 1; l--)
                {
                    LayerPlan layer = plan.Layers[l - 1];
                    w.Line($"// ∂C/∂W{l}_kj += δ{l}_j a{l - 1}_k,   ∂C/∂b{l}_j += δ{l}_j");
                    foreach (IGrouping<int, (string Name, int K, int J)> row in Weights(layer).GroupBy(wk => wk.K))
                    {
                        w.Line(string.Join(" ", row.Select(wk => $"d{wk.Name} = {NumericType.VM}.Fma(delta{l}_{I(wk.J)}, a{l - 1}_{I(wk.K)}, d{wk.Name});")));
                    }

                    w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"db{l}_{I(j)} += delta{l}_{I(j)};")));
                    if (l > 1)
                    {
                        LayerPlan previous = plan.Layers[l - 2];
                        LayerMath.ActivationRule act = LayerMath.For(previous.Model.Activation);
                        w.Line($"// δ{l - 1} = ((W{l})ᵀ δ{l}) ∘ σ'(z{l - 1}),   {act.Derivative}");
                        for (int k = 0; k < layer.In; k++)
                        {
                            string sum = string.Join(" + ", Enumerable.Range(0, layer.Out).Select(j => $"w{l}_{I(k)}_{I(j)} * delta{l}_{I(j)}"));
                            w.Line($"var delta{l - 1}_{I(k)} = {act.VectorDelta(t, $"({sum})", $"z{l - 1}_{I(k)}", $"a{l - 1}_{I(k)}", t.Lit(previous.Model.Alpha))};");
                        }
                    }
                }
            }

            w.Line("// sum the lanes into the gradients");
            foreach (LayerPlan layer in plan.Layers)
            {
                w.Line(string.Join(" ", Weights(layer).Select(wk => $"g[W{layer.Index} + {I(wk.K)} * {I(layer.Out)} + {I(wk.J)}] += scale * global::System.Numerics.Vector.Sum(d{wk.Name});")));
                w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"g[b{layer.Index} + {I(j)}] += scale * global::System.Numerics.Vector.Sum(db{layer.Index}_{I(j)});")));
            }

            w.Line("return global::System.Numerics.Vector.Sum(loss);");
        }
    }

    private static IEnumerable<(string Name, int K, int J)> Weights(LayerPlan layer)
    {
        for (int k = 0; k < layer.In; k++)
        {
            for (int j = 0; j < layer.Out; j++)
            {
                yield return ($"w{layer.Index}_{I(k)}_{I(j)}", k, j);
            }
        }
    }

    private static void Prologue(SourceWriter w, NetworkPlan plan)
    {
        NumericType t = plan.T;
        w.Line("// weights w{l}_k_j (input k → output j) and biases, broadcast to every lane once");
        foreach (LayerPlan layer in plan.Layers)
        {
            w.Line(string.Join(" ", Weights(layer).Select(wk => $"var {wk.Name} = {t.Vec($"p[W{layer.Index} + {I(wk.K)} * {I(layer.Out)} + {I(wk.J)}]")};")));
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var b{layer.Index}_{I(j)} = {t.Vec($"p[b{layer.Index} + {I(j)}]")};")));
        }
    }

    private static void Forward(SourceWriter w, NetworkPlan plan, LayerPlan layer, bool comments)
    {
        NumericType t = plan.T;
        int l = layer.Index;
        LayerMath.ActivationRule act = LayerMath.For(layer.Model.Activation);
        if (comments)
        {
            w.Line($"// z{l} = W{l} a{l - 1} + b{l},   a{l} = σ(z{l}),   {act.Forward}");
        }

        for (int j = 0; j < layer.Out; j++)
        {
            string expression = $"b{l}_{I(j)}";
            for (int k = 0; k < layer.In; k++)
            {
                expression = $"{NumericType.VM}.Fma(w{l}_{I(k)}_{I(j)}, a{l - 1}_{I(k)}, {expression})";
            }

            w.Line($"var z{l}_{I(j)} = {expression};");
        }

        if (layer.Model.Activation == ActivationKind.Softmax)
        {
            string max = $"z{l}_0";
            for (int j = 1; j < layer.Out; j++)
            {
                max = $"global::System.Numerics.Vector.Max({max}, z{l}_{I(j)})";
            }

            w.Line($"var max{l} = {max};");
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var e{l}_{I(j)} = {NumericType.VM}.Exp(z{l}_{I(j)} - max{l});")));
            w.Line($"var sum{l} = {string.Join(" + ", Enumerable.Range(0, layer.Out).Select(j => $"e{l}_{I(j)}"))};");
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var a{l}_{I(j)} = e{l}_{I(j)} / sum{l};")));
            return;
        }

        for (int j = 0; j < layer.Out; j++)
        {
            w.Line($"var a{l}_{I(j)} = {act.Vector(t, $"z{l}_{I(j)}", t.Lit(layer.Model.Alpha))};");
        }
    }

    private static void OutputError(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        int l = layer.Index, n = layer.Out;
        LayerMath.LossRule loss = LayerMath.For(plan.Model.Loss);
        LayerMath.ActivationRule act = LayerMath.For(layer.Model.Activation);
        w.Line($"// {loss.Cost}" + (loss.StableCost != loss.Cost ? $",  computed as {loss.StableCost}" : "") + $";   {loss.Delta.Replace("^L", I(l))}");
        IEnumerable<int> js = Enumerable.Range(0, n);
        switch (plan.Model.Loss)
        {
            case LossKind.MeanSquaredError when layer.Model.Activation == ActivationKind.Softmax:
                w.Line(string.Join(" ", js.Select(j => $"var e_{I(j)} = a{l}_{I(j)} - y_{I(j)};")));
                w.Line(string.Join(" ", js.Select(j => $"loss = {NumericType.VM}.Fma({t.VecLit(0.5)} * e_{I(j)}, e_{I(j)}, loss);")));
                w.Line($"var dot = {string.Join(" + ", js.Select(j => $"e_{I(j)} * a{l}_{I(j)}"))};");
                w.Line(string.Join(" ", js.Select(j => $"var delta{l}_{I(j)} = a{l}_{I(j)} * (e_{I(j)} - dot);")));
                break;
            case LossKind.MeanSquaredError:
                foreach (int j in js)
                {
                    w.Line($"var e_{I(j)} = a{l}_{I(j)} - y_{I(j)};   // ∂C/∂a{l}_{I(j)}");
                    w.Line($"loss = {NumericType.VM}.Fma({t.VecLit(0.5)} * e_{I(j)}, e_{I(j)}, loss);");
                    w.Line($"var delta{l}_{I(j)} = {act.VectorDelta(t, $"e_{I(j)}", $"z{l}_{I(j)}", $"a{l}_{I(j)}", t.Lit(layer.Model.Alpha))};");
                }

                break;
            case LossKind.BinaryCrossEntropy:
                foreach (int j in js)
                {
                    w.Line($"loss += {NumericType.VM}.Max0(z{l}_{I(j)}) - z{l}_{I(j)} * y_{I(j)} + {NumericType.VM}.Log({t.VecLit(1)} + {NumericType.VM}.Exp(-global::System.Numerics.Vector.Abs(z{l}_{I(j)})));");
                    w.Line($"var delta{l}_{I(j)} = a{l}_{I(j)} - y_{I(j)};");
                }

                break;
            case LossKind.CrossEntropy:
                w.Line($"var lse = max{l} + {NumericType.VM}.Log(sum{l});   // ln Σ_k e^(z_k)");
                w.Line($"var sumY = {string.Join(" + ", js.Select(j => $"y_{I(j)}"))};");
                w.Line(string.Join(" ", js.Select(j => $"loss = {NumericType.VM}.Fma(y_{I(j)}, lse - z{l}_{I(j)}, loss);")));
                w.Line(string.Join(" ", js.Select(j => $"var delta{l}_{I(j)} = a{l}_{I(j)} * sumY - y_{I(j)};")));
                break;
        }
    }
}
