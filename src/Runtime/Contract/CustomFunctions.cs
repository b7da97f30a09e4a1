using System;
using System.Numerics;

namespace NetGen;

/// <summary>A user-written activation or loss, identified by its name (see <see cref="CustomActivation"/>, <see cref="CustomLoss"/>).</summary>
public abstract class CustomFunction
{
    private protected CustomFunction(string name, bool unresolved)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        IsUnresolved = unresolved;
    }

    /// <summary>The name (the method's, for a generated one).</summary>
    public string Name { get; }

    /// <summary>Whether only the name is known (read from a model file): the function must be supplied before it runs.</summary>
    public bool IsUnresolved { get; }

    private protected Exception Missing(string kind) => new InvalidOperationException(
        $"The {kind} '{Name}' was read from a model file, which stores user-written functions by name only: supply it, e.g. ModelFile.LoadGeneric<T>(path, new MyNetwork().Spec.CustomFunctions).");
}

/// <summary>
/// A user-written activation σ, identified by its name: the generator emits one for each <c>[ActivationFunction]</c>
/// method (its <c>Definition</c>, placed in the network's <see cref="NetworkSpec"/>), and a spec built at run time can
/// carry one made by hand. The generic engine runs its delegates, so a generated network and its generic twin compute
/// the same functions. Two activations are equal when their names are: a model file stores the name only.
/// </summary>
public sealed class CustomActivation : CustomFunction, IEquatable<CustomActivation>
{
    private readonly Func<double, double> _forward, _derivative;
    private readonly Func<float, float>? _forwardSingle, _derivativeSingle;

    /// <summary>An activation from its function and derivative in double (float networks round them).</summary>
    /// <param name="name">The name the spec, messages and model files use.</param>
    /// <param name="forward">σ(z).</param>
    /// <param name="derivative">σ'(z).</param>
    /// <param name="formula">σ(z) as math, for messages (optional).</param>
    /// <param name="derivativeFormula">σ'(z) as math (optional).</param>
    public CustomActivation(string name, Func<double, double> forward, Func<double, double> derivative, string? formula = null, string? derivativeFormula = null)
        : this(name, forward, derivative, null, null, formula, derivativeFormula)
    {
    }

    /// <summary>An activation with its own float versions as well (what the generator emits for a float network).</summary>
    /// <param name="name">The name the spec, messages and model files use.</param>
    /// <param name="forward">σ(z) in double.</param>
    /// <param name="derivative">σ'(z) in double.</param>
    /// <param name="forwardSingle">σ(z) in float, or null to round the double one.</param>
    /// <param name="derivativeSingle">σ'(z) in float, or null.</param>
    /// <param name="formula">σ(z) as math (optional).</param>
    /// <param name="derivativeFormula">σ'(z) as math (optional).</param>
    /// <param name="csharpExpression">
    /// σ(z) as one C# expression over a double <c>z</c> that references only System.Math (the generator writes it), so that
    /// <see cref="CSharpExport"/> can write the function into an exported class; null when unknown.
    /// </param>
    public CustomActivation(string name, Func<double, double> forward, Func<double, double> derivative, Func<float, float>? forwardSingle, Func<float, float>? derivativeSingle, string? formula = null, string? derivativeFormula = null, string? csharpExpression = null)
        : base(name, unresolved: false)
    {
        CSharpExpression = csharpExpression;
        _forward = forward ?? throw new ArgumentNullException(nameof(forward));
        _derivative = derivative ?? throw new ArgumentNullException(nameof(derivative));
        _forwardSingle = forwardSingle;
        _derivativeSingle = derivativeSingle;
        Formula = formula;
        DerivativeFormula = derivativeFormula;
    }

    private CustomActivation(string name)
        : base(name, unresolved: true)
    {
        _forward = _derivative = _ => throw Missing("activation");
    }

    /// <summary>An activation known by name only (read from a model file).</summary>
    internal static CustomActivation Unresolved(string name) => new(name);

    /// <summary>σ(z) as math, when known.</summary>
    public string? Formula { get; }

    /// <summary>σ'(z) as math, when known: for a generated one, the derivative the generator wrote.</summary>
    public string? DerivativeFormula { get; }

    /// <summary>σ(z) as a C# expression over a double z using System.Math only, when known (see the constructor).</summary>
    public string? CSharpExpression { get; }

    /// <summary>σ(z) in T.</summary>
    public T Apply<T>(T z) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && _forwardSingle is not null
            ? T.CreateTruncating(_forwardSingle(float.CreateTruncating(z)))
            : T.CreateTruncating(_forward(double.CreateTruncating(z)));

