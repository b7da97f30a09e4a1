using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NetGen.Package.Tests;

/// <summary>
/// NativeAOT as a user gets it: a fresh console project outside the repository installs NetGen from the folder feed,
/// declares a network with attributes and is published with <c>PublishAot</c> (warnings as errors, so any trim or AOT
/// warning of the runtime or the generated code fails the test). The native binary trains, saves, reloads, exports and
/// predicts; its output must match the same program run by the JIT. One publish per test run (about a minute).
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class AotConsumerTests(PackedPackage package, ITestOutputHelper output)
{
    [Fact]
    public void A_consumer_published_with_PublishAot_runs_natively_and_matches_the_JIT()
    {
        string root = Path.Combine(package.TempRoot, "aot");
        Directory.CreateDirectory(root);
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(root, file), "<Project />\n");
        }

        File.Copy(Path.Combine(package.RepoRoot, "global.json"), Path.Combine(root, "global.json"));
        WriteNuGetConfig(root);
        string packages = Path.Combine(root, "packages");
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        string app = Path.Combine(root, "app");
        string rid = RuntimeInformation.RuntimeIdentifier;

        Run(app: root, environment, "new", "console", "--name", "AotConsumer", "--output", app, "--framework", "net10.0", "--no-restore", "--no-update-check");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "AotConsumer", "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);
        Run(app, environment, "add", "package", "NetGen", "--version", package.Version, "--no-restore");

        // The SDK chooses the ILCompiler package that matches it; nothing here pins a version. A restore that cannot get
        // it (no feed) fails the test, in CI and everywhere else: there is no skip.
        DotNetResult publish = Run(app, environment, "publish", "-c", "Release", "-r", rid, "-p:PublishAot=true", "-warnaserror", "-nodeReuse:false");
        Assert.DoesNotMatch(WarningLine(), publish.StandardOutput);
        string publishDirectory = Path.Combine(app, "bin", "Release", "net10.0", rid, "publish");
        string binary = Path.Combine(publishDirectory, OperatingSystem.IsWindows() ? "AotConsumer.exe" : "AotConsumer");
        Assert.True(File.Exists(binary), $"No native binary at {binary}.\n{publish.Describe()}");
        Assert.False(File.Exists(Path.Combine(publishDirectory, "NetGen.Runtime.dll")), "A NativeAOT publish must compile the runtime into the binary, not ship its dll.");
        long size = new FileInfo(binary).Length;

        (DotNetResult native, TimeSpan nativeTime) = Execute(binary, []);
        // The IL build that publish made on the way, run by the JIT: the same program, the reference for the numbers.
        (DotNetResult jit, TimeSpan jitTime) = Execute(DotNetHost(), [Path.Combine(app, "bin", "Release", "net10.0", rid, "AotConsumer.dll")]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"native binary {size / 1024.0 / 1024.0:F1} MiB; run {nativeTime.TotalMilliseconds:F0} ms native vs {jitTime.TotalMilliseconds:F0} ms JIT"));
        output.WriteLine(native.StandardOutput);

        Assert.Equal("AotConsumer", Value(native, "process"));
        Assert.Equal(Path.GetFileNameWithoutExtension(DotNetHost()), Value(jit, "process"));
        Assert.Equal("True", Value(native, "reload identical"));
        Assert.True(Number(native, "last loss") < Number(native, "first loss"), native.Describe());
        // NativeAOT targets a baseline instruction set (128-bit vectors) while the JIT uses the machine's widest, so
        // sums may be ordered differently: equal to float rounding, not bit for bit.
        foreach (string key in new[] { "first loss", "last loss", "checksum" })
        {
            double a = Number(native, key), j = Number(jit, key);
            Assert.True(Math.Abs(a - j) <= 1e-3 * Math.Max(1, Math.Abs(j)), $"{key}: native {a:R}, JIT {j:R}.");
        }

        Assert.Equal(Value(jit, "onnx bytes"), Value(native, "onnx bytes"));
        Assert.Equal(Value(jit, "csharp lines"), Value(native, "csharp lines"));
    }

    private (DotNetResult Result, TimeSpan Elapsed) Execute(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(TimeSpan.FromMinutes(2));
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        clock.Stop();
        var result = new DotNetResult($"{program} {string.Join(' ', arguments)}", Path.GetDirectoryName(program)!, exited ? process.ExitCode : -1, !exited, clock.Elapsed, stdout.Result, stderr.Result);
        output.WriteLine($"$ {result.CommandLine}   ({clock.Elapsed.TotalMilliseconds:F0} ms, exit code {result.ExitCode})");
        return (result.EnsureSuccess(), clock.Elapsed);
    }

    private static string DotNetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Value(DotNetResult run, string key)
    {
        Match match = Regex.Match(run.StandardOutput, $"^{Regex.Escape(key)} (\\S+)\\r?$", RegexOptions.Multiline);
        Assert.True(match.Success, $"The consumer did not print '{key} …'.\n{run.Describe()}");
        return match.Groups[1].Value;
    }

    private static double Number(DotNetResult run, string key) => double.Parse(Value(run, key), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The folder feed first, the machine's own feeds below it, the user's global packages as a read-only fallback (as in <see cref="ConsumerTests"/>).</summary>
    private void WriteNuGetConfig(string root)
    {
        var configuration = new XElement("configuration",
            new XElement("packageSources",
                new XElement("add", new XAttribute("key", "netgen-package-test"), new XAttribute("value", package.FeedDirectory))));
        DotNetResult locals = DotNet.Run(package.RepoRoot, null, output, "nuget", "locals", "global-packages", "--list").EnsureSuccess();
        Match match = Regex.Match(locals.StandardOutput, @"global-packages:\s*(.+?)\r?$", RegexOptions.Multiline);
        if (match.Success && Directory.Exists(match.Groups[1].Value.Trim()))
        {
            configuration.Add(new XElement("fallbackPackageFolders",
                new XElement("add", new XAttribute("key", "user-global-packages"), new XAttribute("value", match.Groups[1].Value.Trim()))));
        }

        new XDocument(configuration).Save(Path.Combine(root, "nuget.config"));
    }

    private DotNetResult Run(string app, IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        DotNet.Run(app, environment, output, arguments).EnsureSuccess();

    [GeneratedRegex(@"\bwarning\s+[A-Z]+\d+", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();
}
