using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Differentiation;

/// <summary>What a custom function is for.</summary>
internal enum FunctionRole
{
    Activation,
    Loss,
}

/// <summary>
/// Reads the body of an [ActivationFunction] or [LossFunction] method into an <see cref="Expr"/> (parser side: the only
/// place that sees Roslyn). Locals and calls of other [ActivationFunction] methods are substituted as they are read;
/// every construct that cannot be differentiated is an NG0028 at that construct, and the reader never throws.
/// </summary>
internal sealed class FunctionReader
{
    private readonly Compilation _compilation;
    private readonly bool _isDouble;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _ct;
    private readonly Stack<IMethodSymbol> _calls = new();
    private readonly SyntaxTree? _networkTree;

    private FunctionReader(Compilation compilation, bool isDouble, List<DiagnosticInfo> diagnostics, SyntaxTree? networkTree, CancellationToken ct)
    {
        _compilation = compilation;
        _networkTree = networkTree;
        _isDouble = isDouble;
        _diagnostics = diagnostics;
        _ct = ct;
    }

    public static string AttributeName(FunctionRole role) => role == FunctionRole.Activation ? "ActivationFunction" : "LossFunction";

    public static string RoleText(FunctionRole role) => role == FunctionRole.Activation ? "an activation" : "a loss";

    public static string Parameters(FunctionRole role, string type) => role == FunctionRole.Activation ? $"{type} z" : $"{type} a, {type} y";

    /// <summary>The canonical variable names of a role's parameters.</summary>
    public static string[] Variables(FunctionRole role) => role == FunctionRole.Activation ? ["z"] : ["a", "y"];

    public static FunctionRole? RoleOf(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == KnownNames.ActivationFunction)
            {
                return FunctionRole.Activation;
            }

