using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace NetGen;

/// <summary>
/// Trains any <see cref="INetwork{T}"/> — generated or generic — with mini-batch gradient descent: shuffle, batch,
/// <see cref="INetwork{T}.BackwardBatch"/>, average, regularize, clip, schedule, step, evaluate, report.
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
    /// <param name="options">Epochs, batch size, regularization, early stopping, progress…; defaults when null.</param>
    /// <param name="validation">Validation rows (inference-mode metrics per epoch); overrides <see cref="FitOptions.ValidationFraction"/>.</param>
    /// <returns>The metrics of every epoch.</returns>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN or ∞; the last good parameters are kept.</exception>
    /// <exception cref="OperationCanceledException">The cancellation token fired; the parameters are those of the last completed step.</exception>
    public static TrainingHistory Fit<T>(this INetwork<T> network, Dataset<T> train, IOptimizer<T> optimizer, FitOptions? options = null, Dataset<T>? validation = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(optimizer);
        options ??= new FitOptions();
        options.Validate();
        Evaluation.RequireShape(network, train, nameof(train));
        if (validation is null && options.ValidationFraction > 0)
        {
            (train, validation) = HoldOut(train, options.ValidationFraction);
        }

        if (validation is not null)
        {
            Evaluation.RequireShape(network, validation, nameof(validation));
        }

        if (train.Count == 0)
        {
            throw new ArgumentException("The training data has no rows.", nameof(train));
        }

        CheckFinite(train, "training");
        if (validation is not null)
        {
            CheckFinite(validation, "validation");
        }

        return new Loop<T>(network, train, optimizer, options, validation).Run();
    }

    private static (Dataset<T> Train, Dataset<T> Validation) HoldOut<T>(Dataset<T> data, double fraction) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int held = (int)Math.Round(data.Count * fraction);
        if (held < 1 || held >= data.Count)
        {
            throw new ArgumentException($"ValidationFraction {fraction} of {data.Count} rows leaves no training or no validation rows.", nameof(data));
        }

        int[] trainRows = new int[data.Count - held], validationRows = new int[held];
        for (int i = 0; i < trainRows.Length; i++)
        {
            trainRows[i] = i;
        }

        for (int i = 0; i < held; i++)
        {
            validationRows[i] = trainRows.Length + i;
        }

        return (data.Subset(trainRows), data.Subset(validationRows));
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
        private T[] _lastGood, _lastGoodState, _candidate, _candidateState;
        private readonly T[] _bestParameters, _bestState;
        private readonly T[] _evaluationBuffer;
        private readonly double[] _layerNorms, _layerNormSquares;
        private readonly double _baseRate;
        private SplitMix64 _rng;
        private long _steps;

        public Loop(INetwork<T> network, Dataset<T> train, IOptimizer<T> optimizer, FitOptions options, Dataset<T>? validation)
        {
            _network = network;
            _train = train;
            _validation = validation;
            _optimizer = optimizer;
            _options = options;
            _spec = network.Spec;
            _order = new int[train.Count];
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }

            int batch = Math.Min(options.BatchSize, train.Count);
            _batchX = new T[batch * train.FeatureCount];
            _batchY = new T[batch * train.TargetCount];
            _lastGood = new T[network.ParameterCount];
            _lastGoodState = new T[network.State.Length];
            _candidate = new T[network.ParameterCount];
            _candidateState = new T[network.State.Length];
            _bestParameters = new T[network.ParameterCount];
            _bestState = new T[network.State.Length];
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
        }

        public TrainingHistory Run()
        {
            var history = new TrainingHistory();
            var total = Stopwatch.StartNew();
            double best = double.PositiveInfinity;
            int sinceBest = 0;
            _network.Parameters.CopyTo(_bestParameters);
            _network.State.CopyTo(_bestState);
            try
            {
                for (int epoch = 1; epoch <= _options.Epochs; epoch++)
                {
                    EpochReport report = RunEpoch(epoch);
                    history.Add(report);
                    double monitored = report.Validation?.Loss ?? report.Train.Loss;
                    if (monitored < best - _options.EarlyStoppingMinDelta || history.BestEpoch == 0)
                    {
                        best = Math.Min(best, monitored);
                        history.BestEpoch = epoch;
                        sinceBest = 0;
                        _network.Parameters.CopyTo(_bestParameters);
                        _network.State.CopyTo(_bestState);
                    }
                    else
                    {
                        sinceBest++;
                    }

                    _options.Progress?.Report(report);
                    if (_options.EarlyStoppingPatience is { } patience && sinceBest > patience && epoch < _options.Epochs)
                    {
                        history.StoppedEarly = true;
                        break;
                    }
                }

                if (_options.EarlyStoppingPatience is not null && _options.RestoreBestParameters && history.BestEpoch != history.Epochs.Count)
                {
                    _bestParameters.CopyTo(_network.Parameters);
                    _bestState.CopyTo(_network.State);
                    history.RestoredBest = true;
                }
            }
            finally
            {
                history.Duration = total.Elapsed;
            }

            return history;
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
            int stepInEpoch = 0;
            Array.Clear(_layerNormSquares);
            for (int first = 0; first < n; first += batchSize)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(batchSize, n - first);
                for (int r = 0; r < rows; r++)
                {
                    int row = _order[first + r];
                    _train.Features.AsSpan(row * fin, fin).CopyTo(_batchX.AsSpan(r * fin));
                    _train.Targets.AsSpan(row * fout, fout).CopyTo(_batchY.AsSpan(r * fout));
                }

                stepInEpoch++;
                double loss = Step(epoch, stepInEpoch, _batchX.AsSpan(0, rows * fin), _batchY.AsSpan(0, rows * fout), rows);
                lossSum += loss * rows;
                _options.BatchProgress?.Report(new BatchProgress(epoch, first + rows, n, lossSum / (first + rows)));
            }

            double trainLoss = lossSum / n;
            Metrics train = _options.TrainingMetrics
                ? Evaluation.Evaluate(_network, _train, _evaluationBuffer, includeLoss: false, knownLoss: trainLoss)
                : new Metrics(trainLoss);
            Metrics? validation = _validation is null ? null : Evaluation.Evaluate(_network, _validation, _evaluationBuffer, includeLoss: true);
            IReadOnlyList<LayerDiagnostics> layers = _options.LayerDiagnostics ? Diagnose(stepInEpoch) : [];
            TimeSpan elapsed = clock.Elapsed;
            return new EpochReport(epoch, train, validation, _optimizer.LearningRate, _steps, elapsed, n / Math.Max(elapsed.TotalSeconds, 1e-9), layers);
        }

        /// <summary>Whether plain SGD can use the network's fused step (no penalty, clipping or per-layer gradient norms need the gradients).</summary>
        private bool Fused => _optimizer is Sgd<T> && _network is ISgdStep<T> && _options.L1 == 0 && _options.L2 == 0 &&
            _options.ClipNorm is null && _options.ClipValue is null && !_options.LayerDiagnostics;

        /// <summary>One mini-batch: gradient of the mean loss, penalties, checks, clipping, schedule, update.</summary>
        private double Step(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            if (Fused)
            {
                return FusedStep(epoch, stepInEpoch, x, y, rows);
            }

            ulong randomState = _network.RandomState;
            _network.ZeroGradients();
            T sum = _network.BackwardBatch(x, y);
            Span<T> gradients = _network.Gradients;
            Span<T> parameters = _network.Parameters;
            T scale = T.One / T.CreateChecked(rows);
            TensorPrimitives.Multiply(gradients, scale, gradients);
            double loss = double.CreateChecked(sum) / rows;
            if (_options.L1 > 0 || _options.L2 > 0)
            {
                loss += double.CreateChecked(WeightPenalty.AddPenalty<T>(_spec, parameters, gradients, _options.L1, _options.L2));
            }

            if (!double.IsFinite(loss) || !AllFinite(gradients))
            {
                Diverged(epoch, stepInEpoch, x, y, randomState, loss);
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

            parameters.CopyTo(_lastGood);
            _network.State.CopyTo(_lastGoodState);
            if (_options.Schedule is { } schedule)
            {
                _optimizer.LearningRate = schedule.Rate(_baseRate, _steps, epoch - 1);
            }

            _optimizer.Step(parameters, gradients);
            _steps++;
            return loss;
        }

        /// <summary>
        /// Plain SGD in the network's one-pass step. The parameters a step starts from are copied first; they become the
        /// "last good" ones once the step's loss and resulting parameters are finite, and are restored otherwise.
        /// </summary>
        private double FusedStep(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
        {
            ulong randomState = _network.RandomState;
            _network.Parameters.CopyTo(_candidate);
            _network.State.CopyTo(_candidateState);
            if (_options.Schedule is { } schedule)
            {
                _optimizer.LearningRate = schedule.Rate(_baseRate, _steps, epoch - 1);
            }

            double loss = double.CreateChecked(((ISgdStep<T>)_network).TrainStep(x, y, T.CreateChecked(_optimizer.LearningRate))) / rows;
            if (!double.IsFinite(loss) || !AllFinite(_network.Parameters))
            {
                // Replay from the parameters this step started from, then keep the last good ones.
                _candidate.CopyTo(_network.Parameters);
                _candidateState.CopyTo(_network.State);
                Diverged(epoch, stepInEpoch, x, y, randomState, loss);
            }

            (_lastGood, _candidate) = (_candidate, _lastGood);
            (_lastGoodState, _candidateState) = (_candidateState, _lastGoodState);
            _steps++;
            return loss;
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

        /// <summary>Finds where the non-finite value first appeared, restores the last good parameters and throws.</summary>
        private void Diverged(int epoch, int stepInEpoch, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ulong randomState, double loss)
        {
            var probe = new GenericNetwork<T>(_spec);
            _network.Parameters.CopyTo(probe.Parameters);
            _network.State.CopyTo(probe.State);
            (int layer, string where) = LocateIn(probe, x, y, randomState);
            if (_steps > 0)
            {
                _lastGood.CopyTo(_network.Parameters);
                _lastGoodState.CopyTo(_network.State);
            }

            string kept = _steps > 0 ? "the network keeps the parameters of the last step whose loss and gradients were finite" : "the parameters are unchanged";
            throw new TrainingDivergedException(epoch, stepInEpoch, layer, where,
                $"Training diverged in epoch {epoch}, step {stepInEpoch}: {where} became NaN or infinite (batch loss {loss}); {kept}. " +
                "Lower the learning rate, clip the gradients (ClipNorm) or standardize the inputs.");
        }

        /// <summary>Replays the failing batch in the generic engine with the failing parameters: the first non-finite quantity in forward order, then in back-propagation order.</summary>
        private (int Layer, string Where) LocateIn(GenericNetwork<T> probe, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ulong randomState)
        {
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

            if (!AllFinite(probe.Parameters))
            {
                return (0, "a parameter");
            }

            return (-1, "the regularized loss or gradient");
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
