using System.CommandLine;
using System.CommandLine.Help;

namespace NetGen.Cli.Tests;

/// <summary>Files the wrong-value cases point at: a trained model, broken models and preprocessing files, broken data folders.</summary>
public sealed class WrongValueFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public WrongValueFixture()
    {
        File.WriteAllText(this["file"], "just a file");
        Directory.CreateDirectory(this["empty"]);
        File.WriteAllText(this["garbage.ngm"], "not a model");
        File.WriteAllBytes(this["empty.ngm"], []);
        CliRun.Start("-d", "iris", "--epochs", "1", "--output", this["trained"], "--quiet").Succeeded();
        BrokenPreprocessing("not-json", "{ this is not json");
        BrokenPreprocessing("array", "[1, 2, 3]");
        BrokenPreprocessing("wrong-type", """{ "dataset": "iris", "seed": "one" }""");
        BrokenPreprocessing("unknown-data", """{ "dataset": "no-such-data" }""");
        BrokenData("empty-iris", "");
        BrokenData("text-iris", "a,b,c,d,species\nx,y,z,w,setosa\n");
        BrokenData("short-iris", "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,setosa\n");
    }

    public string this[string name] => _folder[name];

    /// <summary>Replaces {name} in an argument with the path of that fixture file; {new} with a fresh folder that does not exist yet.</summary>
    public string Resolve(string argument)
    {
        if (argument == "{new}")
        {
            return this["out-" + Guid.NewGuid().ToString("N")];
        }

        int open = argument.IndexOf('{', StringComparison.Ordinal);
        int close = argument.IndexOf('}', StringComparison.Ordinal);
        return open >= 0 && close > open
            ? argument[..open] + this[argument[(open + 1)..close]] + argument[(close + 1)..]
            : argument;
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// A run folder of the earlier CLI (a format-1 model.ngm, committed in Data/iris-run-v1) whose model.preprocessing.json
    /// is damaged: today's self-contained files never read one, so only such an old folder can carry a broken one.
    /// </summary>
    private void BrokenPreprocessing(string name, string json)
    {
        Directory.CreateDirectory(this[name]);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "iris-run-v1", "model.ngm"), this[$"{name}/model.ngm"]);
        File.WriteAllText(this[$"{name}/model.preprocessing.json"], json);
    }

    private void BrokenData(string name, string csv)
    {
        Directory.CreateDirectory(this[name]);
        File.WriteAllText(this[$"{name}/iris.csv"], csv);
    }
}

/// <summary>
/// Every option of both commands (training, and evaluation with --load-model) fed wrong values — negative, zero,
/// huge, non-numeric, empty, unknown names, missing or malformed files — ends with exit code 1 (failure) or 2 (invalid
/// command line), a short message on the error stream, no stack trace, and nothing written.
/// </summary>
public sealed class WrongValueTests(WrongValueFixture files) : IClassFixture<WrongValueFixture>
{
    private const int Usage = ExitCodes.Usage, Failure = ExitCodes.Failure;