            if (name == KnownNames.LossFunction)
            {
                return FunctionRole.Loss;
            }
        }

        return null;
    }

    /// <summary>
    /// Finds the method <paramref name="name"/> of <paramref name="type"/> for <paramref name="role"/>, checks it, and reads its
    /// body; null (with diagnostics) when anything is wrong.
    /// </summary>
    /// <remarks>
    /// The function (and every [ActivationFunction] it calls) must be declared in the file of the [Network] attribute
    /// (<paramref name="networkTree"/>): the pipeline re-reads a network when that file changes, so an edit to a function
    /// in another file would leave a stale derivative.
    /// </remarks>
    public static Expr? Read(INamedTypeSymbol type, string name, FunctionRole role, bool isDouble, LocationInfo? usage, Compilation compilation, SyntaxTree? networkTree, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        string T = isDouble ? "double" : "float";
        var methods = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        if (methods.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FunctionNotFound, usage, type.Name, name, RoleText(role), AttributeName(role), T, Parameters(role, T)));
            return null;
        }

        IMethodSymbol? method = methods.FirstOrDefault(m => RoleOf(m) == role);
        if (method is null)
        {
            FunctionRole? other = RoleOf(methods[0]);
            string what = other is null ? "not marked [ActivationFunction] or [LossFunction]" : $"marked [{AttributeName(other.Value)}]";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FunctionWrongRole, usage, name, RoleText(role), what, AttributeName(role), T, Parameters(role, T)));
            return null;
        }

        var reader = new FunctionReader(compilation, isDouble, diagnostics, networkTree, ct);
        int before = diagnostics.Count;
        Expr? body = reader.ReadMethod(method, role, Variables(role).Select(v => (Expr)new Var(v)).ToArray());
        return diagnostics.Count == before ? body : null;
    }

    /// <summary>Checks the signature of a method for its role; reports NG0027 at its name when it is wrong.</summary>
    private bool CheckSignature(IMethodSymbol method, FunctionRole role)
    {
        string T = _isDouble ? "double" : "float";
        SpecialType expected = _isDouble ? SpecialType.System_Double : SpecialType.System_Single;
        int arity = role == FunctionRole.Activation ? 1 : 2;
        string? problem =
            !method.IsStatic ? "it is an instance method, and the generated code calls no instance" :
            method.IsGenericMethod ? "it is generic" :
            method.Parameters.Length != arity ? $"it takes {method.Parameters.Length} parameter(s) instead of {arity}" :
            method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams) ? "a parameter is ref, in, out or params" :
            method.Parameters.Any(p => p.Type.SpecialType != expected) || method.ReturnType.SpecialType != expected ? $"its parameters and result must be {T}, the network's precision" :
            method.ReturnsByRef || method.ReturnsByRefReadonly ? "it returns by reference" :
            null;
        if (problem is null && FindSyntax(method) is null)
        {
            problem = "its body is not in this compilation";
        }
        else if (problem is null && _networkTree is not null && FindSyntax(method)!.SyntaxTree != _networkTree)
        {
            problem = "it is declared in another file than the [Network] attribute, so an edit to it would not regenerate the network; move it into that file";
        }

        if (problem is not null)
        {
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FunctionSignature, LocationInfo.From(method.Locations.FirstOrDefault()), method.Name, RoleText(role), problem, AttributeName(role), T, Parameters(role, T)));
            return false;
        }

        return true;
    }

    private MethodDeclarationSyntax? FindSyntax(IMethodSymbol method) =>
        method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_ct)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);

    private Expr? ReadMethod(IMethodSymbol method, FunctionRole role, Expr[] arguments)
    {
        if (!CheckSignature(method, role))
        {
            return null;
        }

        if (_calls.Contains(method, SymbolEqualityComparer.Default))
        {
            return Fail(FindSyntax(method)!.Identifier.GetLocation(), method.Name, $"it calls itself through {string.Join(" → ", _calls.Reverse().Select(m => m.Name))}; recursion cannot be differentiated, write the function without it");
        }

        MethodDeclarationSyntax syntax = FindSyntax(method)!;
        SemanticModel model = _compilation.GetSemanticModel(syntax.SyntaxTree);
        _calls.Push(method);
        try
        {
            var scope = new Scope(method.Name, model);
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                scope.Values[method.Parameters[i]] = arguments[i];
            }

            if (syntax.ExpressionBody is not null)
            {
                return ReadExpression(syntax.ExpressionBody.Expression, scope);
            }

            return ReadBlock(syntax.Body!, scope);
        }
        finally
        {
            _calls.Pop();
        }
    }

    private Expr? ReadBlock(BlockSyntax block, Scope scope)
    {
        SyntaxList<StatementSyntax> statements = block.Statements;
        for (int i = 0; i < statements.Count; i++)
        {
            _ct.ThrowIfCancellationRequested();
            StatementSyntax statement = statements[i];
            switch (statement)
            {
                case LocalDeclarationStatementSyntax local:
                    foreach (VariableDeclaratorSyntax variable in local.Declaration.Variables)
                    {
                        if (variable.Initializer is null)
                        {
                            return Fail(variable.GetLocation(), scope.Function, $"the local '{variable.Identifier.Text}' has no initial value; declare it with one, e.g. var {variable.Identifier.Text} = …;");
                        }

                        Expr? value = ReadExpression(variable.Initializer.Value, scope);
                        if (value is null)
                        {
                            return null;
                        }

                        if (scope.Model.GetDeclaredSymbol(variable, _ct) is ILocalSymbol symbol)
                        {
                            scope.Values[symbol] = value;
                        }
                    }

                    break;

                case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                {
                    if (scope.Model.GetSymbolInfo(assignment.Left, _ct).Symbol is not ILocalSymbol target || !scope.Values.ContainsKey(target))
                    {
                        return Fail(assignment.Left.GetLocation(), scope.Function, $"it assigns to '{assignment.Left}', which is not a local of the function; only locals can be assigned (keep the state in locals and return the result)");
                    }

                    Expr? right = ReadExpression(assignment.Right, scope);
                    if (right is null)
                    {
                        return null;
                    }

                    Expr old = scope.Values[target];
                    Expr? value = assignment.Kind() switch
                    {
                        SyntaxKind.SimpleAssignmentExpression => right,
                        SyntaxKind.AddAssignmentExpression => old + right,
                        SyntaxKind.SubtractAssignmentExpression => old - right,
                        SyntaxKind.MultiplyAssignmentExpression => old * right,
                        SyntaxKind.DivideAssignmentExpression => old / right,
                        _ => null,
                    };
                    if (value is null)
                    {
                        return Fail(assignment.GetLocation(), scope.Function, $"the operator '{assignment.OperatorToken.Text}' cannot be differentiated; use =, +=, −=, *= or /=");
                    }

                    scope.Values[target] = value;
                    break;
                }

                case ReturnStatementSyntax { Expression: not null } ret when i == statements.Count - 1:
                    return ReadExpression(ret.Expression, scope);

                case ReturnStatementSyntax ret:
                    return Fail(ret.GetLocation(), scope.Function, "only the last statement may return; write a piecewise function as a conditional expression, return c ? x : y;");

                case IfStatementSyntax:
                    return Fail(statement.GetLocation(), scope.Function, "an if statement cannot be differentiated; write the pieces as a conditional expression, return c ? x : y;");

                case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                    return Fail(statement.GetLocation(), scope.Function, "a loop cannot be differentiated; write the expression out (a fixed number of terms) or use Math.Pow");

                default:
                    return Fail(statement.GetLocation(), scope.Function, $"a {Describe(statement)} cannot be differentiated; the body may hold local declarations, assignments to locals and a final return");
            }
        }

        return Fail(block.CloseBraceToken.GetLocation(), scope.Function, "the body ends without a return; end it with return <expression>;");
    }

    private Expr? ReadExpression(ExpressionSyntax syntax, Scope scope)
    {
        _ct.ThrowIfCancellationRequested();
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax p:
                return ReadExpression(p.Expression, scope);

            case LiteralExpressionSyntax or MemberAccessExpressionSyntax or IdentifierNameSyntax when Constant(syntax, scope) is double c:
                return new Num(c);

            case IdentifierNameSyntax identifier:
            {
                ISymbol? symbol = scope.Model.GetSymbolInfo(identifier, _ct).Symbol;
                if (symbol is not null && scope.Values.TryGetValue(symbol, out Expr? value))
                {
                    return value;
                }

                return Fail(identifier.GetLocation(), scope.Function, $"'{identifier.Identifier.Text}' is {(symbol is null ? "not known" : "a " + symbol.Kind.ToString().ToLowerInvariant())}; a function may read only its parameters, its locals and constants (pass the value as a constant: const {(_isDouble ? "double" : "float")} …)");
            }

            case CastExpressionSyntax cast when scope.Model.GetTypeInfo(cast.Type, _ct).Type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double:
                return ReadExpression(cast.Expression, scope);

            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
            {
                Expr? x = ReadExpression(unary.Operand, scope);
                return x is null ? null : -x;
            }

            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return ReadExpression(unary.Operand, scope);

            case BinaryExpressionSyntax binary when binary.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression:
            {
                Expr? l = ReadExpression(binary.Left, scope);
                Expr? r = l is null ? null : ReadExpression(binary.Right, scope);
                if (l is null || r is null)
                {
                    return null;
                }

                return binary.Kind() switch
                {
                    SyntaxKind.AddExpression => l + r,
                    SyntaxKind.SubtractExpression => l - r,
                    SyntaxKind.MultiplyExpression => l * r,
                    _ => l / r,
                };
            }

            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.ModuloExpression):
                return Fail(binary.OperatorToken.GetLocation(), scope.Function, "the remainder % is not differentiable everywhere and cannot be differentiated; write the function without it");

            case ConditionalExpressionSyntax conditional:
                return ReadConditional(conditional, scope);

            case InvocationExpressionSyntax invocation:
                return ReadCall(invocation, scope);

            case BinaryExpressionSyntax binary when Comparison(binary) is not null:
                return Fail(binary.GetLocation(), scope.Function, "a comparison is only allowed as the condition of a conditional expression, c ? x : y");

            default:
                return Fail(syntax.GetLocation(), scope.Function, $"a {Describe(syntax)} cannot be differentiated; use + − * /, numbers, the parameters and locals, c ? x : y, Math/MathF Exp, Log, Sqrt, Pow, Abs, Tanh, Sinh, Cosh, Sin, Cos, Atan, Max, Min or an [ActivationFunction] method");
        }
    }

    private Expr? ReadConditional(ConditionalExpressionSyntax conditional, Scope scope)
    {
        ExpressionSyntax condition = conditional.Condition;
        while (condition is ParenthesizedExpressionSyntax p)
        {
            condition = p.Expression;
        }

        if (condition is not BinaryExpressionSyntax comparison || Comparison(comparison) is not Cmp op)
        {
            return Fail(condition.GetLocation(), scope.Function, "the condition must be one comparison of numbers (<, <=, >, >=, ==, !=); for && or || nest the conditionals: a ? (b ? x : y) : y");
        }

        Expr? l = ReadExpression(comparison.Left, scope);
        Expr? r = l is null ? null : ReadExpression(comparison.Right, scope);
        Expr? then = r is null ? null : ReadExpression(conditional.WhenTrue, scope);
        Expr? otherwise = then is null ? null : ReadExpression(conditional.WhenFalse, scope);
        return otherwise is null ? null : new Cond(op, l!, r!, then!, otherwise);
    }

    private Expr? ReadCall(InvocationExpressionSyntax invocation, Scope scope)
    {
        if (scope.Model.GetSymbolInfo(invocation, _ct).Symbol is not IMethodSymbol method)
        {
            return Fail(invocation.GetLocation(), scope.Function, $"the call '{invocation.Expression}' does not resolve to one method");
        }

        var args = new List<Expr>();
        foreach (ArgumentSyntax argument in invocation.ArgumentList.Arguments)
        {
            if (argument.NameColon is not null || !argument.RefKindKeyword.IsKind(SyntaxKind.None))
            {
                return Fail(argument.GetLocation(), scope.Function, "pass the arguments by position, without names or ref");
            }

            Expr? value = ReadExpression(argument.Expression, scope);
            if (value is null)
            {
                return null;
            }

            args.Add(value);
        }

        string? container = method.ContainingType?.ToDisplayString();
        if (container is "System.Math" or "System.MathF")
        {
            foreach (Fn f in (Fn[])Enum.GetValues(typeof(Fn)))
            {
                if (method.Name == f.ToString() && args.Count == Call.Arity(f))
                {
                    return new Call(f, args.ToArray());
                }
            }

            return Fail(invocation.GetLocation(), scope.Function, $"{container}.{method.Name} is not one of the functions NetGen differentiates; use Exp, Log, Sqrt, Pow, Abs, Tanh, Sinh, Cosh, Sin, Cos, Atan, Max or Min");
        }

        if (RoleOf(method.OriginalDefinition) == FunctionRole.Activation && args.Count == 1)
        {
            return ReadMethod(method.OriginalDefinition, FunctionRole.Activation, args.ToArray());
        }

        return Fail(invocation.GetLocation(), scope.Function, $"the call of '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot be differentiated; call Math/MathF Exp, Log, Sqrt, Pow, Abs, Tanh, Sinh, Cosh, Sin, Cos, Atan, Max, Min, or mark the method [ActivationFunction] (one {(_isDouble ? "double" : "float")} parameter)");
    }

    private double? Constant(ExpressionSyntax syntax, Scope scope)
    {
        Optional<object?> constant = scope.Model.GetConstantValue(syntax, _ct);
        if (!constant.HasValue)
        {
            return null;
        }

        return constant.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            uint u => u,
            ulong ul => ul,
            short s => s,
            byte b => b,
            decimal m => (double)m,
            _ => null,
        };
    }

    private static Cmp? Comparison(BinaryExpressionSyntax binary) => binary.Kind() switch
    {
        SyntaxKind.GreaterThanExpression => Cmp.Greater,
        SyntaxKind.GreaterThanOrEqualExpression => Cmp.GreaterOrEqual,
        SyntaxKind.LessThanExpression => Cmp.Less,
        SyntaxKind.LessThanOrEqualExpression => Cmp.LessOrEqual,
        SyntaxKind.EqualsExpression => Cmp.Equal,
        SyntaxKind.NotEqualsExpression => Cmp.NotEqual,
        _ => null,
    };

    private static string Describe(SyntaxNode node)
    {
        // "ForStatement" → "for statement"
        string kind = node.Kind().ToString();
        var words = new List<string>();
        int start = 0;
        for (int i = 1; i <= kind.Length; i++)
        {
            if (i == kind.Length || char.IsUpper(kind[i]))
            {
                words.Add(kind.Substring(start, i - start).ToLowerInvariant());
                start = i;
            }
        }

        return string.Join(" ", words) + $" ('{Shorten(node.ToString())}')";
    }

    private static string Shorten(string text)
    {
        text = string.Join(" ", text.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }

    private Expr? Fail(Location location, string function, string reason)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotDifferentiable, LocationInfo.From(location), Shorten(location.SourceTree?.GetText(_ct).ToString(location.SourceSpan) ?? ""), function, reason));
        return null;
    }

    private sealed class Scope(string function, SemanticModel model)
    {
        public string Function { get; } = function;

        public SemanticModel Model { get; } = model;

        public Dictionary<ISymbol, Expr> Values { get; } = new(SymbolEqualityComparer.Default);
    }
}
