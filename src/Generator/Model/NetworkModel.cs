namespace NetGen.Generator.Model;

/// <summary>The activation of a dense layer; values mirror NetGen.Activation (a test asserts they match).</summary>
internal enum ActivationKind
{
    Identity = 0,
    Sigmoid = 1,
    Tanh = 2,
    ReLU = 3,
    LeakyReLU = 4,
    ELU = 5,
    Softmax = 6,
    SiLU = 7,
    GELU = 8,
    Softplus = 9,
    Mish = 10,
    Custom = 11,
}

/// <summary>The loss; values mirror NetGen.Loss.</summary>
internal enum LossKind
{
    MeanSquaredError = 0,
    BinaryCrossEntropy = 1,
    CrossEntropy = 2,
    Huber = 3,
    LogCosh = 4,
    MeanAbsoluteError = 5,
    Custom = 6,
}

/// <summary>A user-written activation or loss, read from its syntax tree and differentiated.</summary>
/// <param name="Name">The method's name (what the spec and model files call it).</param>
/// <param name="IsLoss">A loss ℓ(a, y) (true) or an activation σ(z).</param>
/// <param name="Forward">σ(z) or ℓ(a, y), with locals and calls substituted.</param>
/// <param name="Derivative">σ'(z) or ∂ℓ/∂a, simplified.</param>
internal sealed record FunctionModel(string Name, bool IsLoss, NetGen.Generator.Differentiation.Expr Forward, NetGen.Generator.Differentiation.Expr Derivative);

/// <summary>
/// Everything the emitted file depends on, and nothing Roslyn: value-equatable, so the pipeline re-emits a network
/// only when its declaration really changed.
/// </summary>
/// <param name="Type">Where the partial class lives.</param>
/// <param name="InputSize">The width of a^0 = x.</param>
/// <param name="InputDropout">The dropout rate on x (0 when none).</param>
/// <param name="Layers">The dense layers l = 1..L.</param>
/// <param name="Loss">The per-sample cost.</param>
/// <param name="IsDouble">double (true) or float.</param>
/// <param name="LossFunction">The user-written loss (Loss is Custom), else null.</param>
internal sealed record NetworkModel(
    TypeHierarchy Type,
    int InputSize,
    double InputDropout,
    EquatableArray<LayerModel> Layers,
    LossKind Loss,
    bool IsDouble,
    FunctionModel? LossFunction = null)
{
    /// <summary>The user-written functions, each once: the layers' activations in order, then the loss.</summary>
    public System.Collections.Generic.IEnumerable<FunctionModel> Functions =>
        System.Linq.Enumerable.Distinct(System.Linq.Enumerable.Concat(
            System.Linq.Enumerable.Select(System.Linq.Enumerable.Where(Layers, l => l.Function is not null), l => l.Function!),
            LossFunction is null ? [] : [LossFunction]));
}

/// <summary>Dense layer l with its batch normalization and dropout.</summary>
/// <param name="Index">l, from 1.</param>
/// <param name="InputSize">The width of a^{l−1}.</param>
/// <param name="OutputSize">The width of a^l.</param>
/// <param name="Activation">σ.</param>
/// <param name="Alpha">The α in effect (LeakyReLU, ELU), else 0.</param>
/// <param name="AlphaGiven">Whether α was written in the declaration (the spec records it as given).</param>
/// <param name="BatchNorm">Whether z^l is batch-normalized.</param>
/// <param name="BatchNormMomentum">The running-average momentum.</param>
/// <param name="BatchNormEpsilon">The ε added to the variance.</param>
/// <param name="DropoutRate">The dropout rate on a^l (0 when none).</param>
/// <param name="Function">The user-written activation (Activation is Custom), else null.</param>
internal sealed record LayerModel(
    int Index,
    int InputSize,
    int OutputSize,
    ActivationKind Activation,
    double Alpha,
    bool AlphaGiven,
    bool BatchNorm,
    double BatchNormMomentum,
    double BatchNormEpsilon,
    double DropoutRate,
    FunctionModel? Function = null)
{
    public long WeightCount => (long)InputSize * OutputSize;
}

/// <summary>The namespace, containing types and declaration of the user's partial class.</summary>
/// <param name="Namespace">The namespace, or empty for the global namespace (segments as C# identifiers: <c>Ns.@class</c>).</param>
/// <param name="Name">The class name as a C# identifier (a keyword keeps its '@': <c>@event</c>).</param>
/// <param name="Keyword">"class" or "record" / "record class".</param>
/// <param name="Containing">Enclosing types, outermost first, as their declaration keywords and names.</param>
/// <param name="MetadataName">The full metadata name, for the hint name.</param>
internal sealed record TypeHierarchy(
    string Namespace,
    string Name,
    string Keyword,
    EquatableArray<ContainingType> Containing,
    string MetadataName);

/// <summary>An enclosing type: <c>partial {Keyword} {Name}</c>.</summary>
internal sealed record ContainingType(string Keyword, string Name);
