using System;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Differentiation;

/// <summary>The functions an expression may call (Math/MathF members of the same names).</summary>
internal enum Fn
{
    Exp,
    Log,
    Sqrt,
    Pow,
    Abs,
    Tanh,
    Sinh,
    Cosh,
    Sin,
    Cos,
    Atan,
    Max,
    Min,
}

/// <summary>A comparison of a piecewise function's condition.</summary>
internal enum Cmp
{
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Equal,
    NotEqual,
}

/// <summary>
/// A scalar expression of a user-written function, Roslyn-free and value-equatable, so it travels in the pipeline's
/// model: locals and calls to other user functions are already substituted, parameters have canonical names
/// (z for an activation; a, y for a loss).
/// </summary>
internal abstract record Expr
{
    public static Expr operator +(Expr l, Expr r) => new Add(l, r);

    public static Expr operator -(Expr l, Expr r) => new Sub(l, r);

    public static Expr operator *(Expr l, Expr r) => new Mul(l, r);

    public static Expr operator /(Expr l, Expr r) => new Div(l, r);

    public static Expr operator -(Expr x) => new Neg(x);

    public static implicit operator Expr(double value) => new Num(value);

    /// <summary>The number of nodes.</summary>
    public abstract int Size { get; }

    /// <summary>The value in double, with the variables bound by <paramref name="env"/>.</summary>
    public abstract double Evaluate(Func<string, double> env);

    /// <summary>The direct children.</summary>
    public abstract Expr[] Children { get; }
}

internal sealed record Num(double Value) : Expr
{
    public override int Size => 1;

    public override Expr[] Children => [];

    public override double Evaluate(Func<string, double> env) => Value;
}

internal sealed record Var(string Name) : Expr
{
    public override int Size => 1;

    public override Expr[] Children => [];

    public override double Evaluate(Func<string, double> env) => env(Name);
}

internal sealed record Neg(Expr X) : Expr
{
    public override int Size => 1 + X.Size;

    public override Expr[] Children => [X];

    public override double Evaluate(Func<string, double> env) => -X.Evaluate(env);
}

internal sealed record Add(Expr L, Expr R) : Expr
{
    public override int Size => 1 + L.Size + R.Size;

    public override Expr[] Children => [L, R];

    public override double Evaluate(Func<string, double> env) => L.Evaluate(env) + R.Evaluate(env);
}

internal sealed record Sub(Expr L, Expr R) : Expr
{
    public override int Size => 1 + L.Size + R.Size;

    public override Expr[] Children => [L, R];

    public override double Evaluate(Func<string, double> env) => L.Evaluate(env) - R.Evaluate(env);
}

internal sealed record Mul(Expr L, Expr R) : Expr
{
    public override int Size => 1 + L.Size + R.Size;

    public override Expr[] Children => [L, R];

    public override double Evaluate(Func<string, double> env) => L.Evaluate(env) * R.Evaluate(env);
}

internal sealed record Div(Expr L, Expr R) : Expr
{
    public override int Size => 1 + L.Size + R.Size;

    public override Expr[] Children => [L, R];

    public override double Evaluate(Func<string, double> env) => L.Evaluate(env) / R.Evaluate(env);
}

/// <summary>A call of a Math function; Pow, Max and Min take two arguments, the others one.</summary>
internal sealed record Call(Fn F, EquatableArray<Expr> Args) : Expr
{
    public Call(Fn f, params Expr[] args)
        : this(f, args.ToEquatableArray())
    {
    }

    public override int Size => 1 + Args.Sum(a => a.Size);

    public override Expr[] Children => Args.ToArray();

    public override double Evaluate(Func<string, double> env) => Apply(F, Args.Select(a => a.Evaluate(env)).ToArray());

    public static double Apply(Fn f, double[] x) => f switch
    {
        Fn.Exp => Math.Exp(x[0]),
        Fn.Log => Math.Log(x[0]),
        Fn.Sqrt => Math.Sqrt(x[0]),
        Fn.Pow => Math.Pow(x[0], x[1]),
        Fn.Abs => Math.Abs(x[0]),
        Fn.Tanh => Math.Tanh(x[0]),
        Fn.Sinh => Math.Sinh(x[0]),
        Fn.Cosh => Math.Cosh(x[0]),
        Fn.Sin => Math.Sin(x[0]),
        Fn.Cos => Math.Cos(x[0]),
        Fn.Atan => Math.Atan(x[0]),
        Fn.Max => Math.Max(x[0], x[1]),
        _ => Math.Min(x[0], x[1]),
    };

    public static int Arity(Fn f) => f is Fn.Pow or Fn.Max or Fn.Min ? 2 : 1;
}

/// <summary>A piecewise function: <c>L op R ? Then : Else</c>.</summary>
internal sealed record Cond(Cmp Op, Expr L, Expr R, Expr Then, Expr Else) : Expr
{
    public override int Size => 1 + L.Size + R.Size + Then.Size + Else.Size;

    public override Expr[] Children => [L, R, Then, Else];

    public override double Evaluate(Func<string, double> env) =>
        Holds(Op, L.Evaluate(env), R.Evaluate(env)) ? Then.Evaluate(env) : Else.Evaluate(env);

    public static bool Holds(Cmp op, double l, double r) => op switch
    {
        Cmp.Greater => l > r,
        Cmp.GreaterOrEqual => l >= r,
        Cmp.Less => l < r,
        Cmp.LessOrEqual => l <= r,
        Cmp.Equal => l == r,
        _ => l != r,
    };
}
