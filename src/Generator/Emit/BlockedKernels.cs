using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Generator.Emit;

/// <summary>
/// The wide-layer kernel shape: the batch tile treated as a matrix product with a register-blocked micro-kernel —
/// 4 samples × 2 vectors of outputs held in 8 <c>Vector&lt;T&gt;</c> accumulators, explicit fused multiply-adds,
/// bias added before and, for the one-instruction activations (<see cref="LayerPlan.ActivationOnStore"/>), σ applied
/// on the store — plus the remainders (one sample with up to 8 vectors, one vector, scalars). The same blocking
/// computes ∂C/∂W = aᵀ δ (4 inputs × 2 vectors, summed over the samples in registers) and δ^{l−1} = δ^l W^lᵀ (with
/// a transposed copy of W^l made once per batch). Inner loops walk refs forward by a constant stride, so the JIT emits
/// one add per row instead of recomputing indices.
/// </summary>
internal static class BlockedKernels
{
    /// <summary>Rows of the micro-kernel (samples for products, inputs for ∂C/∂W).</summary>
    public const int Rows = 4;

    private static readonly string[] s_rows = ["0", "1", "2", "3"];

    /// <summary>
    /// C[s, j] = init_j + Σ_k A[s, k] · B[k, j] for s &lt; rows, j &lt; N, with A [rows × K] and B [K × N] row-major
    /// (B starting at <paramref name="bOffset"/>); <paramref name="store"/> writes an accumulator (vector or scalar)
    /// at (row offset o{r}, column expression).
    /// </summary>
    /// <param name="panels">
    /// When given, the 4-sample blocks of 2 vectors of columns read B through this ref with the caller's
    /// <c>panelStart</c> and <c>panelStep</c>: B itself (1 and N) or B copied into column panels (K and 2 vectors).
    /// </param>
    public static void Product(
        SourceWriter w, NumericType t,
        string a, string k, string b, string bOffset, string n,
        Func<string, string>? vectorInit, Func<string, string>? scalarInit,
        Action<SourceWriter, string, string, string, bool> store, string? panels = null)
    {
        w.Line("int s = 0;");
        using (w.Block($"for (; s + {Rows} <= rows; s += {Rows})"))
        {
            w.Line($"int {string.Join(", ", s_rows.Select(r => $"o{r} = (s + {r}) * {n}"))};");
            w.Line(string.Join(" ", s_rows.Select(r => $"ref var x{r} = ref Get(ref {a}, (s + {r}) * {k});")));
            ProductColumns(w, t, k, b, bOffset, n, vectorInit, scalarInit, store, Rows, [2, 1], panels);
        }

        using (w.Block("for (; s < rows; s++)"))
        {
            w.Line($"int o0 = s * {n};");
            w.Line($"ref var x0 = ref Get(ref {a}, s * {k});");
            ProductColumns(w, t, k, b, bOffset, n, vectorInit, scalarInit, store, 1, [8, 4, 1], null);
        }
    }

    private static string Column(int v) => v == 0 ? "j" : v == 1 ? "j + VectorWidth" : $"j + {v} * VectorWidth";

    private static string Offset(int v) => v == 0 ? "0" : v == 1 ? "VectorWidth" : $"{v} * VectorWidth";

