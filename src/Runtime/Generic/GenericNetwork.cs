using System;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Threading;

namespace NetGen;

/// <summary>
/// The generic engine: runs any <see cref="NetworkSpec"/> defined at run time through the same
/// <see cref="INetwork{T}"/> contract and parameter layout as a generated network. It is the reference the
/// generated code is tested against and the baseline every benchmark measures, so it is written to be fast
/// within its generality: flat arrays, whole batches layer by layer, vectorized <see cref="TensorPrimitives"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Thread safety: inference (<see cref="Forward"/>, <see cref="ForwardBatch"/>) may be called from any number of
/// threads at once on one instance, with no lock: each call rents its buffers from a small lock-free per-instance
/// pool (one <see cref="Interlocked.Exchange{T}(ref T, T)"/> per call) and gives them back after, so the
/// single-threaded path allocates nothing and a call that finds every pooled buffer in use makes a fresh one.
/// Training (<see cref="Backward"/>, <see cref="BackwardBatch"/>, <see cref="ZeroGradients"/>, an optimizer's step
/// on <see cref="Parameters"/>) is single-writer: one thread at a time, and no inference while it runs, since it
/// writes the parameters, gradients, running statistics and <see cref="RandomState"/> that inference reads.
/// </para>
/// </remarks>
public sealed class GenericNetwork<T> : INetwork<T>, ITrainingOutputs<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _trainingOutputs = [];   // a^L of the last training call, when KeepTrainingOutputs is on
    private int _trainingOutputLength;

    private readonly T[] _parameters;
    private readonly T[] _gradients;
    private readonly T[] _state;
    private readonly DenseStage[] _stages;
    private readonly T[] _alphas;
    private readonly T _inputDropScale;

    // The lock-free pool of buffers: a call takes the first non-null slot (Interlocked.Exchange with null) and puts its
    // buffers back into the first empty one; _last is the buffers of the most recent call, for Activations.
    private readonly Buffers?[] _pool = new Buffers?[Math.Clamp(Environment.ProcessorCount, 2, 16)];
    private Buffers _last;

    /// <summary>Builds the engine for <paramref name="spec"/> with parameters initialized from <paramref name="seed"/>.</summary>
    /// <param name="spec">The topology; its precision is replaced by T's.</param>
    /// <param name="seed">Initialization seed; the same seed as a generated network gives the same parameters.</param>
    /// <param name="initializer">How weights are drawn.</param>
    public GenericNetwork(NetworkSpec spec, int seed = 0, Initializer initializer = Initializer.GlorotUniform)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"GenericNetwork<{typeof(T).Name}> is not supported: use float or double.");
        }

        if (spec.HasUnresolvedFunctions)
        {
            throw new ArgumentException(
                $"The spec names the user-written function(s) {string.Join(", ", spec.CustomFunctions.Where(f => f.IsUnresolved).Select(f => $"'{f.Name}'"))} without their code (it was read from a model file): " +
                "load the model with ModelFile.LoadGeneric<T>(path, functions), passing e.g. the generated network's Spec.CustomFunctions, or call spec.WithFunctions(functions).",
                nameof(spec));
        }

        Spec = spec.WithPrecision(typeof(T) == typeof(float) ? Precision.Single : Precision.Double);
        _stages = [.. Spec.Stages];
        _alphas = new T[_stages.Length];
        for (int i = 0; i < _stages.Length; i++)
        {
            _alphas[i] = ActivationInfo.HasAlpha(_stages[i].Activation) ? T.CreateChecked(_stages[i].Alpha) : T.Zero;
        }

        _parameters = new T[Spec.ParameterCount];
        _gradients = new T[Spec.ParameterCount];
        _state = new T[Spec.StateCount];
        _inputDropScale = Spec.InputDropoutRate > 0 ? T.CreateChecked(1.0 / (1.0 - Spec.InputDropoutRate)) : T.One;
        Initializers.Initialize<T>(Spec, _parameters, _state, initializer, seed);
        RandomState = Initializers.InitialRandomState(seed);
        _last = new Buffers(this, 1);
        _pool[0] = _last;
    }

    /// <inheritdoc />
    public NetworkSpec Spec { get; }

    /// <inheritdoc />
    public int InputSize => Spec.InputSize;

    /// <inheritdoc />
    public int OutputSize => Spec.OutputSize;

    /// <inheritdoc />
    public int ParameterCount => _parameters.Length;

    /// <inheritdoc />
    public Span<T> Parameters => _parameters;

    /// <inheritdoc />
    public Span<T> Gradients => _gradients;

    /// <inheritdoc />
    public Span<T> State => _state;

    /// <inheritdoc />
    public ulong RandomState { get; set; }

    /// <summary>
    /// The activations a^l of the last call, row-major [count, width] (l = 0 is the input after dropout). For
    /// diagnostics and tests, on one thread; valid until the next call.
    /// </summary>
    public ReadOnlySpan<T> Activations(int layer, int count) =>
        layer == 0 ? _last.Input.AsSpan(0, count * InputSize) : _last.Work[layer - 1].A.AsSpan(0, count * _stages[layer - 1].OutputSize);

    /// <summary>The pre-activations v^l (after batch normalization) of the last call, row-major [count, width]; one thread only.</summary>
    public ReadOnlySpan<T> PreActivations(int layer, int count) => _last.Work[layer - 1].V.AsSpan(0, count * _stages[layer - 1].OutputSize);

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<T> input, Span<T> output)
    {
        Shapes.RequireLength(input.Length, InputSize, nameof(input), "The input");
        Shapes.RequireLength(output.Length, OutputSize, nameof(output), "The output");
        Buffers buffers = Rent(1);
        Run(buffers, input, 1, training: false);
        buffers.Work[^1].A.AsSpan(0, OutputSize).CopyTo(output);
        Return(buffers);
    }

    /// <inheritdoc />
    public void ForwardBatch(ReadOnlySpan<T> inputs, Span<T> outputs)
    {
        int count = Shapes.BatchCount(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(outputs));
        if (count == 0)
        {
            return;
        }

        Buffers buffers = Rent(count);
        Run(buffers, inputs, count, training: false);
        buffers.Work[^1].A.AsSpan(0, count * OutputSize).CopyTo(outputs);
        Return(buffers);
    }

    /// <inheritdoc />
    public T Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> target)
    {
        Shapes.RequireLength(input.Length, InputSize, nameof(input), "The input");
        Shapes.RequireLength(target.Length, OutputSize, nameof(target), "The target");
        Buffers buffers = Rent(1);
        T loss = Train(buffers, input, target, 1);
        KeepOutputs(buffers, 1);
        Return(buffers);
        return loss;
    }

    /// <inheritdoc />
    public T BackwardBatch(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets)
    {
        int count = Shapes.BatchCount(inputs.Length, InputSize, targets.Length, OutputSize, nameof(targets));
        if (count == 0)
        {
            _trainingOutputLength = 0;
            return T.Zero;
        }

        Buffers buffers = Rent(count);
        T loss = Train(buffers, inputs, targets, count);
        KeepOutputs(buffers, count);
        Return(buffers);
        return loss;
    }

    /// <inheritdoc />
    public bool KeepTrainingOutputs { get; set; }

    /// <inheritdoc />
    public ReadOnlySpan<T> TrainingOutputs => _trainingOutputs.AsSpan(0, _trainingOutputLength);

    /// <summary>Copies a^L of the training call that just ran into <see cref="TrainingOutputs"/> while they are kept.</summary>
    private void KeepOutputs(Buffers buffers, int count)
    {
        _trainingOutputLength = 0;
        if (!KeepTrainingOutputs)
        {
            return;
        }

        int length = count * OutputSize;
        if (_trainingOutputs.Length < length)
        {
            _trainingOutputs = new T[length];
        }

        buffers.Work[^1].A.AsSpan(0, length).CopyTo(_trainingOutputs);
        _trainingOutputLength = length;
    }

    /// <inheritdoc />
    public void ZeroGradients() => Array.Clear(_gradients);

    /// <summary>Takes buffers for <paramref name="count"/> rows from the pool, or makes new ones when every slot is in use.</summary>
    private Buffers Rent(int count)
    {
        Buffers?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            if (Volatile.Read(ref pool[i]) is not null && Interlocked.Exchange(ref pool[i], null) is { } buffers)
            {
                return buffers.Capacity >= count ? buffers : new Buffers(this, Math.Max(count, 2 * buffers.Capacity));
            }
        }

        return new Buffers(this, count);
    }

    /// <summary>Puts <paramref name="buffers"/> back into the first empty slot (dropped when every slot is full) and remembers them for Activations.</summary>
    private void Return(Buffers buffers)
    {
        _last = buffers;
        Buffers?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            if (Volatile.Read(ref pool[i]) is null && Interlocked.CompareExchange(ref pool[i], buffers, null) is null)
            {
                return;
            }
        }
    }

    private T Train(Buffers buffers, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count)
    {
        ulong key = RandomState;
        if (Spec.HasDropout)
        {
            RandomState = DropoutMask.Next(key);
        }

        Run(buffers, inputs, count, training: true, key);
        Workspace[] work = buffers.Work;

        // δ^L = ∂C/∂v^L, row by row, and the summed loss.
        int last = _stages.Length - 1;
        DenseStage output = _stages[last];
        Workspace w = work[last];
        int width = output.OutputSize;
        T loss = T.Zero;
        Span<T> delta = buffers.GradA.AsSpan(0, count * width);
        for (int s = 0; s < count; s++)
        {
            ReadOnlySpan<T> v = w.V.AsSpan(s * width, width), a = w.H.AsSpan(s * width, width), y = targets.Slice(s * width, width);
            loss += LossMath.Cost(Spec.Loss, v, a, y, Spec.LossFunction);
            LossMath.OutputDelta(Spec.Loss, output.Activation, _alphas[last], v, a, y, delta.Slice(s * width, width), Spec.LossFunction, output.Dense.Function);
        }

        // Back through the layers: δ^l from ∂C/∂a^l, then ∂C/∂W^l, ∂C/∂b^l and ∂C/∂a^{l−1}.
        T[] gradCurrent = buffers.GradA, gradNext = buffers.GradB;
        for (int l = last; l >= 0; l--)
        {
            DenseStage stage = _stages[l];
            w = work[l];
            int n = stage.OutputSize, m = stage.InputSize;
            Span<T> d = gradCurrent.AsSpan(0, count * n);
            if (l != last)
            {
                // ∂C/∂h = ∂C/∂a ∘ mask/(1 − p), then δ = σ'(v) ∘ ∂C/∂h.
                if (stage.DropoutRate > 0)
                {
                    TensorPrimitives.Multiply(d, w.Mask.AsSpan(0, count * n), d);
                }

                for (int s = 0; s < count; s++)
                {
                    Span<T> row = d.Slice(s * n, n);
                    ActivationMath.Backprop(stage.Activation, _alphas[l], w.V.AsSpan(s * n, n), w.H.AsSpan(s * n, n), row, row, stage.Dense.Function);
                }
            }

            if (stage.BatchNorm is not null)
            {
                BatchNormBackward(stage, w, d, count);
            }

            ReadOnlySpan<T> aPrev = l == 0 ? buffers.Input.AsSpan(0, count * m) : work[l - 1].A.AsSpan(0, count * m);
            Span<T> dW = _gradients.AsSpan(stage.WeightOffset, m * n);
            Span<T> db = _gradients.AsSpan(stage.BiasOffset, n);
            ReadOnlySpan<T> W = _parameters.AsSpan(stage.WeightOffset, m * n);
            Span<T> gPrev = l == 0 ? default : gradNext.AsSpan(0, count * m);
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<T> ds = d.Slice(s * n, n);
                ReadOnlySpan<T> xs = aPrev.Slice(s * m, m);
                TensorPrimitives.Add(db, ds, db);
                for (int k = 0; k < m; k++)
                {
                    // ∂C/∂W^l_{jk} += δ_j a^{l−1}_k  (row k of W^l holds the weights leaving input k)
                    Span<T> dWk = dW.Slice(k * n, n);
                    TensorPrimitives.MultiplyAdd(ds, xs[k], dWk, dWk);
                }

                if (l > 0)
                {
                    // ∂C/∂a^{l−1}_k = Σ_j W^l_{jk} δ_j   (the input gradient of layer 1 is never computed)
                    Span<T> gs = gPrev.Slice(s * m, m);
                    for (int k = 0; k < m; k++)
                    {
                        gs[k] = TensorPrimitives.Dot(W.Slice(k * n, n), ds);
                    }
                }
            }

            (gradCurrent, gradNext) = (gradNext, gradCurrent);
        }

        return loss;
    }

    private void Run(Buffers buffers, ReadOnlySpan<T> inputs, int count, bool training, ulong key = 0)
    {
        int inputLength = count * InputSize;
        Span<T> x = buffers.Input.AsSpan(0, inputLength);
        inputs.Slice(0, inputLength).CopyTo(x);
        if (training && Spec.InputDropoutRate > 0)
        {
            Span<T> mask = buffers.InputMask.AsSpan(0, inputLength);
            FillMask(mask, key, 0, Spec.InputDropoutRate, _inputDropScale);
            TensorPrimitives.Multiply(x, mask, x);
        }

        ReadOnlySpan<T> aPrev = x;
        for (int l = 0; l < _stages.Length; l++)
        {
            DenseStage stage = _stages[l];
            Workspace w = buffers.Work[l];
            int n = stage.OutputSize, m = stage.InputSize;
            ReadOnlySpan<T> W = _parameters.AsSpan(stage.WeightOffset, m * n);
            ReadOnlySpan<T> b = _parameters.AsSpan(stage.BiasOffset, n);

            // z^l = W^l a^{l−1} + b^l, one row per sample: z = b + Σ_k a_k · (row k of W)
            Span<T> z = w.U.AsSpan(0, count * n);
            for (int s = 0; s < count; s++)
            {
                Span<T> zs = z.Slice(s * n, n);
                b.CopyTo(zs);
                ReadOnlySpan<T> xs = aPrev.Slice(s * m, m);
                for (int k = 0; k < m; k++)
                {
                    TensorPrimitives.MultiplyAdd(W.Slice(k * n, n), xs[k], zs, zs);
                }
            }

            if (stage.BatchNorm is not null)
            {
                BatchNormForward(stage, w, count, training);
            }

            // a^l = σ(v^l), v = z or its batch normalization
            Span<T> h = w.H.AsSpan(0, count * n);
            for (int s = 0; s < count; s++)
            {
                ActivationMath.Activate(stage.Activation, _alphas[l], w.V.AsSpan(s * n, n), h.Slice(s * n, n), stage.Dense.Function);
            }

            if (stage.DropoutRate > 0)
            {
                Span<T> a = w.A.AsSpan(0, count * n);
                if (training)
                {
                    Span<T> mask = w.Mask.AsSpan(0, count * n);
                    FillMask(mask, key, stage.Index, stage.DropoutRate, w.DropScale);
                    TensorPrimitives.Multiply(h, mask, a);
                }
                else
                {
                    h.CopyTo(a);
                }
            }

            aPrev = w.A.AsSpan(0, count * n);
        }
    }

    private void BatchNormForward(DenseStage stage, Workspace w, int count, bool training)
    {
        int n = stage.OutputSize;
        BatchNormLayerSpec bn = stage.BatchNorm!;
        T eps = T.CreateChecked(bn.Epsilon);
        ReadOnlySpan<T> gamma = _parameters.AsSpan(stage.GammaOffset, n), beta = _parameters.AsSpan(stage.BetaOffset, n);
        Span<T> runMean = _state.AsSpan(stage.MeanOffset, n), runVar = _state.AsSpan(stage.VarianceOffset, n);
        Span<T> mean = w.Mean, invStd = w.InvStd;
        if (training)
        {
            // μ_B = mean over the batch, σ²_B = mean((z − μ_B)²) (biased, as Keras), per unit j
            T invCount = T.One / T.CreateChecked(count);
            T momentum = T.CreateChecked(bn.Momentum);
            mean.Clear();
            for (int s = 0; s < count; s++)
            {
                TensorPrimitives.Add(mean, w.U.AsSpan(s * n, n), mean);
            }

            TensorPrimitives.Multiply(mean, invCount, mean);
            Span<T> variance = invStd;
            variance.Clear();
            for (int s = 0; s < count; s++)
            {
                Span<T> xhat = w.XHat.AsSpan(s * n, n);
                TensorPrimitives.Subtract(w.U.AsSpan(s * n, n), mean, xhat);
                TensorPrimitives.MultiplyAdd(xhat, xhat, variance, variance);
            }

            TensorPrimitives.Multiply(variance, invCount, variance);
            for (int j = 0; j < n; j++)
            {
                runMean[j] = momentum * runMean[j] + (T.One - momentum) * mean[j];
                runVar[j] = momentum * runVar[j] + (T.One - momentum) * variance[j];
                invStd[j] = T.One / T.Sqrt(variance[j] + eps);
            }
        }
        else
        {
            runMean.CopyTo(mean);
            for (int j = 0; j < n; j++)
            {
                invStd[j] = T.One / T.Sqrt(runVar[j] + eps);
            }

            for (int s = 0; s < count; s++)
            {
                TensorPrimitives.Subtract(w.U.AsSpan(s * n, n), mean, w.XHat.AsSpan(s * n, n));
            }
        }

        // ẑ = (z − μ) / √(σ² + ε),  v = γ ẑ + β
        for (int s = 0; s < count; s++)
        {
            Span<T> xhat = w.XHat.AsSpan(s * n, n);
            TensorPrimitives.Multiply(xhat, invStd, xhat);
            Span<T> v = w.V.AsSpan(s * n, n);
            TensorPrimitives.MultiplyAdd(xhat, gamma, beta, v);
        }
    }

    private void BatchNormBackward(DenseStage stage, Workspace w, Span<T> delta, int count)
    {
        // Given δv = ∂C/∂v: ∂C/∂γ += Σ_s δv ∘ ẑ, ∂C/∂β += Σ_s δv,
        // δz = γ/(m √(σ²+ε)) ∘ (m δv − Σ_s δv − ẑ ∘ Σ_s δv ∘ ẑ)   (m = batch size)
        int n = stage.OutputSize;
        ReadOnlySpan<T> gamma = _parameters.AsSpan(stage.GammaOffset, n);
        Span<T> dGamma = _gradients.AsSpan(stage.GammaOffset, n), dBeta = _gradients.AsSpan(stage.BetaOffset, n);
        Span<T> sumD = w.SumDelta, sumDX = w.SumDeltaXHat;
        sumD.Clear();
        sumDX.Clear();
        for (int s = 0; s < count; s++)
        {
            ReadOnlySpan<T> ds = delta.Slice(s * n, n);
            TensorPrimitives.Add(sumD, ds, sumD);
            TensorPrimitives.MultiplyAdd(ds, w.XHat.AsSpan(s * n, n), sumDX, sumDX);
        }

        TensorPrimitives.Add(dGamma, sumDX, dGamma);
        TensorPrimitives.Add(dBeta, sumD, dBeta);
        T invCount = T.One / T.CreateChecked(count);
        for (int s = 0; s < count; s++)
        {
            Span<T> ds = delta.Slice(s * n, n);
            ReadOnlySpan<T> xhat = w.XHat.AsSpan(s * n, n);
            for (int j = 0; j < n; j++)
            {
                ds[j] = gamma[j] * w.InvStd[j] * (ds[j] - invCount * sumD[j] - xhat[j] * invCount * sumDX[j]);
            }
        }
    }

    private static void FillMask(Span<T> mask, ulong key, int layer, double rate, T scale)
    {
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = DropoutMask.Keep(key, layer, i, rate) ? scale : T.Zero;
        }
    }

    /// <summary>Everything one call writes, for batches of up to <see cref="Capacity"/> rows: one set per concurrent caller.</summary>
    private sealed class Buffers
    {
        public Buffers(GenericNetwork<T> network, int capacity)
        {
            DenseStage[] stages = network._stages;
            int widest = network.InputSize;
            Work = new Workspace[stages.Length];
            for (int l = 0; l < stages.Length; l++)
            {
                Work[l] = new Workspace(stages[l], capacity);
                widest = Math.Max(widest, stages[l].OutputSize);
            }

            Input = new T[capacity * network.InputSize];
            InputMask = network.Spec.InputDropoutRate > 0 ? new T[capacity * network.InputSize] : [];
            GradA = new T[capacity * widest];
            GradB = new T[capacity * widest];
            Capacity = capacity;
        }

        public int Capacity { get; }

        public Workspace[] Work { get; }

        public T[] Input { get; }        // a^0: the input, after dropout in training

        public T[] InputMask { get; }

        public T[] GradA { get; }        // δ^l and ∂C/∂a^{l−1}, alternating

        public T[] GradB { get; }
    }

    /// <summary>The per-layer buffers for a batch of up to <c>capacity</c> samples.</summary>
    private sealed class Workspace
    {
        public Workspace(DenseStage stage, int capacity)
        {
            int size = capacity * stage.OutputSize;
            U = new T[size];
            V = stage.BatchNorm is null ? U : new T[size];
            H = new T[size];
            A = stage.DropoutRate > 0 ? new T[size] : H;
            Mask = stage.DropoutRate > 0 ? new T[size] : [];
            DropScale = stage.DropoutRate > 0 ? T.CreateChecked(1.0 / (1.0 - stage.DropoutRate)) : T.One;
            bool bn = stage.BatchNorm is not null;
            XHat = bn ? new T[size] : [];
            Mean = bn ? new T[stage.OutputSize] : [];
            InvStd = bn ? new T[stage.OutputSize] : [];
            SumDelta = bn ? new T[stage.OutputSize] : [];
            SumDeltaXHat = bn ? new T[stage.OutputSize] : [];
        }

        public T[] U { get; }        // z = W a + b

        public T[] V { get; }        // the activation's input: z, or γ ẑ + β

        public T[] H { get; }        // σ(v)

        public T[] A { get; }        // the layer's output: σ(v), or σ(v) ∘ mask/(1 − p)

        public T[] Mask { get; }

        public T DropScale { get; }

        public T[] XHat { get; }

        public T[] Mean { get; }

        public T[] InvStd { get; }

        public T[] SumDelta { get; }

        public T[] SumDeltaXHat { get; }
    }
}