    // (option under test, arguments, exit code). Training cases run on iris with 1 epoch unless they say otherwise, so
    // one that is wrongly accepted finishes quickly (and fails the test). Evaluation cases load a freshly trained model.
    private static readonly (string Option, string[] Args, int Code)[] Training =
    [
        ("--dataset", ["--dataset", ""], Usage),
        ("--dataset", ["--dataset", "mnist"], Usage),
        ("--dataset", ["-d", "42"], Usage),
        ("--network", ["--network", ""], Usage),
        ("--network", ["--network", "resnet"], Usage),
        ("--network", ["-d", "iris", "--network", "digits-64-100-30-10"], Usage),
        ("--network", ["--network", "iris-4-16-3", "--layers", "4,3"], Usage),
        ("--layers", ["--layers", ""], Usage),
        ("--layers", ["--layers", "64"], Usage),
        ("--layers", ["--layers", "64,a,10"], Usage),
        ("--layers", ["--layers", "64,0,10"], Usage),
        ("--layers", ["--layers", "64,-5,10"], Usage),
        ("--layers", ["--layers", "64,99999999999,10"], Usage),
        ("--layers", ["--layers", "64,50000000,10"], Usage),   // more parameters than one array holds
        ("--layers", ["--layers", "100,32,10"], Usage),
        ("--layers", ["--layers", "64,32,7"], Usage),
        ("--layers", ["-d", "diabetes", "--layers", "10,2"], Usage),
        ("--activation", ["--activation", ""], Usage),
        ("--activation", ["-d", "iris", "--layers", "4,8,3", "--activation", "swoosh"], Usage),
        ("--activation", ["-d", "iris", "--layers", "4,8,3", "--activation", "softmax"], Usage),
        ("--activation", ["--network", "digits-64-100-30-10", "--activation", "tanh"], Usage),
        ("--optimizer", ["--optimizer", ""], Usage),
        ("--optimizer", ["--optimizer", "adamx"], Usage),
        ("--epochs", ["--epochs", "0"], Usage),
        ("--epochs", ["--epochs", "-1"], Usage),
        ("--epochs", ["--epochs", "ten"], Usage),
        ("--epochs", ["--epochs", "1.5"], Usage),
        ("--epochs", ["--epochs", "99999999999"], Usage),
        ("--epochs", ["--epochs", ""], Usage),
        ("--epochs", ["-d", "iris", "--epochs"], Usage),
        ("--epochs", ["--epochs", "1", "--epochs", "2"], Usage),
        ("--batch-size", ["--batch-size", "0"], Usage),
        ("--batch-size", ["--batch-size", "-5"], Usage),
        ("--batch-size", ["--batch-size", "x"], Usage),
        ("--batch-size", ["--batch-size", "99999999999"], Usage),
        ("--learning-rate", ["--learning-rate", "0"], Usage),
        ("--learning-rate", ["--learning-rate", "-0.1"], Usage),
        ("--learning-rate", ["--learning-rate", "0,01"], Usage),
        ("--learning-rate", ["--lr", "nan"], Usage),
        ("--learning-rate", ["--lr", "inf"], Usage),
        ("--learning-rate", ["--lr", "1e309"], Usage),
        ("--learning-rate", ["-d", "iris", "--epochs", "1", "--lr", "1e308"], Failure), // training diverges
        ("--schedule", ["--schedule", ""], Usage),
        ("--schedule", ["--schedule", "linear"], Usage),
        ("--l2", ["--l2", "-1"], Usage),
        ("--l2", ["--l2", "x"], Usage),
        ("--l2", ["--l2", "nan"], Usage),
        ("--l2", ["-d", "iris", "--epochs", "1", "--l2", "1e308"], Failure), // training diverges
        ("--patience", ["--patience", "-1"], Usage),
        ("--patience", ["--patience", "x"], Usage),
        ("--patience", ["--patience", "99999999999"], Usage),
        ("--validation-fraction", ["--validation-fraction", "-0.1"], Usage),
        ("--validation-fraction", ["--validation-fraction", "1"], Usage),
        ("--validation-fraction", ["--validation-fraction", "1.5"], Usage),
        ("--validation-fraction", ["--validation-fraction", "x"], Usage),
        ("--validation-fraction", ["-d", "iris", "--validation-fraction", "0.99"], Usage),
        ("--test-fraction", ["--test-fraction", "0"], Usage),
        ("--test-fraction", ["--test-fraction", "1"], Usage),
        ("--test-fraction", ["--test-fraction", "-1"], Usage),
        ("--test-fraction", ["--test-fraction", "x"], Usage),
        ("--test-fraction", ["-d", "iris", "--test-fraction", "0.999"], Usage),
        ("--scaling", ["--scaling", ""], Usage),
        ("--scaling", ["--scaling", "robust"], Usage),
        ("--seed", ["--seed", "x"], Usage),
        ("--seed", ["--seed", "1.5"], Usage),
        ("--seed", ["--seed", "99999999999"], Usage),
        ("--output", ["--output", ""], Usage),
        ("--output", ["--output", "  "], Usage),
        ("--output", ["-d", "iris", "--epochs", "1", "--output", "{file}"], Failure),
        ("--output", ["-d", "iris", "--epochs", "1", "--output", "{file}/below-a-file"], Failure),
        ("--data-dir", ["--data-dir", ""], Usage),
        ("--data-dir", ["-d", "iris", "--epochs", "1", "--data-dir", "{nowhere}"], Failure),
        ("--data-dir", ["-d", "iris", "--epochs", "1", "--data-dir", "{file}"], Failure),
        ("--data-dir", ["-d", "iris", "--epochs", "1", "--data-dir", "{empty}"], Failure),
        ("--data-dir", ["-d", "iris", "--epochs", "1", "--data-dir", "{empty-iris}"], Failure),
        ("--data-dir", ["-d", "iris", "--epochs", "1", "--data-dir", "{text-iris}"], Failure),
        ("--data-dir", ["-d", "iris", "--epochs", "1", "--data-dir", "{short-iris}"], Failure),
        ("--data-dir", ["-d", "fashion-mnist", "--epochs", "1", "--data-dir", "{empty}"], Failure),
        ("--save-model", ["--save-model", ""], Usage),
        ("--save-model", ["-d", "iris", "--epochs", "1", "--save-model", "{file}"], Usage), // exists, no --force
        ("--save-model", ["-d", "iris", "--epochs", "1", "--save-model", "{empty}"], Failure), // a folder
        ("--save-model", ["-d", "iris", "--epochs", "1", "--save-model", "{file}/model.ngm"], Failure),
        ("--export-onnx", ["--export-onnx", "yes"], Usage),
        ("--load-model", ["--load-model", ""], Usage),
        ("--load-model", ["--load-model", "{missing.ngm}"], Failure),
        ("--load-model", ["--load-model", "{empty}"], Failure),
        ("--load-model", ["--load-model", "{garbage.ngm}", "-d", "iris"], Failure),
        ("--load-model", ["--load-model", "{empty.ngm}", "-d", "iris"], Failure),
        ("--load-model", ["--load-model", "{trained/model.preprocessing.json}", "-d", "iris"], Failure),
        ("--load-model", ["--load-model", "{not-json/model.ngm}"], Failure),
        ("--load-model", ["--load-model", "{array/model.ngm}"], Failure),
        ("--load-model", ["--load-model", "{wrong-type/model.ngm}"], Failure),
        ("--load-model", ["--load-model", "{unknown-data/model.ngm}"], Failure), // required fields missing
        ("--no-train-metrics", ["--no-train-metrics", "3"], Usage),
        ("--train-metrics", ["--train-metrics", "3"], Usage),
        ("--force", ["--force", "maybe"], Usage),
        ("--quiet", ["--quiet", "3"], Usage),
        ("--plain", ["--plain", "x"], Usage),
        ("(unknown)", ["--no-such-option"], Usage),
        ("(unknown)", ["train"], Usage),
    ];

