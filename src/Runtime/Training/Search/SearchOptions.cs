using System;
using System.Threading;

namespace NetGen;

/// <summary>What a search ranks candidates by, measured on the validation rows after training.</summary>
public enum SearchMetric
{
    /// <summary><see cref="Accuracy"/> for classification data (rows with labels), <see cref="Loss"/> otherwise.</summary>
    Auto,

    /// <summary>The fraction of correctly classified validation rows: higher is better.</summary>
    Accuracy,

    /// <summary>The mean validation loss per sample (no L1/L2 penalty, so candidates with different λ compare fairly): lower is better.</summary>
    Loss,

    /// <summary>The validation mean squared error (regression): lower is better.</summary>
    MeanSquaredError,

    /// <summary>The validation coefficient of determination R² (regression): higher is better.</summary>
    R2,
}

/// <summary>Which way each <see cref="SearchMetric"/> improves.</summary>
public static class SearchMetricExtensions
{
    /// <summary>True for <see cref="SearchMetric.Accuracy"/> and <see cref="SearchMetric.R2"/>, false for the losses.</summary>
    /// <exception cref="ArgumentException"><see cref="SearchMetric.Auto"/>, which must first be resolved against the data.</exception>
    public static bool HigherIsBetter(this SearchMetric metric) => metric switch
    {
        SearchMetric.Accuracy or SearchMetric.R2 => true,
        SearchMetric.Loss or SearchMetric.MeanSquaredError => false,
        _ => throw new ArgumentException($"{metric} has no direction until it is resolved against the data (accuracy for classification, loss otherwise).", nameof(metric)),
    };

    /// <summary>The column title of a metric: <c>val accuracy</c>, <c>val loss</c>, <c>val MSE</c>, <c>val R2</c>.</summary>
    public static string Title(this SearchMetric metric) => metric switch
    {
        SearchMetric.Accuracy => "val accuracy",
        SearchMetric.Loss => "val loss",
        SearchMetric.MeanSquaredError => "val MSE",
        SearchMetric.R2 => "val R2",
        _ => "score",
    };
}

/// <summary>How <see cref="HyperparameterSearch"/> runs: the metric, the parallelism, the seeds, progress and cancellation.</summary>
public sealed record SearchOptions
{
    /// <summary>What candidates are ranked by; <see cref="SearchMetric.Auto"/> (accuracy for classification, loss otherwise) by default.</summary>
    public SearchMetric Metric { get; init; } = SearchMetric.Auto;

    /// <summary>
    /// How many training runs go on at once, each on its own network instance; <see cref="Environment.ProcessorCount"/>
    /// by default. The results do not depend on it: every run has a fixed seed and its own network and optimizer.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The seed of every run: passed to the network factory (initial weights) and set as <see cref="FitOptions.Seed"/>
    /// (shuffling, dropout), and the seed of the k-fold split. 0 by default.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>
    /// False (the default): every candidate starts from the same weights and sees the same batches (common random
    /// numbers), so score differences come from the hyperparameters alone. True: candidate i gets a seed derived from
    /// <see cref="Seed"/> and i, which samples the initialization noise as well.
    /// </summary>
    public bool SeedPerCandidate { get; init; }

    /// <summary>With k-fold cross-validation of labelled data, whether each fold keeps the class proportions; true by default.</summary>
    public bool StratifiedFolds { get; init; } = true;

    /// <summary>Receives a report each time a candidate has finished all its runs; called from worker threads, so it must be thread-safe (<see cref="Progress{T}"/> is).</summary>
    public IProgress<SearchProgress>? Progress { get; init; }

    /// <summary>Stops the search: no new run starts, running ones stop between batches, and the search throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentException($"MaxDegreeOfParallelism must be at least 1, not {MaxDegreeOfParallelism}.", nameof(MaxDegreeOfParallelism));
        }

        if (!Enum.IsDefined(Metric))
        {
            throw new ArgumentException($"Unknown metric {Metric}.", nameof(Metric));
        }
    }
}

/// <summary>A candidate has finished.</summary>
/// <param name="Completed">Candidates finished so far, including this one.</param>
/// <param name="Total">Candidates in the search.</param>
/// <param name="Result">This candidate's result (its <see cref="CandidateResult.Rank"/> is 0 until the search ends).</param>
public readonly record struct SearchProgress(int Completed, int Total, CandidateResult Result);
