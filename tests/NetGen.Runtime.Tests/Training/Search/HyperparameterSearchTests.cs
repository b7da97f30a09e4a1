using static NetGen.Runtime.Tests.Training.Search.SearchData;

namespace NetGen.Runtime.Tests.Training.Search;

/// <summary>Grid and random search on small problems whose answer is known: ranking, divergence, determinism, k-fold, matrix, cancellation.</summary>
public sealed class HyperparameterSearchTests
{
    private static readonly Dataset<float> Train = Blobs(300, 1);
    private static readonly Dataset<float> Validation = Blobs(150, 2);

    private static INetwork<float> Net(int seed) => new GenericNetwork<float>(Classifier, seed);

    private static FitOptions Quick => new() { Epochs = 8, BatchSize = 16, TrainingMetrics = false };

    [Fact]
    public void Grid_ranks_a_useful_learning_rate_above_a_zero_one_by_validation_accuracy()
    {
        var space = new SearchSpace<float>(Quick, "sgd").LearningRates(0, 0.1);

        SearchResult result = HyperparameterSearch.Run(Net, space.Grid(), Train, Validation);

        Assert.Equal(SearchMetric.Accuracy, result.Metric);
        Assert.True(result.HigherIsBetter);
        Assert.Equal(1, result.FoldCount);
        Assert.Equal(0.1, result.Best.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.True(result.Best.Score > 0.9, result.ToTable());
        CandidateResult zero = result.Ranked[1];
        Assert.Equal(0.0, zero.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.Equal(2, zero.Rank);
        Assert.True(zero.Score < result.Best.Score, result.ToTable());
        Assert.True(zero.TrainLoss > result.Best.TrainLoss);
        Assert.All(result.Ranked, r => Assert.Equal(8, r.EpochsRun));
        Assert.All(result.Ranked, r => Assert.False(r.Diverged));
        Assert.Equal([0, 1], result.Candidates.Select(r => r.Index));
    }

    [Fact]
    public void An_absurd_learning_rate_diverges_and_is_ranked_last_with_its_message_without_stopping_the_search()
    {
        Dataset<double> train = Plane(200, 1), validation = Plane(100, 2);
        var space = new SearchSpace<double>(new FitOptions { Epochs = 5, BatchSize = 10, TrainingMetrics = false }, "sgd").LearningRates(1e6, 0.1, 0.01);

        SearchResult result = HyperparameterSearch.Run(seed => new GenericNetwork<double>(Line, seed), space.Grid(), train, validation);

        Assert.Equal(SearchMetric.Loss, result.Metric);
        Assert.False(result.HigherIsBetter);
        CandidateResult last = result.Ranked[^1];
        Assert.Equal(1e6, last.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.True(last.Diverged);
        Assert.Equal(3, last.Rank);
        Assert.False(string.IsNullOrWhiteSpace(last.DivergenceMessage));
        Assert.True(double.IsNaN(last.Score));
        Assert.True(last.Folds[0].Diverged);
        Assert.Equal(last.DivergenceMessage, last.Folds[0].Message);
        Assert.Contains("diverged: " + last.DivergenceMessage, result.ToTable(), StringComparison.Ordinal);
        Assert.Equal(0.1, result.Best.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.False(result.Best.Diverged);
        Assert.True(result.Best.Score < result.Ranked[1].Score, "lower loss ranks first");
    }

    [Fact]
    public void An_absurd_learning_rate_on_the_classifier_diverges_or_scores_low_and_never_wins()
    {
        var space = new SearchSpace<float>(Quick, "sgd").LearningRates(1e5, 0.1);

        SearchResult result = HyperparameterSearch.Run(Net, space.Grid(), Train, Validation);

        CandidateResult absurd = result.Ranked.Single(r => r.Parameters.Get<double>(SearchAxes.LearningRate) == 1e5);
        Assert.Equal(2, absurd.Rank);
        Assert.True(absurd.Diverged || absurd.Score < 0.7, result.ToTable());
    }

    [Fact]
    public void Results_are_identical_for_any_degree_of_parallelism()
    {
        var space = new SearchSpace<float>(Quick with { Epochs = 4 }, "sgd").LearningRates(1e5, 0.3, 0.03).BatchSizes(8, 32);
        IReadOnlyList<Candidate<float>> grid = space.Grid();

        SearchResult one = HyperparameterSearch.CrossValidate(Net, grid, Train, folds: 3, new SearchOptions { MaxDegreeOfParallelism = 1, SeedPerCandidate = true });
        SearchResult two = HyperparameterSearch.CrossValidate(Net, grid, Train, folds: 3, new SearchOptions { MaxDegreeOfParallelism = 2, SeedPerCandidate = true });
        SearchResult holdOut1 = HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { MaxDegreeOfParallelism = 1 });
        SearchResult holdOut2 = HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { MaxDegreeOfParallelism = 2 });

        AssertSame(one, two);
        AssertSame(holdOut1, holdOut2);

        static void AssertSame(SearchResult a, SearchResult b)
        {
            Assert.Equal(a.Ranked.Select(r => r.Index), b.Ranked.Select(r => r.Index));
            for (int i = 0; i < a.Ranked.Count; i++)
            {
                CandidateResult x = a.Ranked[i], y = b.Ranked[i];
                Assert.Equal(x.Parameters, y.Parameters);
                Assert.Equal(x.Seed, y.Seed);
                Assert.Equal(x.FoldScores, y.FoldScores);
                Assert.Equal(x.Score, y.Score);
                Assert.Equal(x.ScoreStandardDeviation, y.ScoreStandardDeviation);
                Assert.Equal(x.TrainLoss, y.TrainLoss);
                Assert.Equal(x.ValidationLoss, y.ValidationLoss);
                Assert.Equal(x.EpochsRun, y.EpochsRun);
                Assert.Equal(x.Diverged, y.Diverged);
                Assert.Equal(x.DivergenceMessage, y.DivergenceMessage);
            }
        }
    }

    [Fact]
    public void Candidates_share_one_seed_by_default_and_get_distinct_seeds_on_request()
    {
        IReadOnlyList<Candidate<float>> grid = new SearchSpace<float>(Quick with { Epochs = 1 }).LearningRates(0.1, 0.01, 0.001).Grid();

        SearchResult shared = HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { Seed = 5 });
        SearchResult distinct = HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { Seed = 5, SeedPerCandidate = true });

        Assert.All(shared.Candidates, r => Assert.Equal(5, r.Seed));
        Assert.Equal(3, distinct.Candidates.Select(r => r.Seed).Distinct().Count());
    }

