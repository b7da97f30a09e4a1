using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Generator.Emit;

/// <summary>
/// The wide-layer kernel shape: the batch tile treated as a matrix product with a register-blocked micro-kernel —
/// 4 samples × 2 vectors of outputs held in 8 <c>Vector&lt;T&gt;</c> accumulators, explicit fused multiply-adds,
/// bias added before and σ applied on the store — plus the remainders (fewer rows, one vector, scalars).
/// The same blocking computes ∂C/∂W = aᵀ δ (4 inputs × 2 vectors, summed over the samples in registers) and
/// δ^{l−1} = δ^l W^lᵀ (with a transposed copy of W^l made once per batch).
/// </summary>
internal static class BlockedKernels
{
    /// <summary>Rows of the micro-kernel (samples for products, inputs for ∂C/∂W).</summary>
    public const int Rows = 4;

    private static readonly string[] s_rows = ["0", "1", "2", "3"];

    /// <summary>
    /// C[s, j] = init_j + Σ_k A[s, k] · B[k, j] for s &lt; rows, j &lt; N, with A [rows × K] and B [K × N] row-major;
    /// <paramref name="store"/> writes an accumulator (vector or scalar) of row <c>o{r}</c> at column expression j.
    /// </summary>
    public static void Product(
        SourceWriter w, NumericType t,
        string a, string k, string b, string bOffset, string n,
        Func<string, string>? vectorInit, Func<string, string>? scalarInit,
        Action<SourceWriter, string, string, string, bool> store)
    {
        // store(writer, rowOffsetName, columnExpression, value, isVector)
        w.Line("int s = 0;");
        using (w.Block($"for (; s + {Rows} <= rows; s += {Rows})"))
        {
            w.Line($"int {string.Join(", ", s_rows.Select(r => $"x{r} = (s + {r}) * {k}"))};");
            w.Line($"int {string.Join(", ", s_rows.Select(r => $"o{r} = (s + {r}) * {n}"))};");
            ProductColumns(w, t, a, k, b, bOffset, n, vectorInit, scalarInit, store, Rows);
        }

        using (w.Block("for (; s < rows; s++)"))
        {
            w.Line($"int x0 = s * {k}, o0 = s * {n};");
            ProductColumns(w, t, a, k, b, bOffset, n, vectorInit, scalarInit, store, 1);
        }
    }

    private static void ProductColumns(
        SourceWriter w, NumericType t, string a, string k, string b, string bOffset, string n,
        Func<string, string>? vectorInit, Func<string, string>? scalarInit,
        Action<SourceWriter, string, string, string, bool> store, int rows)
    {
        string[] rs = s_rows.Take(rows).ToArray();
        w.Line("int j = 0;");
        foreach (int vectors in new[] { 2, 1 })
        {
            string step = vectors == 2 ? "2 * VectorWidth" : "VectorWidth";
            using (w.Block($"for (; j + {step} <= {n}; j += {step})"))
            {
                for (int v = 0; v < vectors; v++)
                {
                    string col = v == 0 ? "j" : "j + VectorWidth";
                    w.Line($"var init{v} = {(vectorInit is null ? t.VecLit(0) : vectorInit(col))};");
                }

                foreach (string r in rs)
                {
                    w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"var c{r}{v} = init{v};")));
                }
                using (w.Block($"for (int kk = 0; kk < {k}; kk++)"))
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        string col = v == 0 ? "j" : "j + VectorWidth";
                        w.Line($"var w{v} = Load(ref {b}, {bOffset}kk * {n} + {col});");
                    }

                    foreach (string r in rs)
                    {
                        w.Line($"var u{r} = Vec(Get(ref {a}, x{r} + kk));");
                        w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"c{r}{v} = Fma(u{r}, w{v}, c{r}{v});")));
                    }
                }

                foreach (string r in rs)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        store(w, $"o{r}", v == 0 ? "j" : "j + VectorWidth", $"c{r}{v}", true);
                    }
                }
            }
        }

        using (w.Block($"for (; j < {n}; j++)"))
        {
            string init = scalarInit is null ? t.Lit(0) : scalarInit("j");
            w.Line($"{t.Name} " + string.Join(", ", rs.Select(r => $"c{r} = {init}")) + ";");
            using (w.Block($"for (int kk = 0; kk < {k}; kk++)"))
            {
                w.Line($"{t.Name} bk = Get(ref {b}, {bOffset}kk * {n} + j);");
                foreach (string r in rs)
                {
                    w.Line($"c{r} = {t.Math}.FusedMultiplyAdd(Get(ref {a}, x{r} + kk), bk, c{r});");
                }
            }

            foreach (string r in rs)
            {
                store(w, $"o{r}", "j", $"c{r}", false);
            }
        }
    }

    /// <summary>
    /// G[k, j] += Σ_s X[s, k] · D[s, j] (X [rows × K], D [rows × N]) and, when <paramref name="bias"/> is given,
    /// g[bias + j] += Σ_s D[s, j]: 4 rows k × 2 vectors of j per block, the sum over samples kept in registers.
    /// </summary>
    public static void TransposedProduct(SourceWriter w, NumericType t, string x, string k, string d, string n, string g, string weightOffset, string? bias)
    {
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
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"sum += Load(ref {d}, s * {n} + jb);");
            }

            w.Line($"Store(ref {g}, {bias} + jb, Load(ref {g}, {bias} + jb) + sum);");
        }

        using (w.Block($"for (; jb < {n}; jb++)"))
        {
            w.Line($"{t.Name} sum = {t.Lit(0)};");
            using (w.Block("for (int s = 0; s < rows; s++)"))
            {
                w.Line($"sum += Get(ref {d}, s * {n} + jb);");
            }

            w.Line($"Get(ref {g}, {bias} + jb) += sum;");
        }
    }

    private static void TransposedColumns(SourceWriter w, NumericType t, string x, string k, string d, string n, string g, string weightOffset, int rows)
    {
        string[] rs = s_rows.Take(rows).ToArray();
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
                using (w.Block("for (int s = 0; s < rows; s++)"))
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line($"var d{v} = Load(ref {d}, s * {n} + j{(v == 0 ? "" : " + VectorWidth")});");
                    }

                    w.Line($"int xs = s * {k} + k0;");
                    foreach (string r in rs)
                    {
                        w.Line($"var u{r} = Vec(Get(ref {x}, xs + {r}));");
                        w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"c{r}{v} = Fma(u{r}, d{v}, c{r}{v});")));
                    }
                }

                foreach (string r in rs)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = $"{weightOffset}(k0 + {r}) * {n} + j{(v == 0 ? "" : " + VectorWidth")}";
                        w.Line($"Store(ref {g}, {at}, Load(ref {g}, {at}) + c{r}{v});");
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
                w.Line($"Get(ref {g}, {weightOffset}(k0 + {r}) * {n} + j) += c{r};");
            }
        }
    }
}
