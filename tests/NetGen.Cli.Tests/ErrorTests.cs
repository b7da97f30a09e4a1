namespace NetGen.Cli.Tests;

/// <summary>Invalid command lines and missing data end with a clear message and a non-zero exit code, never a stack trace.</summary>
public sealed class ErrorTests
{
    [Fact]
    public void Unknown_data_set_names_the_valid_ones()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Start("--dataset", "mnist", "--output", folder.Path);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Unknown data set 'mnist'", run.Error, StringComparison.Ordinal);
        foreach (string name in DatasetCatalog.Names)
        {
            Assert.Contains(name, run.Error, StringComparison.Ordinal);
        }

        AssertNoStackTrace(run);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("100,32,10", "--layers starts with 100 inputs, but the digits data have 64 features per row")]
    [InlineData("64,32,7", "--layers ends with 7 outputs, but the digits data have 10 classes")]
    [InlineData("64", "needs at least two sizes")]
    [InlineData("64,a,10", "'a' is not a positive whole number")]
    public void Layers_that_do_not_fit_the_data_are_refused(string layers, string message)
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Start("--layers", layers, "--output", folder.Path);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public void Activation_without_layers_is_refused()
    {
        CliRun run = CliRun.Start("--network", "digits-64-100-30-10", "--activation", "tanh");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--activation sets the hidden activation of a --layers network", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_made_for_another_data_set_is_refused()
    {
        CliRun run = CliRun.Start("--dataset", "iris", "--network", "digits-64-100-30-10");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("takes 64 inputs, but the iris data have 4 features per row", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_fashion_mnist_prints_how_to_get_it()
    {
        using var empty = new TempFolder();
        using var output = new TempFolder();
        CliRun run = CliRun.Start("--dataset", "fashion-mnist", "--data-dir", empty.Path, "--output", output.Path);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("Fashion-MNIST was not found", run.Error, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output.Path));
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs must be at least 1, not 0")]
    [InlineData("--epochs", "ten", "--epochs needs a whole number, not 'ten'")]
    [InlineData("--batch-size", "-5", "--batch-size must be at least 1")]
    [InlineData("--learning-rate", "-0.1", "--learning-rate must be > 0")]
    [InlineData("--learning-rate", "0,01", "--learning-rate needs a number such as 0.001")]
    [InlineData("--validation-fraction", "1.5", "--validation-fraction must be ≥ 0 and < 1")]
    [InlineData("--optimizer", "adamx", "Valid optimizers: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw")]
    [InlineData("--network", "resnet", "Valid networks: digits-64-100-30-10")]
    [InlineData("--activation", "swoosh", "Valid hidden activations: relu")]
    [InlineData("--schedule", "linear", "Valid schedules: constant, cosine")]
    [InlineData("--scaling", "robust", "Valid scalings: standard, minmax, none")]
    [InlineData("--no-such-option", null, "Unrecognized command or argument '--no-such-option'")]
    public void Bad_values_are_named(string option, string? value, string message)
    {
        using var folder = new TempFolder();
        string[] args = value is null ? [option, "--output", folder.Path] : [option, value, "--output", folder.Path];
        if (option is "--activation")
        {
            args = [.. args, "--layers", "64,10"];
        }

        CliRun run = CliRun.Start(args);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public void Existing_files_are_not_overwritten_without_force()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["summary.json"], "mine");
        CliRun run = CliRun.Start("-d", "iris", "--epochs", "1", "--output", folder.Path);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Refusing to overwrite", run.Error, StringComparison.Ordinal);
        Assert.Contains("--force", run.Error, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(folder["summary.json"]));
        Assert.False(File.Exists(folder["model.ngm"]));

        CliRun.Start("-d", "iris", "--epochs", "1", "--output", folder.Path, "--force", "--quiet").Succeeded();
        Assert.NotEqual("mine", File.ReadAllText(folder["summary.json"]));
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_reported()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["model.ngm"], "not a model");
        CliRun run = CliRun.Start("--load-model", folder["model.ngm"], "--dataset", "iris", "--output", folder["eval"]);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("is not a NetGen model file", run.Error, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public void Help_lists_the_options_and_examples()
    {
        CliRun run = CliRun.Start("--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string text in new[] { "--dataset", "--network", "--layers", "--optimizer", "--epochs", "--batch-size", "--learning-rate", "--seed",
                     "--output", "--data-dir", "--patience", "--l2", "--validation-fraction", "--save-model", "--export-onnx", "--load-model",
                     "--quiet", "--plain", "Examples:", "fashion-mnist", "adamw" })
        {
            Assert.Contains(text, run.Output, StringComparison.Ordinal);
        }
    }

    private static void AssertNoStackTrace(CliRun run)
    {
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
    }
}