    private static readonly (string Option, string[] Args, int Code)[] Evaluation =
    [
        ("--dataset", ["--dataset", "wine"], Usage),
        ("--dataset", ["--dataset", "mnist"], Usage),
        ("--dataset", ["--dataset", ""], Usage),
        ("--network", ["--network", "iris-4-16-3"], Usage),
        ("--layers", ["--layers", "4,3"], Usage),
        ("--activation", ["--activation", "tanh"], Usage),
        ("--optimizer", ["--optimizer", "sgd"], Usage),
        ("--optimizer", ["--optimizer", "adamx"], Usage),
        ("--epochs", ["--epochs", "5"], Usage),
        ("--epochs", ["--epochs", "0"], Usage),
        ("--batch-size", ["--batch-size", "8"], Usage),
        ("--learning-rate", ["--learning-rate", "0.1"], Usage),
        ("--learning-rate", ["--learning-rate", "-1"], Usage),
        ("--schedule", ["--schedule", "cosine"], Usage),
        ("--l2", ["--l2", "0.1"], Usage),
        ("--patience", ["--patience", "3"], Usage),
        ("--validation-fraction", ["--validation-fraction", "1.5"], Usage),
        ("--test-fraction", ["--test-fraction", "0"], Usage),
        ("--scaling", ["--scaling", "robust"], Usage),
        ("--seed", ["--seed", "x"], Usage),
        ("--output", ["--output", ""], Usage),
        ("--output", ["--output", "{file}"], Failure),
        ("--data-dir", ["--data-dir", "{empty}"], Failure),
        ("--data-dir", ["--data-dir", "{text-iris}"], Failure),
        ("--data-dir", ["--data-dir", ""], Usage),
        ("--save-model", ["--save-model", "{new}"], Usage),
        ("--export-onnx", ["--export-onnx"], Usage),
        ("--load-model", ["--load-model", "{garbage.ngm}"], Failure),
        ("--no-train-metrics", ["--no-train-metrics"], Usage),
        ("--train-metrics", ["--train-metrics"], Usage),
        ("--force", ["--force", "maybe"], Usage),
        ("--quiet", ["--quiet", "3"], Usage),
        ("--plain", ["--plain", "x"], Usage),
    ];

