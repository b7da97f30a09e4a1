using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Tests.Infrastructure;

/// <summary>Checks that the pipeline caches: rerunning on a cloned compilation gives only Cached/Unchanged steps, and no model holds Roslyn objects.</summary>
public static class IncrementalAssert
{
    public static readonly string[] TrackedSteps = [TrackingNames.Parse, TrackingNames.Diagnostics, TrackingNames.Models, TrackingNames.HintNameCollisions, TrackingNames.Orphans];

    /// <summary>Runs the generator twice (second time on compilation.Clone()) and asserts the second run reused everything.</summary>
    public static void CachesOnRerun(GeneratorRun first)
    {
        GeneratorDriver rerun = first.Driver.RunGenerators(first.Input.Clone());
        GeneratorRunResult second = rerun.GetRunResult().Results.Single();
        Assert.True(second.TrackedSteps.ContainsKey(TrackingNames.Parse), "the Parse step was not tracked");
        Assert.True(second.TrackedSteps.ContainsKey(TrackingNames.Models), "the Models step was not tracked");
        foreach (string step in TrackedSteps)
        {
            if (!second.TrackedSteps.TryGetValue(step, out var runs))
            {
                continue;
            }

            foreach (var run in runs)
            {
                foreach ((object value, IncrementalStepRunReason reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {step} output {value} was {reason} on an identical rerun");
                }
            }
        }

        foreach (var (_, reason) in second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs))
        {
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"an output was {reason} on an identical rerun");
        }

        // The models carried between steps must be free of symbols, syntax and compilations.
        GeneratorRunResult firstResult = first.Result.Results.Single();
        foreach (string step in TrackedSteps)
        {
            if (firstResult.TrackedSteps.TryGetValue(step, out var runs))
            {
                foreach (var run in runs)
                {
                    foreach ((object value, _) in run.Outputs)
                    {
                        AssertNoRoslynObjects(value, $"{step}");
                    }
                }
            }
        }
    }

    /// <summary>Walks an object graph and fails on any ISymbol, SyntaxNode, SemanticModel, Compilation or SyntaxTree.</summary>
    public static void AssertNoRoslynObjects(object? root, string path)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, path, seen);
    }

    private static void Walk(object? node, string path, HashSet<object> seen)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || node is decimal)
        {
            return;
        }

        Assert.False(node is ISymbol or SyntaxNode or SemanticModel or Compilation or SyntaxTree or Location, $"{path} holds a {node.GetType().Name}");
        if (node is DiagnosticDescriptor || !node.GetType().IsValueType && !seen.Add(node))
        {
            return;
        }

        if (node is IEnumerable sequence)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                Walk(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (FieldInfo field in node.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.GetValue(node), $"{path}.{field.Name}", seen);
        }
    }
}
