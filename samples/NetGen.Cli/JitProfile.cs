using System;
using System.IO;
using System.Runtime;

namespace NetGen.Cli;

/// <summary>
/// Multicore JIT (<see cref="ProfileOptimization"/>) for the tool's short jobs: the first run of a command line records
/// which methods it compiled; every later run of the same build and arguments compiles them on a background thread, on
/// the second core, while the first one parses the command line and loads the data, so training starts with far fewer
/// methods left to compile (the digits job: bench/README.md, "Multicore JIT").
/// </summary>
/// <remarks>
/// <para>The profiles live in the temporary directory, named by the build (the assemblies' module version ids) and the
/// arguments (which choose the network, and so the kernels): a new build records fresh ones, and nothing the user wrote
/// is touched. A run that replays a profile writes what it compiled itself to a scratch file, because the runtime
/// leaves the methods its background thread compiled out of the new profile: replaying that one next would replay
/// only half.</para>
/// <para>Off when <see cref="DisableVariable"/> is 1, or when the temporary directory cannot be written (the run then
/// compiles on demand, as without it). A NativeAOT build has nothing to compile and skips it.</para>
/// </remarks>
internal static class JitProfile
{
    /// <summary>Set to 1 to run without the multicore JIT profile (the A/B in bench/README.md).</summary>
    public const string DisableVariable = "NETGEN_CLI_NO_JIT_PROFILE";

    /// <summary>Starts recording or replaying the profile of this build and these arguments; never throws.</summary>
    public static void Start(string[] args)
    {
        // A NativeAOT build has compiled nothing at run time. (RuntimeFeature.IsDynamicCode… cannot tell: PublishAot in
        // the project turns those switches off in the JIT build too.)
        if (Environment.GetEnvironmentVariable(DisableVariable) == "1" || JitInfo.GetCompiledMethodCount() == 0)
        {
            return;
        }

        try
        {
            string root = Path.Combine(Path.GetTempPath(), "netgen-cli-jit");
            Directory.CreateDirectory(root);
            string recorded = $"{Id(typeof(JitProfile))}-{Id(typeof(INetwork<>))}-{Hash(args):x16}.jitprofile";
            ProfileOptimization.SetProfileRoot(root);
            ProfileOptimization.StartProfile(File.Exists(Path.Combine(root, recorded)) ? CopyForReplay(root, recorded) : recorded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // no profile: the run compiles on demand
        }
    }

    private static string Id(Type type) => type.Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];

    /// <summary>FNV-1a over the arguments (string.GetHashCode differs per process).</summary>
    private static ulong Hash(string[] args)
    {
        ulong hash = 14695981039346656037;
        foreach (string arg in args)
        {
            foreach (char c in arg + "\0")
            {
                hash = (hash ^ c) * 1099511628211;
            }
        }

        return hash;
    }

    /// <summary>The recorded profile copied to a per-process scratch name, which the runtime replays and then overwrites at exit.</summary>
    private static string CopyForReplay(string root, string recorded)
    {
        foreach (string old in Directory.EnumerateFiles(root, "*.jitprofile"))
        {
            try
            {
                // the scratch files of earlier runs (a running one writes its own again at exit), and the profiles of
                // builds not run for a week
                bool isScratch = Path.GetFileName(old).StartsWith("replay-", StringComparison.Ordinal);
                if (File.GetLastWriteTimeUtc(old) < DateTime.UtcNow.AddMinutes(isScratch ? -1 : -7 * 24 * 60) && old != Path.Combine(root, recorded))
                {
                    File.Delete(old);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // in use or not ours: left for a later run
            }
        }

        string scratch = $"replay-{Environment.ProcessId}.jitprofile";
        File.Copy(Path.Combine(root, recorded), Path.Combine(root, scratch), overwrite: true);
        File.SetLastWriteTimeUtc(Path.Combine(root, recorded), DateTime.UtcNow);   // in use: kept past the week
        return scratch;
    }
}
