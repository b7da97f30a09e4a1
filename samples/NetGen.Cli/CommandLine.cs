using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;

namespace NetGen.Cli;

/// <summary>The options of the tool (System.CommandLine), its help with examples, and the binding to <see cref="RunSettings"/>.</summary>
internal sealed class CommandLine
{
    internal const string Examples = """

        Examples:
          # The default run: the generated 64-100-30-10 LeakyReLU network on the shipped digits, Adam, 30 epochs
          NetGen.Cli
          # Another data set, with its own generated network (iris 4-16-3, wine 13-32-3, breast-cancer 30-32-2, diabetes 10-32-1)
          NetGen.Cli --dataset iris --epochs 50
          # Fashion-MNIST (apt-get install dataset-fashion-mnist): the generated 784-256-128-10 ReLU network
          NetGen.Cli --dataset fashion-mnist --epochs 12 --schedule cosine
          # A network built at run time (GenericNetwork<float>); the output layer and loss follow from the data
          NetGen.Cli --dataset wine --layers 13,64,32,3 --activation tanh
          # Another generated network, optimizer and learning rate
          NetGen.Cli --network breast-cancer-30-16-1 --optimizer momentum --learning-rate 0.05
          # Regression with early stopping and an L2 penalty, plain log lines, into a chosen folder
          NetGen.Cli --dataset diabetes --epochs 500 --patience 20 --l2 1e-4 --plain --output runs/diabetes
          # Evaluate a saved model on the test rows it was held out from
          NetGen.Cli --load-model runs/diabetes/model.ngm

        From the repository: dotnet run -c Release --project samples/NetGen.Cli -- [options]
        Output folder (default runs/<dataset>-<yyyyMMdd-HHmmss>/): summary.json, loss.png, accuracy.png (or r2.png),
        confusion.png, model.ngm with model.preprocessing.json, and model.onnx with --export-onnx.
        Exit codes: 0 success, 1 failure (data, files, divergence), 2 invalid command line, 130 interrupted (Ctrl+C).
        """;

