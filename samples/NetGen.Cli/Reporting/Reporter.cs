using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Spectre.Console;

namespace NetGen.Cli.Reporting;

/// <summary>
/// Where the tool's lines go, and how training progress is shown: a live Spectre.Console progress bar on an
/// interactive terminal; one plain line per epoch when the output is redirected, not the console, or <c>--plain</c>
/// (so CI logs stay readable); nothing but the results with <c>--quiet</c>.
/// </summary>
internal sealed class Reporter
{
    private static readonly long RefreshTicks = Stopwatch.Frequency / 10;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly IAnsiConsole? _console;

    public Reporter(TextWriter output, TextWriter error, OutputStyle style)
    {
        _output = output;
        _error = error;
        Style = style;
        if (style == OutputStyle.Auto && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
        {
            IAnsiConsole console = AnsiConsole.Console;
            if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
            {
                _console = console;
            }
        }
    }

    /// <summary>The style asked for.</summary>
    public OutputStyle Style { get; }

    /// <summary>Whether progress is drawn live with Spectre.Console.</summary>
    public bool Live => _console is not null;

    /// <summary>An informational line (not shown with <c>--quiet</c>).</summary>
    public void Line(string text = "")
    {
        if (Style != OutputStyle.Quiet)
        {
            _output.WriteLine(text);
        }
    }

    /// <summary>A result line (always shown).</summary>
    public void Result(string text) => _output.WriteLine(text);

    /// <summary>An error or warning line, on the error stream.</summary>
    public void Error(string text) => _error.WriteLine(text);

    /// <summary>Runs training and shows its progress.</summary>
    /// <param name="epochs">The number of epochs asked for.</param>
    /// <param name="task">Classification shows accuracy, regression R².</param>
    /// <param name="fit">Trains, reporting to the given progress sinks (either may be null).</param>
    public TrainingHistory Train(int epochs, TaskKind task, Func<IProgress<EpochReport>?, IProgress<BatchProgress>?, TrainingHistory> fit)
    {
        if (_console is { } console)
        {
            return TrainLive(console, epochs, task, fit);
        }

        IProgress<EpochReport>? epochProgress = Style == OutputStyle.Quiet
            ? null
            : new Immediate<EpochReport>(report => _output.WriteLine(EpochLine(report, epochs, task)));
        return fit(epochProgress, null);
    }

    /// <summary>One line for a finished epoch: losses, accuracy or R², learning rate, time and throughput.</summary>
    public static string EpochLine(EpochReport report, int epochs, TaskKind task)
    {
        ArgumentNullException.ThrowIfNull(report);
        int width = epochs.ToString(CultureInfo.InvariantCulture).Length;
        string epoch = report.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width);
        string line = string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}  loss {report.Train.Loss:F4}{Metric(report.Train, task)}");
        if (report.Validation is { } validation)
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  │ val loss {validation.Loss:F4}{Metric(validation, task)}");
        }

        return line + string.Create(CultureInfo.InvariantCulture,
            $"  │ lr {Rate(report.LearningRate)}  {report.Duration.TotalSeconds:F2} s  {report.SamplesPerSecond:N0} samples/s");
    }

    /// <summary>A learning rate in three significant digits: 0.001, 0.000946, 9.55e-05.</summary>
    private static string Rate(double rate) =>
        rate != 0 && Math.Abs(rate) < 1e-4 ? rate.ToString("0.##e+00", CultureInfo.InvariantCulture) : rate.ToString("G3", CultureInfo.InvariantCulture);

    private static string Metric(Metrics metrics, TaskKind task) => task == TaskKind.Classification
        ? metrics.Accuracy is { } accuracy ? string.Create(CultureInfo.InvariantCulture, $"  acc {accuracy:F4}") : ""
        : metrics.R2 is { } r2 ? string.Create(CultureInfo.InvariantCulture, $"  R² {r2:F4}") : "";

    private static TrainingHistory TrainLive(IAnsiConsole console, int epochs, TaskKind task, Func<IProgress<EpochReport>?, IProgress<BatchProgress>?, TrainingHistory> fit)
    {
        TrainingHistory? history = null;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask overall = context.AddTask(string.Create(CultureInfo.InvariantCulture, $"[bold]Training[/] 0/{epochs} epochs"), maxValue: epochs);
                ProgressTask? current = null;
                int currentEpoch = 0;
                var finished = new System.Collections.Generic.List<string>();
                long lastLines = 0;

                // Each write above the live bars re-renders them; short epochs are written in groups, at most 10 times a second.
                void WriteFinished(bool force)
                {
                    long now = Stopwatch.GetTimestamp();
                    if (finished.Count > 0 && (force || now - lastLines >= RefreshTicks))
                    {
                        // Padded to the width, so no remnant of the bars they are written over stays at the end of a line.
                        int width = Math.Max(1, console.Profile.Width - 1);
                        console.Write(new Text(string.Join(Environment.NewLine, finished.Select(line => line.PadRight(width))) + Environment.NewLine));
                        finished.Clear();
                        lastLines = now;
                    }
                }

                long epochStart = 0, lastUpdate = 0;
                var batches = new Immediate<BatchProgress>(batch =>
                {
                    long now = Stopwatch.GetTimestamp();
                    if (batch.Epoch != currentEpoch)
                    {
                        currentEpoch = batch.Epoch;
                        epochStart = now;
                        lastUpdate = 0;
                        current = context.AddTask(string.Create(CultureInfo.InvariantCulture, $"Epoch {batch.Epoch}"), maxValue: batch.SamplesTotal);
                    }

                    if (now - lastUpdate < RefreshTicks && batch.SamplesDone < batch.SamplesTotal)
                    {
                        return;
                    }

                    lastUpdate = now;
                    double seconds = Math.Max(Stopwatch.GetElapsedTime(epochStart, now).TotalSeconds, 1e-9);
                    current!.Value = batch.SamplesDone;
                    current.Description = string.Create(CultureInfo.InvariantCulture,
                        $"Epoch {batch.Epoch}/{epochs}  loss {batch.RunningLoss:F4}  {batch.SamplesDone / seconds:N0} samples/s");
                });
                var reports = new Immediate<EpochReport>(report =>
                {
                    current?.StopTask();
                    overall.Increment(1);
                    string metric = Metric(report.Validation ?? report.Train, task).Trim();
                    overall.Description = string.Create(CultureInfo.InvariantCulture,
                        $"[bold]Training[/] {report.Epoch}/{epochs} epochs  {(report.Validation is null ? "loss" : "val loss")} {(report.Validation ?? report.Train).Loss:F4}  {Markup.Escape(metric)}");
                    finished.Add(EpochLine(report, epochs, task));
                    WriteFinished(force: report.Epoch == epochs);
                });
                try
                {
                    history = fit(reports, batches);
                }
                finally
                {
                    WriteFinished(force: true);
                    current?.StopTask();
                    overall.StopTask();
                }
            });
        return history!;
    }

    /// <summary>An <see cref="IProgress{T}"/> that runs the handler at once on the reporting thread (<see cref="Progress{T}"/> would post it elsewhere).</summary>
    private sealed class Immediate<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
