using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Differentiation;
using NetGen.Generator.Model;

namespace NetGen.Generator;

public sealed partial class NetGenGenerator
{
    /// <summary>
    /// Symbols → model: reads the attributes of a [Network] class in the order they are written, checks every rule
    /// (reporting NG diagnostics at the offending attribute) and, when nothing is wrong, returns the equatable model.
    /// </summary>
    internal static class Parser
    {
        /// <summary>The largest number of values one .NET array holds (Array.MaxLength).</summary>
        internal const long MaxArrayLength = 0x7FFFFFC7;

        private const string RuntimeInterface = KnownNames.INetwork;

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var diagnostics = new List<DiagnosticInfo>();
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax)
            {
                return new ParseResult(null, default);
            }

            // The transform runs once per declaration that carries [Network]; a class with [Network] on several partial
            // declarations is parsed and reported once, from the first of them (the others report NG0003 through it).
            if (!IsFirstNetworkDeclaration(type, syntax, ct))
            {
                return new ParseResult(null, default);
            }

            LocationInfo? nameLocation = LocationInfo.From(syntax.Identifier.GetLocation());
            CheckType(type, syntax, context.SemanticModel.Compilation, nameLocation, diagnostics, ct);
            ct.ThrowIfCancellationRequested();

            NetworkModel? model = ReadLayers(type, context.SemanticModel.Compilation, nameLocation, diagnostics, ct);
            ct.ThrowIfCancellationRequested();

            if (model is not null)
            {
                CheckMembers(type, model, context.SemanticModel.Compilation, nameLocation, diagnostics);
            }

