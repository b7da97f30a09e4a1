using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Differentiation;

/// <summary>
/// How an expression is spelled: as math for the comments, as scalar C# over T, as C# over Vector&lt;T&gt;. The operators
/// + − * / and unary − read the same in every C# dialect; a dialect spells literals, variables, calls and conditionals.
/// </summary>
internal abstract class Dialect
{
    /// <summary>Whether conditionals are written as a call (no parentheses needed around them).</summary>
    public virtual bool ConditionalIsCall => false;

    public virtual string Times => " * ";

    public virtual string Minus => " - ";

    public virtual string Negate => "-";

    /// <summary>Whether a negative literal is written by <see cref="Literal"/> itself (a broadcast vector of −2).</summary>
    public virtual bool SignedLiterals => false;

    public abstract string Literal(double value);

    public virtual string Variable(string name) => name;

    public abstract string Call(Fn f, string[] args);

    public abstract string Conditional(Cmp op, string l, string r, string then, string otherwise);

    /// <summary>The declaration of a local holding a shared subexpression.</summary>
    public abstract string Local(string name, string value);

    public static string Operator(Cmp op) => op switch
    {
        Cmp.Greater => ">",
        Cmp.GreaterOrEqual => ">=",
        Cmp.Less => "<",
        Cmp.LessOrEqual => "<=",
        Cmp.Equal => "==",
        _ => "!=",
    };

    public static string Name(Fn f) => f.ToString();

    /// <summary>Math text, for the comment above each block: exp, ln, √, |x|, ·, −, ≥.</summary>
    public static readonly Dialect Math = new MathDialect();

    /// <summary>Scalar C# over float or double (Math/MathF by full name).</summary>
    public static Dialect Scalar(NumericType t) => new ScalarDialect(t);

    /// <summary>C# over Vector&lt;T&gt;, with the runtime's vector helpers by full name (global::NetGen.VectorMath).</summary>
    public static Dialect Vector(NumericType t) => new VectorDialect(t);

    private sealed class MathDialect : Dialect
    {
        public override string Times => " · ";

        public override string Minus => " − ";

        public override string Negate => "−";

        public override string Literal(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        public override string Call(Fn f, string[] args) => f switch
        {
            Fn.Exp => $"e^({args[0]})",
            Fn.Log => $"ln({args[0]})",
            Fn.Sqrt => $"√({args[0]})",
            Fn.Abs => $"|{args[0]}|",
            Fn.Pow => $"({args[0]})^({args[1]})",
            _ => $"{f.ToString().ToLowerInvariant()}({string.Join(", ", args)})",
        };

        public override string Conditional(Cmp op, string l, string r, string then, string otherwise)
        {
            string o = op switch { Cmp.GreaterOrEqual => "≥", Cmp.LessOrEqual => "≤", Cmp.Equal => "=", Cmp.NotEqual => "≠", _ => Operator(op) };
            return $"{l} {o} {r} ? {then} : {otherwise}";
        }

        public override string Local(string name, string value) => $"{name} = {value}";
    }

    private sealed class ScalarDialect(NumericType t) : Dialect
    {
        public override string Literal(double value) => t.Lit(value);

        public override string Call(Fn f, string[] args) => $"{t.Math}.{Name(f)}({string.Join(", ", args)})";

        public override string Conditional(Cmp op, string l, string r, string then, string otherwise) => $"{l} {Operator(op)} {r} ? {then} : {otherwise}";

        public override string Local(string name, string value) => $"{t.Name} {name} = {value};";
    }

    private sealed class VectorDialect(NumericType t) : Dialect
    {
        public override bool ConditionalIsCall => true;

        public override bool SignedLiterals => true;

        public override string Literal(double value) => t.VecLit(value);

        public override string Call(Fn f, string[] args) => $"{NumericType.VM}.{Name(f)}({string.Join(", ", args)})";

        public override string Conditional(Cmp op, string l, string r, string then, string otherwise) => $"{NumericType.VM}.If{op}({l}, {r}, {then}, {otherwise})";

        public override string Local(string name, string value) => $"{t.Vector} {name} = {value};";
    }
}

/// <summary>
/// Prints an expression in a <see cref="Dialect"/>: with the fewest parentheses, and as statements that bind each
/// subexpression used more than once to a local (t0, t1, …) so that it is computed once.
/// </summary>
internal static class ExprEmitter
{
    /// <summary>The expression as one line, every subexpression written out.</summary>
    public static string Print(Expr e, Dialect d) => Print(e, d, 0);

