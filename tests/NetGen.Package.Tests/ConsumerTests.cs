using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NetGen.Package.Tests;

/// <summary>
/// The package as a user gets it: a fresh `dotnet new console` project outside the repository installs NetGen from the
/// folder feed, declares the course's 2-2-1 network with attributes, builds with warnings as errors, trains and predicts.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class ConsumerTests(PackedPackage package, ITestOutputHelper output)
{
    [Fact]
    public void A_fresh_console_project_installs_the_package_builds_without_warnings_trains_and_predicts()
    {
        string root = Path.Combine(package.TempRoot, "consumer");
        Directory.CreateDirectory(root);
        // The project sits outside the repository, so the repository's Directory.Build.props, Directory.Packages.props
        // and nuget.config do not apply. Empty Directory.* files stop MSBuild's upward search here anyway (TMPDIR could
        // be inside some other tree), and the repository's global.json selects the same SDK as the repository's build.
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(root, file), "<Project />\n");
        }

        File.Copy(Path.Combine(package.RepoRoot, "global.json"), Path.Combine(root, "global.json"));
        WriteNuGetConfig(root);

        // A package folder of this run's own: the package extracts here, never into the user's global cache.
        string packages = Path.Combine(root, "packages");
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        string app = Path.Combine(root, "app");

        Run(root, environment, "new", "console", "--name", "Consumer", "--output", app, "--framework", "net10.0", "--no-restore", "--no-update-check");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);
        Run(app, environment, "add", "package", "NetGen", "--version", package.Version);
        Assert.True(
            Directory.Exists(Path.Combine(packages, "netgen", package.Version.ToLowerInvariant())),
            $"NetGen {package.Version} was not restored from the folder feed into {packages}.");

        Run(app, environment, "build", "-c", "Release", "-warnaserror", "-nodeReuse:false");
        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "NetGen.Runtime.dll")), "NetGen.Runtime.dll is not in the consumer's output.");
        Assert.True(File.Exists(Path.Combine(bin, "NetGen.Attributes.dll")), "NetGen.Attributes.dll is not in the consumer's output.");
        Assert.True(File.Exists(Path.Combine(bin, "System.Numerics.Tensors.dll")), "The System.Numerics.Tensors dependency did not flow to the consumer.");
        Assert.False(File.Exists(Path.Combine(bin, "NetGen.Generator.dll")), "The generator must run in the compiler, not ship with the consumer.");

        DotNetResult run = Run(app, environment, Path.Combine(bin, "Consumer.dll"));
        double first = ParseLoss(run, FirstLoss());
        double last = ParseLoss(run, LastLoss());
        output.WriteLine($"loss {first:R} -> {last:R}");
        Assert.True(last < first, $"The loss did not decrease: {first} -> {last}.\n{run.Describe()}");
    }

    /// <summary>
    /// The temporary folder's nuget.config: the folder feed first, the machine's own configuration below it (not
    /// cleared, so System.Numerics.Tensors comes from whatever feed this machine restores from), and the user's global
    /// package folder as a read-only fallback, so a package the repository's own restore already has is not fetched again.
    /// </summary>
    private void WriteNuGetConfig(string root)
    {
        var configuration = new XElement("configuration",
            new XElement("packageSources",
                new XElement("add", new XAttribute("key", "netgen-package-test"), new XAttribute("value", package.FeedDirectory))));
        string? globalPackages = GlobalPackagesFolder();
        if (globalPackages is not null && Directory.Exists(globalPackages))
        {
            configuration.Add(new XElement("fallbackPackageFolders",
                new XElement("add", new XAttribute("key", "user-global-packages"), new XAttribute("value", globalPackages))));
        }

        new XDocument(configuration).Save(Path.Combine(root, "nuget.config"));
    }

    /// <summary>The global packages folder the repository restores into, as NuGet reports it (NUGET_PACKAGES, config, default).</summary>
    private string? GlobalPackagesFolder()
    {
        DotNetResult locals = Run(package.RepoRoot, null, "nuget", "locals", "global-packages", "--list");
        Match match = GlobalPackagesLine().Match(locals.StandardOutput);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    private DotNetResult Run(string directory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        DotNet.Run(directory, environment, output, arguments).EnsureSuccess();

    private static double ParseLoss(DotNetResult run, Regex pattern)
    {
        Match match = pattern.Match(run.StandardOutput);
        Assert.True(match.Success, $"The consumer did not print /{pattern}/.\n{run.Describe()}");
        return double.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^first loss (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex FirstLoss();

    [GeneratedRegex(@"^last loss (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex LastLoss();

    [GeneratedRegex(@"global-packages:\s*(.+?)\r?$", RegexOptions.Multiline)]
    private static partial Regex GlobalPackagesLine();
}