            bool valid = model is not null && !diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
            return new ParseResult(valid ? model : null, diagnostics.ToEquatableArray());
        }

        /// <summary>A class with a layer attribute but no [Network]: one NG0012 warning, from its first layer attribute kind.</summary>
        public static EquatableArray<DiagnosticInfo> ParseOrphan(GeneratorAttributeSyntaxContext context, string attribute, CancellationToken ct)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax)
            {
                return default;
            }

            var attributes = type.GetAttributes();
            if (attributes.Any(a => KindOf(a.AttributeClass) == KnownNames.NetworkShort))
            {
                return default;
            }

            // Report once per class: from the pipeline of the first layer attribute written (by file, then position),
            // for the declaration that carries it.
            AttributeData? first = attributes
                .Where(a => KindOf(a.AttributeClass) is not null && a.ApplicationSyntaxReference is not null)
                .OrderBy(a => a.ApplicationSyntaxReference!.SyntaxTree.FilePath, StringComparer.Ordinal)
                .ThenBy(a => a.ApplicationSyntaxReference!.Span.Start)
                .FirstOrDefault();
            SyntaxNode? declaration = first?.ApplicationSyntaxReference!.GetSyntax(ct).Parent?.Parent;
            if (first is null || "NetGen." + first.AttributeClass!.MetadataName != attribute ||
                declaration is null || declaration.SyntaxTree != syntax.SyntaxTree || declaration.Span != syntax.Span)
            {
                return default;
            }

            return new[] { DiagnosticInfo.Create(DiagnosticDescriptors.LayersWithoutNetwork, LocationInfo.From(syntax.Identifier.GetLocation()), type.Name) }.ToEquatableArray();
        }

        private static bool IsFirstNetworkDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax syntax, CancellationToken ct)
        {
            SyntaxReference? first = type.GetAttributes()
                .Where(a => KindOf(a.AttributeClass) == KnownNames.NetworkShort && a.ApplicationSyntaxReference is not null)
                .Select(a => a.ApplicationSyntaxReference!)
                .OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal)
                .ThenBy(r => r.Span.Start)
                .FirstOrDefault();
            SyntaxNode? declaration = first?.GetSyntax(ct).Parent?.Parent;
            return declaration is null || (declaration.SyntaxTree == syntax.SyntaxTree && declaration.Span == syntax.Span);
        }

        private static void CheckType(INamedTypeSymbol type, TypeDeclarationSyntax syntax, Compilation compilation, LocationInfo? location, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            string keyword = Keyword(syntax);
            if (type.TypeKind != TypeKind.Class)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, type.Name, $"only classes can be networks, and this is a {keyword}"));
                return;
            }

            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, type.Name, "a static class has no instances to hold the parameters; remove 'static'"));
            }

            if (type.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, type.Name, "generic classes are not supported; the precision is chosen with [Network(..., Precision = ...)]"));
            }

            if (type.IsFileLocal)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, type.Name, "a 'file' class cannot be extended from the generated file; remove 'file'"));
            }

            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(ct) is TypeDeclarationSyntax { ParameterList: not null } declaration)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, LocationInfo.From(declaration.Identifier.GetLocation()), type.Name, "primary constructors are not supported, because the generated constructors must be the class's own; declare the class without a parameter list"));
                    break;
                }
            }

            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, location, type.Name, keyword));
            }

            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                foreach (SyntaxReference reference in outer.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(ct) is TypeDeclarationSyntax outerSyntax && !outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, LocationInfo.From(outerSyntax.Identifier.GetLocation()), outer.Name, Keyword(outerSyntax)));
                        break;
                    }
                }
            }

            INamedTypeSymbol? baseType = type.BaseType;
            if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && baseType.TypeKind == TypeKind.Class &&
                !baseType.InstanceConstructors.Any(c => c.DeclaredAccessibility is not Accessibility.Private && compilation.IsSymbolAccessibleWithin(c, type) && c.Parameters.All(p => p.IsOptional || p.IsParams)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseConstructor, location, baseType.ToDisplayString(), type.Name));
            }
        }

        private static NetworkModel? ReadLayers(INamedTypeSymbol type, Compilation compilation, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            // Attributes in the order they are written (source order; partial declarations ordered by file, then position).
            var attributes = new List<(AttributeData Data, AttributeSyntax? Syntax, string Kind)>();
            foreach (AttributeData data in type.GetAttributes())
            {
                string? kind = KindOf(data.AttributeClass);
                if (kind is null)
                {
                    continue;
                }

                attributes.Add((data, data.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax, kind));
            }

            attributes.Sort((x, y) =>
            {
                int byFile = string.CompareOrdinal(x.Syntax?.SyntaxTree.FilePath, y.Syntax?.SyntaxTree.FilePath);
                return byFile != 0 ? byFile : (x.Syntax?.SpanStart ?? 0).CompareTo(y.Syntax?.SpanStart ?? 0);
            });

            int errorsBefore = diagnostics.Count;
            (AttributeData Data, AttributeSyntax? Syntax, string Kind) network = attributes.First(a => a.Kind == KnownNames.NetworkShort);
            LocationInfo? networkLocation = LocationInfo.From(network.Syntax);
            foreach (var extra in attributes.Where(a => a.Kind == KnownNames.NetworkShort).Skip(1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateAttribute, LocationInfo.From(extra.Syntax), type.Name, "Network"));
            }

            LossKind loss = LossKind.MeanSquaredError;
            bool isDouble = false;
            string? lossFunctionName = null;
            if (network.Data.ConstructorArguments.Length == 1 && network.Data.ConstructorArguments[0].Value is string lossName)
            {
                lossFunctionName = lossName;
                loss = LossKind.Custom;
            }
            else if (!TryReadEnum(network.Data, 0, (int)LossKind.Custom, out int lossValue, out string? lossError))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, networkLocation, "Network", lossError ?? "the loss must be a member of NetGen.Loss"));
            }
            else if (lossValue == (int)LossKind.Custom)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, networkLocation, "Network", "Loss.Custom is not a loss itself: name the [LossFunction] method instead, [Network(nameof(MyLoss))]"));
            }
            else
            {
                loss = (LossKind)lossValue;
            }

            if (TryGetNamed(network.Data, "Precision", out TypedConstant precision))
            {
                if (precision.Kind == TypedConstantKind.Enum && precision.Value is int p && p is 0 or 1)
                {
                    isDouble = p == 1;
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, networkLocation, "Network", "Precision must be Precision.Single or Precision.Double"));
                }
            }

            if (compilation.GetTypeByMetadataName(RuntimeInterface) is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RuntimeMissing, networkLocation ?? classLocation, type.Name));
            }

            // Layer attributes must all sit on one declaration, or their order is not defined.
            var layerAttributes = attributes.Where(a => a.Kind != KnownNames.NetworkShort).ToList();
            SyntaxNode? owner = null;
            foreach (var attribute in layerAttributes)
            {
                SyntaxNode? declaration = attribute.Syntax?.Parent?.Parent;
                if (owner is null)
                {
                    owner = declaration;
                }
                else if (declaration is not null && !ReferenceEquals(owner, declaration))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SplitDeclaration, LocationInfo.From(attribute.Syntax), type.Name));
                    return null;
                }
            }

            int inputSize = 0;
            bool inputSeen = false;
            double inputDropout = 0;
            var layers = new List<LayerBuilder>();
            string previous = KnownNames.NetworkShort;
            foreach (var attribute in layerAttributes)
            {
                ct.ThrowIfCancellationRequested();
                LocationInfo? where = LocationInfo.From(attribute.Syntax);
                switch (attribute.Kind)
                {
                    case KnownNames.InputShort:
                        if (inputSeen)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateAttribute, where, type.Name, "Input"));
                            break;
                        }

                        inputSeen = true;
                        if (layers.Count > 0 || previous == KnownNames.DropoutShort || previous == KnownNames.BatchNormShort)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputOrder, where, type.Name));
                        }

                        if (!TryReadInt(attribute.Data, 0, out inputSize, out string? inputError))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "Input", inputError));
                        }
                        else if (inputSize <= 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, where, "Input", inputSize));
                        }

                        break;

                    case KnownNames.DenseShort:
                        layers.Add(ReadDense(attribute.Data, attribute.Syntax, where, diagnostics));
                        break;

                    case KnownNames.BatchNormShort:
                    {
                        if (previous != KnownNames.DenseShort || layers.Count == 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BatchNormPlacement, where));
                            break;
                        }

                        double momentum = 0.99, epsilon = 0.001;
                        bool ok = TryReadNamedDouble(attribute.Data, "Momentum", ref momentum) & TryReadNamedDouble(attribute.Data, "Epsilon", ref epsilon);
                        if (!ok)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "BatchNorm", "Momentum and Epsilon must be numbers"));
                        }
                        else if (!(momentum >= 0 && momentum < 1) || !(epsilon > 0) || double.IsInfinity(epsilon))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidBatchNorm, where, Format(momentum), Format(epsilon)));
                        }

                        LayerBuilder last = layers[layers.Count - 1];
                        last.BatchNorm = true;
                        last.Momentum = momentum;
                        last.Epsilon = epsilon;
                        break;
                    }

                    case KnownNames.DropoutShort:
                    {
                        if (!TryReadDouble(attribute.Data, 0, out double rate, out string? rateError))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "Dropout", rateError));
                        }
                        else if (!(rate >= 0 && rate < 1))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropoutRate, where, Format(rate)));
                        }

                        if (previous == KnownNames.DropoutShort)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutPlacement, where, "two [Dropout] in a row; keep one"));
                        }
                        else if (layers.Count == 0)
                        {
                            if (!inputSeen)
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutPlacement, where, "it comes before [Input]"));
                            }

                            inputDropout = rate;
                        }
                        else
                        {
                            layers[layers.Count - 1].Dropout = rate;
                            layers[layers.Count - 1].DropoutLocation = where;
                        }

                        break;
                    }
                }

                previous = attribute.Kind;
            }

            // User-written functions: each name read and differentiated once, diagnostics at the construct that is wrong.
            var functions = new Dictionary<string, FunctionModel?>(StringComparer.Ordinal);
            FunctionModel? ReadFunction(string name, FunctionRole role, LocationInfo? usage)
            {
                string key = role + ":" + name;
                if (!functions.TryGetValue(key, out FunctionModel? function))
                {
                    Expr? body = FunctionReader.Read(type, name, role, isDouble, usage, compilation, network.Syntax?.SyntaxTree, diagnostics, ct);
                    function = body is null ? null : new FunctionModel(name, role == FunctionRole.Loss, Simplifier.Simplify(body), Derivative.Of(body, role == FunctionRole.Loss ? "a" : "z"));
                    functions[key] = function;
                }

                return function;
            }

            foreach (LayerBuilder layer in layers.Where(l => l.FunctionName is not null))
            {
                layer.Function = ReadFunction(layer.FunctionName!, FunctionRole.Activation, layer.FunctionLocation);
                layer.Valid &= layer.Function is not null;
            }

            FunctionModel? lossFunction = null;
            if (lossFunctionName is not null)
            {
                var argument = network.Syntax?.ArgumentList?.Arguments.FirstOrDefault();
                lossFunction = ReadFunction(lossFunctionName, FunctionRole.Loss, LocationInfo.From(argument) ?? networkLocation);
                if (lossFunction is null)
                {
                    return null;
                }
            }

            if (!inputSeen)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, networkLocation ?? classLocation, type.Name));
            }

            if (layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoDense, networkLocation ?? classLocation, type.Name));
                return null;
            }

            LayerBuilder output = layers[layers.Count - 1];
            if (output.Dropout > 0 || output.DropoutLocation is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutPlacement, output.DropoutLocation, "the output layer is never dropped; remove it or move it before the last [Dense]"));
            }

            for (int i = 0; i < layers.Count - 1; i++)
            {
                if (layers[i].Activation == ActivationKind.Softmax)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotLast, layers[i].Location, i + 1));
                }
            }

            string outputName = output.Activation.ToString();
            if (loss == LossKind.CrossEntropy && output.Activation != ActivationKind.Softmax && output.Valid)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossEntropyNeedsSoftmax, output.Location, outputName, output.Size));
            }
            else if (loss == LossKind.BinaryCrossEntropy && output.Activation != ActivationKind.Sigmoid && output.Valid)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoid, output.Location, outputName, output.Size));
            }

            if (diagnostics.Count > errorsBefore || inputSize <= 0 || layers.Any(l => !l.Valid))
            {
                return null;
            }

            // Sizes: all parameters must fit in one array (and every index in an int).
            long parameters = 0;
            int width = inputSize;
            foreach (LayerBuilder layer in layers)
            {
                parameters += (long)width * layer.Size + layer.Size + (layer.BatchNorm ? 2L * layer.Size : 0);
                width = layer.Size;
                if (parameters > MaxArrayLength)
                {
                    break;
                }
            }

            if (parameters > MaxArrayLength)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, networkLocation ?? classLocation, type.Name, parameters > MaxArrayLength * 4 ? "more than " + (MaxArrayLength * 4).ToString(CultureInfo.InvariantCulture) : parameters.ToString(CultureInfo.InvariantCulture), MaxArrayLength.ToString(CultureInfo.InvariantCulture)));
                return null;
            }

            var models = new List<LayerModel>();
            width = inputSize;
            for (int i = 0; i < layers.Count; i++)
            {
                LayerBuilder b = layers[i];
                double alpha = b.Alpha ?? (b.Activation == ActivationKind.LeakyReLU ? 0.01 : b.Activation == ActivationKind.ELU ? 1.0 : 0.0);
                models.Add(new LayerModel(i + 1, width, b.Size, b.Activation, alpha, b.Alpha is not null, b.BatchNorm, b.Momentum, b.Epsilon, b.Dropout, b.Function));
                width = b.Size;
            }

            return new NetworkModel(Hierarchy(type, ct), inputSize, inputDropout, models.ToEquatableArray(), loss, isDouble, lossFunction);
        }

        private static LayerBuilder ReadDense(AttributeData data, AttributeSyntax? syntax, LocationInfo? where, List<DiagnosticInfo> diagnostics)
        {
            var layer = new LayerBuilder { Location = where };
            if (!TryReadInt(data, 0, out int size, out string? sizeError))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "Dense", sizeError));
                layer.Valid = false;
            }
            else if (size <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, where, "Dense", size));
                layer.Valid = false;
            }

            layer.Size = size;
            if (data.ConstructorArguments.Length > 1 && data.ConstructorArguments[1].Value is string functionName)
            {
                layer.Activation = ActivationKind.Custom;
                layer.FunctionName = functionName;
                layer.FunctionLocation = LocationInfo.From(syntax?.ArgumentList?.Arguments.Skip(1).FirstOrDefault()) ?? where;
            }
            else if (data.ConstructorArguments.Length > 1)
            {
                if (TryReadEnum(data, 1, (int)ActivationKind.Custom, out int activation, out string? activationError) && activation == (int)ActivationKind.Custom)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "Dense", "Activation.Custom is not an activation itself: name the [ActivationFunction] method instead, [Dense(size, nameof(MyActivation))]"));
                    layer.Valid = false;
                }
                else if (activationError is null)
                {
                    layer.Activation = (ActivationKind)activation;
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "Dense", activationError ?? "the activation must be a member of NetGen.Activation"));
                    layer.Valid = false;
                }
            }

            if (TryGetNamed(data, "Alpha", out TypedConstant alphaConstant))
            {
                if (alphaConstant.Kind == TypedConstantKind.Error || !TryToDouble(alphaConstant.Value, out double alpha))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, where, "Dense", "Alpha must be a number"));
                    layer.Valid = false;
                }
                else if (layer.Activation is not (ActivationKind.LeakyReLU or ActivationKind.ELU))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AlphaNotApplicable, where, layer.Activation.ToString()));
                    layer.Valid = false;
                }
                else if (double.IsNaN(alpha) || double.IsInfinity(alpha) || alpha < 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidAlpha, where, Format(alpha)));
                    layer.Valid = false;
                }
                else
                {
                    layer.Alpha = alpha;
                }
            }

            return layer;
        }

        private static void CheckMembers(INamedTypeSymbol type, NetworkModel model, Compilation compilation, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            var reserved = new HashSet<string>(Emitter.MemberNames(model), StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            if (reserved.Contains(type.Name))
            {
                // A member may not be named like its class (CS0542), so the generated member would not compile.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, type.Name,
                    $"the generated part declares a member named '{type.Name}', and a member cannot have the name of its class; rename the class"));
            }

            foreach (ISymbol member in type.GetMembers())
            {
                if (member.IsImplicitlyDeclared)
                {
                    continue;
                }

                if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
                {
                    var parameters = constructor.Parameters;
                    bool conflicts = parameters.Length == 0 ||
                        (parameters.Length == 1 && parameters[0].Type.SpecialType == SpecialType.System_Int32) ||
                        (parameters.Length == 2 && parameters[0].Type.SpecialType == SpecialType.System_Int32 &&
                         parameters[1].Type is { Name: "Initializer", ContainingNamespace: { Name: "NetGen", ContainingNamespace.IsGlobalNamespace: true } });
                    if (conflicts && reported.Add(".ctor" + parameters.Length))
                    {
                        string signature = parameters.Length switch { 0 => $"{type.Name}()", 1 => $"{type.Name}(int)", _ => $"{type.Name}(int, Initializer)" };
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberConflict, LocationInfo.From(member.Locations.FirstOrDefault()) ?? location, type.Name, signature));
                    }

                    continue;
                }

                if (reserved.Contains(member.Name) && reported.Add(member.Name))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberConflict, LocationInfo.From(member.Locations.FirstOrDefault()) ?? location, type.Name, member.Name));
                }
            }

            // Members the class inherits and could see would be hidden by the generated ones (CS0108 in the generated
            // file). A base class that is itself a network gets its members from its own generated part, which this
            // compilation does not contain yet: it always conflicts ('Spec', 'Forward', … are always generated).
            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
            {
                if (baseType.GetAttributes().Any(a => KindOf(a.AttributeClass) == KnownNames.NetworkShort) && reported.Add("Spec"))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InheritedMemberConflict, location, type.Name, "Spec", baseType.ToDisplayString()));
                }

                foreach (ISymbol member in baseType.GetMembers())
                {
                    if (member.CanBeReferencedByName && !member.IsImplicitlyDeclared && reserved.Contains(member.Name) &&
                        compilation.IsSymbolAccessibleWithin(member, type) && reported.Add(member.Name))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InheritedMemberConflict, location, type.Name, member.Name, baseType.ToDisplayString()));
                    }
                }
            }
        }

        private static TypeHierarchy Hierarchy(INamedTypeSymbol type, CancellationToken ct)
        {
            var containing = new List<ContainingType>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                string keyword = outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is TypeDeclarationSyntax s ? Keyword(s) : "class";
                string name = outer.TypeParameters.Length == 0 ? Identifier(outer.Name) : $"{Identifier(outer.Name)}<{string.Join(", ", outer.TypeParameters.Select(p => Identifier(p.Name)))}>";
                containing.Insert(0, new ContainingType(keyword, name));
            }

            var segments = new List<string>();
            for (INamespaceSymbol? n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
            {
                segments.Insert(0, Identifier(n.Name));
            }

            string ns = string.Join(".", segments);
            string keywordOfType = type.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is TypeDeclarationSyntax own ? Keyword(own) : "class";
            string metadata = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
            return new TypeHierarchy(ns, Identifier(type.Name), keywordOfType, containing.ToEquatableArray(), metadata);
        }

        /// <summary>A name as a C# identifier: a keyword used as a name (<c>@class</c>) keeps its '@'.</summary>
        private static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.ClassKeyword) => "record class",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };

        private static string? KindOf(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null || attributeClass.ContainingNamespace is not { Name: "NetGen" } ns || !ns.ContainingNamespace.IsGlobalNamespace)
            {
                return null;
            }

            return attributeClass.MetadataName switch
            {
                "NetworkAttribute" => KnownNames.NetworkShort,
                "InputAttribute" => KnownNames.InputShort,
                "DenseAttribute" => KnownNames.DenseShort,
                "DropoutAttribute" => KnownNames.DropoutShort,
                "BatchNormAttribute" => KnownNames.BatchNormShort,
                _ => null,
            };
        }

        private static bool TryReadInt(AttributeData data, int index, out int value, out string? error)
        {
            value = 0;
            error = null;
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length <= index)
            {
                error = "the arguments do not match a constructor; pass an int size, e.g. [Dense(16)]";
                return false;
            }

            TypedConstant constant = data.ConstructorArguments[index];
            if (constant.Kind == TypedConstantKind.Error || constant.Value is not int i)
            {
                error = "the size must be an int constant";
                return false;
            }

            value = i;
            return true;
        }

        private static bool TryReadDouble(AttributeData data, int index, out double value, out string? error)
        {
            value = 0;
            error = null;
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length <= index)
            {
                error = "the arguments do not match a constructor; pass a number, e.g. [Dropout(0.5)]";
                return false;
            }

            TypedConstant constant = data.ConstructorArguments[index];
            if (constant.Kind == TypedConstantKind.Error || !TryToDouble(constant.Value, out value))
            {
                error = "the value must be a numeric constant";
                return false;
            }

            return true;
        }

        private static bool TryReadEnum(AttributeData data, int index, int max, out int value, out string? error)
        {
            value = 0;
            error = null;
            if (data.AttributeConstructor is null || data.ConstructorArguments.Length <= index)
            {
                error = "the arguments do not match a constructor";
                return false;
            }

            TypedConstant constant = data.ConstructorArguments[index];
            if (constant.Kind != TypedConstantKind.Enum || constant.Value is not int i)
            {
                error = "the value must be an enum constant";
                return false;
            }

            if (i < 0 || i > max)
            {
                error = $"{i} is not a defined {constant.Type?.Name ?? "enum"} member";
                return false;
            }

            value = i;
            return true;
        }

        private static bool TryReadNamedDouble(AttributeData data, string name, ref double value)
        {
            if (!TryGetNamed(data, name, out TypedConstant constant))
            {
                return true;
            }

            return constant.Kind != TypedConstantKind.Error && TryToDouble(constant.Value, out value);
        }

        private static bool TryGetNamed(AttributeData data, string name, out TypedConstant value)
        {
            foreach (KeyValuePair<string, TypedConstant> pair in data.NamedArguments)
            {
                if (pair.Key == name)
                {
                    value = pair.Value;
                    return true;
                }
            }

            value = default;
            return false;
        }

        private static bool TryToDouble(object? value, out double result)
        {
            switch (value)
            {
                case double d:
                    result = d;
                    return true;
                case float f:
                    result = f;
                    return true;
                case int i:
                    result = i;
                    return true;
                case long l:
                    result = l;
                    return true;
                default:
                    result = 0;
                    return false;
            }
        }

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A dense layer being read, with what attaches to it.</summary>
        private sealed class LayerBuilder
        {
            public int Size { get; set; }

            public ActivationKind Activation { get; set; }

            public double? Alpha { get; set; }

            public bool BatchNorm { get; set; }

            public double Momentum { get; set; } = 0.99;

            public double Epsilon { get; set; } = 0.001;

            public double Dropout { get; set; }

            public LocationInfo? DropoutLocation { get; set; }

            public LocationInfo? Location { get; set; }

            public bool Valid { get; set; } = true;

            public string? FunctionName { get; set; }

            public LocationInfo? FunctionLocation { get; set; }

            public FunctionModel? Function { get; set; }
        }
    }
}