    /// <summary>The expression as local declarations for its shared subexpressions and the final expression.</summary>
    public static (List<string> Locals, string Result) Statements(Expr e, Dialect d, string prefix = "t")
    {
        var bindings = new List<(string Name, Expr Value)>();
        while (true)
        {
            Expr? shared = LargestShared(e, bindings.Select(b => b.Value));
            if (shared is null)
            {
                break;
            }

            string name = prefix + bindings.Count.ToString(CultureInfo.InvariantCulture);
            var v = new Var(name);
            e = Replace(e, shared, v);
            for (int i = 0; i < bindings.Count; i++)
            {
                bindings[i] = (bindings[i].Name, Replace(bindings[i].Value, shared, v));
            }

            bindings.Add((name, shared));
        }

        // Definitions in dependency order: a binding after every binding it uses.
        var ordered = new List<(string Name, Expr Value)>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(bindings.Select(b => b.Name), StringComparer.Ordinal);
        while (ordered.Count < bindings.Count)
        {
            foreach (var b in bindings)
            {
                if (!done.Contains(b.Name) && Variables(b.Value).Where(names.Contains).All(done.Contains))
                {
                    ordered.Add(b);
                    done.Add(b.Name);
                }
            }
        }

        // Number the locals in the order they are declared: t0 first.
        for (int i = 0; i < ordered.Count; i++)
        {
            var from = new Var(ordered[i].Name);
            var to = new Var("#" + i.ToString(CultureInfo.InvariantCulture));
            e = Replace(e, from, to);
            for (int j = 0; j < ordered.Count; j++)
            {
                ordered[j] = (j == i ? to.Name : ordered[j].Name, Replace(ordered[j].Value, from, to));
            }
        }

        string Final(Expr x) => Print(Rename(x, prefix), d, 0);
        return (ordered.Select(b => d.Local(prefix + b.Name.Substring(1), Final(b.Value))).ToList(), Final(e));
    }

    private static Expr Rename(Expr e, string prefix)
    {
        foreach (string name in Variables(e).Where(v => v.StartsWith("#", StringComparison.Ordinal)).Distinct().ToList())
        {
            e = Replace(e, new Var(name), new Var(prefix + name.Substring(1)));
        }

        return e;
    }

    /// <summary>Replaces every occurrence of <paramref name="what"/> in <paramref name="e"/> by <paramref name="with"/>.</summary>
    public static Expr Replace(Expr e, Expr what, Expr with)
    {
        if (e.Equals(what))
        {
            return with;
        }

        return e switch
        {
            Neg n => new Neg(Replace(n.X, what, with)),
            Add a => new Add(Replace(a.L, what, with), Replace(a.R, what, with)),
            Sub s => new Sub(Replace(s.L, what, with), Replace(s.R, what, with)),
            Mul m => new Mul(Replace(m.L, what, with), Replace(m.R, what, with)),
            Div v => new Div(Replace(v.L, what, with), Replace(v.R, what, with)),
            Call c => new Call(c.F, c.Args.Select(x => Replace(x, what, with)).ToArray()),
            Cond c => new Cond(c.Op, Replace(c.L, what, with), Replace(c.R, what, with), Replace(c.Then, what, with), Replace(c.Else, what, with)),
            _ => e,
        };
    }

    /// <summary>The variable names an expression reads.</summary>
    public static IEnumerable<string> Variables(Expr e) =>
        e is Var v ? [v.Name] : e.Children.SelectMany(Variables);

    private static Expr? LargestShared(Expr e, IEnumerable<Expr> others)
    {
        var counts = new Dictionary<Expr, int>();
        void Count(Expr x)
        {
            if (x is Num or Var || x is Neg { X: Num or Var })
            {
                return;
            }

            counts[x] = counts.TryGetValue(x, out int c) ? c + 1 : 1;
            foreach (Expr child in x.Children)
            {
                Count(child);
            }
        }

        Count(e);
        foreach (Expr o in others)
        {
            Count(o);
        }

        return counts.Where(p => p.Value >= 2 && p.Key.Size >= 3)
            .OrderByDescending(p => p.Key.Size)
            .ThenBy(p => Print(p.Key, Dialect.Math), StringComparer.Ordinal)
            .Select(p => p.Key)
            .FirstOrDefault();
    }

    // Precedence: 0 conditional, 1 additive, 2 multiplicative, 3 unary, 4 atom.
    private static string Print(Expr e, Dialect d, int context)
    {
        switch (e)
        {
            case Num n when !d.SignedLiterals && (n.Value < 0 || (n.Value == 0 && 1 / n.Value < 0)):
                return Wrap(d.Negate + d.Literal(-n.Value), 3, context);
            case Num n:
                return d.Literal(n.Value);
            case Var v:
                return d.Variable(v.Name);
            case Neg n:
                return Wrap(d.Negate + Print(n.X, d, 4), 3, context);
            case Add a:
                return Wrap(Print(a.L, d, 1) + " + " + Print(a.R, d, 2), 1, context);
            case Sub s:
                return Wrap(Print(s.L, d, 1) + d.Minus + Print(s.R, d, 2), 1, context);
            case Mul m:
                return Wrap(Print(m.L, d, 2) + d.Times + Print(m.R, d, 3), 2, context);
            case Div v:
                return Wrap(Print(v.L, d, 2) + " / " + Print(v.R, d, 3), 2, context);
            case Call c:
                return d.Call(c.F, c.Args.Select(a => Print(a, d, 0)).ToArray());
            case Cond c:
            {
                string text = d.Conditional(c.Op, Print(c.L, d, 1), Print(c.R, d, 1), Print(c.Then, d, d.ConditionalIsCall ? 0 : 1), Print(c.Else, d, d.ConditionalIsCall ? 0 : 0));
                return d.ConditionalIsCall ? text : Wrap(text, 0, context);
            }

            default:
                return "?";
        }
    }

    private static string Wrap(string text, int precedence, int context) => precedence < context ? "(" + text + ")" : text;
}
