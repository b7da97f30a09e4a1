using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The kernel shape for networks narrower than a vector: SIMD across samples. The course's unrolled equations are written
/// once over a lane type V (NetGen.ILane): z1_0 = V.Fma(w1_1_0, a0_1, V.Fma(w1_0_0, a0_0, b1_0)), one quantity per
/// sample in each lane. The engine runs them over VectorLane (Vector&lt;T&gt;.Count samples per step) and over ScalarLane
/// (a single row, or the rows after the last whole vector: plain scalars in registers, no workspace), so these networks
/// have no tile passes at all. Weights are broadcast once per call, every gradient accumulates in its own lane value,
/// and the lanes are summed into g at the end.
/// </summary>
internal static class LaneKernels
{
    /// <summary>Networks with at most this many parameters get the lane kernels (one vector register or stack slot each).</summary>
    public const int MaxParameters = 160;

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether the plan uses the lane kernels: every layer unrolled, no batch norm or dropout, few parameters. Every
    /// activation and loss qualifies: the first seven activations and three losses are written out; the other
    /// activations (SiLU, GELU, softplus, Mish, user-written ones) call their runtime type through V.Activate and
    /// V.ActivationDelta or their generated struct through V.Apply and V.Derivative, the element-wise losses (Huber,
    /// log-cosh, MAE, user-written ones) theirs through V.Loss and V.LossDerivative.
    /// </summary>
    public static bool Applies(NetworkPlan plan) =>
        plan.Layers.All(l => l.Unrolled) && !plan.HasBatchNorm && !plan.HasDropout && plan.ParameterCount <= MaxParameters;

    /// <summary>Whether the lane kernel writes σ and σ' of the layer out (the first seven activations) rather than calling its runtime type.</summary>
    private static bool SpelledOut(LayerModel layer) => layer.Function is null && layer.Activation <= ActivationKind.Softmax;

    /// <summary>a = σ(z) of one unit of the layer, in lane terms.</summary>
    private static string Activation(NumericType t, LayerModel layer, string z) =>
        layer.Function is { } f ? $"V.Apply<{LayerMath.FunctionStruct(f)}>({z})"
        : SpelledOut(layer) ? Lane(t, LayerMath.For(layer.Activation).Vector(t, z, t.Lit(layer.Alpha)))
        : $"V.Activate<{LayerMath.For(layer.Activation).Kernel}>({z})";

    /// <summary>g ∘ σ'(z) of one unit of the layer (a = σ(z)), in lane terms.</summary>
    private static string ActivationDelta(NumericType t, LayerModel layer, string g, string z, string a) =>
        layer.Function is { } f ? $"{g} * V.Derivative<{LayerMath.FunctionStruct(f)}>({z})"
        : SpelledOut(layer) ? Lane(t, LayerMath.For(layer.Activation).VectorDelta(t, g, z, a, t.Lit(layer.Alpha)))
        : $"V.ActivationDelta<{LayerMath.For(layer.Activation).Kernel}>({g}, {z}, {a})";

