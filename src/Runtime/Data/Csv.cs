using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

/// <summary>
/// Loads numeric CSV files into a <see cref="Dataset{T}"/>: one sample per line, every cell a number (parsed with the
/// invariant culture), the target in a chosen column (classification: an integer label, turned into one-hot targets;
/// regression: the values as they are). Files compressed with gzip are read transparently. Blank lines are skipped.
/// Every error is a <see cref="DataFormatException"/> naming the file, the 1-based line and column, and what was wrong.
/// </summary>
public static class Csv
{
    /// <summary>Loads a CSV file (gzip or not).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">How to read it; null for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="DataFormatException">The file is empty or malformed; the message says where and how.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Dataset<T> Load<T>(string path, CsvOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= CsvOptions.Default;
        options.Validate();
        using TextReader reader = DataFile.OpenText(path);
        return Load<T>(reader, options, path);
    }

    /// <summary>Loads CSV text from a reader.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="reader">The text; read to the end, not disposed.</param>
    /// <param name="options">How to read it; null for <see cref="CsvOptions.Default"/>.</param>
    /// <param name="sourceName">The name errors give for the text (e.g. its file path); null for <c>&lt;reader&gt;</c>.</param>
    /// <exception cref="DataFormatException">The text is empty or malformed; the message says where and how.</exception>
    public static Dataset<T> Load<T>(TextReader reader, CsvOptions? options = null, string? sourceName = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= CsvOptions.Default;
        options.Validate();
        string source = string.IsNullOrEmpty(sourceName) ? "<reader>" : sourceName;
        var table = new TableReader<T>(source, options, TargetLayout.Columns).Read(reader);
        return table.Kind == CsvTargetKind.Classification
            ? Classify(table.Features!, table.FeatureCount, table, options)
            : new Dataset<T>(table.Features!, table.TargetValues!, table.FeatureCount, table.TargetCount);
    }

    /// <summary>
    /// Loads features and targets kept in two files with the same rows, like scikit-learn's diabetes pair
    /// (<c>diabetes_data_raw.csv.gz</c> + <c>diabetes_target.csv.gz</c>, space separated: pass
    /// <c>new CsvOptions { Separator = null, Kind = CsvTargetKind.Regression }</c>). Every column of the features file is
    /// a feature; every column of the targets file is a target (classification: it must have one column, of labels).
    /// <see cref="CsvOptions.TargetColumn"/> and <see cref="CsvOptions.TargetCount"/> are not used; the other options
    /// apply to both files.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="featuresPath">The features file (gzip or not).</param>
    /// <param name="targetsPath">The targets file (gzip or not), one line per line of the features file.</param>
    /// <param name="options">How to read them; null for <see cref="CsvOptions.Default"/>.</param>
    /// <exception cref="DataFormatException">A file is empty or malformed, or their row counts differ.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static Dataset<T> LoadWithSeparateTargets<T>(string featuresPath, string targetsPath, CsvOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(featuresPath);
        ArgumentException.ThrowIfNullOrEmpty(targetsPath);
        options ??= CsvOptions.Default;
        options.Validate();
        Table<T> features, targets;
        using (TextReader reader = DataFile.OpenText(featuresPath))
        {
            features = new TableReader<T>(featuresPath, options, TargetLayout.None).Read(reader);
        }

        using (TextReader reader = DataFile.OpenText(targetsPath))
        {
            targets = new TableReader<T>(targetsPath, options, TargetLayout.All).Read(reader);
        }

        if (features.Rows != targets.Rows)
        {
            int shorter = Math.Min(features.Rows, targets.Rows);
            string longerPath = features.Rows > targets.Rows ? featuresPath : targetsPath;
            int firstUnmatched = (features.Rows > targets.Rows ? features.Lines : targets.Lines)[shorter];
            throw new DataFormatException(
                longerPath, firstUnmatched, null,
                $"the features file has {features.Rows} data rows but the targets file ({targetsPath}) has {targets.Rows}; " +
                $"they must match row for row, and this is the first row without a partner in {(features.Rows > targets.Rows ? targetsPath : featuresPath)}");
        }

        return targets.Kind == CsvTargetKind.Classification
            ? Classify(features.Features!, features.FeatureCount, targets, options)
            : new Dataset<T>(features.Features!, targets.TargetValues!, features.FeatureCount, targets.TargetCount);
    }

    private static Dataset<T> Classify<T>(T[] features, int featureCount, Table<T> labelTable, CsvOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] labels = labelTable.Labels!;
        string[]? names = null;
        if (options.ClassNames is not null)
        {
            names = new string[options.ClassNames.Count];
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = options.ClassNames[i];
            }
        }
        else if (labelTable.HeaderClassNames is { Length: > 0 } headerNames)
        {
            names = headerNames;
            if (options.ClassCount is int given && given != headerNames.Length)
            {
                throw new DataFormatException(
                    labelTable.Source, labelTable.HeaderLine, null,
                    $"the scikit-learn header names {headerNames.Length} classes ({string.Join(", ", headerNames)}), but the options say ClassCount = {given}");
            }
        }

        int classCount;
        if (options.ClassCount is int count)
        {
            classCount = count;
        }
        else if (names is not null)
        {
            classCount = names.Length;
        }
        else
        {
            int max = 0;
            foreach (int label in labels)
            {
                max = Math.Max(max, label);
            }

            classCount = max + 1;
        }

        for (int row = 0; row < labels.Length; row++)
        {
            if (labels[row] >= classCount)
            {
                string known = names is null
                    ? string.Create(CultureInfo.InvariantCulture, $"{classCount} classes (labels 0..{classCount - 1})")
                    : string.Create(CultureInfo.InvariantCulture, $"{classCount} classes (labels 0..{classCount - 1}: {string.Join(", ", names)})");
                throw new DataFormatException(
                    labelTable.Source, labelTable.Lines[row], labelTable.LabelColumn,
                    string.Create(CultureInfo.InvariantCulture, $"the class label {labels[row]} is out of range: there are {known}"));
            }
        }

        if ((long)labels.Length * classCount > Array.MaxLength)
        {
            throw new DataFormatException(
                labelTable.Source, null, null,
                string.Create(CultureInfo.InvariantCulture, $"{labels.Length} rows × {classCount} classes of one-hot targets do not fit in one array; check the labels (the largest gives the class count) or set ClassCount"));
        }

        T[] targets = OneHot.Encode<T>(labels, classCount);
        return new Dataset<T>(features, targets, featureCount, classCount, labels, names);
    }

    /// <summary>Which columns of a file are targets.</summary>
    private enum TargetLayout
    {
        /// <summary>The columns chosen by the options; the others are features.</summary>
        Columns,

        /// <summary>None: every column is a feature.</summary>
        None,

        /// <summary>All: every column is a target.</summary>
        All,
    }

    /// <summary>What a file held.</summary>
    private sealed class Table<T>
    {
        public required string Source { get; init; }

        public required CsvTargetKind Kind { get; init; }

        public T[]? Features { get; init; }

        public int FeatureCount { get; init; }

        public T[]? TargetValues { get; init; }

        public int TargetCount { get; init; }

        public int[]? Labels { get; init; }

        public int LabelColumn { get; init; }

        public required int[] Lines { get; init; }

        public int Rows => Lines.Length;

        public string[]? HeaderClassNames { get; init; }

        public int HeaderLine { get; init; }
    }

    /// <summary>A cell of the current line: a range of it, or the unescaped text of a quoted cell.</summary>
    private readonly record struct Cell(int Start, int Length, string? Unquoted)
    {
        public ReadOnlySpan<char> Text(string line) => Unquoted is null ? line.AsSpan(Start, Length) : Unquoted.AsSpan();
    }

    /// <summary>The first line, when it may be a scikit-learn header whose counts must be checked against the data.</summary>
    private sealed record PendingHeader(string Text, int Line, int Samples, int Features, string[] Names, Cell[] Cells);

    /// <summary>Reads one file into a <see cref="Table{T}"/>.</summary>
    private sealed class TableReader<T>(string source, CsvOptions options, TargetLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly List<Cell> _cells = [];
        private readonly List<T> _features = [];
        private readonly List<T> _targets = [];
        private readonly List<int> _labels = [];
        private readonly List<int> _lines = [];
        private readonly bool _classify = options.Kind == CsvTargetKind.Classification && layout != TargetLayout.None;
        private int _columnCount = -1;
        private int _firstDataLine;
        private int _targetStart;
        private int _targetCount;
        private int _featureCount;
        private int _lineNumber;

        // The header, once decided.
        private bool _isScikitHeader;
        private int _headerLine;
        private int _headerSamples;
        private int _headerFeatures;
        private string[]? _headerNames;
        private bool _sawHeader;
        private PendingHeader? _pending;
        private int _firstRecordLine;

        public Table<T> Read(TextReader reader)
        {
            bool first = true;
            string? line;
            while ((line = NextLine(reader)) is not null)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                Split(line);
                if (first)
                {
                    first = false;
                    _firstRecordLine = _lineNumber;
                    if (ReadHeader(line, out _pending))
                    {
                        continue;
                    }
                }

                AddRow(line);
            }

            if (first)
            {
                throw new DataFormatException(source, null, null, "the file is empty: there is no header and no data");
            }

            bool firstRowLast = false;
            PendingHeader? pending = _pending;
            _pending = null;
            if (pending is not null)
            {
                bool featuresMatch = _lines.Count > 0 && pending.Features == _featureCount;
                if (featuresMatch && pending.Cells.Length != _columnCount)
                {
                    // Like "150,4" over rows of 4 features: a header (its sample count is checked below).
                    AcceptScikitHeader(pending.Line, pending.Samples, pending.Features, pending.Names);
                }
                else if (featuresMatch && _lines.Count == pending.Samples)
                {
                    throw new DataFormatException(
                        source, pending.Line, null,
                        string.Create(CultureInfo.InvariantCulture, $"the first line '{pending.Text}' is ambiguous: it can be scikit-learn's header ({pending.Samples} samples, {pending.Features} features, as the data have) or the first data row; set CsvOptions.Header to CsvHeader.ScikitLearn or CsvHeader.None"));
                }
                else
                {
                    // It was data after all: read it now and move it to the front when assembling.
                    _cells.Clear();
                    _cells.AddRange(pending.Cells);
                    AddRow(pending.Text, pending.Line);
                    firstRowLast = true;
                }
            }

            if (_lines.Count == 0)
            {
                throw new DataFormatException(source, _headerLine, null, "the header is not followed by any data rows");
            }

            if (_isScikitHeader)
            {
                CheckScikitHeader();
            }

            return Assemble(firstRowLast);
        }

        private string? NextLine(TextReader reader)
        {
            try
            {
                string? line = reader.ReadLine();
                if (line is not null)
                {
                    _lineNumber++;
                }

                return line;
            }
            catch (InvalidDataException ex)
            {
                throw new DataFormatException(
                    source, _lineNumber + 1, null,
                    $"the gzip data is corrupt or truncated: {ex.Message}", ex);
            }
        }

        /// <summary>Decides what the first line is; true when it is a header (or a pending one) and not data.</summary>
        private bool ReadHeader(string line, out PendingHeader? pending)
        {
            pending = null;
            switch (options.Header)
            {
                case CsvHeader.None:
                    return false;
                case CsvHeader.ColumnNames:
                    _sawHeader = true;
                    _headerLine = _lineNumber;
                    return true;
                case CsvHeader.ScikitLearn:
                {
                    if (_cells.Count < 2)
                    {
                        throw new DataFormatException(source, _lineNumber, null, $"expected scikit-learn's header 'n_samples,n_features[,class names…]', found '{line}'");
                    }

                    int samples = ScikitCount(line, 0, "the number of samples");
                    int features = ScikitCount(line, 1, "the number of features");
                    AcceptScikitHeader(_lineNumber, samples, features, CellTexts(line, 2));
                    return true;
                }
            }

            // Auto.
            int numeric = 0;
            for (int i = 0; i < _cells.Count; i++)
            {
                if (IsNumber(_cells[i].Text(line)))
                {
                    numeric++;
                }
            }

            int n = 0, f = 0;
            bool countsFirst = _cells.Count >= 2 && TryCount(_cells[0].Text(line), out n) & TryCount(_cells[1].Text(line), out f);
            if (numeric == 0)
            {
                _sawHeader = true;
                _headerLine = _lineNumber;
                return true;
            }

            if (countsFirst && numeric == 2 && _cells.Count > 2)
            {
                AcceptScikitHeader(_lineNumber, n, f, CellTexts(line, 2));
                return true;
            }

            if (countsFirst && numeric == _cells.Count && layout != TargetLayout.All)
            {
                pending = new PendingHeader(line, _lineNumber, n, f, CellTexts(line, 2), [.. _cells]);
                return true;
            }

            return false;
        }

        private void AcceptScikitHeader(int line, int samples, int features, string[] names)
        {
            _sawHeader = true;
            _isScikitHeader = true;
            _headerLine = line;
            _headerSamples = samples;
            _headerFeatures = features;
            _headerNames = names;
        }

        private void CheckScikitHeader()
        {
            if (_lines.Count != _headerSamples)
            {
                throw new DataFormatException(
                    source, _headerLine, 1,
                    string.Create(CultureInfo.InvariantCulture, $"scikit-learn's header gives {_headerSamples} samples, but {_lines.Count} data rows follow (is the file truncated?)"));
            }

            if (layout != TargetLayout.All && _featureCount != _headerFeatures)
            {
                throw new DataFormatException(
                    source, _headerLine, 2,
                    string.Create(CultureInfo.InvariantCulture, $"scikit-learn's header gives {_headerFeatures} features, but the rows have {_featureCount} feature columns ({_columnCount} columns in all, as on line {_firstDataLine})"));
            }
        }

        private int ScikitCount(string line, int index, string what)
        {
            ReadOnlySpan<char> text = _cells[index].Text(line);
            if (!TryCount(text, out int value))
            {
                throw new DataFormatException(source, _lineNumber, index + 1, $"expected {what} of scikit-learn's header (a non-negative integer), found '{text}'");
            }

            return value;
        }

        private string[] CellTexts(string line, int from)
        {
            var texts = new string[Math.Max(0, _cells.Count - from)];
            for (int i = 0; i < texts.Length; i++)
            {
                texts[i] = _cells[from + i].Text(line).ToString();
            }

            return texts;
        }

        private void AddRow(string line) => AddRow(line, _lineNumber);

        private void AddRow(string line, int lineNumber)
        {
            if (_columnCount < 0 && _pending is { } pending && pending.Cells.Length != _cells.Count &&
                pending.Features != (layout == TargetLayout.None ? _cells.Count : _cells.Count - options.TargetCount))
            {
                // The pending first line cannot be a header of rows like this one: it is data, and the reference.
                Cell[] current = [.. _cells];
                _pending = null;
                _cells.Clear();
                _cells.AddRange(pending.Cells);
                AddRow(pending.Text, pending.Line);
                _cells.Clear();
                _cells.AddRange(current);
            }

            if (_columnCount < 0)
            {
                SetColumns(lineNumber);
            }
            else if (_cells.Count != _columnCount)
            {
                int column = Math.Min(_cells.Count, _columnCount) + 1;
                int last = Math.Max(_cells.Count, _columnCount);
                string range = column == last
                    ? string.Create(CultureInfo.InvariantCulture, $"column {column} is")
                    : string.Create(CultureInfo.InvariantCulture, $"columns {column}..{last} are");
                string detail = range + (_cells.Count > _columnCount ? " extra" : " missing");
                throw new DataFormatException(
                    source, lineNumber, column,
                    string.Create(CultureInfo.InvariantCulture, $"expected {_columnCount} columns (as on line {_firstDataLine}), found {_cells.Count}: {detail}"));
            }

            for (int i = 0; i < _cells.Count; i++)
            {
                ReadOnlySpan<char> text = _cells[i].Text(line);
                bool isTarget = i >= _targetStart && i < _targetStart + _targetCount;
                if (isTarget && _classify)
                {
                    _labels.Add(ParseLabel(text, lineNumber, i + 1));
                }
                else
                {
                    (isTarget ? _targets : _features).Add(ParseValue(text, lineNumber, i + 1));
                }
            }

            _lines.Add(lineNumber);
        }

        private void SetColumns(int lineNumber)
        {
            _columnCount = _cells.Count;

            // A pending first line with as many cells is data (or ambiguous): it is the reference line.
            _firstDataLine = _pending is not null && _pending.Cells.Length == _columnCount ? _pending.Line : lineNumber;
            switch (layout)
            {
                case TargetLayout.None:
                    _targetStart = _columnCount;
                    _targetCount = 0;
                    break;
                case TargetLayout.All:
                    _targetStart = 0;
                    _targetCount = _columnCount;
                    if (_classify && _columnCount != 1)
                    {
                        throw new DataFormatException(
                            source, lineNumber, 2,
                            string.Create(CultureInfo.InvariantCulture, $"a targets file for classification must have one column of class labels, found {_columnCount} columns"));
                    }

                    break;
                default:
                {
                    int start = options.TargetColumn < 0 ? _columnCount + options.TargetColumn : options.TargetColumn;
                    _targetCount = options.TargetCount;
                    if (start < 0 || start + _targetCount > _columnCount || _columnCount - _targetCount < 1)
                    {
                        throw new DataFormatException(
                            source, lineNumber, null,
                            string.Create(CultureInfo.InvariantCulture, $"TargetColumn = {options.TargetColumn} with TargetCount = {_targetCount} does not fit the {_columnCount} columns of the rows (which also need at least one feature column)"));
                    }

                    _targetStart = start;
                    break;
                }
            }

            _featureCount = _columnCount - _targetCount;
        }

        private T ParseValue(ReadOnlySpan<char> text, int line, int column)
        {
            if (text.IsEmpty)
            {
                throw new DataFormatException(source, line, column, "the cell is empty; expected a number");
            }

            if (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out T value))
            {
                throw new DataFormatException(source, line, column, $"'{text}' is not a number" + HeaderHint(line));
            }

            if (!T.IsFinite(value))
            {
                bool finiteAsDouble = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d);
                throw new DataFormatException(
                    source, line, column,
                    finiteAsDouble
                        ? $"'{text}' is outside the range of {typeof(T).Name}"
                        : $"'{text}' is not a finite number (NaN and infinities are not allowed)");
            }

            return value;
        }

        private int ParseLabel(ReadOnlySpan<char> text, int line, int column)
        {
            if (text.IsEmpty)
            {
                throw new DataFormatException(source, line, column, "the class label cell is empty; expected an integer 0, 1, 2, …");
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw new DataFormatException(source, line, column, $"the class label '{text}' is not a number; classification needs integer labels 0, 1, 2, … (or use regression)" + HeaderHint(line));
            }

            if (!double.IsFinite(value) || value < 0 || value != Math.Floor(value) || value >= int.MaxValue)
            {
                throw new DataFormatException(source, line, column, $"the class label '{text}' is not a non-negative integer; classification needs integer labels 0, 1, 2, … (or use regression)");
            }

            return (int)value;
        }

        /// <summary>For a text cell on the first line read as data under <see cref="CsvHeader.Auto"/>: how to say it is a header.</summary>
        private string HeaderHint(int line) =>
            options.Header == CsvHeader.Auto && line == _firstRecordLine
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line} mixes numbers and text, so it was read as data; if it is a header, set CsvOptions.Header)")
                : string.Empty;

        private Table<T> Assemble(bool firstRowLast)
        {
            int[] lines = Rotate(CollectionsMarshal.AsSpan(_lines), 1, firstRowLast);
            T[]? features = layout == TargetLayout.All ? null : Rotate(CollectionsMarshal.AsSpan(_features), _featureCount, firstRowLast);
            T[]? targets = null;
            int[]? labels = null;
            if (layout != TargetLayout.None)
            {
                if (_classify)
                {
                    labels = Rotate(CollectionsMarshal.AsSpan(_labels), 1, firstRowLast);
                }
                else
                {
                    targets = Rotate(CollectionsMarshal.AsSpan(_targets), _targetCount, firstRowLast);
                }
            }

            return new Table<T>
            {
                Source = source,
                Kind = options.Kind,
                Features = features,
                FeatureCount = _featureCount,
                TargetValues = targets,
                TargetCount = _targetCount,
                Labels = labels,
                LabelColumn = _targetStart + 1,
                Lines = lines,
                HeaderClassNames = _isScikitHeader ? _headerNames : null,
                HeaderLine = _sawHeader ? _headerLine : 0,
            };
        }

        /// <summary>A copy of <paramref name="values"/>; when <paramref name="lastRowFirst"/>, its last row of <paramref name="width"/> moves to the front.</summary>
        private static TValue[] Rotate<TValue>(Span<TValue> values, int width, bool lastRowFirst)
        {
            var copy = new TValue[values.Length];
            if (!lastRowFirst || values.Length == 0)
            {
                values.CopyTo(copy);
                return copy;
            }

            values[^width..].CopyTo(copy);
            values[..^width].CopyTo(copy.AsSpan(width));
            return copy;
        }

        /// <summary>Splits a line into <see cref="_cells"/>.</summary>
        private void Split(string line)
        {
            _cells.Clear();
            int n = line.Length;
            if (options.Separator is not char separator)
            {
                int i = 0;
                while (i < n)
                {
                    while (i < n && char.IsWhiteSpace(line[i]))
                    {
                        i++;
                    }

                    if (i >= n)
                    {
                        break;
                    }

                    int start = i;
                    while (i < n && !char.IsWhiteSpace(line[i]))
                    {
                        i++;
                    }

                    _cells.Add(new Cell(start, i - start, null));
                }

                return;
            }

            int pos = 0;
            while (true)
            {
                int column = _cells.Count + 1;
                int p = pos;
                while (p < n && line[p] != separator && char.IsWhiteSpace(line[p]))
                {
                    p++;
                }

                if (p < n && line[p] == '"')
                {
                    var text = new StringBuilder();
                    p++;
                    while (true)
                    {
                        if (p >= n)
                        {
                            throw new DataFormatException(source, _lineNumber, column, "the quoted cell has no closing quote");
                        }

                        char c = line[p++];
                        if (c != '"')
                        {
                            text.Append(c);
                        }
                        else if (p < n && line[p] == '"')
                        {
                            text.Append('"');
                            p++;
                        }
                        else
                        {
                            break;
                        }
                    }

                    while (p < n && line[p] != separator && char.IsWhiteSpace(line[p]))
                    {
                        p++;
                    }

                    if (p < n && line[p] != separator)
                    {
                        throw new DataFormatException(source, _lineNumber, column, $"unexpected text after the closing quote: '{line.AsSpan(p)}'");
                    }

                    _cells.Add(new Cell(pos, p - pos, text.ToString()));
                }
                else
                {
                    while (p < n && line[p] != separator)
                    {
                        p++;
                    }

                    int a = pos, b = p;
                    while (a < b && char.IsWhiteSpace(line[a]))
                    {
                        a++;
                    }

                    while (b > a && char.IsWhiteSpace(line[b - 1]))
                    {
                        b--;
                    }

                    _cells.Add(new Cell(a, b - a, null));
                }

                if (p >= n)
                {
                    break;
                }

                pos = p + 1;
            }
        }

        private static bool IsNumber(ReadOnlySpan<char> text) =>
            !text.IsEmpty && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

        private static bool TryCount(ReadOnlySpan<char> text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
