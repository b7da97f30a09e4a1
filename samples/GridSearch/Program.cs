using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using NetGen;
using NetGen.Samples.GridSearch;

// The course's grid search ("Fine-tuning neural network hyperparameters"): the learning rate η and the L2 strength λ,
// each in {1e-5, 1e-4, …, 10}, 7 × 7 = 49 candidates, each training the generated DigitsNet (64-100-30-10, LeakyReLU,
// softmax, Adam) on the digits and scored by validation accuracy. The test rows are held out from the start and used
// once, at the end, for the candidate the validation chose.
//
//   dotnet run -c Release --project samples/GridSearch -- [--epochs 30] [--batch 32] [--optimizer adam] [--folds 0] [--parallel N] [--seed 0]
//
// --folds k (k ≥ 2) scores by k-fold cross-validation of the training part instead of one validation part;
// --optimizer sgd trains with the course's plain gradient descent, where the large η diverge.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Dictionary<string, string> arguments = Parse(args, new()
{
    ["epochs"] = "30", ["batch"] = "32", ["optimizer"] = "adam", ["folds"] = "0", ["parallel"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), ["seed"] = "0",
});
int epochs = Number("epochs"), batch = Number("batch"), folds = Number("folds"), parallel = Number("parallel"), seed = Number("seed");
string optimizer = arguments["optimizer"];

Dataset<float> digits = KnownDatasets.Digits<float>();
(Dataset<float> trainAll, Dataset<float> test) = DataSplit.TrainTest(digits, 0.2, (ulong)seed);

double[] decades = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
var space = new SearchSpace<float>(new FitOptions { Epochs = epochs, BatchSize = batch, TrainingMetrics = false }, optimizer)
    .LearningRates(decades)
    .L2(decades);
IReadOnlyList<Candidate<float>> grid = space.Grid();
var options = new SearchOptions
{
    Seed = seed,
    MaxDegreeOfParallelism = parallel,
    Progress = new ConsoleProgress(),
};

Console.WriteLine($"Digits: {digits.Count} rows, {digits.FeatureCount} features, 10 classes; {trainAll.Count} for training and validation, {test.Count} held out for the test.");
Console.WriteLine($"Grid: {space} = {grid.Count} candidates; DigitsNet, {optimizer}, {epochs} epochs, batch {batch}, seed {seed}, {parallel} in parallel on {Environment.ProcessorCount} cores.");
SearchResult result;
if (folds >= 2)
{
    Console.WriteLine($"Scored by {folds}-fold stratified cross-validation of the training part (standardized per fold, on its training rows).");
    result = HyperparameterSearch.CrossValidate(s => new DigitsNet(s), grid, trainAll, folds, options, static (train, validation) =>
    {
        Standardizer scaler = Standardizer.Fit(train);
        return (scaler.Transform(train), scaler.Transform(validation));
    });
}
else
{
    (Dataset<float> train, Dataset<float> validation) = DataSplit.TrainTest(trainAll, 0.25, (ulong)seed + 1);
    Standardizer scaler = Standardizer.Fit(train);
    Console.WriteLine($"Scored on a stratified validation part: {train.Count} rows train, {validation.Count} validate (standardized with the training rows' mean and σ).");
    result = HyperparameterSearch.Run(s => new DigitsNet(s), grid, scaler.Transform(train), scaler.Transform(validation), options);
}

Console.WriteLine();
Console.WriteLine($"Ranked by {result.Metric.Title()} ({(result.HigherIsBetter ? "higher" : "lower")} is better), {result.Duration.TotalSeconds:F1} s in all:");
Console.WriteLine();
Console.Write(result.ToTable());
Console.WriteLine();
Console.WriteLine($"Validation accuracy, η (rows) × λ (columns); div = diverged:");
Console.WriteLine();
Console.Write(result.ScoreMatrix(SearchAxes.LearningRate, SearchAxes.L2));

// Retrain the chosen candidate on the whole training part (train + validation), standardized on it, and test once.
CandidateResult best = result.Best;
Standardizer finalScaler = Standardizer.Fit(trainAll);
TrainingSetup<float> setup = grid[best.Index].CreateSetup();
var clock = Stopwatch.StartNew();
var network = new DigitsNet(best.Seed);
network.Fit(finalScaler.Transform(trainAll), setup.Optimizer, setup.Options with { Seed = best.Seed });
Metrics metrics = network.Evaluate(finalScaler.Transform(test));
Console.WriteLine();
Console.WriteLine($"Best: {best.Parameters} ({result.Metric.Title()} {best.Score:F4}). Retrained on all {trainAll.Count} training rows in {clock.Elapsed.TotalSeconds:F1} s: test accuracy {metrics.Accuracy:F4}, test loss {metrics.Loss:F4} ({test.Count} rows).");

int Number(string name) =>
    int.TryParse(arguments[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
        ? value
        : throw new ArgumentException($"--{name} takes a whole number ≥ 0, not '{arguments[name]}'.");

static Dictionary<string, string> Parse(string[] args, Dictionary<string, string> defaults)
{
    for (int i = 0; i < args.Length; i += 2)
    {
        string name = args[i].TrimStart('-');
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || !defaults.ContainsKey(name) || i + 1 >= args.Length)
        {
            throw new ArgumentException($"Usage: GridSearch {string.Join(" ", defaults.Select(d => $"[--{d.Key} {d.Value}]"))}; '{args[i]}' is not understood.");
        }

        defaults[name] = args[i + 1];
    }

    return defaults;
}

/// <summary>Prints each finished candidate on standard error (the table and matrix go to standard output).</summary>
internal sealed class ConsoleProgress : IProgress<SearchProgress>
{
    private readonly object _gate = new();

    public void Report(SearchProgress value)
    {
        lock (_gate)
        {
            CandidateResult r = value.Result;
            string score = r.Diverged ? "diverged" : r.Score.ToString("F4", CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"[{value.Completed,2}/{value.Total}] {r.Parameters}: {score} ({r.Duration.TotalSeconds:F1} s)");
        }
    }
}
