namespace NetGen.Generator;

/// <summary>The names of the pipeline steps, asserted by the incrementality tests.</summary>
internal static class TrackingNames
{
    /// <summary>[Network] classes turned into a model and diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The diagnostics of each parsed class, reported on their own.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The valid, equatable models that source is emitted for.</summary>
    public const string Models = nameof(Models);

    /// <summary>The small facts taken from the compilation (is NetGen.Runtime referenced).</summary>
    public const string CompilationFacts = nameof(CompilationFacts);

    /// <summary>Models joined with the compilation facts.</summary>
    public const string ModelsWithFacts = nameof(ModelsWithFacts);

    /// <summary>The hint names that two or more networks share (ignoring case), collected once for all networks.</summary>
    public const string HintNameCollisions = nameof(HintNameCollisions);

    /// <summary>Classes with layer attributes but no [Network].</summary>
    public const string Orphans = nameof(Orphans);
}