    public static void Write(SourceWriter w, NetworkPlan plan)
    {
        NumericType t = plan.T;
        string T = t.Name;
        string ro = $"global::System.ReadOnlySpan<{T}>", rw = $"global::System.Span<{T}>";
        LayerPlan output = plan.Layers[plan.L - 1];
        string loop = "for (int s = 0; s < rows; s += V.Count)";
        int n = plan.Model.InputSize, m = output.Out;
        string inputs = string.Join(" ", Enumerable.Range(0, n).Select(k => $"var a0_{I(k)} = V.Load(in xRows, s, {I(k)}, {I(n)});"));
        string stores = string.Join(" ", Enumerable.Range(0, m).Select(j => $"V.Store(a{output.Index}_{I(j)}, ref aRows, s, {I(j)}, {I(m)});"));
        string lane = $"where V : struct, global::NetGen.ILane<V, {T}>";
        // A kernel inlined into the engine's small caller shares that caller's inlining budget and loses the inlining of
        // its helpers (V.Exp became a call per lane value): compiled on its own, every helper inlines into the loop.
        string noInlining = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]   // compiled on its own: every V helper inlined into the loop";
        w.Line("/// <summary>The forward pass over rows samples, V.Count at a time: lane i holds sample s + i, loaded straight from the");
        w.Line("/// row-major inputs x; writes a^L row-major into o.</summary>");
        w.Line(noInlining);
        using (w.Block($"public static void LanesForward<V>({ro} p, {ro} x, {rw} o, int rows) {lane}"))
        {
            Prologue(w, plan);
            w.Line($"// x [rows × {I(n)}] and a^L [rows × {I(m)}], row-major: lengths checked once here, lanes read and written unchecked in the loop");
            w.Line($"ref readonly {T} xRows = ref V.Rows(x, rows, {I(n)}); ref {T} aRows = ref V.Rows(o, rows, {I(m)});");
            using (w.Block(loop))
            {
                w.Line(inputs);
                foreach (LayerPlan layer in plan.Layers)
                {
                    Forward(w, plan, layer, comments: true);
                }

                w.Line(stores);
            }
        }

