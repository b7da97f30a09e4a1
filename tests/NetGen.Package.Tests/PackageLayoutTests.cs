using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace NetGen.Package.Tests;

/// <summary>The one package's files and nuspec, read from the .nupkg (a zip) that `dotnet pack` produced.</summary>
[Collection(PackageCollection.Name)]
public sealed class PackageLayoutTests(PackedPackage package)
{
    private XNamespace _namespace = XNamespace.None;

    [Fact]
    public void The_package_is_NetGen_at_the_version_of_Directory_Build_props()
    {
        Assert.Equal($"NetGen.{package.Version}.nupkg", Path.GetFileName(package.PackagePath));
        XElement metadata = Metadata();
        Assert.Equal("NetGen", Value(metadata, "id"));
        Assert.Equal(package.Version, Value(metadata, "version"));
    }

    [Fact]
    public void The_libraries_are_in_lib_net10_0_with_their_docs_and_the_generator_is_an_analyzer_only()
    {
        string[] files = Entries().Where(e => !IsPackagingMetadata(e) && !e.StartsWith("docs/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        string[] expected =
        [
            "LICENSE",
            "README.md",
            "analyzers/dotnet/cs/NetGen.Generator.dll",
            "lib/net10.0/NetGen.Attributes.dll",
            "lib/net10.0/NetGen.Attributes.xml",
            "lib/net10.0/NetGen.Runtime.dll",
            "lib/net10.0/NetGen.Runtime.xml",
        ];
        Assert.Equal(expected, files);
        // Said twice on purpose: these are the two mistakes that would break consumers.
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal) && f.Contains("Generator", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains("NetGen.Package", StringComparison.Ordinal));
    }

    [Fact]
    public void The_diagnostics_help_pages_ship_under_docs_diagnostics_as_the_messages_say()
    {
        // Every page in the repository's docs/diagnostics/, byte for byte, and nothing else under docs/.
        string source = Path.Combine(package.RepoRoot, "docs", "diagnostics");
        string[] pages = Directory.GetFiles(source, "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Contains("NG0001.md", pages);
        Assert.Contains("README.md", pages);
        string[] shipped = Entries().Where(e => e.StartsWith("docs/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(pages.Select(p => "docs/diagnostics/" + p), shipped);
        foreach (string page in pages)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(source, page)), ReadEntry("docs/diagnostics/" + page));
        }
    }

    [Fact]
    public void The_nuspec_declares_System_Numerics_Tensors_for_net10_0_and_nothing_else()
    {
        XElement group = Assert.Single(Metadata().Elements(Nuspec("dependencies")).Elements(Nuspec("group")));
        Assert.Equal("net10.0", (string?)group.Attribute("targetFramework"));
        XElement dependency = Assert.Single(group.Elements(Nuspec("dependency")));
        Assert.Equal("System.Numerics.Tensors", (string?)dependency.Attribute("id"));
        Assert.Equal(package.CentralVersion("System.Numerics.Tensors"), (string?)dependency.Attribute("version"));
    }

    [Fact]
    public void The_nuspec_has_the_readme_licence_description_tags_and_repository()
    {
        XElement metadata = Metadata();
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Contains("README.md", Entries());
        string readme = ReadEntry("README.md");
        Assert.Contains("dotnet add package NetGen", readme, StringComparison.Ordinal);

        XElement license = metadata.Element(Nuspec("license"))!;
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.StartsWith("MIT License", ReadEntry("LICENSE"), StringComparison.Ordinal);

        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));
        Assert.Contains("source-generator", Value(metadata, "tags").Split(' '));
        Assert.Equal("NetGen contributors", Value(metadata, "authors"));

        XElement repository = metadata.Element(Nuspec("repository"))!;
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal("https://github.com/netgen-project/netgen", (string?)repository.Attribute("url"));
    }

    [Theory]
    [InlineData("lib/net10.0/NetGen.Attributes.dll")]
    [InlineData("lib/net10.0/NetGen.Runtime.dll")]
    [InlineData("analyzers/dotnet/cs/NetGen.Generator.dll")]
    public void Every_dll_embeds_its_pdb_and_is_deterministic(string entry)
    {
        using var stream = new MemoryStream();
        using (ZipArchive zip = ZipFile.OpenRead(package.PackagePath))
        using (Stream dll = zip.GetEntry(entry)!.Open())
        {
            dll.CopyTo(stream);
        }

        stream.Position = 0;
        using var reader = new PEReader(stream);
        DebugDirectoryEntryType[] debug = reader.ReadDebugDirectory().Select(d => d.Type).ToArray();
        Assert.Contains(DebugDirectoryEntryType.EmbeddedPortablePdb, debug);
        Assert.Contains(DebugDirectoryEntryType.Reproducible, debug);
    }

    private static bool IsPackagingMetadata(string entry) =>
        entry.EndsWith(".nuspec", StringComparison.Ordinal)
        || entry.StartsWith("_rels/", StringComparison.Ordinal)
        || entry.StartsWith("package/", StringComparison.Ordinal)
        || entry == "[Content_Types].xml";

    private string[] Entries()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private string ReadEntry(string name)
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"No {name} in the package.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private XElement Metadata()
    {
        XDocument nuspec = XDocument.Parse(ReadEntry("NetGen.nuspec"));
        _namespace = nuspec.Root!.Name.Namespace;
        return nuspec.Root.Element(Nuspec("metadata"))!;
    }

    /// <summary>A nuspec element's name, in the namespace of the schema version NuGet chose for this nuspec.</summary>
    private XName Nuspec(string name) => _namespace + name;

    private string Value(XElement metadata, string name) =>
        metadata.Element(Nuspec(name))?.Value ?? throw new InvalidOperationException($"The nuspec has no <{name}>.");
}
