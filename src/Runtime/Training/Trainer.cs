using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>
/// Trains any <see cref="INetwork{T}"/> — generated or generic — with mini-batch gradient descent: shuffle, batch,
/// <see cref="INetwork{T}.BackwardBatch"/>, average (weighted), regularize, clip, schedule, step, check, evaluate,
/// report, call the callbacks (<see cref="FitOptions.Callbacks"/>); resumable from a <see cref="TrainingCheckpoint"/>.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// The course's loop: plain SGD (w ← w − η ∂C/∂w) on shuffled mini-batches for <paramref name="epochs"/> epochs.
    /// </summary>
    /// <returns>The mean training loss of each epoch.</returns>
    public static IReadOnlyList<double> Fit<T>(this INetwork<T> network, T[] inputs, T[] targets, int epochs, int batchSize, double learningRate, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        var data = new Dataset<T>(inputs, targets, network.InputSize, network.OutputSize);
        TrainingHistory history = network.Fit(data, new Sgd<T>(learningRate), new FitOptions { Epochs = epochs, BatchSize = batchSize, Seed = seed, TrainingMetrics = false });
        return history.Loss;
    }

    /// <summary>Trains <paramref name="network"/> on <paramref name="train"/>.</summary>
    /// <param name="network">A generated network or a <see cref="GenericNetwork{T}"/>.</param>
    /// <param name="train">The training rows.</param>
    /// <param name="optimizer">The update rule; bound to the network's spec here, its state persists across epochs.</param>
    /// <param name="options">Epochs, batch size, regularization, callbacks, weights, resumption, progress…; defaults when null.</param>
    /// <param name="validation">Validation rows (inference-mode metrics per epoch); overrides <see cref="FitOptions.ValidationFraction"/>.</param>
    /// <returns>The metrics of every epoch, and why training stopped (<see cref="TrainingHistory.StopReason"/>).</returns>
    /// <remarks>
    /// Every step checks the loss, the gradients, the batch-normalization statistics and the parameters the update
    /// wrote; no parameter is ever left NaN or ∞. With a built-in optimizer (<see cref="FitOptions.FusedUpdate"/>) the
    /// optimizer averages, penalizes, clips by value and updates in one pass, and the loss and gradients are checked
    /// before it, so a failing step has changed nothing; the parameters (and the optimizer's state) are copied only before
    /// a step whose overflow bound — of its own update and of the next training pass at the parameters it can reach —
    /// does not clear it, which ordinary training never needs. Otherwise (custom optimizers, <see cref="FitOptions.ClipNorm"/>,
    /// <see cref="FitOptions.LayerDiagnostics"/>, plain SGD through a generated network's fused step) the parameters are
    /// copied once per step so that a failing step can be undone exactly.
    /// </remarks>
    /// <exception cref="TrainingDivergedException">
    /// A loss, gradient, statistic or updated parameter became NaN or ∞ (without <see cref="TerminateOnNaN"/>); the
    /// network keeps the last parameters whose loss and gradients were finite, and the exception carries the history.
    /// </exception>
    /// <exception cref="TrainingCanceledException">
    /// The cancellation token fired; the parameters are those of the last completed step, and the exception carries the history.
    /// </exception>
    public static TrainingHistory Fit<T>(this INetwork<T> network, Dataset<T> train, IOptimizer<T> optimizer, FitOptions? options = null, Dataset<T>? validation = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(optimizer);
        options ??= new FitOptions();
        options.Validate();
        Evaluation.RequireShape(network, train, nameof(train));
        if (train.Count == 0)
        {
            throw new ArgumentException("The training data has no rows.", nameof(train));
        }

        double[]? weights = RowWeights(network.Spec, train, options);
        if (validation is null && options.ValidationFraction > 0)
        {
            (train, validation, weights) = HoldOut(network.Spec, train, weights, options);
        }

        if (validation is not null)
        {
            Evaluation.RequireShape(network, validation, nameof(validation));
        }

        CheckFinite(train, "training");
        if (validation is not null)
        {
            CheckFinite(validation, "validation");
        }

        if (weights is not null && network.Spec.Stages.Any(s => s.BatchNorm is not null) && !Uniform(weights))
        {
            throw new ArgumentException(
                "Sample or class weights that differ between rows need a network without batch normalization: rows of different " +
                $"weights are back-propagated in separate groups, which would change the batch statistics ({network.Spec}).",
                nameof(options));
        }

        return new Loop<T>(network, train, optimizer, options, validation, weights).Run();
    }

    /// <summary>The weight of every training row from SampleWeights or ClassWeights, or null when there are none (or all are 1).</summary>
    private static double[]? RowWeights<T>(NetworkSpec spec, Dataset<T> data, FitOptions options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[]? weights = null;
        if (options.SampleWeights is { } sample)
        {
            if (sample.Count != data.Count)
            {
                throw new ArgumentException($"SampleWeights has {sample.Count} weights, but the training data has {data.Count} rows.", nameof(options));
            }

            weights = sample.ToArray();
        }
        else if (options.ClassWeights is { } classes)
        {
            int[] labels = ClassLabels(spec, data) ?? throw new ArgumentException(
                "ClassWeights need class labels: the data have none and the targets are not one-hot (or 0/1 for one sigmoid output).", nameof(options));
            weights = new double[data.Count];
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = classes.TryGetValue(labels[i], out double w) ? w : 1.0;
            }
        }

        return weights is null || Array.TrueForAll(weights, w => w == 1.0) ? null : weights;
    }

    private static bool Uniform(double[] weights) => Array.TrueForAll(weights, w => w == weights[0]);

    /// <summary>The class of every row: the dataset's labels, else the argmax of one-hot targets (or y ≥ 0.5 for one 0/1 output) of a classifier; null for regression.</summary>
    internal static int[]? ClassLabels<T>(NetworkSpec spec, Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.Labels is not null)
        {
            return data.Labels;
        }

        Activation output = spec.Stages[^1].Activation;
        bool classifier = spec.Loss is Loss.CrossEntropy or Loss.BinaryCrossEntropy || output is Activation.Softmax or Activation.Sigmoid;
        if (!classifier)
        {
            return null;
        }

        var labels = new int[data.Count];
        int k = data.TargetCount;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<T> y = data.TargetRow(i);
            int ones = 0;
            for (int j = 0; j < k; j++)
            {
                if (y[j] == T.One)
                {
                    ones++;
                    labels[i] = j;
                }
                else if (y[j] != T.Zero)
                {
                    return null;
                }
            }

            if (k == 1)
            {
                labels[i] = ones;
            }
            else if (ones != 1)
            {
                return null;
            }
        }

        return labels;
    }

    internal static (Dataset<T> Train, Dataset<T> Validation, double[]? Weights) HoldOut<T>(NetworkSpec spec, Dataset<T> data, double[]? weights, FitOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double fraction = options.ValidationFraction;
        int held = (int)Math.Round(data.Count * fraction, MidpointRounding.AwayFromZero);
        if (held < 1 || held >= data.Count)
        {
            throw new ArgumentException($"ValidationFraction {fraction} of {data.Count} rows leaves no training or no validation rows.", nameof(options));
        }

        int[]? labels = ClassLabels(spec, data);
        ValidationSplitMode mode = options.ValidationSplit == ValidationSplitMode.Auto
            ? (labels is null ? ValidationSplitMode.Shuffled : ValidationSplitMode.Stratified)
            : options.ValidationSplit;
        int[] trainRows, validationRows;
        if (mode == ValidationSplitMode.LastRows)
        {
            trainRows = new int[data.Count - held];
            validationRows = new int[held];
            for (int i = 0; i < trainRows.Length; i++)
            {
                trainRows[i] = i;
            }

            for (int i = 0; i < held; i++)
            {
                validationRows[i] = trainRows.Length + i;
            }
        }
        else
        {
            if (mode == ValidationSplitMode.Stratified && labels is null)
            {
                throw new ArgumentException(
                    "ValidationSplit Stratified needs classification data (labels, or one-hot targets of a softmax or sigmoid network); use Shuffled or LastRows.",
                    nameof(options));
            }

            ulong seed = (ulong)(uint)options.Seed ^ 0xA0761D6478BD642FUL;
            (trainRows, validationRows) = DataSplit.TrainTestIndices(data.Count, fraction, seed, mode == ValidationSplitMode.Stratified ? labels : null);
        }

        double[]? trainWeights = null;
        if (weights is not null)
        {
            trainWeights = new double[trainRows.Length];
            for (int i = 0; i < trainRows.Length; i++)
            {
                trainWeights[i] = weights[trainRows[i]];
            }
        }

        return (data.Subset(trainRows), data.Subset(validationRows), trainWeights);
    }

    private static void CheckFinite<T>(Dataset<T> data, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < data.Features.Length; i++)
        {
            if (!T.IsFinite(data.Features[i]))
            {
                throw new ArgumentException($"The {name} data has a non-finite feature ({data.Features[i]}) at row {i / data.FeatureCount}, feature {i % data.FeatureCount}.", nameof(data));
            }
        }

        for (int i = 0; i < data.Targets.Length; i++)
        {
            if (!T.IsFinite(data.Targets[i]))
            {
                throw new ArgumentException($"The {name} data has a non-finite target ({data.Targets[i]}) at row {i / data.TargetCount}, target {i % data.TargetCount}.", nameof(data));
            }
        }
    }

    /// <summary>One Fit call's state: buffers allocated once, then the epoch loop allocates nothing per step.</summary>
    private sealed class Loop<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly INetwork<T> _network;
        private readonly Dataset<T> _train;
        private readonly Dataset<T>? _validation;
        private readonly IOptimizer<T> _optimizer;
        private readonly FitOptions _options;
        private readonly NetworkSpec _spec;
        private readonly int[] _order;
        private readonly T[] _batchX, _batchY;
        private readonly double[]? _weights;
        private readonly double[] _batchWeights = [];
        private readonly int[] _batchRows = [];

        // The parameters, state and dropout generator state at the start of the previous step (the last ones whose
        // loss and gradients were finite) and at the start of this step: one copy per step, swapped, never allocated.
        private T[] _kept, _keptState, _start, _startState;
        private ulong _keptRandom, _startRandom;
        private long _keptSteps;

        // The fused update (FusedUpdate): max |θ| after the last step, for the next step's overflow bound; the copy of the
        // parameters and of the optimizer's state, made only before a step whose bound says it might overflow.
        private readonly bool _fusedUpdate;
        private double _maxParameter = double.PositiveInfinity;
        private T[][] _optimizerStart = [];
        private long _optimizerStartSteps;
        private readonly int _penalizedCount;
        private readonly double[] _blockMaxima;
        private readonly TrainingPassBound _passBound;

        // The engine of a generated network (IEngineBacked): its fold of the two cores' gradients also finds max |Σ ∂C/∂θ|,
        // and when _deferInputLayer (FitOptions.UpdateInsideInputLayer) the fused step forms ∂C/∂W1 inside the update;
        // max |x| over the training rows bounds that gradient before it is formed.
        private readonly ITrainingEngine<T>? _engine;
        private readonly bool _deferInputLayer, _scanAfterFold;
        private readonly double _maxFeature;
        private readonly T[] _undoState;
        private ulong _undoRandom;
        private long _undoStep = -1;
        private long _guardedSteps;

        // A step whose own values are bounded but whose next pass is not (a user-written activation or loss) is not copied:
        // the copy made at most ReplaySpan steps before it, in the same epoch, and a replay of the steps since then give
        // its start back should the next pass overflow (_replayStep: the last such step; _epochFirstStep: _steps at the
        // first step of this epoch; _lastInEpoch: this step ends the epoch, whose order the next one reshuffles).
        private const int ReplaySpan = 32;
        private readonly bool _replayable;
        private long _replayStep = -1, _epochFirstStep;
        private bool _lastInEpoch, _replaying;
        private long _replayCopies;
        private const int StepLossCount = 64;   // more than the steps a replay takes again (at most 2 · ReplaySpan − 1)
        private readonly double[] _stepLosses = new double[StepLossCount];

        // Plain SGD's one-pass step (FusedStep), whose update is written in the same pass that finds its loss: the two
        // latest copies, so that one is at or before the previous step's start.
        private StepCopy _newCopy = new(), _oldCopy = new();   // for the one-pass step: _kept and _start (see the constructor)

        /// <summary>The parameters, statistics and dropout key at the start of step <see cref="Step"/> (−1: none), and the optimizer's step count then.</summary>
        private sealed class StepCopy
        {
            public T[] Parameters = [], State = [];
            public ulong Random;
            public long Step = -1, OptimizerSteps;
        }

        // Training metrics accumulated during the training pass (FitOptions.TrainingMetricsPass), reset every epoch.
        private readonly bool _metricsInPass, _metricsPass;
        private long _correct;
        private double _squaredError;
        private readonly double[] _sumY = [], _sumY2 = [], _residual = [];

        private readonly T[] _evaluationBuffer;
        private readonly double[] _layerNorms, _layerNormSquares;
        private readonly List<ITrainingCallback> _callbacks;
        private readonly EarlyStopping? _legacyEarlyStopping;
        private readonly int _initialEpoch;
        private double _baseRate;
        private SplitMix64 _rng;
        private long _steps;
        private int _completedEpochs;
        private bool _atEpochEnd;
        private Context? _context;

        public Loop(INetwork<T> network, Dataset<T> train, IOptimizer<T> optimizer, FitOptions options, Dataset<T>? validation, double[]? weights)
        {
            _network = network;
            _train = train;
            _validation = validation;
            _optimizer = optimizer;
            _options = options;
            _spec = network.Spec;
            _weights = weights;
            _order = new int[train.Count];
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }

            int batch = Math.Min(options.BatchSize, train.Count);
            _batchX = new T[batch * train.FeatureCount];
            _batchY = new T[batch * train.TargetCount];
            if (weights is not null)
            {
                _batchWeights = new double[batch];
                _batchRows = new int[batch];
            }

            _kept = new T[network.ParameterCount];
            _keptState = new T[network.State.Length];
            _start = new T[network.ParameterCount];
            _startState = new T[network.State.Length];
            _evaluationBuffer = new T[Math.Min(256, Math.Max(train.Count, validation?.Count ?? 0)) * network.OutputSize];
            _layerNorms = new double[_spec.Stages.Count];
            _layerNormSquares = new double[_spec.Stages.Count];
            _rng = new SplitMix64((ulong)(uint)options.Seed ^ 0x5851F42D4C957F2DUL);
            network.RandomState = Initializers.InitialRandomState(options.Seed) ^ 0xD6E8FEB86659FD93UL;
            optimizer.Bind(_spec);
            if (options.LearningRate is { } eta)
            {
                optimizer.LearningRate = eta;
            }

            _baseRate = optimizer.LearningRate;
            if (options.ResumeFrom is { } checkpoint)
            {
                Resume(checkpoint);
            }

            _fusedUpdate = options.FusedUpdate && optimizer is IFusedOptimizer<T> && options.ClipNorm is null && !options.LayerDiagnostics;
            foreach (ParameterBlock block in _spec.Layout)
            {
                _penalizedCount += block.IsPenalized ? block.Length : 0;
            }

            _blockMaxima = new double[_spec.Layout.Count];
            _undoState = new T[network.State.Length];
            _maxFeature = FusedUpdate.MaxMagnitude<T>(train.Features);
            _passBound = new TrainingPassBound(_spec, _maxFeature, FusedUpdate.MaxMagnitude<T>(train.Targets));
            _engine = _fusedUpdate && network is IEngineBacked<T> backed ? backed.Engine : null;
            _scanAfterFold = options.ScanAfterFold;
            _deferInputLayer = _engine is not null && options.UpdateInsideInputLayer && weights is null;

            // a network that keeps its training outputs (generated networks, GenericNetwork) reports the metrics of the pass
            bool outputsExposed = network is ITrainingOutputs<T> && weights is null;
            _metricsInPass = options.TrainingMetrics && options.TrainingMetricsPass != true && outputsExposed;
            if (_metricsInPass)
            {
                ((ITrainingOutputs<T>)network).KeepTrainingOutputs = true;   // off again when Run ends
            }

            _metricsPass = options.TrainingMetrics && (options.TrainingMetricsPass == true || (options.TrainingMetricsPass is null && !outputsExposed));
            if (_metricsInPass && train.Labels is null)
            {
                _sumY = new double[network.OutputSize];
                _sumY2 = new double[network.OutputSize];
                _residual = new double[network.OutputSize];
            }

            _initialEpoch = _completedEpochs;
            _callbacks = [.. options.Callbacks];
            if (options.EarlyStoppingPatience is { } patience)
            {
                _legacyEarlyStopping = new EarlyStopping(
                    validation is null ? "loss" : "val_loss", options.EarlyStoppingMinDelta, patience, MonitorMode.Min, options.RestoreBestParameters);
                _callbacks.Add(_legacyEarlyStopping);
            }

            // The built-in callbacks change nothing between the batches of an epoch (TerminateOnNaN only asks to stop);
            // a callback of the user's might (the parameters, the learning rate), so with one every such step is copied.
            _replayable = _fusedUpdate && _callbacks.All(c => c is TerminateOnNaN or CsvLogger or EarlyStopping or ModelCheckpoint or ReduceLearningRateOnPlateau);
            if (_replayable && Fused)
            {
                // The one-pass step's two copies, in the buffers of the copy per step it no longer makes (allocated here, not in a step).
                _newCopy = new StepCopy { Parameters = _kept, State = _keptState };
                _oldCopy = new StepCopy { Parameters = _start, State = new T[network.State.Length] };
            }
        }

        /// <summary>Puts the network, the optimizer, the schedule position and the random states where the checkpoint left them.</summary>
        private void Resume(TrainingCheckpoint checkpoint)
        {
            if (!checkpoint.Spec.SameTopology(_spec) || checkpoint.Spec.Precision != _spec.Precision)
            {
                throw new ArgumentException($"The checkpoint is of {checkpoint.Spec}, but the network is {_spec}.", nameof(checkpoint));
            }

            if (checkpoint.TrainingRows != _train.Count)
            {
                throw new ArgumentException(
                    $"The checkpoint was taken training on {checkpoint.TrainingRows} rows, but this Fit trains on {_train.Count}: " +
                    "resume with the same data, ValidationFraction and seed.", nameof(checkpoint));
            }

            checkpoint.RestoreOptimizer(_optimizer);
            checkpoint.RestoreNetwork(_network);
            checkpoint.Order.CopyTo(_order);
            _rng.State = checkpoint.ShuffleState;
            _steps = checkpoint.Steps;
            _completedEpochs = checkpoint.Epoch;
            _baseRate = checkpoint.BaseLearningRate;
            _optimizer.LearningRate = checkpoint.LearningRate;
        }

        public TrainingHistory Run()
        {
            var history = new TrainingHistory { InitialEpoch = _initialEpoch };
            var total = Stopwatch.StartNew();
            double best = double.PositiveInfinity;
            _context = new Context(this, history);
            Keep();
            try
            {
                foreach (ITrainingCallback callback in _callbacks)
                {
                    callback.OnTrainBegin(_context);
                }

                for (int epoch = _initialEpoch + 1; epoch <= _options.Epochs && !_context.StopRequested; epoch++)
                {
                    foreach (ITrainingCallback callback in _callbacks)
                    {
                        callback.OnEpochBegin(_context, epoch);
                    }

                    EpochReport report = RunEpoch(epoch);
                    _completedEpochs = epoch;
                    history.Add(report);
                    double monitored = report.Validation?.Loss ?? report.Train.Loss;
                    if (history.BestEpoch == 0 || monitored < best)
                    {
                        best = monitored;
                        history.BestEpoch = epoch;
                    }

                    _options.Progress?.Report(report);
                    _atEpochEnd = true;
                    try
                    {
                        foreach (ITrainingCallback callback in _callbacks)
                        {
                            callback.OnEpochEnd(_context, report);
                        }
                    }
                    finally
                    {
                        _atEpochEnd = false;
                    }
                }

                if (_context.StopRequested && (history.Epochs.Count == 0 || history.Epochs[^1].Epoch < _options.Epochs || _context.StoppedInBatch))
                {
                    history.StopReason = TrainingStopReason.StopRequested;
                    history.StopMessage = _context.StopMessage;
                }

                EndTraining(history);
            }
            catch (OperationCanceledException e) when (_options.CancellationToken.IsCancellationRequested && e is not TrainingCanceledException)
            {
                history.StopReason = TrainingStopReason.Cancelled;
                history.StopMessage = "The cancellation token fired.";
                history.Duration = total.Elapsed;
                throw new TrainingCanceledException(history, _steps, _options.CancellationToken, e);
            }
            catch (TrainingDivergedException e) when (e.History is null)
            {
                history.StopReason = TrainingStopReason.Diverged;
                history.StopMessage = e.Message;
                history.Duration = total.Elapsed;
                e.History = history;
                if (!_callbacks.Any(c => c is TerminateOnNaN))
                {
                    throw;
                }

                history.Divergence = e;
                EndTraining(history);
            }
            finally
            {
                history.Duration = total.Elapsed;
                history.GuardedSteps = _guardedSteps;
                history.ReplayCopies = _replayCopies;
                if (_metricsInPass)
                {
                    ((ITrainingOutputs<T>)_network).KeepTrainingOutputs = false;   // as the network was: Fit turned it on
                }
            }

            return history;
        }

        private void EndTraining(TrainingHistory history)
        {
            foreach (ITrainingCallback callback in _callbacks)
            {
                callback.OnTrainEnd(_context!, history);
            }

            if (_legacyEarlyStopping is { BestEpoch: > 0 } legacy)
            {
                history.BestEpoch = legacy.BestEpoch;
            }
        }

        private EpochReport RunEpoch(int epoch)
        {
            var clock = Stopwatch.StartNew();
            if (_options.Shuffle)
            {
                _rng.Shuffle(_order.AsSpan());
            }

            int n = _train.Count, batchSize = _options.BatchSize;
            int fin = _train.FeatureCount, fout = _train.TargetCount;
            double lossSum = 0;
            int stepInEpoch = 0, done = 0;
            Array.Clear(_layerNormSquares);
            (_correct, _squaredError) = (0, 0);
            Array.Clear(_sumY);
            Array.Clear(_sumY2);
            Array.Clear(_residual);
            _epochFirstStep = _steps;
            for (int first = 0; first < n; first += batchSize)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(batchSize, n - first);
                Gather(first, rows);
                stepInEpoch++;
                _lastInEpoch = first + rows >= n;
                double loss = Step(epoch, stepInEpoch, _batchX.AsSpan(0, rows * fin), _batchY.AsSpan(0, rows * fout), rows);
                if (_metricsInPass)
                {
                    Accumulate(first, rows);
                }

                lossSum += loss * rows;
                done = first + rows;
                var progress = new BatchProgress(epoch, done, n, lossSum / done, stepInEpoch, loss);
                _options.BatchProgress?.Report(progress);
                foreach (ITrainingCallback callback in _callbacks)
                {
                    callback.OnBatchEnd(_context!, progress);
                }

                if (_context!.StopRequested)
                {
                    _context.StoppedInBatch = done < n;
                    break;
                }
            }

            double trainLoss = lossSum / done;
            Metrics train = _metricsPass
                ? Evaluation.Evaluate(_network, _train, _evaluationBuffer, includeLoss: false, knownLoss: trainLoss)
                : _metricsInPass ? Accumulated(trainLoss, done) : new Metrics(trainLoss);
            Metrics? validation = _validation is null ? null : Evaluation.Evaluate(_network, _validation, _evaluationBuffer, includeLoss: true);
            IReadOnlyList<LayerDiagnostics> layers = _options.LayerDiagnostics ? Diagnose(stepInEpoch) : [];
            TimeSpan elapsed = clock.Elapsed;
            return new EpochReport(epoch, train, validation, _optimizer.LearningRate, _steps, elapsed, done / Math.Max(elapsed.TotalSeconds, 1e-9), layers);
        }

        /// <summary>The batch of rows [first, first + rows) of this epoch's order into the batch buffers (rows of equal weight together).</summary>
        private void Gather(int first, int rows)
        {
            int fin = _train.FeatureCount, fout = _train.TargetCount;
            if (_weights is not null)
            {
                // Rows of equal weight together (see WeightedGradient), in a fixed order.
                for (int r = 0; r < rows; r++)
                {
                    _batchRows[r] = _order[first + r];
                    _batchWeights[r] = _weights[_batchRows[r]];
                }

                _batchWeights.AsSpan(0, rows).Sort(_batchRows.AsSpan(0, rows));
            }

            for (int r = 0; r < rows; r++)
            {
                int row = _weights is null ? _order[first + r] : _batchRows[r];
                _train.Features.AsSpan(row * fin, fin).CopyTo(_batchX.AsSpan(r * fin));
                _train.Targets.AsSpan(row * fout, fout).CopyTo(_batchY.AsSpan(r * fout));
            }
        }

        /// <summary>Adds the batch's rows to the training metrics, from the outputs a^L of the training pass that just ran.</summary>
        private void Accumulate(int first, int rows)
        {
            int n = _network.OutputSize;
            ReadOnlySpan<T> outputs = ((ITrainingOutputs<T>)_network).TrainingOutputs;
            if (outputs.Length != rows * n)
            {
                throw new InvalidOperationException($"The network kept {outputs.Length} training outputs for a batch of {rows} rows × {n}.");
            }

            for (int r = 0; r < rows; r++)
            {
                int row = _order[first + r];
                ReadOnlySpan<T> a = outputs.Slice(r * n, n);
                if (_train.Labels is { } labels)
                {
                    _correct += Evaluation.ClassOf(a) == labels[row] ? 1 : 0;
                    continue;
                }

                ReadOnlySpan<T> y = _train.TargetRow(row);
                for (int j = 0; j < n; j++)
                {
                    double yj = double.CreateChecked(y[j]), e = double.CreateChecked(a[j]) - yj;
                    _squaredError += e * e;
                    _residual[j] += e * e;
                    _sumY[j] += yj;
                    _sumY2[j] += yj * yj;
                }
            }
        }

        /// <summary>The epoch's accumulated training metrics over its <paramref name="count"/> rows (Evaluation's formulas).</summary>
        private Metrics Accumulated(double loss, int count)
        {
            if (_train.Labels is not null)
            {
                return new Metrics(loss, Accuracy: (double)_correct / Math.Max(1, count));
            }

            int n = _network.OutputSize;
            double r2 = 0;
            for (int j = 0; j < n; j++)
            {
                double total = _sumY2[j] - _sumY[j] * _sumY[j] / count;
                r2 += total > 0 ? 1 - _residual[j] / total : (_residual[j] == 0 ? 1 : 0);
            }

            return new Metrics(loss, MeanSquaredError: _squaredError / ((double)count * n), R2: r2 / n);
        }

        /// <summary>Whether plain SGD can use the network's fused step (no penalty, clipping, weights or per-layer gradient norms need the gradients).</summary>
        private bool Fused => _optimizer is Sgd<T> && _network is ISgdStep<T> && _options.L1 == 0 && _options.L2 == 0 &&
            _options.ClipNorm is null && _options.ClipValue is null && !_options.LayerDiagnostics && _weights is null;

        /// <summary>Remembers the current parameters, state and dropout generator state as those of the start of this step.</summary>
        private void SnapshotStart()
        {
            _startRandom = _network.RandomState;
            _network.Parameters.CopyTo(_start);
            _network.State.CopyTo(_startState);
        }

        /// <summary>The step succeeded: the parameters it started from become the last good ones.</summary>
        private void Commit()
        {
            (_kept, _start) = (_start, _kept);
            (_keptState, _startState) = (_startState, _keptState);
            _keptRandom = _startRandom;
            _keptSteps = _steps;
            _steps++;
        }

        /// <summary>The current parameters become the last good ones (before the first step, and after a restore).</summary>
        private void Keep()
        {
            _network.Parameters.CopyTo(_kept);
            _network.State.CopyTo(_keptState);
            _keptRandom = _network.RandomState;
            _keptSteps = _steps;
            if (_fusedUpdate)
            {
                MeasureParameters();
                ((IFusedOptimizer<T>)_optimizer).MeasureState();
                _undoStep = -1;
            }

            _replayStep = -1;
            _newCopy.Step = _oldCopy.Step = -1;
        }

        /// <summary>max |θ| overall and per layout block, for the next fused step's bound (after the parameters were set from outside a step).</summary>
        private void MeasureParameters()
        {
            _maxParameter = FusedUpdate.MaxMagnitude<T>(_network.Parameters);
            for (int b = 0; b < _blockMaxima.Length; b++)
            {
                ParameterBlock block = _spec.Layout[b];
                _blockMaxima[b] = FusedUpdate.MaxMagnitude<T>(_network.Parameters.Slice(block.Offset, block.Length));
            }
        }

        /// <summary>The first layout block holding a non-finite parameter after the update: its layer and a description for the message.</summary>
        private (int Layer, string Where) FirstNonFiniteBlock()
        {
            foreach (ParameterBlock block in _spec.Layout)
            {
                if (!AllFinite(_network.Parameters.Slice(block.Offset, block.Length)))
                {
                    return (block.Layer, $"{block.Name} (layer {block.Layer}) after the optimizer's update");
                }
            }

            return (0, "a parameter");
        }

        /// <summary>One mini-batch: gradient of the mean loss, penalties, checks, clipping, schedule, update, check.</summary>
        private double Step(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            if (Fused)
            {
                return FusedStep(epoch, stepInEpoch, x, y, rows);
            }

            if (_fusedUpdate)
            {
                return UpdateStep(epoch, stepInEpoch, x, y, rows);
            }

            SnapshotStart();
            double loss = _weights is null ? Gradient(x, y, rows) : WeightedGradient(x, y, rows);
            Span<T> gradients = _network.Gradients;
            Span<T> parameters = _network.Parameters;
            if (_options.L1 > 0 || _options.L2 > 0)
            {
                loss += double.CreateChecked(WeightPenalty.AddPenalty<T>(_spec, parameters, gradients, _options.L1, _options.L2));
            }

            if (!double.IsFinite(loss) || !AllFinite(gradients) || !AllFinite(_network.State))
            {
                ForwardDiverged(epoch, stepInEpoch, x, y, loss, _start);
            }

            if (_options.LayerDiagnostics)
            {
                GradientClipping.BlockNorms<T>(_spec, gradients, _layerNorms);
                for (int l = 0; l < _layerNorms.Length; l++)
                {
                    _layerNormSquares[l] += _layerNorms[l] * _layerNorms[l];
                }
            }

            if (_options.ClipNorm is { } maxNorm)
            {
                GradientClipping.ClipByGlobalNorm(gradients, maxNorm);
            }

            if (_options.ClipValue is { } limit)
            {
                GradientClipping.ClipByValue(gradients, limit);
            }

            if (_options.Schedule is { } schedule)
            {
                _optimizer.LearningRate = schedule.Rate(_baseRate, _steps, epoch - 1);
            }

            _optimizer.Step(parameters, gradients);
            if (!AllFinite(parameters))
            {
                UpdateDiverged(epoch, stepInEpoch, loss);
            }

            Commit();
            return loss;
        }

        /// <summary>∂C/∂θ of the mean loss of the batch into Gradients; returns the mean loss.</summary>
        private double Gradient(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            _network.ZeroGradients();
            T sum = _network.BackwardBatch(x, y);
            Span<T> gradients = _network.Gradients;
            TensorPrimitives.Multiply(gradients, T.One / T.CreateChecked(rows), gradients);
            return double.CreateChecked(sum) / rows;
        }

        /// <summary>
        /// ∂C/∂θ of Σ wᵢ Cᵢ / B (Keras's weighted "sum over batch size") with the rows sorted by weight: each group of
        /// equal weight w_g is back-propagated on its own, and before the next group (weight w_h) the accumulated gradient
        /// is multiplied by w_g / w_h, so after the last group G = Σ_g (w_g / w_last) S_g and one final scale by w_last / B
        /// gives Σ_g w_g S_g / B. Rows of weight 0 are skipped. Returns Σ wᵢ Cᵢ / B.
        /// </summary>
        private double WeightedGradient(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            (double loss, T scale) = WeightedGradientSums(x, y, rows);
            Span<T> gradients = _network.Gradients;
            TensorPrimitives.Multiply(gradients, scale, gradients);
            return loss;
        }

        /// <summary>As <see cref="WeightedGradient"/>, but leaves the final scale w_last / B to the caller (the fused update applies it).</summary>
        private (double Loss, T Scale) WeightedGradientSums(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            _network.ZeroGradients();
            Span<T> gradients = _network.Gradients;
            int fin = _train.FeatureCount, fout = _train.TargetCount;
            double loss = 0, previous = 0;
            for (int first = 0; first < rows;)
            {
                double w = _batchWeights[first];
                int end = first + 1;
                while (end < rows && _batchWeights[end] == w)
                {
                    end++;
                }

                if (w > 0)
                {
                    if (previous > 0)
                    {
                        TensorPrimitives.Multiply(gradients, T.CreateChecked(previous / w), gradients);
                    }

                    T sum = _network.BackwardBatch(x.Slice(first * fin, (end - first) * fin), y.Slice(first * fout, (end - first) * fout));
                    loss += w * double.CreateChecked(sum);
                    previous = w;
                }

                first = end;
            }

            return (loss / rows, T.CreateChecked(previous / rows));
        }

        /// <summary>
        /// max |Σ ∂C/∂θ_i| over i ≥ <paramref name="from"/>: found by the engine while it folded the two cores' gradients of
        /// the batch just back-propagated (the last call's fold writes every one of these sums), else one pass over them.
        /// </summary>
        private double MaxSum(ReadOnlySpan<T> sums, int from) =>
            !_scanAfterFold && _engine is { } engine && engine.TryFoldedMaxMagnitude(from, out double max) ? max : TwoCorePasses.MaxMagnitude<T>(sums.Slice(from));

        /// <summary>
        /// One mini-batch through the optimizer's fused pass (<see cref="FitOptions.FusedUpdate"/>): Σ ∂Cₙ/∂θ by
        /// back-propagation; max |Σ ∂C/∂θ| (NaN or ∞ if any value is), from the fold of the two cores' sums or one read of them; then the optimizer averages,
        /// penalizes, clips by value and updates in one pass that also checks what it wrote. A non-finite loss, gradient or
        /// statistic is found before any parameter changes, so the network keeps the parameters this step started from and
        /// nothing is copied. The parameters and the optimizer's state are copied first only when a bound on this step's
        /// values (from max |g|, max |θ| and max |state|) comes within 2⁻⁸ of T's range; such a step can be undone exactly.
        /// </summary>
        private double UpdateStep(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            var optimizer = (IFusedOptimizer<T>)_optimizer;
            _startRandom = _network.RandomState;
            _network.State.CopyTo(_startState);
            double loss;
            T scale;
            InputLayerGradients<T> inputLayer = default;
            Span<T> sums = _network.Gradients;
            Span<T> parameters = _network.Parameters;
            double maxSum;
            if (_deferInputLayer && _engine!.CanDeferInputLayer(rows))
            {
                // W1's and b1's sums are left to the update: bounded here from δ1 (|Σ_s δ_sj x_sk| ≤ max|x| · Σ_s |δ_sj|),
                // formed only if the step must take the separate passes after all (a non-finite value, or a guarded step).
                ITrainingEngine<T> engine = _engine;
                loss = double.CreateChecked(engine.BackwardDeferringInputLayer(x, y)) / rows;
                scale = T.One / T.CreateChecked(rows);
                inputLayer = engine.DeferredInputLayer(x);
                double rest = MaxSum(sums, inputLayer.RestStart);
                double first = engine.DeferredDeltaBound() * Math.Max(1, _maxFeature);
                maxSum = double.IsNaN(rest) || double.IsNaN(first) ? double.NaN : Math.Max(rest, first);
                if (!double.IsFinite(maxSum))
                {
                    FormInputLayer(ref inputLayer, sums);
                    maxSum = TwoCorePasses.MaxMagnitude<T>(sums);
                }
            }
            else
            {
                if (_weights is null)
                {
                    _network.ZeroGradients();
                    loss = double.CreateChecked(_network.BackwardBatch(x, y)) / rows;
                    scale = T.One / T.CreateChecked(rows);
                }
                else
                {
                    (loss, scale) = WeightedGradientSums(x, y, rows);
                }

                maxSum = MaxSum(sums, 0);
            }

            if (!double.IsFinite(loss) || !double.IsFinite(maxSum) || !AllFinite(_network.State))
            {
                NotReplayed();
                (int layer, string where) = LocateIn(parameters, x, y, _startRandom);
                if (_undoStep == _steps - 1 || (_replayStep == _steps - 1 && _undoStep >= 0))
                {
                    // The previous step was one the bound could not clear: go back to its start, as the separate passes do
                    // (its copy, or the last copy before it and a replay of the steps in between).
                    long previous = _steps - 1;
                    ReplayTo(previous, epoch, parameters);
                    _keptSteps = previous;
                    Throw(epoch, stepInEpoch, layer, where, loss, "the last step whose loss and gradients were finite");
                }

                _startState.CopyTo(_network.State);
                _network.RandomState = _startRandom;
                _keptSteps = _steps;
                Throw(epoch, stepInEpoch, layer, where, loss, "this step's start (no update was applied)");
            }

            if (_options.Schedule is { } schedule)
            {
                _optimizer.LearningRate = schedule.Rate(_baseRate, _steps, epoch - 1);
            }

            // |g| ≤ s·max|Σ| + λ1 + λ2·max|θ|, then at most the clipping limit (the margin covers the roundings). The step
            // is guarded (its start copied) when its own values, or those of the next training pass at the parameters it
            // can reach, might come near T's range.
            double gradientBound = maxSum * double.CreateChecked(scale) + _options.L1 + _options.L2 * _maxParameter;
            if (_options.ClipValue is { } limit)
            {
                gradientBound = Math.Min(gradientBound, limit);
            }

            (double values, double delta) = optimizer.StepBounds(gradientBound, _maxParameter);
            if (_options.L1 > 0 || _options.L2 > 0)
            {
                values = Math.Max(values, _penalizedCount * Math.Max(_maxParameter, _maxParameter * _maxParameter));
            }

            // This step's own values (the update, the state, the penalty) and the next pass's, each against T's range.
            bool own = values <= FusedUpdate.Limit<T>();
            bool next = _passBound.Bound(_blockMaxima, delta, Math.Min(_options.BatchSize, _train.Count)) <= FusedUpdate.Limit<T>();
            bool guarded = !own || (!next && !_replayable);
            bool replayed = !guarded && !next;
            if (guarded)
            {
                FormInputLayer(ref inputLayer, sums);   // a step that may need undoing takes the separate passes
                SaveForUndo(parameters);
                _guardedSteps++;
            }
            else if (replayed)
            {
                // Only the next pass may overflow: a copy every ReplaySpan steps of the epoch and at its last step.
                if (!_replaying && (_undoStep < _epochFirstStep || _steps - _undoStep >= ReplaySpan || _lastInEpoch))
                {
                    SaveForUndo(parameters);
                    _replayCopies++;
                }

                _replayStep = _steps;
            }
            else
            {
                _undoStep = -1;
            }

            var inputs = new UpdateInputs<T>(scale, _options.L1, _options.L2, _options.ClipValue);
            UpdateOutcome outcome = optimizer.FusedStep(_spec, parameters, sums, inputs, _blockMaxima, inputLayer);
            if (!outcome.Finite || (guarded && !OptimizerStateFinite()))
            {
                NotReplayed();
                ParameterBlock? bad = outcome.FirstBadBlock >= 0 ? _spec.Layout[outcome.FirstBadBlock] : null;
                string where = bad is null
                    ? "the optimizer's state after the optimizer's update"
                    : $"{bad.Name} (layer {bad.Layer}) after the optimizer's update";
                _keptSteps = _steps;
                if (guarded)
                {
                    Undo(parameters);
                    Throw(epoch, stepInEpoch, bad?.Layer ?? 0, where, loss, "this step's start, whose loss and gradients were finite");
                }

                // Not foreseen by the bound (the parameters or the state were changed behind Fit's back during the step):
                // the values whose update was not finite kept their old ones, the others were updated.
                _startState.CopyTo(_network.State);
                _network.RandomState = _startRandom;
                _maxParameter = double.PositiveInfinity;
                Throw(epoch, stepInEpoch, bad?.Layer ?? 0, where, loss, "this step's start where the update was not finite, its update elsewhere");
            }

            _maxParameter = outcome.MaxParameter;
            if (_options.L1 > 0 || _options.L2 > 0)
            {
                loss += double.CreateChecked(T.CreateChecked(_options.L1 * outcome.SumOfMagnitudes + 0.5 * _options.L2 * outcome.SumOfSquares));
            }

            Remember(loss);
            _keptSteps = _steps;
            _steps++;
            return loss;
        }

        /// <summary>Writes the deferred ∂C/∂W1 and ∂C/∂b1 into the gradient buffer, as back-propagation would have (nothing when none are deferred).</summary>
        private static void FormInputLayer(ref InputLayerGradients<T> inputLayer, Span<T> sums)
        {
            if (inputLayer.IsEmpty)
            {
                return;
            }

            InputLayerPass.Form(inputLayer, sums);
            inputLayer = default;
        }

        /// <summary>Copies the parameters, the optimizer's state buffers and its step count (the state buffers allocated on the first such step).</summary>
        private void SaveForUndo(ReadOnlySpan<T> parameters)
        {
            _undoStep = _steps;
            parameters.CopyTo(_start);
            _startState.CopyTo(_undoState);
            _undoRandom = _startRandom;
            var optimizer = (IResumableOptimizer<T>)_optimizer;
            if (_optimizerStart.Length != optimizer.StateBufferCount)
            {
                _optimizerStart = new T[optimizer.StateBufferCount][];
                for (int i = 0; i < _optimizerStart.Length; i++)
                {
                    _optimizerStart[i] = new T[optimizer.StateBuffer(i).Length];
                }
            }

            for (int i = 0; i < _optimizerStart.Length; i++)
            {
                optimizer.StateBuffer(i).CopyTo(_optimizerStart[i]);
            }

            _optimizerStartSteps = optimizer.StepCount;
        }

        /// <summary>
        /// Back to the start of step <paramref name="target"/> of this epoch: the copy made at the start of step
        /// <see cref="_undoStep"/> (at most <see cref="ReplaySpan"/> steps before it), then the steps in between again, on
        /// the same rows in the same order: each step is deterministic (on one core or two), so they end on the same bits.
        /// </summary>
        private void ReplayTo(long target, int epoch, Span<T> parameters)
        {
            long from = _undoStep;
            Undo(parameters);
            _steps = from;
            MeasureParameters();
            TakeStepsAgain(target, epoch);
        }

        /// <summary>
        /// From <see cref="_steps"/> (the start of a copied step of this epoch) to the start of step <paramref name="target"/>:
        /// each step again, on its rows of this epoch's order, as a replay (no copies; its loss must be the first run's).
        /// The counters the steps keep and the learning rate are as before it.
        /// </summary>
        private void TakeStepsAgain(long target, int epoch)
        {
            long guarded = _guardedSteps, copies = _replayCopies;
            double rate = _optimizer.LearningRate;
            int fin = _train.FeatureCount, fout = _train.TargetCount;
            _replaying = true;
            try
            {
                while (_steps < target)
                {
                    int index = checked((int)(_steps - _epochFirstStep));
                    int rows = GatherStep(index);
                    Step(epoch, index + 1, _batchX.AsSpan(0, rows * fin), _batchY.AsSpan(0, rows * fout), rows);
                }
            }
            finally
            {
                _replaying = false;
                (_guardedSteps, _replayCopies) = (guarded, copies);
                _optimizer.LearningRate = rate;
            }
        }

        /// <summary>The rows of step <paramref name="index"/> of this epoch into the batch buffers; returns their count.</summary>
        private int GatherStep(int index)
        {
            int first = index * _options.BatchSize, rows = Math.Min(_options.BatchSize, _train.Count - first);
            Gather(first, rows);
            return rows;
        }

        /// <summary>Back to the start of the guarded step: parameters, statistics, dropout key, the optimizer's state and step count.</summary>
        private void Undo(Span<T> parameters)
        {
            _undoStep = -1;
            _start.CopyTo(parameters);
            _undoState.CopyTo(_network.State);
            _network.RandomState = _undoRandom;
            var optimizer = (IFusedOptimizer<T>)_optimizer;
            for (int i = 0; i < _optimizerStart.Length; i++)
            {
                _optimizerStart[i].CopyTo(optimizer.StateBuffer(i));
            }

            optimizer.RestoreStepCount(_optimizerStartSteps);
            optimizer.MeasureState();
        }

        private bool OptimizerStateFinite()
        {
            var optimizer = (IResumableOptimizer<T>)_optimizer;
            for (int i = 0; i < optimizer.StateBufferCount; i++)
            {
                if (!AllFinite(optimizer.StateBuffer(i)))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Plain SGD in the network's one-pass step. The parameters a step starts from are copied first; they become the
        /// last good ones once the step's loss and resulting parameters are finite.
        /// </summary>
        private double FusedStep(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            if (_replayable)
            {
                return ReplayableFusedStep(epoch, stepInEpoch, x, y, rows);
            }

            SnapshotStart();
            if (_options.Schedule is { } schedule)
            {
                _optimizer.LearningRate = schedule.Rate(_baseRate, _steps, epoch - 1);
            }

            double loss = double.CreateChecked(((ISgdStep<T>)_network).TrainStep(x, y, T.CreateChecked(_optimizer.LearningRate))) / rows;
            if (!double.IsFinite(loss) || !AllFinite(_network.State))
            {
                ForwardDiverged(epoch, stepInEpoch, x, y, loss, _start);
            }

            if (!AllFinite(_network.Parameters))
            {
                UpdateDiverged(epoch, stepInEpoch, loss);
            }

            ((Sgd<T>)_optimizer).CountFusedStep();
            Commit();
            return loss;
        }

        /// <summary>
        /// <see cref="FusedStep"/> without a copy per step: a copy at the first and last step of each epoch and every
        /// <see cref="ReplaySpan"/> steps; a step that diverges goes back to the copy at or before the start it must give
        /// back and takes the steps since again (<see cref="RewindTo"/>).
        /// </summary>
        private double ReplayableFusedStep(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            if (!_replaying && (_newCopy.Step < _epochFirstStep || _steps - _newCopy.Step >= ReplaySpan || _lastInEpoch))
            {
                (_newCopy, _oldCopy) = (_oldCopy, _newCopy);
                Copy(_newCopy);
                _replayCopies++;
            }

            if (_options.Schedule is { } schedule)
            {
                _optimizer.LearningRate = schedule.Rate(_baseRate, _steps, epoch - 1);
            }

            double loss = double.CreateChecked(((ISgdStep<T>)_network).TrainStep(x, y, T.CreateChecked(_optimizer.LearningRate))) / rows;
            bool lossFinite = double.IsFinite(loss) && AllFinite(_network.State);
            if (!lossFinite || !AllFinite(_network.Parameters))
            {
                NotReplayed();

                long step = _steps;
                int layer;
                string where;
                if (lossFinite)
                {
                    // the update wrote a non-finite parameter: name the first such block, then back to this step's start
                    (layer, where) = FirstNonFiniteBlock();
                    RewindTo(step, epoch);
                    _keptSteps = step;
                    Throw(epoch, stepInEpoch, layer, where, loss, "this step's start, whose loss and gradients were finite");
                }

                // the loss, a statistic or a gradient: located at this step's start, then back to the last step whose were finite
                long kept = _keptSteps;
                RewindTo(step, epoch);
                _network.State.CopyTo(_startState);
                (layer, where) = LocateIn(_network.Parameters, _batchX.AsSpan(0, x.Length), _batchY.AsSpan(0, y.Length), _network.RandomState);
                RewindTo(kept, epoch);
                _keptSteps = kept;
                Throw(epoch, stepInEpoch, layer, where, loss, "the last step whose loss and gradients were finite");
            }

            ((Sgd<T>)_optimizer).CountFusedStep();
            Remember(loss);
            _keptSteps = _steps;
            _steps++;
            return loss;
        }

        /// <summary>
        /// Keeps this step's loss; a step taken again by a replay must give it bit for bit (every step is deterministic
        /// unless a user-written function is not, or something changed the network between batches).
        /// </summary>
        private void Remember(double loss)
        {
            ref double known = ref _stepLosses[(int)(_steps & (StepLossCount - 1))];
            if (_replaying && BitConverter.DoubleToInt64Bits(known) != BitConverter.DoubleToInt64Bits(loss))
            {
                throw Different();
            }

            known = loss;
        }

        /// <summary>A step being taken again must not diverge: it did not the first time.</summary>
        private void NotReplayed()
        {
            if (_replaying)
            {
                throw Different();
            }
        }

        private InvalidOperationException Different() => new(
            $"Step {_steps + 1}, taken again to go back to the last good parameters, did not give the result it gave the first time: a " +
            "user-written function that is not deterministic, or a BatchProgress handler that changed the network or the data?");

        /// <summary>The parameters, statistics, dropout key and optimizer step count at the start of this step into <paramref name="copy"/>.</summary>
        private void Copy(StepCopy copy)
        {
            _network.Parameters.CopyTo(copy.Parameters);   // the buffers made with the Trainer (see its constructor)
            _network.State.CopyTo(copy.State);
            copy.Random = _network.RandomState;
            copy.Step = _steps;
            copy.OptimizerSteps = ((Sgd<T>)_optimizer).StepCount;
        }

        /// <summary>
        /// The network as it was at the start of step <paramref name="target"/> (this epoch's, or the one copied at the
        /// end of the last epoch): the latest copy at or before it, then the steps in between again on the same rows,
        /// each deterministic, so they end on the same bits. The batch buffers hold the target step's rows afterwards.
        /// </summary>
        private void RewindTo(long target, int epoch)
        {
            StepCopy copy = _newCopy.Step >= 0 && _newCopy.Step <= target ? _newCopy : _oldCopy;
            if (copy.Step < 0 || copy.Step > target || (copy.Step < _epochFirstStep && copy.Step != target))
            {
                throw new InvalidOperationException($"No copy to go back to the start of step {target + 1} from.");
            }

            copy.Parameters.CopyTo(_network.Parameters);
            copy.State.CopyTo(_network.State);
            _network.RandomState = copy.Random;
            ((Sgd<T>)_optimizer).RestoreStepCount(copy.OptimizerSteps);
            _steps = copy.Step;
            TakeStepsAgain(target, epoch);   // none when the copy is the previous epoch's last step, the target itself
            if (target >= _epochFirstStep)
            {
                GatherStep(checked((int)(target - _epochFirstStep)));
            }
        }

        private static bool AllFinite(ReadOnlySpan<T> values)
        {
            // x − x is 0 for finite x and NaN for ±∞ or NaN, so one vectorized sum tells.
            T probe = T.Zero;
            int i = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                var acc = Vector<T>.Zero;
                for (; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var v = new Vector<T>(values.Slice(i));
                    acc += v - v;
                }

                probe = Vector.Sum(acc);
            }

            for (; i < values.Length; i++)
            {
                probe += values[i] - values[i];
            }

            return T.IsFinite(probe);
        }

        /// <summary>The loss, a gradient or a statistic of this step is not finite: locate it, go back to the last good parameters, throw.</summary>
        private void ForwardDiverged(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, double loss, ReadOnlySpan<T> parametersOfThisStep)
        {
            (int layer, string where) = LocateIn(parametersOfThisStep, x, y, _startRandom);
            RestoreKept();
            Throw(epoch, stepInEpoch, layer, where, loss, "the last step whose loss and gradients were finite");
        }

        /// <summary>The update wrote a non-finite parameter: name the first block, go back to this step's start (whose loss and gradients were finite), throw.</summary>
        private void UpdateDiverged(int epoch, int stepInEpoch, double loss)
        {
            (int layer, string where) = FirstNonFiniteBlock();

            _start.CopyTo(_network.Parameters);
            _startState.CopyTo(_network.State);
            _network.RandomState = _startRandom;
            (_kept, _start) = (_start, _kept);
            (_keptState, _startState) = (_startState, _keptState);
            _keptRandom = _startRandom;
            _keptSteps = _steps;
            Throw(epoch, stepInEpoch, layer, where, loss, "this step's start, whose loss and gradients were finite");
        }

        private void RestoreKept()
        {
            _kept.CopyTo(_network.Parameters);
            _keptState.CopyTo(_network.State);
            _network.RandomState = _keptRandom;
        }

        private void Throw(int epoch, int stepInEpoch, int layer, string where, double loss, string kept)
        {
            double eta = _optimizer.LearningRate;
            string type = typeof(T) == typeof(float) ? "float" : typeof(T).Name.ToLowerInvariant();
            string rate = T.IsFinite(T.CreateChecked(eta))
                ? ""
                : string.Create(CultureInfo.InvariantCulture, $" The learning rate η = {eta:G} is finite as a double but not as a {type}.");
            string message = string.Create(CultureInfo.InvariantCulture,
                $"Training diverged in epoch {epoch}, step {stepInEpoch}: {where} became NaN or infinite (batch loss {loss}); the network keeps the parameters after {_keptSteps} step(s), {kept}.{rate} Lower the learning rate, clip the gradients (ClipNorm) or standardize the inputs.");
            throw new TrainingDivergedException(epoch, stepInEpoch, layer, where, _keptSteps, message);
        }

        /// <summary>Replays the failing batch in the generic engine with the failing parameters: the first non-finite quantity in forward order, then in back-propagation order.</summary>
        private (int Layer, string Where) LocateIn(ReadOnlySpan<T> parameters, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ulong randomState)
        {
            var probe = new GenericNetwork<T>(_spec);
            parameters.CopyTo(probe.Parameters);
            _startState.CopyTo(probe.State);
            int count = x.Length / probe.InputSize;
            probe.RandomState = randomState;
            probe.ZeroGradients();
            T loss = probe.BackwardBatch(x, y);
            for (int l = 1; l <= _spec.Stages.Count; l++)
            {
                if (!AllFinite(probe.PreActivations(l, count)))
                {
                    return (l, $"z{l} (the pre-activation of layer {l})");
                }

                if (!AllFinite(probe.Activations(l, count)))
                {
                    return (l, $"a{l} (the activation of layer {l})");
                }
            }

            if (!T.IsFinite(loss))
            {
                return (-1, "the loss");
            }

            for (int l = _spec.Stages.Count; l >= 1; l--)
            {
                DenseStage stage = _spec.Stages[l - 1];
                if (!AllFinite(probe.Gradients.Slice(stage.WeightOffset, stage.InputSize * stage.OutputSize)) ||
                    !AllFinite(probe.Gradients.Slice(stage.BiasOffset, stage.OutputSize)))
                {
                    return (l, $"∂C/∂W{l} (the gradient of layer {l})");
                }
            }

            if (!AllFinite(probe.State))
            {
                return (0, "the batch-normalization running statistics");
            }

            return (-1, "the regularized loss or gradient");
        }

        /// <summary>What callbacks see of this loop.</summary>
        private sealed class Context(Loop<T> loop, TrainingHistory history)
            : TrainingContext(history, loop._initialEpoch, loop._options.Epochs, loop._validation is not null)
        {
            public bool StoppedInBatch { get; set; }

            public override NetworkSpec Spec => loop._spec;

            public override object Network => loop._network;

            public override long Steps => loop._steps;

            public override double LearningRate
            {
                get => loop._baseRate;
                set
                {
                    OptimizerChecks.LearningRate(value, nameof(value));
                    loop._baseRate = value;
                    if (loop._options.Schedule is null)
                    {
                        loop._optimizer.LearningRate = value;
                    }
                }
            }

            public override ParameterSnapshot TakeSnapshot(ParameterSnapshot? reuse = null)
            {
                Snapshot<T> snapshot = reuse is Snapshot<T> s && ReferenceEquals(s.Spec, loop._spec)
                    ? s
                    : new Snapshot<T>(loop._spec, new T[loop._network.ParameterCount], new T[loop._network.State.Length]);
                loop._network.Parameters.CopyTo(snapshot.Parameters);
                loop._network.State.CopyTo(snapshot.State);
                snapshot.RandomState = loop._network.RandomState;
                snapshot.Epoch = loop._completedEpochs;
                return snapshot;
            }

            public override void Restore(ParameterSnapshot snapshot)
            {
                ArgumentNullException.ThrowIfNull(snapshot);
                if (snapshot is not Snapshot<T> s || !s.Spec.Equals(loop._spec))
                {
                    throw new ArgumentException($"The snapshot is not of this network ({loop._spec}).", nameof(snapshot));
                }

                s.Parameters.CopyTo(loop._network.Parameters);
                s.State.CopyTo(loop._network.State);
                loop._network.RandomState = s.RandomState;
                loop.Keep();
            }

            public override TrainingCheckpoint CreateCheckpoint()
            {
                if (!loop._atEpochEnd)
                {
                    throw new InvalidOperationException("A training checkpoint can only be taken at the end of an epoch (in OnEpochEnd), where the run can resume.");
                }

                return TrainingCheckpoint.Create(loop._network, loop._optimizer, loop._completedEpochs, loop._steps, loop._baseRate, loop._rng.State, loop._order);
            }

            public override void SaveModel(string path) => ModelFile.Save(loop._network, path);
        }

        private List<LayerDiagnostics> Diagnose(int steps)
        {
            var probe = new GenericNetwork<T>(_spec);
            _network.Parameters.CopyTo(probe.Parameters);
            _network.State.CopyTo(probe.State);
            int layers = _spec.Stages.Count;
            var alwaysOff = new bool[layers][];
            var saturated = new long[layers];
            var seen = new long[layers];
            for (int l = 0; l < layers; l++)
            {
                alwaysOff[l] = new bool[_spec.Stages[l].OutputSize];
                Array.Fill(alwaysOff[l], true);
            }

            int chunk = Math.Max(1, _evaluationBuffer.Length / _network.OutputSize);
            for (int first = 0; first < _train.Count; first += chunk)
            {
                int rows = Math.Min(chunk, _train.Count - first);
                probe.ForwardBatch(_train.Features.AsSpan(first * _train.FeatureCount, rows * _train.FeatureCount), _evaluationBuffer.AsSpan(0, rows * _network.OutputSize));
                for (int l = 0; l < layers; l++)
                {
                    DenseStage stage = _spec.Stages[l];
                    int width = stage.OutputSize;
                    ReadOnlySpan<T> v = probe.PreActivations(l + 1, rows);
                    ReadOnlySpan<T> a = probe.Activations(l + 1, rows);
                    for (int i = 0; i < rows * width; i++)
                    {
                        if (v[i] > T.Zero)
                        {
                            alwaysOff[l][i % width] = false;
                        }

                        double ai = double.CreateChecked(a[i]);
                        if ((stage.Activation == Activation.Sigmoid && (ai < 0.01 || ai > 0.99)) ||
                            (stage.Activation == Activation.Tanh && Math.Abs(ai) > 0.99))
                        {
                            saturated[l]++;
                        }

                        seen[l]++;
                    }
                }
            }

            var result = new List<LayerDiagnostics>(layers);
            for (int l = 0; l < layers; l++)
            {
                Activation activation = _spec.Stages[l].Activation;
                double? dead = activation == Activation.ReLU ? Count(alwaysOff[l]) / (double)alwaysOff[l].Length : null;
                double? sat = activation is Activation.Sigmoid or Activation.Tanh ? saturated[l] / (double)Math.Max(1, seen[l]) : null;
                result.Add(new LayerDiagnostics(l + 1, activation, Math.Sqrt(_layerNormSquares[l] / Math.Max(1, steps)), dead, sat));
            }

            return result;
        }

        private static int Count(bool[] flags)
        {
            int c = 0;
            foreach (bool f in flags)
            {
                c += f ? 1 : 0;
            }

            return c;
        }
    }
}
