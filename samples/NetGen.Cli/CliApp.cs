using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.IO;
using System.Threading;
using NetGen.Cli.Reporting;

namespace NetGen.Cli;

/// <summary>
/// The command-line trainer as a library: <see cref="Run(string[], TextWriter, TextWriter, CancellationToken)"/> parses
/// the arguments, trains or evaluates, and returns the exit code. Every expected failure becomes a one-paragraph
/// message on <c>error</c> and a non-zero code (see <see cref="ExitCodes"/>), never a stack trace.
/// </summary>
public static class CliApp
{
    /// <summary>Set to 1 to let an unexpected exception (a bug, not a user error) escape with its stack trace.</summary>
    public const string DebugVariable = "NETGEN_CLI_DEBUG";

    /// <summary>Runs the tool in-process.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Where progress and results go. The live progress bar is drawn only when this is <see cref="Console.Out"/> on an interactive terminal.</param>
    /// <param name="error">Where errors and warnings go.</param>
    /// <param name="cancellation">Stops training between batches (Ctrl+C); the run then ends with <see cref="ExitCodes.Interrupted"/>.</param>
    /// <returns>The exit code: 0 success, 1 failure, 2 invalid command line, 130 interrupted.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var commandLine = new CommandLine();
        ParseResult parse = commandLine.Root.Parse(args);
        // The root command has no action of its own: an action here is --help or --version (or a directive).
        if (parse.Action is not null and not ParseErrorAction)
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }

        if (parse.Errors.Count > 0)
        {
            foreach (ParseError parseError in parse.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }

            error.WriteLine("Run with --help to see the options and examples.");
            return ExitCodes.Usage;
        }

        RunSettings settings = commandLine.Bind(parse);
        var reporter = new Reporter(output, error, settings.Style);
        try
        {
            CheckPathKinds(settings);
            if (settings.LoadModel is null)
            {
                return TrainCommand.Run(settings, reporter, args, cancellation);
            }

            CheckEvaluation(commandLine.GivenTrainingOptions(parse), settings);
            return EvaluateCommand.Run(settings, reporter, args);
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine("Interrupted: training stopped; nothing more was written.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is DataFormatException or ModelFormatException or InvalidDataException or TrainingDivergedException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (ArgumentException e)
        {
            // A value from the command line that a runtime type refuses, where no check above named the option first.
            error.WriteLine($"error: {ModelCatalog.UserMessage(e)}");
            return ExitCodes.Usage;
        }
        catch (OutOfMemoryException)
        {
            error.WriteLine("error: out of memory. Choose a smaller network (--layers) or --batch-size, or a machine with more memory.");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) != "1")
        {
            // Not a user error: a bug. Still one message and exit code 1, never a stack trace on the user's screen.
            error.WriteLine($"error: unexpected failure ({e.GetType().Name}): {e.Message} This is a bug in NetGen.Cli; please report it with the command line ({DebugVariable}=1 shows where it happened).");
            return ExitCodes.Failure;
        }
    }

    /// <summary>A folder option naming a file, or a file option naming a folder, gets a message that says so (exit code 1, as for a missing file).</summary>
    /// <exception cref="IOException">A path has the wrong kind.</exception>
    private static void CheckPathKinds(RunSettings settings)
    {
        foreach ((string option, string? folder) in new[] { ("--output", settings.Output), ("--data-dir", settings.DataDirectory) })
        {
            if (folder is not null && File.Exists(folder))
            {
                throw new IOException($"{option} '{Path.GetFullPath(folder)}' is a file; give a folder.");
            }
        }

        foreach ((string option, string? file) in new[] { ("--load-model", settings.LoadModel), ("--save-model", settings.SaveModel) })
        {
            if (file is not null && Directory.Exists(file))
            {
                throw new IOException($"{option} '{Path.GetFullPath(file)}' is a folder; give a model file, e.g. {Path.Combine(file, "model.ngm")}.");
            }
        }
    }

    /// <summary>Refuses, before anything is read, what an evaluation (<c>--load-model</c>) would otherwise ignore or misread.</summary>
    /// <exception cref="UsageException">A training-only option is given, or <c>--scaling</c> names no scaling.</exception>
    private static void CheckEvaluation(string[] trainingOptions, RunSettings settings)
    {
        if (trainingOptions.Length > 0)
        {
            bool one = trainingOptions.Length == 1;
            throw new UsageException(
                $"{string.Join(", ", trainingOptions)} {(one ? "applies" : "apply")} to training only; --load-model evaluates a saved model, so leave {(one ? "it" : "them")} out.");
        }

        DatasetCatalog.CheckScaling(settings.Scaling);
    }
}
