namespace NetGen.Cli;

/// <summary>How the tool's progress and results are shown.</summary>
public enum OutputStyle
{
    /// <summary>A live progress bar when writing to an interactive terminal, plain lines otherwise (the default).</summary>
    Auto,

    /// <summary>Plain lines, one per epoch, whatever the output is (for logs).</summary>
    Plain,

    /// <summary>Only the final results and errors.</summary>
    Quiet,
}

/// <summary>Everything the command line says, after parsing; nulls mean "the data set's default".</summary>
public sealed record RunSettings
{
    /// <summary><c>--dataset</c>, or null when not given (then the network's data set, the model's, or digits).</summary>
    public string? Dataset { get; init; }

    /// <summary><c>--network</c>: a generated network's name, or null.</summary>
    public string? Network { get; init; }

    /// <summary><c>--layers</c>: sizes from input to output for a run-time network, or null.</summary>
    public string? Layers { get; init; }

    /// <summary><c>--activation</c>: the hidden activation for <c>--layers</c>, or null when not given (ReLU).</summary>
    public string? Activation { get; init; }

    /// <summary><c>--optimizer</c>.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary><c>--epochs</c>, or null for the data set's default.</summary>
    public int? Epochs { get; init; }

    /// <summary><c>--batch-size</c>, or null for the data set's default.</summary>
    public int? BatchSize { get; init; }

    /// <summary><c>--learning-rate</c>, or null for the default (the data set's for Adam, the optimizer's otherwise).</summary>
    public double? LearningRate { get; init; }

    /// <summary><c>--schedule</c>: constant or cosine.</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary><c>--l2</c>: the L2 penalty λ on the weights.</summary>
    public double L2 { get; init; }

    /// <summary><c>--patience</c>: early stopping after this many epochs without a lower validation loss, or null.</summary>
    public int? Patience { get; init; }

    /// <summary><c>--validation-fraction</c>.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary><c>--test-fraction</c> (data without their own test set).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary><c>--scaling</c>: standard, minmax or none.</summary>
    public string Scaling { get; init; } = "standard";

    /// <summary><c>--seed</c>: of the split, the initial weights and the shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary><c>--output</c>: the folder for the summary, pictures and model, or null for <c>runs/&lt;dataset&gt;-&lt;time&gt;</c>.</summary>
    public string? Output { get; init; }

    /// <summary><c>--data-dir</c>, or null to find the data.</summary>
    public string? DataDirectory { get; init; }

    /// <summary><c>--save-model</c>, or null for <c>model.ngm</c> in the output folder.</summary>
    public string? SaveModel { get; init; }

    /// <summary><c>--export-onnx</c>: also write <c>model.onnx</c>.</summary>
    public bool ExportOnnx { get; init; }

    /// <summary><c>--load-model</c>: evaluate this model file instead of training.</summary>
    public string? LoadModel { get; init; }

    /// <summary><c>--train-metrics</c>: measure the training metrics with an inference pass over the training rows after each epoch.</summary>
    public bool TrainMetrics { get; init; }

    /// <summary><c>--no-train-metrics</c>: report no training metrics, only the loss.</summary>
    public bool NoTrainMetrics { get; init; }

    /// <summary><c>--force</c>: allow replacing files that already exist.</summary>
    public bool Force { get; init; }

    /// <summary><c>--quiet</c> / <c>--plain</c>.</summary>
    public OutputStyle Style { get; init; } = OutputStyle.Auto;
}
