using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Model;

namespace NetGen.Generator;

/// <summary>
/// Turns every <c>[Network]</c> partial class into a generated <c>INetwork&lt;T&gt;</c>: the forward pass and the
/// back-propagation with the explicit delta equations of each layer.
/// </summary>
/// <remarks>
/// Pipeline (this file): attributes found by metadata name with a syntax-only predicate → <see cref="Parser"/>
/// turns symbols into an equatable, Roslyn-free <see cref="NetworkModel"/> plus diagnostics → diagnostics are
/// reported on their own, and each valid model is emitted by <see cref="Emitter"/> into one file, so an edit
/// re-emits at most the network it touches.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetGenGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.Network,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        // Pipeline 1: diagnostics only (they carry locations, so they change with every edit above them).
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .Where(static d => !d.IsEmpty)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (DiagnosticInfo item in items)
            {
                spc.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        // Pipeline 2: source only, from location-free models, one file per network.
        IncrementalValuesProvider<NetworkModel> models = parsed
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.Models);

        // Hint names must be unique within the generator, compared ignoring case, but two networks can map to the same
        // one (Samples.Net and Samples.NET; Outer<T>.Net and Outer_T_.Net). The names that collide are collected once
        // (usually none, an equal empty array, so no model is re-emitted when another network changes), and only the
        // networks with a colliding name get a suffix that tells them apart.
        IncrementalValueProvider<EquatableArray<string>> collidingHintNames = models
            .Select(static (model, _) => Emitter.HintName(model))
            .Collect()
            .Select(static (names, _) => names
                .GroupBy(static name => name, StringComparer.OrdinalIgnoreCase)
                .Where(static group => group.Count() > 1)
                .Select(static group => group.Key.ToUpperInvariant())
                .OrderBy(static name => name, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(TrackingNames.HintNameCollisions);

        context.RegisterSourceOutput(models.Combine(collidingHintNames), static (spc, item) =>
        {
            spc.CancellationToken.ThrowIfCancellationRequested();
            (NetworkModel model, EquatableArray<string> colliding) = item;
            spc.AddSource(UniqueHintName(model, colliding), Emitter.Emit(model));
        });

        // Layer attributes on a class without [Network] do nothing: say so.
        RegisterOrphans(context, KnownNames.Input);
        RegisterOrphans(context, KnownNames.Dense);
        RegisterOrphans(context, KnownNames.Dropout);
        RegisterOrphans(context, KnownNames.BatchNorm);
    }

    private static void RegisterOrphans(IncrementalGeneratorInitializationContext context, string attribute)
    {
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is TypeDeclarationSyntax,
                (ctx, ct) => Parser.ParseOrphan(ctx, attribute, ct))
            .Where(static d => !d.IsEmpty)
            .WithTrackingName(TrackingNames.Orphans);
        context.RegisterSourceOutput(orphans, static (spc, items) =>
        {
            foreach (DiagnosticInfo item in items)
            {
                spc.ReportDiagnostic(item.ToDiagnostic());
            }
        });
    }

    /// <summary>
    /// The model's hint name, or, when another network's hint name equals it ignoring case, the name with a stable hash
    /// of the type's exact identity (namespace, containing types, name; case-sensitive) before the extension.
    /// </summary>
    internal static string UniqueHintName(NetworkModel model, EquatableArray<string> colliding)
    {
        string hintName = Emitter.HintName(model);
        if (!colliding.Contains(hintName.ToUpperInvariant(), StringComparer.Ordinal))
        {
            return hintName;
        }

        const string Extension = ".NetGen.g.cs";
        string identity = model.Type.Namespace + "|" + string.Join("|", model.Type.Containing.Select(static c => c.Keyword + " " + c.Name)) + "|" + model.Type.Name;
        uint hash = 2166136261;
        foreach (char c in identity)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        string stem = hintName.EndsWith(Extension, StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - Extension.Length) : hintName;
        return stem + "." + hash.ToString("x8", CultureInfo.InvariantCulture) + Extension;
    }

    /// <summary>What the parser found: a model to emit (null when the declaration is invalid) and the diagnostics.</summary>
    internal sealed record ParseResult(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
