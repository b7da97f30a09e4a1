using System.Runtime.CompilerServices;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generated file is the network's math, not plumbing: the committed snapshots stay within the sizes issue 11 set
/// (the course's perceptron ≤ 200 lines, the 2-2-1 network ≤ 250, every network ≤ 600, wide and paneled ones included),
/// and no engine code comes back into them.
/// </summary>
public sealed class GeneratedSizeTests
{
    private static string SnapshotDirectory([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");

    private static IEnumerable<(string Name, string[] Lines)> Snapshots() =>
        Directory.GetFiles(SnapshotDirectory(), "*.verified.cs").Select(f => (Path.GetFileName(f), File.ReadAllLines(f)));

    [Fact]
    public void Snapshots_stay_within_their_line_budgets()
    {
        var all = Snapshots().ToList();
        Assert.True(all.Count >= 16, $"{all.Count} snapshots found in {SnapshotDirectory()}");
        foreach (var (name, lines) in all)
        {
            int limit = name.Contains("Perceptron_1_1", StringComparison.Ordinal) ? 200
                : name.Contains("QuadraticFit_2_2_1", StringComparison.Ordinal) ? 250
                : 600;
            Assert.True(lines.Length <= limit, $"{name}: {lines.Length} lines, more than {limit}");
        }
    }

    [Fact]
    public void Snapshots_hold_no_engine_plumbing()
    {
        // what the runtime engine and VectorMath own: tiles, workspaces, the two-core split, the vector helpers
        string[] plumbing = ["class Workspace", "PairRunner", "IPairedWork", "EnsureRows", "Shapes.", "Array.Clear",
            "Interlocked", "ForwardRows", "BackwardRows", "AddScaled", "VectorWidth", "Unsafe.", "MemoryMarshal", "Workspace()"];
        foreach (var (name, lines) in Snapshots())
        {
            foreach (string word in plumbing)
            {
                Assert.DoesNotContain(lines, line => line.Contains(word, StringComparison.Ordinal) && !line.TrimStart().StartsWith("//", StringComparison.Ordinal));
            }
        }
    }
}