    [Fact]
    public void K_fold_gives_one_score_per_fold_and_their_mean_and_population_deviation()
    {
        var prepared = new List<(int Train, int Validation)>();
        var space = new SearchSpace<float>(Quick with { Epochs = 5 }, "adam").LearningRates(0.01, 0.0001);

        SearchResult result = HyperparameterSearch.CrossValidate(
            Net, space.Grid(), Blobs(150, 3), folds: 3, new SearchOptions { Seed = 2 },
            prepareFold: (train, validation) =>
            {
                lock (prepared)
                {
                    prepared.Add((train.Count, validation.Count));
                }

                Standardizer scaler = Standardizer.Fit(train);
                return (scaler.Transform(train), scaler.Transform(validation));
            });

        Assert.Equal([(100, 50), (100, 50), (100, 50)], prepared);
        Assert.Equal(3, result.FoldCount);
        foreach (CandidateResult r in result.Candidates)
        {
            Assert.Equal([1, 2, 3], r.Folds.Select(f => f.Fold));
            Assert.Equal(3, r.FoldScores.Count);
            double mean = r.FoldScores.Average();
            Assert.Equal(mean, r.Score, 12);
            Assert.Equal(Math.Sqrt(r.FoldScores.Average(s => (s - mean) * (s - mean))), r.ScoreStandardDeviation, 12);
            Assert.Equal(r.Folds.Average(f => f.Validation!.Loss), r.ValidationLoss, 12);
            Assert.All(r.Folds, f => Assert.Equal(Math.Round(f.Score * 50), f.Score * 50, 9)); // 50 validation rows per fold
        }

        Assert.Equal(0.01, result.Best.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.Contains("std", result.ToTable().Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Random_search_draws_the_same_candidates_for_the_same_seed_within_the_ranges()
    {
        var space = new SearchSpace<float>(Quick)
            .LearningRates(ParameterDistribution.LogUniform(1e-4, 1e-1))
            .BatchSizes(8, 16, 32)
            .Optimizers("sgd", "adam");

        IReadOnlyList<Candidate<float>> a = space.Random(20, seed: 7), b = space.Random(20, seed: 7), c = space.Random(20, seed: 8);

        Assert.Equal(a.Select(x => x.Parameters), b.Select(x => x.Parameters));
        Assert.NotEqual(a.Select(x => x.Parameters), c.Select(x => x.Parameters));
        Assert.All(a, x =>
        {
            Assert.Equal([SearchAxes.LearningRate, SearchAxes.BatchSize, SearchAxes.Optimizer], x.Parameters.Names);
            Assert.InRange(x.Parameters.Get<double>(SearchAxes.LearningRate), 1e-4, 1e-1);
            Assert.Contains(x.Parameters.Get<int>(SearchAxes.BatchSize), new[] { 8, 16, 32 });
            TrainingSetup<float> setup = x.CreateSetup();
            Assert.Equal(x.Parameters.Get<double>(SearchAxes.LearningRate), setup.Options.LearningRate);
            Assert.Equal(x.Parameters.Get<int>(SearchAxes.BatchSize), setup.Options.BatchSize);
            Assert.IsType(x.Parameters.Get<string>(SearchAxes.Optimizer) == "sgd" ? typeof(Sgd<float>) : typeof(Adam<float>), setup.Optimizer);
        });
        Assert.Null(space.GridSize);
        Assert.Throws<InvalidOperationException>(() => space.Grid());
    }

    [Fact]
    public void Random_search_finds_a_learning_rate_that_learns_and_ranks_the_tiny_ones_below()
    {
        IReadOnlyList<Candidate<float>> candidates = new SearchSpace<float>(Quick, "sgd").LearningRates(ParameterDistribution.LogUniform(1e-7, 0.3)).Random(8, seed: 3);

        SearchResult result = HyperparameterSearch.Run(Net, candidates, Train, Validation);

        double best = result.Best.Parameters.Get<double>(SearchAxes.LearningRate);
        double smallest = candidates.Min(c => c.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.True(best > 1e-3, result.ToTable());
        Assert.True(result.Best.Score > 0.9, result.ToTable());
        Assert.True(result.Ranked.Single(r => r.Parameters.Get<double>(SearchAxes.LearningRate) == smallest).Score < result.Best.Score, result.ToTable());
        for (int i = 1; i < result.Ranked.Count; i++)
        {
            Assert.True(result.Ranked[i].Score <= result.Ranked[i - 1].Score, result.ToTable());
        }
    }

    [Fact]
    public void Distributions_sample_what_they_promise()
    {
        var random = new SplitMix64(11);
        ParameterDistribution<double> logUniform = ParameterDistribution.LogUniform(1e-4, 1);
        ParameterDistribution<double> uniform = ParameterDistribution.Uniform(-1, 3);
        ParameterDistribution<int> integers = ParameterDistribution.IntegerUniform(2, 4);
        const int N = 20_000;
        int belowHundredth = 0, belowThousandth = 0;
        double sum = 0;
        var counts = new int[5];
        for (int i = 0; i < N; i++)
        {
            double v = logUniform.Sample(ref random);
            Assert.InRange(v, 1e-4, 1);
            belowHundredth += v < 1e-2 ? 1 : 0;
            belowThousandth += v < 1e-3 ? 1 : 0;
            double u = uniform.Sample(ref random);
            Assert.InRange(u, -1, 3);
            sum += u;
            counts[integers.Sample(ref random)]++;
        }

        Assert.InRange(belowHundredth / (double)N, 0.48, 0.52);    // two of four decades
        Assert.InRange(belowThousandth / (double)N, 0.23, 0.27);   // one of four decades
        Assert.InRange(sum / N, 0.95, 1.05);
        Assert.Equal(0, counts[0] + counts[1]);
        Assert.All(counts[2..], c => Assert.InRange(c / (double)N, 0.31, 0.36));
        Assert.Null(logUniform.Values);
        Assert.Equal([1.0, 2.0], ParameterDistribution.Choice(1.0, 2.0).Values!);
        Assert.Equal("log-uniform[0.0001, 1]", logUniform.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterDistribution.LogUniform(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterDistribution.Uniform(2, 1));
        Assert.Throws<ArgumentException>(() => ParameterDistribution.Choice<double>());
    }

    [Fact]
    public void Score_matrix_has_one_row_per_value_of_the_first_axis_and_one_column_per_value_of_the_second_ascending()
    {
        var space = new SearchSpace<float>(Quick with { Epochs = 3 }, "sgd").LearningRates(0.1, 1e5, 0.01).L2(0.01, 0);
        SearchResult result = HyperparameterSearch.Run(Net, space.Grid(), Train, Validation);

        ScoreMatrix matrix = result.ScoreMatrix(SearchAxes.LearningRate, SearchAxes.L2);

        Assert.Equal(SearchAxes.LearningRate, matrix.RowAxis);
        Assert.Equal(SearchAxes.L2, matrix.ColumnAxis);
        Assert.Equal((3, 2), (matrix.Rows, matrix.Columns));
        Assert.Equal(new object?[] { 0.01, 0.1, 1e5 }, matrix.RowValues);
        Assert.Equal(new object?[] { 0.0, 0.01 }, matrix.ColumnValues);
        foreach (CandidateResult r in result.Candidates)
        {
            int i = matrix.RowValues.ToList().IndexOf(r.Parameters[SearchAxes.LearningRate]);
            int j = matrix.ColumnValues.ToList().IndexOf(r.Parameters[SearchAxes.L2]);
            Assert.Equal(r.Diverged, matrix.IsDiverged(i, j));
            Assert.Equal(r.Diverged ? double.NaN : r.Score, matrix[i, j]);
        }

        string[] lines = matrix.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(2 + 3, lines.Length);
        Assert.StartsWith("eta \\ l2", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("0.01", lines[2], StringComparison.Ordinal);
        double[,] copy = matrix.ToArray();
        Assert.Equal(3, copy.GetLength(0));
        Assert.Equal(2, copy.GetLength(1));

        SearchResult transposedSource = result;
        ScoreMatrix transposed = transposedSource.ScoreMatrix(SearchAxes.L2, SearchAxes.LearningRate);
        Assert.Equal((2, 3), (transposed.Rows, transposed.Columns));
        Assert.Equal(matrix[2, 1], transposed[1, 2]);
        Assert.Throws<ArgumentException>(() => result.ScoreMatrix(SearchAxes.LearningRate, "momentum"));
        Assert.Throws<ArgumentException>(() => result.ScoreMatrix(SearchAxes.L2, SearchAxes.L2));
    }

    [Fact]
    public void Score_matrix_cells_take_the_best_over_the_other_axes()
    {
        var space = new SearchSpace<float>(Quick with { Epochs = 3 }, "sgd").LearningRates(0.1, 0.01).L2(0, 0.01).BatchSizes(8, 64);
        SearchResult result = HyperparameterSearch.Run(Net, space.Grid(), Train, Validation);

        ScoreMatrix matrix = result.ScoreMatrix(SearchAxes.LearningRate, SearchAxes.L2);

        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double best = result.Candidates
                    .Where(r => Equals(r.Parameters[SearchAxes.LearningRate], matrix.RowValues[i]) && Equals(r.Parameters[SearchAxes.L2], matrix.ColumnValues[j]))
                    .Max(r => r.Score);
                Assert.Equal(best, matrix[i, j]);
            }
        }
    }

    [Fact]
    public void Grid_enumerates_the_cartesian_product_with_the_last_axis_fastest()
    {
        var space = new SearchSpace<float>().LearningRates(0.1, 0.01).L2(0, 1e-3, 1e-2).Optimizers("adam", "sgd");

        IReadOnlyList<Candidate<float>> grid = space.Grid();

        Assert.Equal(12, grid.Count);
        Assert.Equal(12L, space.GridSize);
        Assert.Equal("eta=0.1, l2=0, optimizer=adam", grid[0].ToString());
        Assert.Equal("eta=0.1, l2=0, optimizer=sgd", grid[1].ToString());
        Assert.Equal("eta=0.1, l2=0.001, optimizer=adam", grid[2].ToString());
        Assert.Equal("eta=0.01, l2=0.01, optimizer=sgd", grid[11].ToString());
        Assert.Equal(grid.Count, grid.Select(c => c.Parameters).Distinct().Count());
        Assert.Single(new SearchSpace<float>().Grid());
        Assert.Equal("eta {0.1, 0.01} × l2 {0, 0.001, 0.01} × optimizer {adam, sgd}", space.ToString());
    }

    [Fact]
    public void Any_fit_option_and_the_optimizer_can_be_an_axis()
    {
        var space = new SearchSpace<float>(Quick)
            .Add("clip", ParameterDistribution.Choice<double?>(null, 1.0), (o, v) => o with { ClipNorm = v })
            .Add("mu", ParameterDistribution.Choice(0.5, 0.9))
            .Epochs(2, 3)
            .WithOptimizer(p => new Momentum<float>(momentum: p.Get<double>("mu")));

        IReadOnlyList<Candidate<float>> grid = space.Grid();

        Assert.Equal(8, grid.Count);
        foreach (Candidate<float> c in grid)
        {
            TrainingSetup<float> setup = c.CreateSetup();
            Assert.Equal((double?)c.Parameters["clip"], setup.Options.ClipNorm);
            Assert.Equal(c.Parameters.Get<int>(SearchAxes.Epochs), setup.Options.Epochs);
            Momentum<float> momentum = Assert.IsType<Momentum<float>>(setup.Optimizer);
            Assert.NotSame(setup.Optimizer, c.CreateSetup().Optimizer);
            Assert.Contains($"μ={c.Parameters.Get<double>("mu").ToString(System.Globalization.CultureInfo.InvariantCulture)}", momentum.Name, StringComparison.Ordinal);
        }

        SearchResult result = HyperparameterSearch.Run(Net, grid, Train, Validation);
        Assert.All(result.Candidates, r => Assert.Equal(r.Parameters.Get<int>(SearchAxes.Epochs), r.EpochsRun));
        Assert.Contains("clip", result.ToTable().Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("-", result.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hand_made_candidates_with_early_stopping_are_watched_on_the_validation_rows()
    {
        // η = 0 never changes the validation loss, so patience 0 stops after the second epoch.
        var candidates = new[]
        {
            new Candidate<float>(Hyperparameters.Of(("eta", 0.0)), p => new TrainingSetup<float>(new Sgd<float>(p.Get<double>("eta")), Quick with { Epochs = 50, EarlyStoppingPatience = 0 })),
            new Candidate<float>(Hyperparameters.Of(("eta", 0.1)), p => new TrainingSetup<float>(new Sgd<float>(p.Get<double>("eta")), Quick)),
        };

        SearchResult result = HyperparameterSearch.Run(Net, candidates, Train, Validation);

        Assert.Equal(2, result.Candidates[0].EpochsRun);
        Assert.Equal(8, result.Candidates[1].EpochsRun);
        Assert.Equal(1, result.Candidates[1].Rank);
    }

    [Fact]
    public void Regression_ranks_by_the_lowest_loss_and_any_chosen_metric_points_the_right_way()
    {
        Dataset<double> train = Plane(200, 1), validation = Plane(100, 2);
        IReadOnlyList<Candidate<double>> grid = new SearchSpace<double>(new FitOptions { Epochs = 5, BatchSize = 10, TrainingMetrics = false }, "sgd")
            .LearningRates(0.001, 0.1, 0.01, 0).Grid();
        INetwork<double> Factory(int seed) => new GenericNetwork<double>(Line, seed);

        SearchResult byLoss = HyperparameterSearch.Run(Factory, grid, train, validation);
        SearchResult byMse = HyperparameterSearch.Run(Factory, grid, train, validation, new SearchOptions { Metric = SearchMetric.MeanSquaredError });
        SearchResult byR2 = HyperparameterSearch.Run(Factory, grid, train, validation, new SearchOptions { Metric = SearchMetric.R2 });

        Assert.Equal(SearchMetric.Loss, byLoss.Metric);
        Assert.Equal(0.1, byLoss.Best.Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.Equal(0.0, byLoss.Ranked[^1].Parameters.Get<double>(SearchAxes.LearningRate));
        Assert.Equal(byLoss.Ranked.Select(r => r.Index), byMse.Ranked.Select(r => r.Index));
        Assert.Equal(byLoss.Ranked.Select(r => r.Index), byR2.Ranked.Select(r => r.Index));
        Assert.True(byR2.HigherIsBetter);
        Assert.False(byMse.HigherIsBetter);
        Assert.Equal(byR2.Best.Folds[0].Validation!.R2, byR2.Best.Score);
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(Factory, grid, train, validation, new SearchOptions { Metric = SearchMetric.Accuracy }));
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(Net, new SearchSpace<float>().Grid(), Train, Validation, new SearchOptions { Metric = SearchMetric.R2 }));
    }

    [Fact]
    public void Progress_reports_every_candidate_once()
    {
        var reports = new List<SearchProgress>();
        IReadOnlyList<Candidate<float>> grid = new SearchSpace<float>(Quick with { Epochs = 1 }).LearningRates(0.1, 0.01, 0.001).BatchSizes(16, 32).Grid();

        SearchResult result = HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { MaxDegreeOfParallelism = 2, Progress = new SyncProgress<SearchProgress>(reports.Add) });

        Assert.Equal(Enumerable.Range(1, 6), reports.Select(r => r.Completed));
        Assert.All(reports, r => Assert.Equal(6, r.Total));
        Assert.Equal(Enumerable.Range(0, 6), reports.Select(r => r.Result.Index).Order());
        Assert.All(reports, r => Assert.Equal(result.Candidates[r.Result.Index].Score, r.Result.Score));
    }

    [Fact]
    public void Cancellation_stops_the_search()
    {
        IReadOnlyList<Candidate<float>> grid = new SearchSpace<float>(Quick with { Epochs = 2 }).LearningRates(0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001, 0.00003).Grid();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { CancellationToken = cancelled.Token }));

        using var source = new CancellationTokenSource();
        int completed = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions
        {
            MaxDegreeOfParallelism = 1,
            CancellationToken = source.Token,
            Progress = new SyncProgress<SearchProgress>(p =>
            {
                completed = p.Completed;
                source.Cancel();
            }),
        }));
        Assert.Equal(1, completed);
    }

    [Fact]
    public void The_table_has_a_header_a_rule_and_one_aligned_row_per_candidate()
    {
        var space = new SearchSpace<float>(Quick with { Epochs = 2 }, "sgd").LearningRates(1e5, 0.1, 0.01).L2(0, 1e-4);
        SearchResult result = HyperparameterSearch.Run(Net, space.Grid(), Train, Validation);

        string[] lines = result.ToTable().TrimEnd('\n').Split('\n');

        Assert.Equal(2 + 6, lines.Length);
        Assert.Matches("^rank +eta +l2 +val accuracy +train loss +val loss +epochs +seconds +status$", lines[0]);
        Assert.Matches("^-+$", lines[1]);
        int scoreEnd = lines[0].IndexOf("val accuracy", StringComparison.Ordinal) + "val accuracy".Length;
        for (int i = 2; i < lines.Length; i++)
        {
            Assert.True(char.IsDigit(lines[i][scoreEnd - 1]) || lines[i][scoreEnd - 1] == 'N', lines[i]);
            Assert.Equal(' ', lines[i][scoreEnd]);
            Assert.StartsWith((i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(4), lines[i], StringComparison.Ordinal);
        }

        Assert.Equal(2 + 2, result.ToTable(top: 2).TrimEnd('\n').Split('\n').Length);
        Assert.Equal(result.ToTable(), result.ToString());
    }

    [Fact]
    public void Mistakes_are_reported_before_training_with_clear_exceptions()
    {
        IReadOnlyList<Candidate<float>> grid = new SearchSpace<float>(Quick).LearningRates(0.1).Grid();
        ArgumentException unknown = Assert.Throws<ArgumentException>(() => new SearchSpace<float>().Optimizers("adam", "lbfgs"));
        Assert.Contains("sgd", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchSpace<float>().LearningRates(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchSpace<float>().BatchSizes(0));
        Assert.Throws<ArgumentException>(() => new SearchSpace<float>().LearningRates(0.1).LearningRates(0.2));
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(Net, [], Train, Validation));
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(Net, grid, Train, Validation, new SearchOptions { MaxDegreeOfParallelism = 0 }));
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(seed => new GenericNetwork<float>(Line, seed), grid, Train, Validation));

        ArgumentException badSetup = Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(
            Net,
            [new Candidate<float>(Hyperparameters.Of(("batch", 0)), p => new TrainingSetup<float>(new Sgd<float>(), new FitOptions { BatchSize = p.Get<int>("batch") }))],
            Train,
            Validation));
        Assert.Contains("batch=0", badSetup.Message, StringComparison.Ordinal);

