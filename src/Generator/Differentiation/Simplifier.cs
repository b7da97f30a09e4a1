using System;
using System.Linq;

namespace NetGen.Generator.Differentiation;

/// <summary>
/// Algebraic clean-up of a derivative, bottom-up until nothing changes: constant folding (every operation and function
/// of constants), x·1 = x, x·0 = 0, x + 0 = x, x − 0 = x, 0 − x = −x, x / 1 = x, −(−x) = x, −c folded, constants moved to
/// the front of products and merged (c·(d·x) = (cd)·x), x + (−y) = x − y, x − (−y) = x + y, u^1 = u, u^0 = 1, u^0.5 = √u,
/// u^2 and u^3 as products, a conditional whose branches are equal is its branch, and one comparing a value with itself
/// is the branch it always takes. Shared subexpressions are left
/// in the tree; the printer binds them to locals (<see cref="ExprEmitter"/>).
/// </summary>
internal static class Simplifier
{
    public static Expr Simplify(Expr e)
    {
        for (int i = 0; i < 32; i++)
        {
            Expr next = Step(e);
            if (next.Equals(e))
            {
                return next;
            }

            e = next;
        }

        return e;
    }

    private static bool Is(Expr e, double value) => e is Num n && n.Value == value;

    private static Expr Step(Expr e)
    {
        switch (e)
        {
            case Neg n:
            {
                Expr x = Step(n.X);
                return x switch
                {
                    Num c => new Num(-c.Value),
                    Neg inner => inner.X,
                    Mul { L: Num c } m => new Mul(new Num(-c.Value), m.R),
                    Sub s => new Sub(s.R, s.L),
                    _ => new Neg(x),
                };
            }

            case Add a:
            {
                Expr l = Step(a.L), r = Step(a.R);
                if (l is Num x && r is Num y)
                {
                    return new Num(x.Value + y.Value);
                }

                if (Is(l, 0))
                {
                    return r;
                }

                if (Is(r, 0))
                {
                    return l;
                }

                if (r is Neg rn)
                {
                    return new Sub(l, rn.X);
                }

                if (l is Neg ln)
                {
                    return new Sub(r, ln.X);
                }

                if (r is Mul { L: Num { Value: < 0 } rc } rm)
                {
                    return new Sub(l, new Mul(new Num(-rc.Value), rm.R));
                }

                if (l is not Num && r is Num)
                {
                    return new Add(r, l);
                }

                return l.Equals(r) ? new Mul(new Num(2), l) : new Add(l, r);
            }

            case Sub s:
            {
                Expr l = Step(s.L), r = Step(s.R);
                if (l is Num x && r is Num y)
                {
                    return new Num(x.Value - y.Value);
                }

                if (Is(r, 0))
                {
                    return l;
                }

                if (Is(l, 0))
                {
                    return new Neg(r);
                }

                if (r is Neg rn)
                {
                    return new Add(l, rn.X);
                }

                if (r is Mul { L: Num { Value: < 0 } rc } rm)
                {
                    return new Add(l, new Mul(new Num(-rc.Value), rm.R));
                }

                return l.Equals(r) ? new Num(0) : new Sub(l, r);
            }

            case Mul m:
            {
                Expr l = Step(m.L), r = Step(m.R);
                if (l is Num x && r is Num y)
                {
                    return new Num(x.Value * y.Value);
                }

                if (Is(l, 0) || Is(r, 0))
                {
                    return new Num(0);
                }

                if (Is(l, 1))
                {
                    return r;
                }

                if (Is(r, 1))
                {
                    return l;
                }

                if (Is(l, -1))
                {
                    return new Neg(r);
                }

                if (Is(r, -1))
                {
                    return new Neg(l);
                }

                if (r is Num && l is not Num)
                {
                    return new Mul(r, l);
                }

                if (l is Num c && r is Mul { L: Num d } rm)
                {
                    return new Mul(new Num(c.Value * d.Value), rm.R);
                }

                if (l is not Num && r is Mul { L: Num d2 } rm2)
                {
                    return new Mul(d2, new Mul(l, rm2.R));
                }

                if (l is Mul { L: Num d3 } lm && r is not Num)
                {
                    return new Mul(d3, new Mul(lm.R, r));
                }

                if (l is Neg ln)
                {
                    return new Neg(new Mul(ln.X, r));
                }

                if (r is Neg rn)
                {
                    return new Neg(new Mul(l, rn.X));
                }

                if (l is Num c2 && r is Div { L: Num d4 } rd)
                {
                    return new Div(new Num(c2.Value * d4.Value), rd.R);
                }

                return new Mul(l, r);
            }

            case Div d:
            {
                Expr l = Step(d.L), r = Step(d.R);
                if (l is Num x && r is Num y && y.Value != 0)
                {
                    return new Num(x.Value / y.Value);
                }

                if (Is(r, 1))
                {
                    return l;
                }

                if (Is(l, 0) && r is not Num)
                {
                    return new Num(0);
                }

                if (l is Neg ln)
                {
                    return new Neg(new Div(ln.X, r));
                }

                if (r is Num c && c.Value != 0 && l is Mul { L: Num lc } lm)
                {
                    return new Mul(new Num(lc.Value / c.Value), lm.R);
                }

                return l.Equals(r) && r is not Num ? new Div(l, r) : new Div(l, r);
            }

            case Call call:
            {
                Expr[] args = call.Args.Select(Step).ToArray();
                if (args.All(a => a is Num))
                {
                    double value = Call.Apply(call.F, args.Select(a => ((Num)a).Value).ToArray());
                    if (!double.IsNaN(value) && !double.IsInfinity(value))
                    {
                        return new Num(value);
                    }
                }

                if (call.F == Fn.Pow && args[1] is Num p)
                {
                    switch (p.Value)
                    {
                        case 0:
                            return new Num(1);
                        case 1:
                            return args[0];
                        case 0.5:
                            return new Call(Fn.Sqrt, args[0]);
                        case 2:
                            return new Mul(args[0], args[0]);
                        case 3:
                            return new Mul(new Mul(args[0], args[0]), args[0]);
                    }
                }

                return new Call(call.F, args);
            }

            case Cond c:
            {
                Expr l = Step(c.L), r = Step(c.R), then = Step(c.Then), otherwise = Step(c.Else);
                if (l is Num x && r is Num y)
                {
                    return Cond.Holds(c.Op, x.Value, y.Value) ? then : otherwise;
                }

                if (l.Equals(r))
                {
                    // u > u is false, u ≥ u true (for every number; the C# compiler warns about the comparison, CS1718)
                    return c.Op is Cmp.GreaterOrEqual or Cmp.LessOrEqual or Cmp.Equal ? then : otherwise;
                }

                return then.Equals(otherwise) ? then : new Cond(c.Op, l, r, then, otherwise);
            }

            default:
                return e;
        }
    }
}