    public CommandLine()
    {
        Root = new RootCommand(
            "NetGen command-line trainer: trains a feed-forward network whose forward and backward code NetGen generated " +
            "at build time (or one built at run time with --layers) on a data set, shows the progress, and writes the test " +
            "metrics, learning curves, a confusion matrix, a JSON summary and the model.")
        {
            Dataset, Network, Layers, Activation, Optimizer, Epochs, BatchSize, LearningRate, Schedule, L2, Patience,
            ValidationFraction, TestFraction, Scaling, Seed, Output, DataDirectory, SaveModel, ExportOnnx, LoadModel,
            TrainMetrics, NoTrainMetrics, Force, Quiet, Plain,
        };

        foreach (Option option in Root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                helpOption.Action = new HelpWithExamples(help);
            }
        }
    }

    public RootCommand Root { get; }

    public Option<string?> Dataset { get; } = new("--dataset", "-d")
    {
        HelpName = "name",
        Description = $"The data set: {string.Join(", ", DatasetCatalog.Names)}. [default: the network's data set, else {DatasetCatalog.DefaultName}]",
    };

    public Option<string?> Network { get; } = new("--network", "-n")
    {
        HelpName = "name",
        Description = $"A generated network: {string.Join(", ", ModelCatalog.Names)}. [default: the data set's first]",
    };

    public Option<string?> Layers { get; } = new("--layers")
    {
        HelpName = "sizes",
        Description = "Build a network at run time (GenericNetwork<float>) with these sizes, input first, e.g. 784,256,128,10. " +
                      "The output activation and loss follow from the data: softmax + cross-entropy, sigmoid + binary cross-entropy for one output on two classes, identity + MSE for regression.",
    };

    public Option<string?> Activation { get; } = new("--activation")
    {
        HelpName = "name",
        Description = $"The hidden activation for --layers: {string.Join(", ", ModelCatalog.HiddenActivations.Select(a => a.Key))}. [default: relu]",
    };

    public Option<string> Optimizer { get; } = new("--optimizer", "-o")
    {
        HelpName = "name",
        Description = $"The optimizer: {string.Join(", ", Optimizers.Names)}.",
        DefaultValueFactory = _ => "adam",
    };

    public Option<int?> Epochs { get; } = Positive(new Option<int?>("--epochs", "-e")
    {
        HelpName = "n",
        Description = "Passes over the training rows. [default: per data set; digits 30, fashion-mnist 12]",
    });

    public Option<int?> BatchSize { get; } = Positive(new Option<int?>("--batch-size", "-b")
    {
        HelpName = "n",
        Description = "Samples per mini-batch. [default: per data set; digits 16, fashion-mnist 64]",
    });

    public Option<double?> LearningRate { get; } = Number(new Option<double?>("--learning-rate", "--lr")
    {
        HelpName = "η",
        Description = "The learning rate. [default: per data set for adam (digits 0.001); the optimizer's own otherwise (0.01 for sgd/momentum/nesterov, 0.001 for the rest)]",
    }, min: 0, minInclusive: false);

    public Option<string> Schedule { get; } = new("--schedule")
    {
        HelpName = "name",
        Description = "The learning-rate schedule: constant, or cosine (annealed to 0 over all steps).",
        DefaultValueFactory = _ => "constant",
    };

    public Option<double?> L2 { get; } = Number(new Option<double?>("--l2")
    {
        HelpName = "λ",
        Description = "L2 penalty λ on the weights (not the biases). [default: 0]",
    }, min: 0, minInclusive: true);

    public Option<int?> Patience { get; } = NonNegative(new Option<int?>("--patience")
    {
        HelpName = "n",
        Description = "Early stopping: stop after n epochs without a lower validation loss (training loss without validation) and restore the best epoch's weights. [default: off]",
    });

    public Option<double?> ValidationFraction { get; } = Number(new Option<double?>("--validation-fraction")
    {
        HelpName = "f",
        Description = "The share of the rows held out for validation (monitored every epoch), 0 for none. [default: 0.1]",
    }, min: 0, minInclusive: true, max: 1);

    public Option<double?> TestFraction { get; } = Number(new Option<double?>("--test-fraction")
    {
        HelpName = "f",
        Description = "The share of the rows held out for the final test (data without their own test set). [default: 0.2, so 70/10/20 with the validation share]",
    }, min: 0, minInclusive: false, max: 1);

    public Option<string> Scaling { get; } = new("--scaling")
    {
        HelpName = "name",
        Description = "How the inputs are scaled, with statistics of the training rows only: standard ((x − mean)/σ), minmax ((x − min)/(max − min)) or none.",
        DefaultValueFactory = _ => "standard",
    };

    public Option<int?> Seed { get; } = IntAtLeast(new Option<int?>("--seed", "-s")
    {
        HelpName = "n",
        Description = "The seed of the split, the initial weights and the shuffling. [default: 1]",
    }, int.MinValue);

    public Option<string?> Output { get; } = NonEmptyPath(new Option<string?>("--output")
    {
        HelpName = "folder",
        Description = "Where the summary, pictures and model go. [default: runs/<dataset>-<yyyyMMdd-HHmmss>]",
    }, "folder");

    public Option<string?> DataDirectory { get; } = NonEmptyPath(new Option<string?>("--data-dir")
    {
        HelpName = "folder",
        Description = $"The data folder: the repository's data/ for the shipped sets [default: found above the program or the current folder, or ${KnownDatasets.DataDirectoryVariable}]; the IDX files' folder for fashion-mnist [default: {KnownDatasets.FashionMnistDefaultDirectory}].",
    }, "folder");

    public Option<string?> SaveModel { get; } = NonEmptyPath(new Option<string?>("--save-model")
    {
        HelpName = "path",
        Description = "Where to save the trained model (with <name>.preprocessing.json beside it). [default: <output>/model.ngm]",
    }, "path");

    public Option<bool> ExportOnnx { get; } = new("--export-onnx")
    {
        Description = "Also export the trained network as <output>/model.onnx (the inputs must be standardized as in model.preprocessing.json).",
    };

    public Option<string?> LoadModel { get; } = NonEmptyPath(new Option<string?>("--load-model")
    {
        HelpName = "path",
        Description = "Evaluate a saved model on the test rows instead of training (the split and scaling come from its .preprocessing.json when present).",
    }, "path");

    public Option<bool> TrainMetrics { get; } = new("--train-metrics")
    {
        Description = "Measure the training accuracy (or R²) with an inference pass over the training rows after each epoch: the metrics of the epoch's final parameters, about 40 % more time. By default they are accumulated during the training pass where the network exposes its outputs, never with a second pass.",
    };

    public Option<bool> NoTrainMetrics { get; } = new("--no-train-metrics")
    {
        Description = "Report no training metrics per epoch, only the training loss.",
    };

    public Option<bool> Force { get; } = new("--force")
    {
        Description = "Replace files that already exist (the output files, --save-model). Without it the tool refuses to overwrite anything.",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "Print only the results and errors.",
    };

    public Option<bool> Plain { get; } = new("--plain")
    {
        Description = "Plain lines, one per epoch, instead of the live progress bar (the default when the output is not a terminal).",
    };

    /// <summary>The settings a successful parse describes.</summary>
    public RunSettings Bind(ParseResult result) => new()
    {
        Dataset = result.GetValue(Dataset),
        Network = result.GetValue(Network),
        Layers = result.GetValue(Layers),
        Activation = result.GetValue(Activation),
        Optimizer = result.GetValue(Optimizer) ?? "adam",
        Epochs = result.GetValue(Epochs),
        BatchSize = result.GetValue(BatchSize),
        LearningRate = result.GetValue(LearningRate),
        Schedule = result.GetValue(Schedule) ?? "constant",
        L2 = result.GetValue(L2) ?? 0,
        Patience = result.GetValue(Patience),
        ValidationFraction = result.GetValue(ValidationFraction) ?? 0.1,
        TestFraction = result.GetValue(TestFraction) ?? 0.2,
        Scaling = result.GetValue(Scaling) ?? "standard",
        Seed = result.GetValue(Seed) ?? 1,
        Output = result.GetValue(Output),
        DataDirectory = result.GetValue(DataDirectory),
        SaveModel = result.GetValue(SaveModel),
        ExportOnnx = result.GetValue(ExportOnnx),
        LoadModel = result.GetValue(LoadModel),
        TrainMetrics = result.GetValue(TrainMetrics),
        NoTrainMetrics = result.GetValue(NoTrainMetrics),
        Force = result.GetValue(Force),
        Style = result.GetValue(Quiet) ? OutputStyle.Quiet : result.GetValue(Plain) ? OutputStyle.Plain : OutputStyle.Auto,
    };

    /// <summary>
    /// The training-only options this command line gives explicitly (defaults do not count), by name: with
    /// <c>--load-model</c> they would be ignored, so the tool refuses them instead.
    /// </summary>
    public string[] GivenTrainingOptions(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Option[] trainingOnly = [Activation, Optimizer, Epochs, BatchSize, LearningRate, Schedule, L2, Patience, SaveModel, ExportOnnx, TrainMetrics, NoTrainMetrics];
        return trainingOnly.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name).ToArray();
    }

    /// <summary>A path option: an empty or blank value is refused at parse time (the file system would reject it with an exception).</summary>
    private static Option<string?> NonEmptyPath(Option<string?> option, string what)
    {
        option.Validators.Add(result =>
        {
            string? token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (token is not null && string.IsNullOrWhiteSpace(token))
            {
                result.AddError($"{option.Name} needs a {what}, not an empty value.");
            }
        });
        return option;
    }

    private static Option<int?> Positive(Option<int?> option) => IntAtLeast(option, 1);

    private static Option<int?> NonNegative(Option<int?> option) => IntAtLeast(option, 0);

    /// <summary>A whole-number option parsed with the invariant culture and checked against its minimum.</summary>
    private static Option<int?> IntAtLeast(Option<int?> option, int min)
    {
        option.CustomParser = result =>
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            {
                result.AddError($"{option.Name} needs a whole number, not '{token}'.");
                return null;
            }

            if (value < min)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be at least {min}, not {value}."));
                return null;
            }

            return value;
        };
        return option;
    }

    /// <summary>A real-number option parsed with the invariant culture ('.' decimal point) and checked against its range.</summary>
    private static Option<double?> Number(Option<double?> option, double min, bool minInclusive, double max = double.PositiveInfinity)
    {
        option.CustomParser = result =>
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                result.AddError($"{option.Name} needs a number such as 0.001 or 1e-3, not '{token}'.");
                return null;
            }

            bool aboveMin = minInclusive ? value >= min : value > min;
            if (!aboveMin || !(value < max))
            {
                string low = minInclusive ? "≥" : ">";
                string range = double.IsPositiveInfinity(max)
                    ? string.Create(CultureInfo.InvariantCulture, $"{low} {min}")
                    : string.Create(CultureInfo.InvariantCulture, $"{low} {min} and < {max}");
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {range}, not {token}."));
                return null;
            }

            return value;
        };
        return option;
    }

    /// <summary>The standard help, followed by examples, the output files and the exit codes.</summary>
    private sealed class HelpWithExamples(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.WriteLine(Examples.TrimEnd());
            return code;
        }
    }
}
