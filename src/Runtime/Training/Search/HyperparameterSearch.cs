using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace NetGen;

/// <summary>
/// Grid and random search (the course's "grid search with cross-validation" and "randomized search"): trains every
/// candidate of a <see cref="SearchSpace{T}"/> (or any list of <see cref="Candidate{T}"/>) on a fresh network, scores it
/// on validation rows — a held-out validation set, or each fold of k-fold cross-validation — and ranks the results.
/// </summary>
/// <remarks>
/// <para>
/// Scores: for classification data the validation accuracy (higher is better), otherwise the validation loss (lower is
/// better); <see cref="SearchOptions.Metric"/> picks another. The score is measured after Fit returns, i.e. on the last
/// epoch's parameters, or the best epoch's when early stopping restores them.
/// </para>
/// <para>
/// Runs go in parallel (<see cref="SearchOptions.MaxDegreeOfParallelism"/>), each with its own network from the
/// factory, its own optimizer and a fixed seed, so the table is the same for any degree of parallelism. A run that
/// throws <see cref="TrainingDivergedException"/> marks its candidate as diverged (ranked last, with the message); any
/// other exception is a mistake in the setup and ends the search with that exception.
/// </para>
/// <para>
/// The validation rows are passed to Fit only when a candidate uses early stopping, so that early stopping watches the
/// validation loss (Keras's <c>monitor="val_loss"</c>); otherwise they are used once, after training.
/// </para>
/// </remarks>
public static class HyperparameterSearch
{
    /// <summary>Trains every candidate on <paramref name="train"/> and scores it on <paramref name="validation"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">Creates a new network from a seed (e.g. <c>seed =&gt; new DigitsNet(seed)</c>); called once per run, from worker threads.</param>
    /// <param name="candidates">The candidates, e.g. <see cref="SearchSpace{T}.Grid"/> or <see cref="SearchSpace{T}.Random"/>.</param>
    /// <param name="train">The training rows (already scaled: fit scalers on these rows only).</param>
    /// <param name="validation">The rows that score the candidates.</param>
    /// <param name="options">Metric, parallelism, seed, progress, cancellation; defaults when null.</param>
    /// <returns>The ranked results.</returns>
    /// <exception cref="ArgumentException">No candidates, an invalid candidate setup, data that does not fit the network, or a metric the data cannot give.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public static SearchResult Run<T>(
        Func<int, INetwork<T>> network, IEnumerable<Candidate<T>> candidates, Dataset<T> train, Dataset<T> validation, SearchOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        return Search(network, candidates, [(train, validation)], options ?? new SearchOptions());
    }

    /// <summary>Trains every candidate on <paramref name="train"/> and scores it on <paramref name="validation"/>, with networks from a seedless factory.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">Creates a new network; the results are reproducible only if it always creates the same initial weights.</param>
    /// <param name="candidates">The candidates.</param>
    /// <param name="train">The training rows.</param>
    /// <param name="validation">The rows that score the candidates.</param>
    /// <param name="options">Metric, parallelism, seed, progress, cancellation; defaults when null.</param>
    /// <returns>The ranked results.</returns>
    public static SearchResult Run<T>(
        Func<INetwork<T>> network, IEnumerable<Candidate<T>> candidates, Dataset<T> train, Dataset<T> validation, SearchOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        return Run(_ => network(), candidates, train, validation, options);
    }

    /// <summary>
    /// k-fold cross-validation of every candidate: <paramref name="data"/> is split with <see cref="DataSplit.KFold{T}"/>
    /// (stratified for labelled data unless <see cref="SearchOptions.StratifiedFolds"/> is false, seeded with
    /// <see cref="SearchOptions.Seed"/>); each candidate trains k times, on all folds but one, and is scored on the one
    /// left out. The candidate's score is the mean over the folds.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">Creates a new network from a seed; called once per run, from worker threads.</param>
    /// <param name="candidates">The candidates.</param>
    /// <param name="data">The rows to split into folds (keep the test rows out).</param>
    /// <param name="folds">k, from 2 to the number of rows.</param>
    /// <param name="options">Metric, parallelism, seed, progress, cancellation; defaults when null.</param>
    /// <param name="prepareFold">
    /// Optional preprocessing of each fold, given its training and validation rows, e.g. fitting a
    /// <see cref="Standardizer"/> on the fold's training rows only and transforming both (which avoids leaking the
    /// validation rows' statistics into training). Called once per fold, before any training.
    /// </param>
    /// <returns>The ranked results, with per-fold scores.</returns>
    /// <exception cref="ArgumentException">No candidates, an invalid candidate setup, data that does not fit the network, or a metric the data cannot give.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="folds"/> is below 2 or above the number of rows.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public static SearchResult CrossValidate<T>(
        Func<int, INetwork<T>> network,
        IEnumerable<Candidate<T>> candidates,
        Dataset<T> data,
        int folds,
        SearchOptions? options = null,
        Func<Dataset<T>, Dataset<T>, (Dataset<T> Train, Dataset<T> Validation)>? prepareFold = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SearchOptions();
        Fold[] split = DataSplit.KFold(data, folds, (ulong)(uint)options.Seed, options.StratifiedFolds);
        var parts = new (Dataset<T> Train, Dataset<T> Validation)[split.Length];
        for (int k = 0; k < split.Length; k++)
        {
            (Dataset<T> train, Dataset<T> validation) = (data.Subset(split[k].Train), data.Subset(split[k].Validation));
            parts[k] = prepareFold is null ? (train, validation) : prepareFold(train, validation);
            if (parts[k].Train is null || parts[k].Validation is null)
            {
                throw new InvalidOperationException($"prepareFold returned no data for fold {k + 1}.");
            }
        }

        return Search(network, candidates, parts, options);
    }

    /// <summary>k-fold cross-validation with networks from a seedless factory (see the seeded overload).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">Creates a new network; the results are reproducible only if it always creates the same initial weights.</param>
    /// <param name="candidates">The candidates.</param>
    /// <param name="data">The rows to split into folds.</param>
    /// <param name="folds">k, from 2 to the number of rows.</param>
    /// <param name="options">Metric, parallelism, seed, progress, cancellation; defaults when null.</param>
    /// <param name="prepareFold">Optional preprocessing of each fold's training and validation rows.</param>
    /// <returns>The ranked results, with per-fold scores.</returns>
    public static SearchResult CrossValidate<T>(
        Func<INetwork<T>> network,
        IEnumerable<Candidate<T>> candidates,
        Dataset<T> data,
        int folds,
        SearchOptions? options = null,
        Func<Dataset<T>, Dataset<T>, (Dataset<T> Train, Dataset<T> Validation)>? prepareFold = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        return CrossValidate(_ => network(), candidates, data, folds, options, prepareFold);
    }

    /// <summary>The seed of candidate <paramref name="index"/>'s runs under <paramref name="options"/>.</summary>
    internal static int SeedOf(int index, SearchOptions options)
    {
        if (!options.SeedPerCandidate)
        {
            return options.Seed;
        }

        var mix = new SplitMix64(((ulong)(uint)options.Seed << 32) ^ (ulong)(uint)index ^ 0xA0761D6478BD642FUL);
        return (int)(mix.NextUInt64() & int.MaxValue);
    }

    private static SearchResult Search<T>(
        Func<int, INetwork<T>> networkFactory, IEnumerable<Candidate<T>> candidateList, (Dataset<T> Train, Dataset<T> Validation)[] parts, SearchOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(networkFactory);
        ArgumentNullException.ThrowIfNull(candidateList);
        options.Validate();
        Candidate<T>[] candidates = candidateList.ToArray();
        if (candidates.Length == 0)
        {
            throw new ArgumentException("The search has no candidates.", nameof(candidateList));
        }

        SearchMetric metric = Resolve(options.Metric, parts[0].Validation);
        CheckBeforeTraining(networkFactory, candidates, parts, options);

        var clock = Stopwatch.StartNew();
        int folds = parts.Length;
        var runs = new FoldResult[candidates.Length, folds];
        var remaining = new int[candidates.Length];
        Array.Fill(remaining, folds);
        var finished = new CandidateResult?[candidates.Length];
        int completed = 0;
        var reporting = new object();   // reports leave in the order of their counts: counting and reporting is one step
        CancellationToken token = options.CancellationToken;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = token };
        try
        {
            Parallel.For(0, candidates.Length * folds, parallel, item =>
            {
                int c = item / folds, k = item % folds;
                runs[c, k] = Train(networkFactory, candidates[c], SeedOf(c, options), k, parts[k], metric, token);
                if (Interlocked.Decrement(ref remaining[c]) == 0)
                {
                    // The decrement that reaches 0 comes after every fold's write (Interlocked is a full fence).
                    CandidateResult result = Summarize(c, candidates[c], SeedOf(c, options), Enumerable.Range(0, folds).Select(f => runs[c, f]).ToArray());
                    finished[c] = result;
                    lock (reporting)
                    {
                        options.Progress?.Report(new SearchProgress(++completed, candidates.Length, result));
                    }
                }
            });
        }
        catch (AggregateException e)
        {
            token.ThrowIfCancellationRequested();
            Exception first = e.Flatten().InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }

        token.ThrowIfCancellationRequested();
        CandidateResult[] ranked = Rank(finished.Select(r => r!).ToArray(), metric.HigherIsBetter());
        return new SearchResult(ranked, metric, folds, clock.Elapsed);
    }

    private static SearchMetric Resolve<T>(SearchMetric metric, Dataset<T> validation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool classification = validation.IsClassification;
        return metric switch
        {
            SearchMetric.Auto => classification ? SearchMetric.Accuracy : SearchMetric.Loss,
            SearchMetric.Accuracy when !classification =>
                throw new ArgumentException("The accuracy needs classification data (rows with labels); use SearchMetric.Loss, MeanSquaredError or R2 for regression.", nameof(metric)),
            SearchMetric.MeanSquaredError or SearchMetric.R2 when classification =>
                throw new ArgumentException($"{metric} is a regression metric, but the validation rows carry class labels; use SearchMetric.Accuracy or Loss.", nameof(metric)),
            _ => metric,
        };
    }

    /// <summary>Fails fast, before hours of training, on what would fail every run: setups and data shapes.</summary>
    private static void CheckBeforeTraining<T>(Func<int, INetwork<T>> networkFactory, Candidate<T>[] candidates, (Dataset<T> Train, Dataset<T> Validation)[] parts, SearchOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Runs go in parallel, so two runs sharing an optimizer (which keeps per-parameter state) would corrupt each other.
        var optimizers = new HashSet<object>(ReferenceEqualityComparer.Instance);
        for (int c = 0; c < candidates.Length; c++)
        {
            TrainingSetup<T> setup;
            try
            {
                setup = candidates[c].CreateSetup();
                setup.Options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Candidate {c} ({candidates[c].Parameters}): {e.Message}", nameof(candidates), e);
            }

            if (!optimizers.Add(setup.Optimizer) || (c == 0 && optimizers.Contains(candidates[0].CreateSetup().Optimizer)))
            {
                throw new InvalidOperationException(
                    $"The setup of candidate {c} ({candidates[c].Parameters}) returned an optimizer instance it had returned before; create a new optimizer on every call (runs go in parallel and optimizers keep state).");
            }
        }

        INetwork<T> probe = networkFactory(SeedOf(0, options)) ?? throw new InvalidOperationException("The network factory returned null.");
        for (int k = 0; k < parts.Length; k++)
        {
            string where = parts.Length == 1 ? "" : $" of fold {k + 1}";
            if (parts[k].Train.Count == 0 || parts[k].Validation.Count == 0)
            {
                throw new ArgumentException($"The training or validation part{where} has no rows.", nameof(parts));
            }

            Evaluation.RequireShape(probe, parts[k].Train, "train" + where);
            Evaluation.RequireShape(probe, parts[k].Validation, "validation" + where);
        }
    }

    private static FoldResult Train<T>(
        Func<int, INetwork<T>> networkFactory, Candidate<T> candidate, int seed, int fold, (Dataset<T> Train, Dataset<T> Validation) part, SearchMetric metric, CancellationToken token)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        token.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        TrainingSetup<T> setup = candidate.CreateSetup();
        using CancellationTokenSource? linked = setup.Options.CancellationToken.CanBeCanceled && token.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(setup.Options.CancellationToken, token)
            : null;
        FitOptions fit = setup.Options with
        {
            Seed = seed,
            CancellationToken = linked?.Token ?? (token.CanBeCanceled ? token : setup.Options.CancellationToken),
        };

        INetwork<T> network = networkFactory(seed) ?? throw new InvalidOperationException("The network factory returned null.");
        try
        {
            TrainingHistory history = network.Fit(part.Train, setup.Optimizer, fit, fit.EarlyStoppingPatience is null ? null : part.Validation);
            Metrics validation = network.Evaluate(part.Validation);
            double score = metric switch
            {
                SearchMetric.Accuracy => validation.Accuracy ?? double.NaN,
                SearchMetric.Loss => validation.Loss,
                SearchMetric.MeanSquaredError => validation.MeanSquaredError ?? double.NaN,
                _ => validation.R2 ?? double.NaN,
            };
            return new FoldResult(fold + 1, score, validation, history.Loss[^1], history.Epochs.Count, false, null, clock.Elapsed);
        }
        catch (TrainingDivergedException e)
        {
            return new FoldResult(fold + 1, double.NaN, null, double.NaN, Math.Max(e.Epoch, 1), true, e.Message, clock.Elapsed);
        }
    }

    private static CandidateResult Summarize<T>(int index, Candidate<T> candidate, int seed, FoldResult[] folds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool diverged = folds.Any(f => f.Diverged);
        FoldResult? firstDiverged = folds.FirstOrDefault(f => f.Diverged);
        string? message = firstDiverged is null ? null : folds.Length == 1 ? firstDiverged.Message : $"fold {firstDiverged.Fold}: {firstDiverged.Message}";
        double mean = double.NaN, deviation = double.NaN, trainLoss = double.NaN, validationLoss = double.NaN;
        if (!diverged)
        {
            mean = folds.Average(f => f.Score);
            deviation = Math.Sqrt(folds.Average(f => (f.Score - mean) * (f.Score - mean)));
            trainLoss = folds.Average(f => f.TrainLoss);
            validationLoss = folds.Average(f => f.Validation!.Loss);
        }

        return new CandidateResult(
            index, 0, candidate.Parameters, seed, mean, deviation, folds, trainLoss, validationLoss,
            folds.Average(f => (double)f.EpochsRun), diverged, message, TimeSpan.FromTicks(folds.Sum(f => f.Duration.Ticks)));
    }

    private static CandidateResult[] Rank(CandidateResult[] results, bool higherIsBetter)
    {
        static int Group(CandidateResult r) => r.Diverged ? 2 : double.IsFinite(r.Score) ? 0 : 1;
        CandidateResult[] ordered = results
            .OrderBy(Group)
            .ThenBy(r => Group(r) == 0 ? (higherIsBetter ? -r.Score : r.Score) : 0)
            .ThenBy(r => Group(r) == 0 && double.IsFinite(r.ValidationLoss) ? r.ValidationLoss : double.PositiveInfinity)
            .ThenBy(r => r.Index)
            .ToArray();
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = ordered[i] with { Rank = i + 1 };
        }

        return ordered;
    }
}