        var shared = new Sgd<float>();
        InvalidOperationException sharing = Assert.Throws<InvalidOperationException>(() => HyperparameterSearch.Run(
            Net, [new Candidate<float>(Hyperparameters.Empty, _ => new TrainingSetup<float>(shared, Quick))], Train, Validation));
        Assert.Contains("new optimizer", sharing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hyperparameters_convert_format_and_compare_by_value()
    {
        Hyperparameters p = Hyperparameters.Of(("eta", 1e-5), ("batch", 32), ("optimizer", "adam"), ("clip", null));

        Assert.Equal("eta=1e-05, batch=32, optimizer=adam, clip=-", p.ToString());
        Assert.Equal(32.0, p.Get<double>("batch"));
        Assert.Null(p.Get<double?>("clip"));
        Assert.Equal(0.5, p.GetOrDefault("missing", 0.5));
        KeyNotFoundException missing = Assert.Throws<KeyNotFoundException>(() => p["l2"]);
        Assert.Contains("eta, batch, optimizer, clip", missing.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCastException>(() => p.Get<int>("optimizer"));
        Assert.Equal(p, Hyperparameters.Of(("eta", 1e-5), ("batch", 32), ("optimizer", "adam"), ("clip", null)));
        Assert.Equal(p.GetHashCode(), Hyperparameters.Of(("eta", 1e-5), ("batch", 32), ("optimizer", "adam"), ("clip", null)).GetHashCode());
        Assert.NotEqual(p, p.With("batch", 64));
        Assert.Equal(64, p.With("batch", 64).Get<int>("batch"));
        Assert.Throws<ArgumentException>(() => Hyperparameters.Of(("a", 1), ("a", 2)));
    }
}
