using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic NetGen reports: one descriptor per id, each with a help page under docs/diagnostics/ and an
/// entry in AnalyzerReleases.Unshipped.md. Messages say what is wrong and how to fix it.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string Category = "NetGen";

    /// <summary>
    /// The help pages ship inside the NetGen package, under docs/diagnostics/ (the package folder NuGet restored, e.g.
    /// ~/.nuget/packages/netgen/VERSION/docs/diagnostics/NG0001.md), and live in the repository at the same path. The
    /// project has no public web address for them, so helpLinkUri stays empty rather than point at an invented one,
    /// and every message ends by naming its page.
    /// </summary>
    public const string HelpPageFormat = "docs/diagnostics/{0}.md";

    public const string NotPartialId = "NG0001";
    public const string MissingInputId = "NG0002";
    public const string DuplicateAttributeId = "NG0003";
    public const string NoDenseId = "NG0004";
    public const string NonPositiveSizeId = "NG0005";
    public const string SoftmaxNotLastId = "NG0006";
    public const string CrossEntropyNeedsSoftmaxId = "NG0007";
    public const string BinaryCrossEntropyNeedsSigmoidId = "NG0008";
    public const string AlphaNotApplicableId = "NG0009";
    public const string InvalidAlphaId = "NG0010";
    public const string UnsupportedTypeId = "NG0011";
    public const string LayersWithoutNetworkId = "NG0012";
    public const string InvalidArgumentId = "NG0013";
    public const string InputOrderId = "NG0014";
    public const string SplitDeclarationId = "NG0015";
    public const string TooLargeId = "NG0016";
    public const string BatchNormPlacementId = "NG0017";
    public const string DropoutPlacementId = "NG0018";
    public const string InvalidDropoutRateId = "NG0019";
    public const string InvalidBatchNormId = "NG0020";
    public const string MemberConflictId = "NG0021";
    public const string BaseConstructorId = "NG0022";
    public const string RuntimeMissingId = "NG0023";

    public const string InheritedMemberConflictId = "NG0024";
    public const string FunctionNotFoundId = "NG0025";
    public const string FunctionWrongRoleId = "NG0026";
    public const string FunctionSignatureId = "NG0027";
    public const string NotDifferentiableId = "NG0028";

    public static readonly DiagnosticDescriptor NotPartial = Create(
        NotPartialId, "Network class must be partial",
        "'{0}' must be declared partial so NetGen can add the generated network to it: write 'partial {1} {0}'",
        "NetGen adds the forward and backward pass to the declared class, which requires it and every type containing it to be partial.");

    public static readonly DiagnosticDescriptor MissingInput = Create(
        MissingInputId, "Network has no [Input]",
        "Network '{0}' has no input layer: add [Input(n)] with the number of features per sample before the first [Dense]",
        "Every network declares its input width with exactly one [Input(n)].");

    public static readonly DiagnosticDescriptor DuplicateAttribute = Create(
        DuplicateAttributeId, "Attribute declared twice",
        "Network '{0}' declares [{1}] more than once: keep exactly one",
        "[Network] and [Input] may appear only once per network.");

    public static readonly DiagnosticDescriptor NoDense = Create(
        NoDenseId, "Network has no [Dense] layer",
        "Network '{0}' has no layers: add at least one [Dense(n)]; the last one is the output layer",
        "A network needs at least one dense layer; the last [Dense] is its output.");

    public static readonly DiagnosticDescriptor NonPositiveSize = Create(
        NonPositiveSizeId, "Layer size must be positive",
        "[{0}({1})] has size {1}: a layer needs at least 1 neuron",
        "Input and dense layer sizes must be at least 1.");

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Create(
        SoftmaxNotLastId, "Softmax only on the output layer",
        "Layer {0} uses Softmax but is not the output layer: use Softmax only on the last [Dense], and e.g. ReLU here",
        "Softmax normalizes the outputs into probabilities; NetGen allows it only on the output layer.");

    public static readonly DiagnosticDescriptor CrossEntropyNeedsSoftmax = Create(
        CrossEntropyNeedsSoftmaxId, "CrossEntropy needs a Softmax output",
        "Loss.CrossEntropy needs a Softmax output layer, but the output layer uses {0}: write [Dense({1}, Activation.Softmax)] or choose another loss",
        "Cross-entropy C = −Σ y ln a is defined on probabilities; NetGen pairs it with a softmax output (then δ^L = a^L − y).");

    public static readonly DiagnosticDescriptor BinaryCrossEntropyNeedsSigmoid = Create(
        BinaryCrossEntropyNeedsSigmoidId, "BinaryCrossEntropy needs a Sigmoid output",
        "Loss.BinaryCrossEntropy needs a Sigmoid output layer, but the output layer uses {0}: write [Dense({1}, Activation.Sigmoid)] or choose another loss",
        "Binary cross-entropy is defined on independent probabilities; NetGen pairs it with a sigmoid output (then δ^L = a^L − y).");

    public static readonly DiagnosticDescriptor AlphaNotApplicable = Create(
        AlphaNotApplicableId, "Alpha given to an activation without one",
        "Alpha applies only to LeakyReLU and ELU, not to {0}: remove 'Alpha = ...' or change the activation",
        "Only LeakyReLU (default α 0.01) and ELU (default α 1) take an α.");

    public static readonly DiagnosticDescriptor InvalidAlpha = Create(
        InvalidAlphaId, "Invalid Alpha",
        "Alpha = {0} is not a finite number ≥ 0: use e.g. 0.01 for LeakyReLU or 1 for ELU",
        "α must be finite and non-negative.");

    public static readonly DiagnosticDescriptor UnsupportedType = Create(
        UnsupportedTypeId, "Unsupported network type",
        "'{0}' cannot be a network: {1}",
        "A network is a non-generic, non-static partial class (it may be nested in partial types).");

    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Create(
        LayersWithoutNetworkId, "Layers declared without [Network]",
        "'{0}' declares network layers but no [Network(...)] attribute: add e.g. [Network(Loss.MeanSquaredError)] or remove the layer attributes",
        "Layer attributes only take effect on a class marked [Network].",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidArgument = Create(
        InvalidArgumentId, "Invalid attribute argument",
        "The argument of [{0}] could not be read: {1}",
        "Attribute arguments must be compile-time constants of the declared types, and enum values must be defined members.");

    public static readonly DiagnosticDescriptor InputOrder = Create(
        InputOrderId, "[Input] must come first",
        "[Input] is written after a layer of '{0}': declare [Input(n)] before every [Dense], [Dropout] and [BatchNorm]",
        "Layers apply in the order they are written, starting from the input.");

    public static readonly DiagnosticDescriptor SplitDeclaration = Create(
        SplitDeclarationId, "Layers split across partial declarations",
        "The layers of '{0}' are declared on more than one partial declaration, so their order is ambiguous: put all layer attributes on one declaration",
        "Attribute order defines layer order; it is only well defined within one declaration.");

    public static readonly DiagnosticDescriptor TooLarge = Create(
        TooLargeId, "Network too large",
        "Network '{0}' has {1} parameters, more than one .NET array holds ({2}): make the layers smaller",
        "All parameters live in one flat array, so their number must fit in one array.");

    public static readonly DiagnosticDescriptor BatchNormPlacement = Create(
        BatchNormPlacementId, "[BatchNorm] must directly follow a [Dense]",
        "[BatchNorm] must directly follow a [Dense] (before its [Dropout]), at most once per layer: move it after the [Dense] it normalizes",
        "Batch normalization normalizes z of the dense layer it follows, before the activation.");

    public static readonly DiagnosticDescriptor DropoutPlacement = Create(
        DropoutPlacementId, "[Dropout] misplaced",
        "[Dropout] must follow [Input] or a hidden [Dense] (or its [BatchNorm]), at most once, and never the output layer: {0}",
        "Dropout applies to the input or to a hidden layer's activations; the output layer is never dropped.");

    public static readonly DiagnosticDescriptor InvalidDropoutRate = Create(
        InvalidDropoutRateId, "Invalid dropout rate",
        "Dropout rate {0} is not in [0, 1): use the probability of dropping a unit, e.g. [Dropout(0.5)]",
        "The dropout rate is a probability below 1.");

    public static readonly DiagnosticDescriptor InvalidBatchNorm = Create(
        InvalidBatchNormId, "Invalid batch-normalization setting",
        "[BatchNorm] needs 0 ≤ Momentum < 1 and a finite Epsilon > 0, but has Momentum = {0}, Epsilon = {1}",
        "Momentum weighs the old running average; ε keeps the division finite.");

    public static readonly DiagnosticDescriptor MemberConflict = Create(
        MemberConflictId, "Member conflicts with the generated network",
        "'{0}' declares '{1}', which the generated network defines: rename or remove it",
        "The generated part defines the INetwork members, the size constants, the parameter offsets and the constructors.");

    public static readonly DiagnosticDescriptor BaseConstructor = Create(
        BaseConstructorId, "Base class needs a parameterless constructor",
        "The base class '{0}' of '{1}' has no accessible parameterless constructor, which the generated constructors call: add one or derive from another class",
        "The generated constructors chain to the base class's parameterless constructor.");

    public static readonly DiagnosticDescriptor RuntimeMissing = Create(
        RuntimeMissingId, "NetGen.Runtime is not referenced",
        "Network '{0}' needs NetGen.Runtime (the INetwork<T> contract): reference the NetGen package, or NetGen.Runtime",
        "Generated networks implement NetGen.INetwork<T> from NetGen.Runtime.");

    public static readonly DiagnosticDescriptor InheritedMemberConflict = Create(
        InheritedMemberConflictId, "Inherited member conflicts with the generated network",
        "'{0}' inherits '{1}' from '{2}', and the generated network defines a member with that name, which would hide it: rename it in the base class or derive from another class",
        "The generated part defines the INetwork members, the size constants and the parameter offsets in the network class; a member with one of these names inherited from a base class would be hidden (CS0108), so a network cannot derive from another network either.");

    public static readonly DiagnosticDescriptor FunctionNotFound = Create(
        FunctionNotFoundId, "Custom function not found",
        "'{0}' has no method named '{1}' to use as {2}: declare [{3}] public static {4} {1}({5}) in the class, or name an existing one with nameof",
        "A [Dense(size, nameof(F))] or [Network(nameof(F))] names a static method of the network class marked [ActivationFunction] or [LossFunction].");

    public static readonly DiagnosticDescriptor FunctionWrongRole = Create(
        FunctionWrongRoleId, "Custom function used for the wrong role",
        "'{0}' is used as {1}, but it is {2}: mark it [{3}] (with the signature {4} {0}({5})), or name a method that is",
        "An activation is a method marked [ActivationFunction] taking z; a loss is a method marked [LossFunction] taking (a, y).");

    public static readonly DiagnosticDescriptor FunctionSignature = Create(
        FunctionSignatureId, "Custom function has the wrong signature",
        "'{0}' cannot be {1}: {2}; write it as [{3}] public static {4} {0}({5})",
        "A custom activation is static, not generic, and maps one value of the network's precision to another; a custom loss takes the output a and the target y of that type and returns it.");

    public static readonly DiagnosticDescriptor NotDifferentiable = Create(
        NotDifferentiableId, "Custom function cannot be differentiated",
        "'{0}' cannot be differentiated in '{1}': {2}",
        "The generator differentiates the syntax tree of a custom function: its body is an expression, or local declarations, assignments to locals and a final return, using + − * /, unary −, numeric literals and constants, its parameters and locals, conditional expressions with comparisons, Math/MathF Exp, Log, Sqrt, Pow, Abs, Tanh, Sinh, Cosh, Sin, Cos, Atan, Max, Min, and other [ActivationFunction] methods.");

    /// <summary>The help page of <paramref name="id"/>, relative to the package root (and to the repository's).</summary>
    public static string HelpPage(string id) => string.Format(System.Globalization.CultureInfo.InvariantCulture, HelpPageFormat, id);

    private static DiagnosticDescriptor Create(string id, string title, string message, string description, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, message + " (see " + HelpPage(id) + " in the NetGen package)", Category, severity, isEnabledByDefault: true,
            description: description + " Help: " + HelpPage(id) + " in the NetGen package.", helpLinkUri: string.Empty);
}
