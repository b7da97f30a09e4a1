using System.Diagnostics;
using System.Text;

namespace NetGen.Package.Tests;

/// <summary>The outcome of one <c>dotnet</c> command: what ran, where, how it ended and everything it printed.</summary>
public sealed record DotNetResult(string CommandLine, string WorkingDirectory, int ExitCode, bool TimedOut, TimeSpan Elapsed, string StandardOutput, string StandardError)
{
    /// <summary>Everything about the run, for a failure message.</summary>
    public string Describe() =>
        $"`{CommandLine}` in {WorkingDirectory}: {(TimedOut ? "timed out" : $"exit code {ExitCode}")} after {Elapsed.TotalSeconds:F1} s\n" +
        $"--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    /// <summary>Fails the test, printing the whole output, unless the command exited with 0.</summary>
    public DotNetResult EnsureSuccess()
    {
        if (TimedOut || ExitCode != 0)
        {
            Assert.Fail(Describe());
        }

        return this;
    }
}

/// <summary>Runs the <c>dotnet</c> CLI as a user would, isolated from the test host's MSBuild environment.</summary>
public static class DotNet
{
    /// <summary>Generous: a cold first `dotnet new` or restore on a slow CI machine takes far less.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The dotnet host that runs these tests (the SDK sets DOTNET_HOST_PATH for the processes it starts), else the
    /// one on PATH.
    /// </summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>.</summary>
    /// <param name="workingDirectory">Where the command runs (its nuget.config and global.json are found from there).</param>
    /// <param name="environment">Variables to set (or, with a null value, remove) on top of the cleaned environment.</param>
    /// <param name="output">Receives the command line and the output of the command.</param>
    /// <param name="arguments">The CLI arguments.</param>
    public static DotNetResult Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, ITestOutputHelper? output, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` runs this host under MSBuild, whose variables (MSBuildExtensionsPath, MSBuildSDKsPath,
        // MSBUILDNOINPROCNODE…) would point the child's MSBuild at the parent's SDK and settings: drop them all.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No process may outlive the command while holding its redirected output open: no reused MSBuild nodes, no
        // MSBuild server, no shared compiler server (all would otherwise linger for minutes after the build).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        if (environment is not null)
        {
            foreach ((string key, string? value) in environment)
            {
                if (value is null)
                {
                    start.Environment.Remove(key);
                }
                else
                {
                    start.Environment[key] = value;
                }
            }
        }

        string commandLine = "dotnet " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {commandLine}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(Timeout);
        if (!exited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }

            process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        // The output is complete once the pipes close; should anything still hold them, do not wait for it forever.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(30));
        clock.Stop();
        var result = new DotNetResult(
            commandLine,
            workingDirectory,
            exited ? process.ExitCode : -1,
            !exited,
            clock.Elapsed,
            stdout.IsCompletedSuccessfully ? stdout.Result : "(the output stream was still open)",
            stderr.IsCompletedSuccessfully ? stderr.Result : "(the error stream was still open)");
        output?.WriteLine($"$ {commandLine}   ({result.Elapsed.TotalSeconds:F1} s, exit code {result.ExitCode})");
        return result;
    }
}
