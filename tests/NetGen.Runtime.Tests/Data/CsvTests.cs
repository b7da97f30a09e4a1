using System.Globalization;

namespace NetGen.Runtime.Tests.Data;

/// <summary>The CSV loader on good files, and every malformation reported with file, line and column.</summary>
public class CsvTests
{
    [Fact]
    public void Classification_with_column_names_header_quotes_blank_lines_and_crlf()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteText(
            "good.csv",
            "\"first, feature\",second,label\r\n" +
            " 1.5 , -2 ,1\r\n" +
            "\r\n" +
            "\"3e2\",4,0\r\n" +
            "   \n" +
            "5,6.25,2\n");
        Dataset<double> d = Csv.Load<double>(path, new CsvOptions { Header = CsvHeader.ColumnNames });
        Assert.Equal(3, d.Count);
        Assert.Equal(2, d.FeatureCount);
        Assert.Equal(3, d.TargetCount);
        Assert.Equal([1.5, -2, 300, 4, 5, 6.25], d.Features);
        Assert.Equal([1, 0, 2], d.Labels!);
        Assert.Equal([0.0, 1, 0, 1, 0, 0, 0, 0, 1], d.Targets);
        Assert.Null(d.ClassNames);

        // Auto recognises the all-text first line as column names too.
        Dataset<double> auto = Csv.Load<double>(path);
        Assert.Equal(d.Features, auto.Features);
    }

    [Fact]
    public void Regression_targets_from_a_middle_column_or_counted_from_the_end()
    {
        const string text = "1,10,100,1000\n2,20,200,2000\n";
        Dataset<float> middle = Csv.Load<float>(
            new StringReader(text), new CsvOptions { Kind = CsvTargetKind.Regression, TargetColumn = 1 });
        Assert.Equal(3, middle.FeatureCount);
        Assert.Equal([1f, 100, 1000, 2, 200, 2000], middle.Features);
        Assert.Equal([10f, 20], middle.Targets);
        Assert.Null(middle.Labels);

        Dataset<float> lastTwo = Csv.Load<float>(
            new StringReader(text), new CsvOptions { Kind = CsvTargetKind.Regression, TargetColumn = -2, TargetCount = 2 });
        Assert.Equal(2, lastTwo.FeatureCount);
        Assert.Equal(2, lastTwo.TargetCount);
        Assert.Equal([1f, 10, 2, 20], lastTwo.Features);
        Assert.Equal([100f, 1000, 200, 2000], lastTwo.Targets);

        Dataset<float> first = Csv.Load<float>(
            new StringReader(text), new CsvOptions { Kind = CsvTargetKind.Classification, TargetColumn = 0 });
        Assert.Equal([1, 2], first.Labels!);
        Assert.Equal(3, first.TargetCount);
    }

    [Fact]
    public void Target_column_outside_the_row_is_reported()
    {
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(
            new StringReader("1,2,3\n"), new CsvOptions { Kind = CsvTargetKind.Regression, TargetColumn = -1, TargetCount = 2 }, "x.csv"));
        Assert.Contains("x.csv, line 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TargetColumn = -1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scikit_learn_header_gives_class_names_and_is_checked()
    {
        const string good = "3,2,cat,dog\n1,2,0\n3,4,1\n5,6,1\n";
        Dataset<float> d = Csv.Load<float>(new StringReader(good));
        Assert.Equal(["cat", "dog"], d.ClassNames!);
        Assert.Equal(3, d.Count);
        Assert.Equal(2, d.TargetCount);

        var samples = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("4,2,cat,dog\n1,2,0\n3,4,1\n5,6,1\n"), null, "s.csv"));
        Assert.Equal(1, samples.Line);
        Assert.Contains("4 samples, but 3 data rows", samples.Message, StringComparison.Ordinal);

        var features = Assert.Throws<DataFormatException>(() => Csv.Load<float>(
            new StringReader("3,2,cat,dog\n1,2,9,0\n3,4,9,1\n5,6,9,1\n"), new CsvOptions { Header = CsvHeader.ScikitLearn }, "f.csv"));
        Assert.Contains("2 features, but the rows have 3", features.Message, StringComparison.Ordinal);

        var range = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("3,2,cat,dog\n1,2,0\n3,4,2\n5,6,1\n"), null, "r.csv"));
        Assert.Equal(3, range.Line);
        Assert.Equal(3, range.Column);
        Assert.Contains("class label 2 is out of range", range.Message, StringComparison.Ordinal);
        Assert.Contains("cat, dog", range.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_numeric_first_line_is_a_header_only_when_its_counts_match_the_data()
    {
        // "2,2,0,1": 2 samples follow, with 2 features each: scikit-learn's header with numeric class names.
        Dataset<double> header = Csv.Load<double>(new StringReader("2,2,0,1\n1,2,0\n3,4,1\n"));
        Assert.Equal(2, header.Count);
        Assert.Equal(["0", "1"], header.ClassNames!);

        // "0,0,1" looks like counts but 0 samples do not follow: it is the first data row, kept first.
        Dataset<double> data = Csv.Load<double>(new StringReader("0,0,1\n5,6,0\n7,8,1\n"));
        Assert.Equal(3, data.Count);
        Assert.Equal([0.0, 0, 5, 6, 7, 8], data.Features);
        Assert.Equal([1, 0, 1], data.Labels!);
        Assert.Null(data.ClassNames);

        // "4,2" over rows of 2 features is a header; its sample count is checked.
        Assert.Equal(3, Csv.Load<double>(new StringReader("3,2\n1,2,0\n3,4,1\n5,6,1\n")).Count);
        var truncated = Assert.Throws<DataFormatException>(() => Csv.Load<double>(new StringReader("4,2\n1,2,0\n3,4,1\n5,6,1\n"), null, "t.csv"));
        Assert.Contains("4 samples, but 3 data rows", truncated.Message, StringComparison.Ordinal);

        // "1,2,0" before one row of two features: header or data? Loading refuses to guess.
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<double>(new StringReader("1,2,0\n3,4,1\n"), null, "a.csv"));
        Assert.Equal(1, ex.Line);
        Assert.Contains("ambiguous", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, Csv.Load<double>(new StringReader("1,2,0\n3,4,1\n"), new CsvOptions { Header = CsvHeader.None }).Count);
        Assert.Equal(1, Csv.Load<double>(new StringReader("1,2,0\n3,4,1\n"), new CsvOptions { Header = CsvHeader.ScikitLearn, Kind = CsvTargetKind.Regression }).Count);
    }

    [Fact]
    public void Gzip_is_read_transparently_whatever_the_name()
    {
        using var temp = new TempDirectory();
        const string text = "1.5,2,0\n3,4,1\n";
        string plain = temp.WriteText("plain.csv", text);
        string gz = temp.WriteGzipText("packed.csv.gz", text);
        string misnamed = temp.WriteGzipText("packed-without-suffix.csv", text);
        Dataset<float> a = Csv.Load<float>(plain);
        Assert.Equal(a.Features, Csv.Load<float>(gz).Features);
        Assert.Equal(a.Labels, Csv.Load<float>(misnamed).Labels);
        Assert.True(DataFile.IsGzip(gz));
        Assert.False(DataFile.IsGzip(plain));
    }

    [Fact]
    public void Truncated_gzip_is_reported_with_the_file()
    {
        using var temp = new TempDirectory();
        var text = new System.Text.StringBuilder();
        var rng = new SplitMix64(1);
        for (int i = 0; i < 2000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{rng.NextDouble():R},{rng.NextDouble():R},{rng.NextInt(3)}\n");
        }

        byte[] packed = TempDirectory.Gzip(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        string path = temp.WriteBytes("cut.csv.gz", packed[..(packed.Length / 2)]);
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<double>(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("gzip", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);

        // Only the 8-byte trailer (CRC and length) missing: still detected.
        string trailer = temp.WriteBytes("no-trailer.csv.gz", packed[..^8]);
        Assert.Throws<DataFormatException>(() => Csv.Load<double>(trailer));
    }

    [Fact]
    public void Concatenated_gzip_members_are_one_file_and_damage_is_reported()
    {
        using var temp = new TempDirectory();
        byte[] first = TempDirectory.Gzip("1.5,2,0\n3,4,1\n"u8.ToArray());
        byte[] second = TempDirectory.Gzip("5,6,1\n7,8,0\n"u8.ToArray());
        Dataset<float> d = Csv.Load<float>(temp.WriteBytes("two.csv.gz", [.. first, .. second]));
        Assert.Equal([0, 1, 1, 0], d.Labels!);

        var garbage = Assert.Throws<DataFormatException>(() => Csv.Load<float>(temp.WriteBytes("garbage.csv.gz", [.. first, 9, 9, 9])));
        Assert.Contains("3 unexpected trailing bytes", garbage.Message, StringComparison.Ordinal);

        var cutSecond = Assert.Throws<DataFormatException>(() => Csv.Load<float>(temp.WriteBytes("cut2.csv.gz", [.. first, .. second[..^3]])));
        Assert.Contains("gzip member 2", cutSecond.Message, StringComparison.Ordinal);

        byte[] flipped = [.. first];
        flipped[^6] ^= 0x5A; // inside the CRC
        Assert.Throws<DataFormatException>(() => Csv.Load<float>(temp.WriteBytes("crc.csv.gz", flipped)));
    }

    [Fact]
    public void Non_numeric_cell_names_file_line_column_and_text()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteText("bad.csv", "1,2,0\n3,4,1\n5,abc,1\n");
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(path));
        Assert.Equal($"{path}, line 3, column 2: 'abc' is not a number", ex.Message);
        Assert.Equal(path, ex.SourceName);
        Assert.Equal(3, ex.Line);
        Assert.Equal(2, ex.Column);
    }

    [Fact]
    public void Mixed_first_line_is_reported_not_dropped_as_a_header()
    {
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("1,x,0\n3,4,1\n"), null, "m.csv"));
        Assert.Equal(1, ex.Line);
        Assert.Equal(2, ex.Column);
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set CsvOptions.Header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_column_count_says_expected_and_found()
    {
        using var temp = new TempDirectory();
        string more = temp.WriteText("more.csv", "1,2,0\n\n3,4,1\n5,6,1\n7,8,9,1\n");
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(more));
        Assert.Equal(5, ex.Line);
        Assert.Equal(4, ex.Column);
        Assert.Contains($"{more}, line 5, column 4: expected 3 columns (as on line 1), found 4", ex.Message, StringComparison.Ordinal);

        string fewer = temp.WriteText("fewer.csv", "1,2,0\n3,1\n5,6,1\n");
        var ex2 = Assert.Throws<DataFormatException>(() => Csv.Load<float>(fewer));
        Assert.Equal(2, ex2.Line);
        Assert.Contains("expected 3 columns (as on line 1), found 2", ex2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void Empty_file_is_reported(string text)
    {
        using var temp = new TempDirectory();
        string path = temp.WriteText("empty.csv", text);
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(path));
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_without_data_is_reported()
    {
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("a,b,c\n"), null, "h.csv"));
        Assert.Equal(1, ex.Line);
        Assert.Contains("not followed by any data rows", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e400")]
    public void Non_finite_values_are_rejected(string cell)
    {
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<double>(new StringReader($"1,2,0\n3,{cell},1\n"), null, "n.csv"));
        Assert.Equal(2, ex.Line);
        Assert.Equal(2, ex.Column);
        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_outside_float_range_is_rejected_for_float_but_read_as_double()
    {
        const string text = "1,1e39,0\n";
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader(text), null, "f.csv"));
        Assert.Contains("outside the range of Single", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1e39, Csv.Load<double>(new StringReader(text)).Features[1]);
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("-1")]
    [InlineData("two")]
    [InlineData("NaN")]
    public void Class_labels_must_be_non_negative_integers(string label)
    {
        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader($"1.5,2,0\n3,4,{label}\n"), null, "l.csv"));
        Assert.Equal(2, ex.Line);
        Assert.Equal(3, ex.Column);
        Assert.Contains("class label", ex.Message, StringComparison.Ordinal);
        Assert.Contains(label, ex.Message, StringComparison.Ordinal);

        // The same file is fine as regression.
        Dataset<float>? regression = label == "two" || label == "NaN"
            ? null
            : Csv.Load<float>(new StringReader($"1.5,2,0\n3,4,{label}\n"), new CsvOptions { Kind = CsvTargetKind.Regression });
        Assert.True(regression is null || regression.Targets[1] == float.Parse(label, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Integral_labels_written_as_decimals_are_accepted_and_class_count_can_be_given()
    {
        Dataset<float> d = Csv.Load<float>(new StringReader("1,2,0.0\n3,4,2.0\n"), new CsvOptions { Header = CsvHeader.None, ClassCount = 4 });
        Assert.Equal([0, 2], d.Labels!);
        Assert.Equal(4, d.TargetCount);

        var ex = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("1.5,2,0\n3,4,2\n"), new CsvOptions { ClassCount = 2 }, "c.csv"));
        Assert.Equal(2, ex.Line);
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_cells_and_bad_quotes_are_reported()
    {
        var empty = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("1,2,0\n3,,1\n"), null, "e.csv"));
        Assert.Equal((2, 2), (empty.Line, empty.Column));
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);

        var trailing = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("1,2,0,\n"), new CsvOptions { Kind = CsvTargetKind.Regression, TargetColumn = 2 }, "t.csv"));
        Assert.Equal((1, 4), (trailing.Line, trailing.Column));

        var open = Assert.Throws<DataFormatException>(() => Csv.Load<float>(new StringReader("1,\"2,0\n"), null, "q.csv"));
        Assert.Equal((1, 2), (open.Line, open.Column));
        Assert.Contains("closing quote", open.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parsing_uses_the_invariant_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Dataset<double> d = Csv.Load<double>(new StringReader("1.5,2.25,0\n"));
            Assert.Equal([1.5, 2.25], d.Features);

            // With a decimal comma, "1,5" is two cells, never one and a half.
            Dataset<double> two = Csv.Load<double>(new StringReader("1,5,0\n"));
            Assert.Equal([1.0, 5.0], two.Features);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Separate_targets_files_whitespace_separated()
    {
        using var temp = new TempDirectory();
        string features = temp.WriteGzipText("x.csv.gz", "1 2\t3\n  4 5 6  \n7 8 9\n");
        string targets = temp.WriteText("y.csv", "1.5e+01\n2.0e+01\n-3\n");
        var options = new CsvOptions { Separator = null, Kind = CsvTargetKind.Regression };
        Dataset<float> d = Csv.LoadWithSeparateTargets<float>(features, targets, options);
        Assert.Equal(3, d.FeatureCount);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8, 9], d.Features);
        Assert.Equal([15f, 20, -3], d.Targets);

        string labels = temp.WriteText("labels.csv", "2\n0\n1\n");
        Dataset<float> c = Csv.LoadWithSeparateTargets<float>(features, labels, options with { Kind = CsvTargetKind.Classification });
        Assert.Equal([2, 0, 1], c.Labels!);
        Assert.Equal(3, c.TargetCount);

        string short_ = temp.WriteText("short.csv", "1\n2\n");
        var ex = Assert.Throws<DataFormatException>(() => Csv.LoadWithSeparateTargets<float>(features, short_, options));
        Assert.Contains("3 data rows", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.Line);

        string bad = temp.WriteText("bad.csv", "1\n2\nx\n");
        var ex2 = Assert.Throws<DataFormatException>(() => Csv.LoadWithSeparateTargets<float>(features, bad, options));
        Assert.Equal(bad, ex2.SourceName);
        Assert.Equal((3, 1), (ex2.Line, ex2.Column));
    }

    [Fact]
    public void Contradictory_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Csv.Load<float>(new StringReader("1,2\n"), new CsvOptions { TargetCount = 2 }));
        Assert.Throws<ArgumentException>(() => Csv.Load<float>(new StringReader("1,2\n"), new CsvOptions { ClassCount = 3, ClassNames = ["a", "b"] }));
        Assert.Throws<ArgumentException>(() => Csv.Load<float>(new StringReader("1,2\n"), new CsvOptions { Separator = '"' }));
    }
}