        w.Line();
        w.Line("/// <summary>Forward pass and back-propagation over rows samples, V.Count at a time (x, y: the inputs and targets, row-major):");
        w.Line("/// adds scale · ∂C/∂θ to g after the loop (g may be p itself: every weight is read first), returns the summed loss; keeps a^L");
        w.Line("/// in o when one is given (the training metrics).</summary>");
        w.Line(noInlining);
        using (w.Block($"public static {T} LanesBackward<V>({ro} p, {rw} g, {ro} x, {ro} y, {rw} o, int rows, {T} scale) {lane}"))
        {
            Prologue(w, plan);
            w.Line("// gradient accumulators, one lane value per parameter, summed over the lanes at the end");
            foreach (LayerPlan layer in plan.Layers)
            {
                w.Line(string.Join(" ", Weights(layer).Select(wk => $"var d{wk.Name} = V.Zero;")) + " " +
                    string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var db{layer.Index}_{I(j)} = V.Zero;")));
            }

            w.Line("var loss = V.Zero;");
            w.Line($"// x [rows × {I(n)}], y and a^L [rows × {I(m)}], row-major (o empty: a^L not kept): lengths checked once here, lanes read unchecked in the loop");
            w.Line($"ref readonly {T} xRows = ref V.Rows(x, rows, {I(n)}); ref readonly {T} yRows = ref V.Rows(y, rows, {I(m)}); ref {T} aRows = ref V.Rows(o, o.IsEmpty ? 0 : rows, {I(m)});");
            using (w.Block(loop))
            {
                w.Line(inputs);
                foreach (LayerPlan layer in plan.Layers)
                {
                    Forward(w, plan, layer, comments: true);
                }

                w.Line($"if (!o.IsEmpty) {{ {stores} }}");
                w.Line(string.Join(" ", Enumerable.Range(0, m).Select(j => $"var y_{I(j)} = V.Load(in yRows, s, {I(j)}, {I(m)});")));
                OutputError(w, plan, output);
                for (int l = plan.L; l >= 1; l--)
                {
                    LayerPlan layer = plan.Layers[l - 1];
                    w.Line($"// ∂C/∂W{l}_kj += δ{l}_j a{l - 1}_k,   ∂C/∂b{l}_j += δ{l}_j");
                    foreach (IGrouping<int, (string Name, int K, int J)> row in Weights(layer).GroupBy(wk => wk.K))
                    {
                        w.Line(string.Join(" ", row.Select(wk => $"d{wk.Name} = V.Fma(delta{l}_{I(wk.J)}, a{l - 1}_{I(wk.K)}, d{wk.Name});")));
                    }

                    w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"db{l}_{I(j)} += delta{l}_{I(j)};")));
                    if (l > 1)
                    {
                        LayerPlan previous = plan.Layers[l - 2];
                        LayerMath.ActivationRule act = LayerMath.For(previous.Model, t);
                        w.Line($"// δ{l - 1} = ((W{l})ᵀ δ{l}) ∘ σ'(z{l - 1}),   {act.Derivative}");
                        for (int k = 0; k < layer.In; k++)
                        {
                            string sum = string.Join(" + ", Enumerable.Range(0, layer.Out).Select(j => $"w{l}_{I(k)}_{I(j)} * delta{l}_{I(j)}"));
                            w.Line($"var delta{l - 1}_{I(k)} = {ActivationDelta(t, previous.Model, $"({sum})", $"z{l - 1}_{I(k)}", $"a{l - 1}_{I(k)}")};");
                        }
                    }
                }
            }

            w.Line("// sum the lanes into the gradients");
            foreach (LayerPlan layer in plan.Layers)
            {
                w.Line(string.Join(" ", Weights(layer).Select(wk => $"g[W{layer.Index} + {I(wk.K)} * {I(layer.Out)} + {I(wk.J)}] += scale * V.Sum(d{wk.Name});")));
                w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"g[b{layer.Index} + {I(j)}] += scale * V.Sum(db{layer.Index}_{I(j)});")));
            }

            w.Line("return V.Sum(loss);");
        }
    }

    /// <summary>
    /// A formula of the calculus table (LayerMath), written there for Vector&lt;T&gt; with the runtime's vector helpers, in the
    /// lane kernel's terms: V has a member of the same name for each helper, and V.One, V.Zero, V.Of(c) for the constants.
    /// </summary>
    private static string Lane(NumericType t, string vectorFormula) => vectorFormula
        .Replace(NumericType.VM + ".", "V.")
        .Replace($"new {t.Vector}(", "V.Of(")
        .Replace(t.Vector + ".", "V.");

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
            w.Line(string.Join(" ", Weights(layer).Select(wk => $"var {wk.Name} = V.Of(p[W{layer.Index} + {I(wk.K)} * {I(layer.Out)} + {I(wk.J)}]);")));
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var b{layer.Index}_{I(j)} = V.Of(p[b{layer.Index} + {I(j)}]);")));
        }
    }

    private static void Forward(SourceWriter w, NetworkPlan plan, LayerPlan layer, bool comments)
    {
        NumericType t = plan.T;
        int l = layer.Index;
        LayerMath.ActivationRule act = LayerMath.For(layer.Model, t);
        if (comments)
        {
            w.Line($"// z{l} = W{l} a{l - 1} + b{l},   a{l} = σ(z{l}),   {act.Forward}");
        }

        for (int j = 0; j < layer.Out; j++)
        {
            string expression = $"b{l}_{I(j)}";
            for (int k = 0; k < layer.In; k++)
            {
                expression = $"V.Fma(w{l}_{I(k)}_{I(j)}, a{l - 1}_{I(k)}, {expression})";
            }

            w.Line($"var z{l}_{I(j)} = {expression};");
        }

        if (layer.Model.Activation == ActivationKind.Softmax)
        {
            string max = $"z{l}_0";
            for (int j = 1; j < layer.Out; j++)
            {
                max = $"V.Max({max}, z{l}_{I(j)})";
            }

            w.Line($"var max{l} = {max};");
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var e{l}_{I(j)} = V.Exp(z{l}_{I(j)} - max{l});")));
            w.Line($"var sum{l} = {string.Join(" + ", Enumerable.Range(0, layer.Out).Select(j => $"e{l}_{I(j)}"))};");
            w.Line(string.Join(" ", Enumerable.Range(0, layer.Out).Select(j => $"var a{l}_{I(j)} = e{l}_{I(j)} / sum{l};")));
            return;
        }

        for (int j = 0; j < layer.Out; j++)
        {
            w.Line($"var a{l}_{I(j)} = {Activation(t, layer.Model, $"z{l}_{I(j)}")};");
        }
    }

    private static void OutputError(SourceWriter w, NetworkPlan plan, LayerPlan layer)
    {
        NumericType t = plan.T;
        int l = layer.Index, n = layer.Out;
        LayerMath.LossRule loss = LayerMath.For(plan.Model);
        w.Line($"// {loss.Cost}" + (loss.StableCost != loss.Cost ? $",  computed as {loss.StableCost}" : "") + $";   {loss.Delta.Replace("^L", I(l))}");
        IEnumerable<int> js = Enumerable.Range(0, n);
        if (LayerMath.IsElementLoss(plan.Model.Loss))
        {
            // ℓ and ∂ℓ/∂a: the loss's scalar form on each lane
            string type = LayerMath.ElementLossType(plan.Model, t);
            foreach (int j in js)
            {
                w.Line($"loss += V.Loss<{type}>(a{l}_{I(j)}, y_{I(j)}); var e_{I(j)} = V.LossDerivative<{type}>(a{l}_{I(j)}, y_{I(j)});   // ∂C/∂a{l}_{I(j)}");
            }

            if (layer.Model.Activation == ActivationKind.Softmax)
            {
                SoftmaxDelta(w, l, js);
                return;
            }

            foreach (int j in js)
            {
                w.Line($"var delta{l}_{I(j)} = {ActivationDelta(t, layer.Model, $"e_{I(j)}", $"z{l}_{I(j)}", $"a{l}_{I(j)}")};");
            }

            return;
        }

        switch (plan.Model.Loss)
        {
            case LossKind.MeanSquaredError when layer.Model.Activation == ActivationKind.Softmax:
                w.Line(string.Join(" ", js.Select(j => $"var e_{I(j)} = a{l}_{I(j)} - y_{I(j)};")));
                w.Line(string.Join(" ", js.Select(j => $"loss = V.Fma(V.Of({t.Lit(0.5)}) * e_{I(j)}, e_{I(j)}, loss);")));
                SoftmaxDelta(w, l, js);
                break;
            case LossKind.MeanSquaredError:
                foreach (int j in js)
                {
                    w.Line($"var e_{I(j)} = a{l}_{I(j)} - y_{I(j)};   // ∂C/∂a{l}_{I(j)}");
                    w.Line($"loss = V.Fma(V.Of({t.Lit(0.5)}) * e_{I(j)}, e_{I(j)}, loss);");
                    w.Line($"var delta{l}_{I(j)} = {ActivationDelta(t, layer.Model, $"e_{I(j)}", $"z{l}_{I(j)}", $"a{l}_{I(j)}")};");
                }

                break;
            case LossKind.BinaryCrossEntropy:
                foreach (int j in js)
                {
                    w.Line($"loss += V.Max0(z{l}_{I(j)}) - z{l}_{I(j)} * y_{I(j)} + V.Log(V.One + V.Exp(-V.Abs(z{l}_{I(j)})));");
                    w.Line($"var delta{l}_{I(j)} = a{l}_{I(j)} - y_{I(j)};");
                }

                break;
            case LossKind.CrossEntropy:
                w.Line($"var lse = max{l} + V.Log(sum{l});   // ln Σ_k e^(z_k)");
                w.Line($"var sumY = {string.Join(" + ", js.Select(j => $"y_{I(j)}"))};");
                w.Line(string.Join(" ", js.Select(j => $"loss = V.Fma(y_{I(j)}, lse - z{l}_{I(j)}, loss);")));
                w.Line(string.Join(" ", js.Select(j => $"var delta{l}_{I(j)} = a{l}_{I(j)} * sumY - y_{I(j)};")));
                break;
        }
    }

    /// <summary>δ^L = a ∘ (e − e·a) through softmax, e = ∂C/∂a^L: the Jacobian-vector product.</summary>
    private static void SoftmaxDelta(SourceWriter w, int l, IEnumerable<int> js)
    {
        w.Line($"var dot = {string.Join(" + ", js.Select(j => $"e_{I(j)} * a{l}_{I(j)}"))};");
        w.Line(string.Join(" ", js.Select(j => $"var delta{l}_{I(j)} = a{l}_{I(j)} * (e_{I(j)} - dot);")));
    }
}