    /// <summary>σ'(z) in T.</summary>
    public T Derivative<T>(T z) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && _derivativeSingle is not null
            ? T.CreateTruncating(_derivativeSingle(float.CreateTruncating(z)))
            : T.CreateTruncating(_derivative(double.CreateTruncating(z)));

    /// <inheritdoc />
    public bool Equals(CustomActivation? other) => other is not null && Name == other.Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CustomActivation);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc />
    public override string ToString() => Formula is null ? Name : $"{Name}: σ(z) = {Formula}";
}

/// <summary>
/// A user-written loss ℓ(a, y) of one output, summed over the outputs (C = Σ_j ℓ(a_j, y_j)), identified by its name: the
/// generator emits one for each <c>[LossFunction]</c> method. See <see cref="CustomActivation"/>.
/// </summary>
public sealed class CustomLoss : CustomFunction, IEquatable<CustomLoss>
{
    private readonly Func<double, double, double> _loss, _derivative;
    private readonly Func<float, float, float>? _lossSingle, _derivativeSingle;

    /// <summary>A loss from ℓ(a, y) and ∂ℓ/∂a in double.</summary>
    public CustomLoss(string name, Func<double, double, double> loss, Func<double, double, double> derivative, string? formula = null, string? derivativeFormula = null)
        : this(name, loss, derivative, null, null, formula, derivativeFormula)
    {
    }

    /// <summary>A loss with its own float versions as well.</summary>
    public CustomLoss(string name, Func<double, double, double> loss, Func<double, double, double> derivative, Func<float, float, float>? lossSingle, Func<float, float, float>? derivativeSingle, string? formula = null, string? derivativeFormula = null)
        : base(name, unresolved: false)
    {
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _derivative = derivative ?? throw new ArgumentNullException(nameof(derivative));
        _lossSingle = lossSingle;
        _derivativeSingle = derivativeSingle;
        Formula = formula;
        DerivativeFormula = derivativeFormula;
    }

    private CustomLoss(string name)
        : base(name, unresolved: true)
    {
        _loss = _derivative = (_, _) => throw Missing("loss");
    }

    /// <summary>A loss known by name only (read from a model file).</summary>
    internal static CustomLoss Unresolved(string name) => new(name);

    /// <summary>ℓ(a, y) as math, when known.</summary>
    public string? Formula { get; }

    /// <summary>∂ℓ/∂a as math, when known.</summary>
    public string? DerivativeFormula { get; }

    /// <summary>ℓ(a, y) in T.</summary>
    public T Loss<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && _lossSingle is not null
            ? T.CreateTruncating(_lossSingle(float.CreateTruncating(a), float.CreateTruncating(y)))
            : T.CreateTruncating(_loss(double.CreateTruncating(a), double.CreateTruncating(y)));

    /// <summary>∂ℓ/∂a in T.</summary>
    public T Derivative<T>(T a, T y) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) && _derivativeSingle is not null
            ? T.CreateTruncating(_derivativeSingle(float.CreateTruncating(a), float.CreateTruncating(y)))
            : T.CreateTruncating(_derivative(double.CreateTruncating(a), double.CreateTruncating(y)));

    /// <inheritdoc />
    public bool Equals(CustomLoss? other) => other is not null && Name == other.Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CustomLoss);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc />
    public override string ToString() => Formula is null ? Name : $"{Name}: ℓ(a, y) = {Formula}";
}

/// <summary>
/// A user-written activation as the generator emits it for the wide-layer kernels: σ and σ' in one precision, on scalars
/// and on vectors. <see cref="Activations.Custom{TU, TF}"/> adapts it to <see cref="IActivation"/>.
/// </summary>
public interface IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>σ(z).</summary>
    static abstract T Apply(T z);

    /// <summary>σ(z), lane by lane.</summary>
    static abstract Vector<T> Apply(Vector<T> z);

    /// <summary>σ'(z).</summary>
    static abstract T Derivative(T z);

    /// <summary>σ'(z), lane by lane.</summary>
    static abstract Vector<T> Derivative(Vector<T> z);
}

/// <summary>A user-written loss ℓ(a, y) as the generator emits it; <see cref="Losses.Custom{TU, TL}"/> adapts it to <see cref="IElementLoss"/>.</summary>
public interface ILossFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>ℓ(a, y).</summary>
    static abstract T Loss(T a, T y);

    /// <summary>∂ℓ/∂a.</summary>
    static abstract T Derivative(T a, T y);
}
