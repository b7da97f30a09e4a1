using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NetGen;

/// <summary>
/// Writes one line per epoch to a CSV file (Keras's <c>keras.callbacks.CSVLogger</c>): <c>epoch</c>, then the training
/// metrics the run has (<c>loss</c>, <c>accuracy</c> or <c>mse</c>, <c>r2</c>), the same with <c>val_</c>, and
/// <c>learning_rate</c>; numbers in the invariant culture, round-trippable.
/// </summary>
/// <remarks>
/// After every epoch the whole file is rewritten atomically (a temporary file renamed over it), so the log on disk is
/// always complete up to the last finished epoch, even if training is interrupted. With <c>append</c> the lines of an
/// existing file are kept and its header is not repeated. A run resumed from a checkpoint (<see cref="FitOptions.ResumeFrom"/>)
/// keeps the lines of the epochs up to the checkpoint's and drops later ones, which it trains again; otherwise the
/// file is replaced when the first epoch ends.
/// </remarks>
public sealed class CsvLogger : TrainingCallback
{
    private readonly StringBuilder _content = new();
    private string[] _columns = [];

    /// <summary>Creates the logger.</summary>
    /// <param name="path">The CSV file; its directory must exist.</param>
    /// <param name="separator">The field separator; ',' by default.</param>
    /// <param name="append">Keep the lines of an existing file; false by default.</param>
    public CsvLogger(string path, char separator = ',', bool append = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (separator is '.' or '-' or 'e' or 'E' or '\n' or '\r' or '"')
        {
            throw new ArgumentException($"The separator '{separator}' would be ambiguous with numbers or lines.", nameof(separator));
        }

        Path = path;
        Separator = separator;
        Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Path { get; }

    /// <summary>The field separator.</summary>
    public char Separator { get; }

    /// <summary>Whether an existing file's lines are kept.</summary>
    public bool Append { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _content.Clear();
        _columns = [];
        bool resumed = context.InitialEpoch > 0;
        if ((Append || resumed) && File.Exists(Path))
        {
            string[] lines = File.ReadAllLines(Path);
            if (lines.Length > 0 && lines[0].Length > 0)
            {
                _columns = lines[0].Split(Separator);
            }

            int epochColumn = Array.IndexOf(_columns, "epoch");
            foreach (string line in lines)
            {
                // A resumed run drops the lines of epochs after its checkpoint: they are about to be trained again.
                if (resumed && !Append && epochColumn >= 0 && !ReferenceEquals(line, lines[0]) &&
                    int.TryParse(line.Split(Separator)[epochColumn], NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch) &&
                    epoch > context.InitialEpoch)
                {
                    continue;
                }

                _content.Append(line).Append('\n');
            }
        }
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_columns.Length == 0)
        {
            var columns = new List<string> { "epoch" };
            foreach (string name in TrainingMonitor.Names)
            {
                if (TrainingMonitor.Value(report, name) is not null)
                {
                    columns.Add(name);
                }
            }

            _columns = columns.ToArray();
            _content.Append(string.Join(Separator, _columns)).Append('\n');
        }

        for (int c = 0; c < _columns.Length; c++)
        {
            if (c > 0)
            {
                _content.Append(Separator);
            }

            string column = _columns[c];
            if (column == "epoch")
            {
                _content.Append(report.Epoch.ToString(CultureInfo.InvariantCulture));
            }
            else if (IsKnown(column) && TrainingMonitor.Value(report, column) is { } value)
            {
                _content.Append(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        _content.Append('\n');
        string text = _content.ToString();
        AtomicFile.Write(Path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 12, leaveOpen: true);
            writer.Write(text);
        });
    }

    private static bool IsKnown(string column)
    {
        foreach (string name in TrainingMonitor.Names)
        {
            if (string.Equals(name, column, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