    public static TheoryData<string, string[], int> TrainingCases => ToTheory(Training);

    public static TheoryData<string, string[], int> EvaluationCases => ToTheory(Evaluation);

    [Theory]
    [MemberData(nameof(TrainingCases))]
    public void A_wrong_training_value_ends_with_one_message(string option, string[] args, int code) => Check(option, args, code, evaluate: false);

    [Theory]
    [MemberData(nameof(EvaluationCases))]
    public void A_wrong_evaluation_value_ends_with_one_message(string option, string[] args, int code) => Check(option, args, code, evaluate: true);

    [Fact]
    public void Every_option_of_both_commands_has_wrong_value_cases()
    {
        string[] options = new CommandLine().Root.Options
            .Where(o => o is not HelpOption and not VersionOption)
            .Select(o => o.Name)
            .ToArray();
        Assert.True(options.Length >= 20, $"only {options.Length} options found");
        Assert.Empty(options.Except(Training.Select(c => c.Option)));
        Assert.Empty(options.Except(Evaluation.Select(c => c.Option)));
    }

    [Fact]
    public void A_network_too_big_for_the_memory_is_refused_before_it_is_allocated()
    {
        // 64-46000-46000-10: 2.12 billion parameters, below the array limit, 34 GB to train (16 bytes per parameter).
        NetworkSpec spec = NetworkSpec.Input(64).Dense(46000, Activation.ReLU).Dense(46000, Activation.ReLU).Dense(10, Activation.Softmax).Build(Loss.CrossEntropy);
        if (ModelCatalog.TrainingBytes(spec) <= GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
        {
            return; // this machine could train it (xunit 2 has no dynamic skip)
        }

        long before = GC.GetTotalAllocatedBytes();
        Check("--layers", ["--layers", "64,46000,46000,10"], Usage, evaluate: false, expected: "more than the");
        Assert.True(GC.GetTotalAllocatedBytes() - before < 100_000_000, "the parameters were allocated");
    }

    [Theory]
    [InlineData("--output", "file", "is a file; give a folder")]
    [InlineData("--data-dir", "file", "is a file; give a folder")]
    [InlineData("--load-model", "empty", "is a folder; give a model file")]
    [InlineData("--save-model", "empty", "is a folder; give a model file")]
    public void A_path_of_the_wrong_kind_says_so(string option, string path, string message) =>
        Check(option, ["-d", "iris", option, "{" + path + "}"], Failure, evaluate: false, expected: message);

    private void Check(string option, string[] args, int code, bool evaluate, string? expected = null)
    {
        string output = files.Resolve("{new}");
        string[] resolved = args.Select(files.Resolve).ToArray();
        if (!evaluate && !args.Intersect(["-d", "--dataset", "--network", "--layers", "--load-model"]).Any())
        {
            resolved = ["-d", "iris", .. resolved];
        }

        if (!evaluate && !args.Contains("--epochs") && !args.Contains("--load-model"))
        {
            resolved = ["--epochs", "1", .. resolved];
        }

        if (!args.Contains("--output"))
        {
            resolved = [.. resolved, "--output", output];
        }

        if (evaluate && !args.Contains("--load-model"))
        {
            resolved = ["--load-model", files["trained/model.ngm"], .. resolved];
        }

        CliRun run = CliRun.Start(resolved);
        string what = $"{option}: {string.Join(' ', resolved)}\n--- error ---\n{run.Error}\n--- output ---\n{run.Output}";
        Assert.True(run.ExitCode == code, $"exit code {run.ExitCode}, expected {code}, for {what}");
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length is >= 1 and <= 3, $"{lines.Length} error lines for {what}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected failure", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", run.Error, StringComparison.Ordinal);
        if (expected is not null)
        {
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        }

        // Nothing is left behind: the output folder is absent or empty.
        Assert.True(!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any(), $"files were written for {what}");
    }

    private static TheoryData<string, string[], int> ToTheory((string Option, string[] Args, int Code)[] cases)
    {
        var data = new TheoryData<string, string[], int>();
        foreach ((string option, string[] args, int code) in cases)
        {
            data.Add(option, args, code);
        }

        return data;
    }
}
