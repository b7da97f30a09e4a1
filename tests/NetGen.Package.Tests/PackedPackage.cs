using System.Reflection;
using System.Xml.Linq;

namespace NetGen.Package.Tests;

/// <summary>
/// Packs src/Package once per test run (a collection fixture), into a folder feed under a fresh temporary directory, with a
/// unique pre-release version (VersionPrefix from Directory.Build.props, suffix <c>pkgtest-GUID</c>), so that no
/// NuGet cache can ever hand a test a NetGen from an earlier run. Deletes the directory at the end.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public PackedPackage()
    {
        RepoRoot = FindRepoRoot();
        Configuration = typeof(PackedPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NetGen.Configuration").Value!;
        TempRoot = Path.Combine(Path.GetTempPath(), "netgen-package-tests-" + Guid.NewGuid().ToString("N"));
        FeedDirectory = Path.Combine(TempRoot, "feed");
        Directory.CreateDirectory(FeedDirectory);

        try
        {
            VersionPrefix = ReadProperty(Path.Combine(RepoRoot, "Directory.Build.props"), "VersionPrefix");
            VersionSuffix = "pkgtest-" + Guid.NewGuid().ToString("N");

            // -no-build: the libraries were built with this test project (it references src/Package), in this configuration.
            // The suffix changes the package's version only, not the assemblies: they are packed as built.
            // NuspecOutputPath: the per-version .nuspec goes to the temporary directory, not to src/Package/obj.
            PackResult = DotNet.Run(
                RepoRoot,
                environment: null,
                output: null,
                "pack", Path.Combine(RepoRoot, "src", "Package", "NetGen.Package.csproj"),
                "-c", Configuration,
                "--no-build",
                "-o", FeedDirectory,
                "-p:VersionSuffix=" + VersionSuffix,
                "-p:NuspecOutputPath=" + Path.Combine(TempRoot, "nuspec") + Path.DirectorySeparatorChar);
            PackResult.EnsureSuccess();

            string[] packages = Directory.GetFiles(FeedDirectory);
            Assert.True(packages.Length == 1, $"pack must produce exactly one file, found: {string.Join(", ", packages.Select(Path.GetFileName))}\n{PackResult.Describe()}");
            PackagePath = packages[0];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The repository's root (where NetGen.sln is).</summary>
    public string RepoRoot { get; }

    /// <summary>The configuration this test assembly (and so the packed libraries) was built in.</summary>
    public string Configuration { get; }

    /// <summary>The temporary directory of this run; everything the tests write goes under it.</summary>
    public string TempRoot { get; }

    /// <summary>The local folder feed holding the one package.</summary>
    public string FeedDirectory { get; }

    /// <summary>The .nupkg file.</summary>
    public string PackagePath { get; }

    /// <summary>Directory.Build.props's VersionPrefix: the version's one source.</summary>
    public string VersionPrefix { get; }

    /// <summary>This run's unique pre-release label.</summary>
    public string VersionSuffix { get; }

    /// <summary>The package's version.</summary>
    public string Version => $"{VersionPrefix}-{VersionSuffix}";

    /// <summary>The pack command and its output.</summary>
    public DotNetResult PackResult { get; }

    /// <summary>The value of the one <paramref name="name"/> property of an MSBuild file.</summary>
    public static string ReadProperty(string msbuildFile, string name)
    {
        XElement property = Assert.Single(XDocument.Load(msbuildFile).Descendants(name));
        return property.Value.Trim();
    }

    /// <summary>The version Directory.Packages.props pins for <paramref name="packageId"/>.</summary>
    public string CentralVersion(string packageId) =>
        XDocument.Load(Path.Combine(RepoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == packageId).Attribute("Version")!.Value;

    public void Dispose()
    {
        try
        {
            Directory.Delete(TempRoot, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open (a virus scanner, an indexer) must not fail the run; it is under the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
            // The same.
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No NetGen.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>The tests that share one <see cref="PackedPackage"/>: it is packed once per test run.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "NetGen package";
}
