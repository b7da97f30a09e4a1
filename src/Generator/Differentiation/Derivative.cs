using System;

namespace NetGen.Generator.Differentiation;

/// <summary>
/// The differentiation rules, one line each (d/dx of every node kind), applied to the syntax tree of a user's function:
/// <code>
/// c′ = 0                 x′ = 1 (y′ = 0 for another variable)
/// (−u)′ = −u′            (u ± v)′ = u′ ± v′
/// (u v)′ = u′ v + u v′    (u / v)′ = (u′ v − u v′) / v²    (u / c)′ = u′ / c
/// exp(u)′ = exp(u) u′    ln(u)′ = u′ / u                    √u′ = u′ / (2 √u)
/// (u^c)′ = c u^(c−1) u′   (u^v)′ = u^v (v′ ln u + v u′ / u)
/// |u|′ = sign(u) u′ (0 at u = 0: the subgradient)
/// tanh(u)′ = (1 − tanh² u) u′   sinh′ = cosh u′   cosh′ = sinh u′   sin′ = cos u′   cos′ = −sin u′   atan(u)′ = u′ / (1 + u²)
/// max(u, v)′ = u > v ? u′ : u < v ? v′ : ½ (u′ + v′)   min(u, v)′ = u < v ? u′ : u > v ? v′ : ½ (u′ + v′)
///     (at a tie the mean of the one-sided derivatives, as PyTorch's maximum: |u| and max(u, 0) + ln(1 + e^(−|u|)) then
///     get their true derivative 0 and ½ at u = 0)
/// (c ? u : v)′ = c ? u′ : v′   (each branch of a piecewise function on its own; the condition is constant almost everywhere)
/// </code>
/// Calls of other user functions and locals were substituted when the tree was read, so the chain rule runs through them.
/// The result is simplified (<see cref="Simplifier"/>).
/// </summary>
internal static class Derivative
{
    /// <summary>∂e/∂x, simplified.</summary>
    public static Expr Of(Expr e, string x) => Simplifier.Simplify(D(Simplifier.Simplify(e), x));

    private static Expr D(Expr e, string x)
    {
        switch (e)
        {
            case Num:
                return 0;
            case Var v:
                return v.Name == x ? 1 : 0;
            case Neg n:
                return -D(n.X, x);
            case Add a:
                return D(a.L, x) + D(a.R, x);
            case Sub s:
                return D(s.L, x) - D(s.R, x);
            case Mul m:
                return D(m.L, x) * m.R + m.L * D(m.R, x);
            case Div d when d.R is Num:
                return D(d.L, x) / d.R;
            case Div d:
                return (D(d.L, x) * d.R - d.L * D(d.R, x)) / (d.R * d.R);
            case Cond c:
                return new Cond(c.Op, c.L, c.R, D(c.Then, x), D(c.Else, x));
            case Call call:
                return DCall(call, x);
            default:
                throw new InvalidOperationException("unknown node " + e.GetType().Name);
        }
    }

    private static Expr DCall(Call call, string x)
    {
        Expr u = call.Args[0];
        Expr du = D(u, x);
        switch (call.F)
        {
            case Fn.Exp:
                return call * du;
            case Fn.Log:
                return du / u;
            case Fn.Sqrt:
                return du / (2 * (Expr)call);
            case Fn.Pow when call.Args[1] is Num c:
                return c.Value * new Call(Fn.Pow, u, c.Value - 1) * du;
            case Fn.Pow:
            {
                Expr v = call.Args[1];
                return call * (D(v, x) * new Call(Fn.Log, u) + v * du / u);
            }

            case Fn.Abs:
                return new Cond(Cmp.Greater, u, 0, du, new Cond(Cmp.Less, u, 0, -du, 0));
            case Fn.Tanh:
                return (1 - call * call) * du;
            case Fn.Sinh:
                return new Call(Fn.Cosh, u) * du;
            case Fn.Cosh:
                return new Call(Fn.Sinh, u) * du;
            case Fn.Sin:
                return new Call(Fn.Cos, u) * du;
            case Fn.Cos:
                return -(new Call(Fn.Sin, u) * du);
            case Fn.Atan:
                return du / (1 + u * u);
            case Fn.Max:
            case Fn.Min:
            {
                Expr v = call.Args[1], dv = D(v, x);
                Expr first = call.F == Fn.Max ? du : dv, second = call.F == Fn.Max ? dv : du;
                return new Cond(Cmp.Greater, u, v, first, new Cond(Cmp.Less, u, v, second, 0.5 * (du + dv)));
            }
            default:
                throw new InvalidOperationException("unknown function " + call.F);
        }
    }
}
