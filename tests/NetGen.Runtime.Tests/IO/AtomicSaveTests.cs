using static NetGen.Runtime.Tests.IO.IoTestSupport;

namespace NetGen.Runtime.Tests.IO;

public sealed class AtomicSaveTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_failed_save_leaves_the_old_file_intact_and_no_temporary_file()
    {
        var good = new DigitsNet(1);
        string path = _dir.File("digits.ngm");
        good.Save(path);
        byte[] before = File.ReadAllBytes(path);

        var other = new DigitsNet(2);
        foreach (long failAfter in new long[] { 0, 1, 40, before.Length / 2, before.Length - 4, before.Length - 1 })
        {
            var e = Assert.Throws<IOException>(() => ModelFile.Save(other, path, s => new FailingStream(s, failAfter)));
            Assert.Contains("Simulated", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(new[] { "digits.ngm" }, _dir.Entries());
        }

        // A failure when flushing, after every byte was written, is no different.
        Assert.Throws<IOException>(() => ModelFile.Save(other, path, s => new FailingStream(s, long.MaxValue, failOnFlush: true)));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "digits.ngm" }, _dir.Entries());

        // The old model still loads.
        var reloaded = new DigitsNet(3);
        reloaded.Load(path);
        AssertBitsEqual<float>(good.Parameters, reloaded.Parameters, "parameters");
    }

    [Fact]
    public void A_successful_save_replaces_the_old_file()
    {
        string path = _dir.File("q.ngm");
        var first = new QuadraticFit(1);
        first.Save(path);
        var second = new QuadraticFit(2);
        second.Save(path);
        Assert.Equal(new[] { "q.ngm" }, _dir.Entries());
        var loaded = new QuadraticFit(3);
        loaded.Load(path);
        AssertBitsEqual<float>(second.Parameters, loaded.Parameters, "parameters");
    }

    [Fact]
    public void A_failed_first_save_creates_nothing()
    {
        string path = _dir.File("new.ngm");
        Assert.Throws<IOException>(() => ModelFile.Save(new QuadraticFit(), path, s => new FailingStream(s, 10)));
        Assert.Empty(_dir.Entries());
    }

    [Fact]
    public void Saving_into_a_missing_directory_or_over_a_directory_fails_cleanly()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new QuadraticFit().Save(_dir.File(Path.Combine("missing", "q.ngm"))));
        Directory.CreateDirectory(_dir.File("taken"));
        Assert.Throws<IOException>(() => new QuadraticFit().Save(_dir.File("taken")));
        Assert.Equal(new[] { "taken" }, _dir.Entries());
    }

    [Fact]
    public void A_failed_onnx_export_leaves_no_temporary_file()
    {
        string path = _dir.File("q.onnx");
        new QuadraticFit().ExportOnnx(path);
        byte[] before = File.ReadAllBytes(path);
        Directory.CreateDirectory(_dir.File("taken.onnx"));
        Assert.Throws<IOException>(() => new QuadraticFit().ExportOnnx(_dir.File("taken.onnx")));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "q.onnx", "taken.onnx" }, _dir.Entries().Order(StringComparer.Ordinal).ToArray());
    }
}