    private static void ProductColumns(
        SourceWriter w, NumericType t, string k, string b, string bOffset, string n,
        Func<string, string>? vectorInit, Func<string, string>? scalarInit,
        Action<SourceWriter, string, string, string, bool> store, int rows, int[] widths, string? panels)
    {
        string[] rs = s_rows.Take(rows).ToArray();
        w.Line("int j = 0;");
        foreach (int vectors in widths)
        {
            string step = vectors == 1 ? "VectorWidth" : $"{vectors} * VectorWidth";
            using (w.Block($"for (; j + {step} <= {n}; j += {step})"))
            {
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"var init{v} = {(vectorInit is null ? t.VecLit(0) : vectorInit(Column(v)))};");
                }

                foreach (string r in rs)
                {
                    w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"var c{r}{v} = init{v};")));
                }

                bool paneled = panels is not null && vectors == 2;
                w.Line(paneled
                    ? $"ref var wk = ref Get(ref {panels}, j * panelStart);   // row kk of the column block (in W or in its panel), one row per step"
                    : $"ref var wk = ref Get(ref {b}, {bOffset}j);   // row kk of the column block, one row per step");
                using (w.Block($"for (nint kk = 0; kk < {k}; kk++)"))
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line($"var w{v} = Load(ref wk, {Offset(v)});");
                    }

                    foreach (string r in rs)
                    {
                        w.Line($"var u{r} = Vec(Get(ref x{r}, kk));");
                        w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"c{r}{v} = Fma(u{r}, w{v}, c{r}{v});")));
                    }

                    w.Line(paneled ? "wk = ref Get(ref wk, panelStep);" : $"wk = ref Get(ref wk, {n});");
                }

                foreach (string r in rs)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        store(w, $"o{r}", Column(v), $"c{r}{v}", true);
                    }
                }
            }
        }

        using (w.Block($"for (; j < {n}; j++)"))
        {
            string init = scalarInit is null ? t.Lit(0) : scalarInit("j");
            w.Line($"{t.Name} " + string.Join(", ", rs.Select(r => $"c{r} = {init}")) + ";");
            w.Line($"ref var wk = ref Get(ref {b}, {bOffset}j);");
            using (w.Block($"for (nint kk = 0; kk < {k}; kk++)"))
            {
                foreach (string r in rs)
                {
                    w.Line($"c{r} = {t.Math}.FusedMultiplyAdd(Get(ref x{r}, kk), wk, c{r});");
                }

                w.Line($"wk = ref Get(ref wk, {n});");
            }

            foreach (string r in rs)
            {
                store(w, $"o{r}", "j", $"c{r}", false);
            }
        }
    }

    /// <summary>
    /// G[k, j] += scale · Σ_s X[s, k] · D[s, j] (X [rows × K], D [rows × N]) and, when <paramref name="bias"/> is given,
    /// g[bias + j] += scale · Σ_s D[s, j]: 4 rows k × 2 vectors of j per block, the sum over samples kept in registers.
    /// </summary>
    public static void TransposedProduct(SourceWriter w, NumericType t, string x, string k, string d, string n, string g, string weightOffset, string? bias)
    {
        w.Line("var scaleV = Vec(scale);   // 1, or −η/B for a fused SGD step");
        w.Line("int k0 = 0;");
        using (w.Block($"for (; k0 + {Rows} <= {k}; k0 += {Rows})"))
        {
            TransposedColumns(w, t, x, k, d, n, g, weightOffset, Rows);
        }

        using (w.Block($"for (; k0 < {k}; k0++)"))
        {
            TransposedColumns(w, t, x, k, d, n, g, weightOffset, 1);
        }

        if (bias is null)
        {
            return;
        }

        w.Line("int jb = 0;");
        using (w.Block($"for (; jb + VectorWidth <= {n}; jb += VectorWidth)"))
        {
            w.Line($"var sum = {t.VecLit(0)};");
            w.Line($"ref var ds = ref Get(ref {d}, jb);");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line("sum += Load(ref ds, 0);");
                w.Line($"ds = ref Get(ref ds, {n});");
            }

            w.Line($"Store(ref {g}, {bias} + jb, Fma(scaleV, sum, Load(ref {g}, {bias} + jb)));");
        }

        using (w.Block($"for (; jb < {n}; jb++)"))
        {
            w.Line($"{t.Name} sum = {t.Lit(0)};");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"sum += Get(ref {d}, s * {n} + jb);");
            }

            w.Line($"Get(ref {g}, {bias} + jb) += scale * sum;");
        }
    }

    /// <summary>
    /// The one-output case of <see cref="TransposedProduct"/>: W [K × 1] is contiguous over k, so
    /// g[w + k] += scale · Σ_s D[s] · X[s, k] runs vectorized over k (4 vectors, then 1, then scalars), and
    /// g[bias] += scale · Σ_s D[s].
    /// </summary>
    public static void ColumnGradient(SourceWriter w, NumericType t, string x, string k, string d, string g, string weight, string bias)
    {
        w.Line("var scaleV = Vec(scale);   // 1, or −η/B for a fused SGD step");
        w.Line("int k0 = 0;");
        foreach (int vectors in new[] { 4, 1 })
        {
            string step = vectors == 1 ? "VectorWidth" : $"{vectors} * VectorWidth";
            using (w.Block($"for (; k0 + {step} <= {k}; k0 += {step})"))
            {
                w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"var c{v} = {t.VecLit(0)};")));
                w.Line($"ref var xs = ref Get(ref {x}, k0);   // a[s, k0…]");
                using (w.Block("for (int s = 0; s < rows; s++)"))
                {
                    w.Line($"var u = Vec(Get(ref {d}, s));");
                    w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"c{v} = Fma(u, Load(ref xs, {Offset(v)}), c{v});")));
                    w.Line($"xs = ref Get(ref xs, {k});");
                }

                w.Line($"ref var gk = ref Get(ref {g}, {weight} + k0);");
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"Store(ref gk, {Offset(v)}, Fma(scaleV, c{v}, Load(ref gk, {Offset(v)})));");
                }
            }
        }

        using (w.Block($"for (; k0 < {k}; k0++)"))
        {
            w.Line($"{t.Name} c = {t.Lit(0)};");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"c = {t.Math}.FusedMultiplyAdd(Get(ref {x}, s * {k} + k0), Get(ref {d}, s), c);");
            }

            w.Line($"Get(ref {g}, {weight} + k0) += scale * c;");
        }

        w.Line($"{t.Name} sum = {t.Lit(0)};");
        using (w.Block("for (int s = 0; s < rows; s++)"))
        {
            w.Line($"sum += Get(ref {d}, s);");
        }

        w.Line($"Get(ref {g}, {bias}) += scale * sum;");
    }

    private static void TransposedColumns(SourceWriter w, NumericType t, string x, string k, string d, string n, string g, string weightOffset, int rows)
    {
        string[] rs = s_rows.Take(rows).ToArray();
        foreach (string r in rs)
        {
            w.Line($"ref var g{r} = ref Get(ref {g}, {weightOffset}(k0 + {r}) * {n});   // row k0 + {r} of ∂C/∂W");
        }

        w.Line("int j = 0;");
        foreach (int vectors in new[] { 2, 1 })
        {
            string step = vectors == 2 ? "2 * VectorWidth" : "VectorWidth";
            using (w.Block($"for (; j + {step} <= {n}; j += {step})"))
            {
                foreach (string r in rs)
                {
                    w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"var c{r}{v} = {t.VecLit(0)};")));
                }

                w.Line($"ref var ds = ref Get(ref {d}, j);    // δ[s, j…], one sample per step");
                w.Line($"ref var xs = ref Get(ref {x}, k0);   // a[s, k0…]");
                using (w.Block("for (int s = 0; s < rows; s++)"))
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line($"var d{v} = Load(ref ds, {Offset(v)});");
                    }

                    foreach (string r in rs)
                    {
                        w.Line($"var u{r} = Vec(Get(ref xs, {r}));");
                        w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"c{r}{v} = Fma(u{r}, d{v}, c{r}{v});")));
                    }

                    w.Line($"ds = ref Get(ref ds, {n});");
                    w.Line($"xs = ref Get(ref xs, {k});");
                }

                foreach (string r in rs)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line($"Store(ref g{r}, {Column(v)}, Fma(scaleV, c{r}{v}, Load(ref g{r}, {Column(v)})));");
                    }
                }
            }
        }

        using (w.Block($"for (; j < {n}; j++)"))
        {
            w.Line($"{t.Name} " + string.Join(", ", rs.Select(r => $"c{r} = {t.Lit(0)}")) + ";");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"{t.Name} dj = Get(ref {d}, s * {n} + j);");
                w.Line($"int xs = s * {k} + k0;");
                foreach (string r in rs)
                {
                    w.Line($"c{r} = {t.Math}.FusedMultiplyAdd(Get(ref {x}, xs + {r}), dj, c{r});");
                }
            }

            foreach (string r in rs)
            {
                w.Line($"Get(ref g{r}, j) += scale * c{r};");
            }
        }
    }
}
