using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Differentiation;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The user-written activations and losses of a network, each as a small struct inside Kernels: the function and the
/// derivative the generator wrote, in scalar and (activations) Vector&lt;T&gt; form, each under its formula. The wide
/// layers pass the struct to the runtime kernels (NetGen.Activations.Custom, NetGen.Losses.Custom); the spec holds
/// its <c>Definition</c>, so the generic engine runs the same functions.
/// </summary>
internal static class FunctionKernels
{
    /// <summary>Writes the structs, each after a blank line.</summary>
    public static void Write(SourceWriter w, NetworkPlan plan)
    {
        foreach (FunctionModel function in plan.Model.Functions)
        {
            w.Line();
            if (function.IsLoss)
            {
                WriteLoss(w, plan.T, function);
            }
            else
            {
                WriteActivation(w, plan.T, function);
            }
        }
    }

    private static void WriteActivation(SourceWriter w, NumericType t, FunctionModel f)
    {
        string T = t.Name, V = t.Vector, name = LayerMath.FunctionStruct(f);
        string forward = ExprEmitter.Print(f.Forward, Dialect.Math), derivative = ExprEmitter.Print(f.Derivative, Dialect.Math);
        w.Line($"/// <summary>The activation {f.Name} written in the class, and σ' as the generator differentiated it.</summary>");
        using (w.Block($"private readonly struct {name} : global::NetGen.IActivationFunction<{T}>"))
        {
            w.Line($"// σ(z) = {forward}");
            Method(w, $"public static {T} Apply({T} z)", f.Forward, Dialect.Scalar(t));
            Method(w, $"public static {V} Apply({V} z)", f.Forward, Dialect.Vector(t));
            w.Line($"// σ'(z) = {derivative}");
            Method(w, $"public static {T} Derivative({T} z)", f.Derivative, Dialect.Scalar(t));
            Method(w, $"public static {V} Derivative({V} z)", f.Derivative, Dialect.Vector(t));
            string single = "";
            if (T == "float")
            {
                w.Line("// the same in double, for the generic engine and gradient checks in double");
                Method(w, "public static double Apply(double z)", f.Forward, Dialect.Scalar(NumericType.Double));
                Method(w, "public static double Derivative(double z)", f.Derivative, Dialect.Scalar(NumericType.Double));
                single = ", Apply, Derivative";
            }

            string csharp = ExprEmitter.Print(f.Forward, Dialect.Scalar(NumericType.Double));
            w.Line($"public static global::NetGen.CustomActivation Definition {{ get; }} = new(\"{f.Name.TrimStart('@')}\", Apply, Derivative{(single.Length > 0 ? single : ", null, null")}, \"{Escape(forward)}\", \"{Escape(derivative)}\",");
            w.Line($"    csharpExpression: \"{Escape(csharp)}\");");
        }
    }

    private static void WriteLoss(SourceWriter w, NumericType t, FunctionModel f)
    {
        string T = t.Name, name = LayerMath.FunctionStruct(f);
        string forward = ExprEmitter.Print(f.Forward, Dialect.Math), derivative = ExprEmitter.Print(f.Derivative, Dialect.Math);
        w.Line($"/// <summary>The loss {f.Name} written in the class (C = Σ_j ℓ(a_j, y_j)), and ∂ℓ/∂a as the generator differentiated it.</summary>");
        using (w.Block($"private readonly struct {name} : global::NetGen.ILossFunction<{T}>"))
        {
            w.Line($"// ℓ(a, y) = {forward}");
            Method(w, $"public static {T} Loss({T} a, {T} y)", f.Forward, Dialect.Scalar(t));
            w.Line($"// ∂ℓ/∂a = {derivative}");
            Method(w, $"public static {T} Derivative({T} a, {T} y)", f.Derivative, Dialect.Scalar(t));
            string single = "";
            if (T == "float")
            {
                w.Line("// the same in double, for the generic engine and gradient checks in double");
                Method(w, "public static double Loss(double a, double y)", f.Forward, Dialect.Scalar(NumericType.Double));
                Method(w, "public static double Derivative(double a, double y)", f.Derivative, Dialect.Scalar(NumericType.Double));
                single = ", Loss, Derivative";
            }

            w.Line($"public static global::NetGen.CustomLoss Definition {{ get; }} = new(\"{f.Name.TrimStart('@')}\", Loss, Derivative{single}, \"{Escape(forward)}\", \"{Escape(derivative)}\");");
        }
    }

    /// <summary>An expression-bodied method, or a block when shared subexpressions are bound to locals first.</summary>
    private static void Method(SourceWriter w, string signature, Expr body, Dialect dialect)
    {
        (List<string> locals, string result) = ExprEmitter.Statements(body, dialect);
        if (locals.Count == 0)
        {
            w.Line($"{signature} => {result};");
            return;
        }

        using (w.Block(signature))
        {
            foreach (string local in locals)
            {
                w.Line(local);
            }

            w.Line($"return {result};");
        }
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
