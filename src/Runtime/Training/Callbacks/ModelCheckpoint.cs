using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NetGen;

/// <summary>
/// Saves the run at the end of epochs (Keras's <c>keras.callbacks.ModelCheckpoint</c>): by default a resumable
/// <see cref="TrainingCheckpoint"/> (parameters, state, optimizer state, schedule position, random states, epoch) that
/// <see cref="FitOptions.ResumeFrom"/> continues from; with <c>modelOnly</c> a plain model file
/// (<see cref="ModelFile"/>) for inference. Every file is written atomically (a temporary file renamed over the target),
/// so an interrupted save never leaves a damaged file where a good one was.
/// </summary>
/// <remarks>
/// The path may contain <c>{epoch}</c>, with an optional format: <c>{epoch:000}</c> (.NET) or <c>{epoch:03d}</c>
/// (Python), e.g. <c>checkpoints/run-{epoch:03d}.ngckpt</c>; without it every save replaces the same file. With
/// <c>saveBestOnly</c> a file is written only in epochs whose monitored value beats the best so far (strictly; no
/// min_delta, as in Keras).
/// </remarks>
public sealed partial class ModelCheckpoint : TrainingCallback
{
    private bool _maximize;

    /// <summary>Creates the callback.</summary>
    /// <param name="path">The file to write; may contain <c>{epoch}</c> (see the remarks). Its directory is created if needed.</param>
    /// <param name="monitor">The quantity that decides the best epoch with <paramref name="saveBestOnly"/>; <c>val_loss</c> by default.</param>
    /// <param name="saveBestOnly">Write only when the monitored value improves; false by default (every epoch).</param>
    /// <param name="mode">Whether the quantity should fall or rise; <see cref="MonitorMode.Auto"/> by default.</param>
    /// <param name="modelOnly">Write a model file instead of a resumable training checkpoint; false by default.</param>
    /// <exception cref="ArgumentException">The path is empty or the monitor unknown.</exception>
    public ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto, bool modelOnly = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _maximize = TrainingMonitor.Maximizes(monitor, mode);
        Path = path;
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        Mode = mode;
        ModelOnly = modelOnly;
    }

    /// <summary>The path pattern.</summary>
    public string Path { get; }

    /// <summary>The monitored quantity (used with <see cref="SaveBestOnly"/>).</summary>
    public string Monitor { get; }

    /// <summary>Whether only improving epochs are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether the quantity should fall or rise.</summary>
    public MonitorMode Mode { get; }

    /// <summary>Whether model files rather than training checkpoints are written.</summary>
    public bool ModelOnly { get; }

    /// <summary>The best monitored value seen (with <see cref="SaveBestOnly"/>).</summary>
    public double Best { get; private set; }

    /// <summary>The file written last, or null.</summary>
    public string? LastSavedPath { get; private set; }

    /// <summary>The epoch saved last, or 0.</summary>
    public int LastSavedEpoch { get; private set; }

    /// <summary>The path for <paramref name="epoch"/>: every <c>{epoch}</c> or <c>{epoch:format}</c> replaced.</summary>
    public string PathFor(int epoch) => EpochToken().Replace(Path, match =>
    {
        string format = match.Groups["format"].Value;
        if (format.Length == 0)
        {
            return epoch.ToString(CultureInfo.InvariantCulture);
        }

        // Python's "{epoch:02d}" is .NET's "D2".
        Match python = PythonInteger().Match(format);
        return python.Success
            ? epoch.ToString("D" + (python.Groups["width"].Value.Length == 0 ? "1" : python.Groups["width"].Value), CultureInfo.InvariantCulture)
            : epoch.ToString(format, CultureInfo.InvariantCulture);
    });

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (SaveBestOnly)
        {
            TrainingMonitor.Require(context, Monitor, nameof(ModelCheckpoint));
        }

        _maximize = TrainingMonitor.Maximizes(Monitor, Mode);
        Best = _maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        if (SaveBestOnly)
        {
            if (TrainingMonitor.Value(report, Monitor) is not { } current || !(_maximize ? current > Best : current < Best))
            {
                return;
            }

            Best = current;
        }

        string path = PathFor(report.Epoch);
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            System.IO.Directory.CreateDirectory(directory);   // as Keras does
        }

        if (ModelOnly)
        {
            context.SaveModel(path);
        }
        else
        {
            context.CreateCheckpoint().Save(path);
        }

        LastSavedPath = path;
        LastSavedEpoch = report.Epoch;
    }

    [GeneratedRegex(@"\{epoch(?::(?<format>[^}]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex EpochToken();

    [GeneratedRegex(@"^0?(?<width>[0-9]*)d$", RegexOptions.CultureInvariant)]
    private static partial Regex PythonInteger();
}
