using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace NetGen.Generator.Tests.Infrastructure;

/// <summary>
/// Verify-style snapshots without Verify: the generated text is compared with the committed
/// <c>Snapshots/{Class}.{Method}#{HintName}.verified.cs</c>; on a mismatch a <c>.received.cs</c> is written beside it
/// and the test fails with a unified diff excerpt. <c>NETGEN_UPDATE_SNAPSHOTS=1</c> accepts the new text (never in CI).
/// </summary>
public static partial class SnapshotAssert
{
    private const string VersionToken = "<GENERATOR_VERSION>";

    public static void Matches(string actual, string hintName, [CallerFilePath] string file = "", [CallerMemberName] string member = "", string? testClass = null)
    {
        string directory = Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
        testClass ??= Path.GetFileNameWithoutExtension(file);
        string stem = $"{testClass}.{member}#{Path.GetFileNameWithoutExtension(hintName)}";
        string verified = Path.Combine(directory, stem + ".verified.cs");
        string received = Path.Combine(directory, stem + ".received.cs");
        string text = Scrub(actual);
        bool update = Environment.GetEnvironmentVariable("NETGEN_UPDATE_SNAPSHOTS") == "1";
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        if (!File.Exists(verified))
        {
            if (update && !ci)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(verified, text);
                return;
            }

            Directory.CreateDirectory(directory);
            File.WriteAllText(received, text);
            Assert.Fail($"No snapshot {verified}. The output was written to {received}; review it and rerun with NETGEN_UPDATE_SNAPSHOTS=1 to accept it.");
        }

        string expected = Normalize(File.ReadAllText(verified));
        if (expected == text)
        {
            if (File.Exists(received))
            {
                File.Delete(received);
            }

            return;
        }

        if (update && !ci)
        {
            File.WriteAllText(verified, text);
            return;
        }

        File.WriteAllText(received, text);
        Assert.Fail($"Generated code differs from {Path.GetFileName(verified)} (written to {Path.GetFileName(received)}):\n{Diff(expected, text)}");
    }

    /// <summary>Line endings to \n and the generator's version to a fixed token.</summary>
    public static string Scrub(string text) => VersionPattern().Replace(Normalize(text), $"GeneratedCode(\"NetGen.Generator\", \"{VersionToken}\")");

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Diff(string expected, string actual)
    {
        DiffPaneModel model = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var sb = new StringBuilder();
        int oldLine = 0, newLine = 0, shown = 0;
        foreach (DiffPiece line in model.Lines)
        {
            switch (line.Type)
            {
                case ChangeType.Deleted:
                    oldLine++;
                    if (shown++ < 40)
                    {
                        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"- {oldLine,5}: {line.Text}\n");
                    }

                    break;
                case ChangeType.Inserted:
                    newLine++;
                    if (shown++ < 40)
                    {
                        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"+ {newLine,5}: {line.Text}\n");
                    }

                    break;
                default:
                    oldLine++;
                    newLine++;
                    break;
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex("GeneratedCode\\(\"NetGen\\.Generator\", \"[^\"]*\"\\)")]
    private static partial Regex VersionPattern();
}
