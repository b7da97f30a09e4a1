using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NetGen;

/// <summary>
/// The topology of a feed-forward network as data: input width, layers in the order they apply, loss and precision.
/// The generator emits one for each generated network (its <c>Spec</c>); <see cref="GenericNetwork{T}"/> runs any
/// spec built at run time. Construction validates the same rules the generator reports as NG diagnostics.
/// </summary>
public sealed class NetworkSpec : IEquatable<NetworkSpec>
{
    private readonly LayerSpec[] _layers;

    /// <summary>Creates and validates a spec.</summary>
    /// <param name="inputSize">The number of input features (≥ 1).</param>
    /// <param name="layers">Dense, dropout and batch-normalization layers in the order they apply; the last dense layer is the output.</param>
    /// <param name="loss">The per-sample cost.</param>
    /// <param name="precision">The floating-point type the network computes in.</param>
    /// <exception cref="ArgumentException">The topology is invalid; the message says which layer and how to fix it.</exception>
    public NetworkSpec(int inputSize, IEnumerable<LayerSpec> layers, Loss loss, Precision precision = Precision.Single)
        : this(inputSize, layers, loss, null, precision)
    {
    }

    /// <summary>Creates and validates a spec trained with a user-written loss (<see cref="Loss"/> is <see cref="NetGen.Loss.Custom"/>).</summary>
    /// <param name="inputSize">The number of input features (≥ 1).</param>
    /// <param name="layers">Dense, dropout and batch-normalization layers in the order they apply.</param>
    /// <param name="loss">ℓ(a, y) and ∂ℓ/∂a, summed over the outputs.</param>
    /// <param name="precision">The floating-point type the network computes in.</param>
    public NetworkSpec(int inputSize, IEnumerable<LayerSpec> layers, CustomLoss loss, Precision precision = Precision.Single)
        : this(inputSize, layers, Loss.Custom, loss ?? throw new ArgumentNullException(nameof(loss)), precision)
    {
    }

    private NetworkSpec(int inputSize, IEnumerable<LayerSpec> layers, Loss loss, CustomLoss? lossFunction, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (loss == Loss.Custom && lossFunction is null)
        {
            throw new ArgumentException("Loss.Custom needs the function: use the constructor that takes a CustomLoss.", nameof(loss));
        }

        InputSize = inputSize;
        _layers = layers.ToArray();
        Loss = loss;
        LossFunction = loss == Loss.Custom ? lossFunction : null;
        Precision = precision;
        (Stages, InputDropoutRate, ParameterCount, StateCount, Layout) = Compile(inputSize, _layers, loss, precision);
        DenseLayers = Stages.Select(s => s.Dense).ToArray();
    }

    /// <summary>Starts a fluent description: <c>NetworkSpec.Input(2).Dense(2, Activation.Sigmoid).Dense(1).Build(Loss.MeanSquaredError)</c>.</summary>
    public static NetworkSpecBuilder Input(int size) => new(size);

    /// <summary>The number of input features.</summary>
    public int InputSize { get; }

    /// <summary>The layers in the order they apply.</summary>
    public IReadOnlyList<LayerSpec> Layers => _layers;

    /// <summary>The dense layers l = 1..L.</summary>
    public IReadOnlyList<DenseLayerSpec> DenseLayers { get; }

    /// <summary>The per-sample cost.</summary>
    public Loss Loss { get; }

    /// <summary>The user-written loss when <see cref="Loss"/> is <see cref="NetGen.Loss.Custom"/>, else null.</summary>
    public CustomLoss? LossFunction { get; }

    /// <summary>The user-written functions the spec uses (activations in layer order, then the loss), each once.</summary>
    public IReadOnlyList<CustomFunction> CustomFunctions =>
        DenseLayers.Where(d => d.Function is not null).Select(d => (CustomFunction)d.Function!)
            .Concat(LossFunction is null ? [] : [LossFunction]).DistinctBy(f => (f.GetType(), f.Name)).ToArray();

    /// <summary>The same spec with other layers, keeping the loss (and its function) and the precision.</summary>
    internal NetworkSpec WithLayers(IEnumerable<LayerSpec> layers) => new(InputSize, layers, Loss, LossFunction, Precision);

    /// <summary>
    /// The spec with each function known by name only (read from a model file) replaced by the one of that name in
    /// <paramref name="functions"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A function is not supplied.</exception>
    public NetworkSpec WithFunctions(IEnumerable<CustomFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var supplied = functions.ToList();
        T Find<T>(T unresolved, string kind) where T : CustomFunction =>
            supplied.OfType<T>().FirstOrDefault(f => f.Name == unresolved.Name && !f.IsUnresolved)
            ?? throw new ArgumentException(
                $"The model uses the user-written {kind} '{unresolved.Name}', which is not among the functions supplied ({(supplied.Count == 0 ? "none" : string.Join(", ", supplied.Select(f => f.Name)))}): pass it, e.g. the generated network's Spec.CustomFunctions.",
                nameof(functions));

        var layers = _layers.Select(l => l is DenseLayerSpec { Function: { IsUnresolved: true } f } dense ? dense with { Function = Find(f, "activation") } : l).ToList();
        CustomLoss? loss = LossFunction is { IsUnresolved: true } lf ? Find(lf, "loss") : LossFunction;
        return new NetworkSpec(InputSize, layers, Loss, loss, Precision);
    }

    /// <summary>Whether a function is known by name only (read from a model file without being supplied).</summary>
    public bool HasUnresolvedFunctions => CustomFunctions.Any(f => f.IsUnresolved);

    /// <summary>The floating-point type.</summary>
    public Precision Precision { get; }

    /// <summary>The number of outputs (the last dense layer's size).</summary>
    public int OutputSize => Stages[^1].OutputSize;

    /// <summary>The number of trainable parameters.</summary>
    public int ParameterCount { get; }

    /// <summary>The length of the non-trainable state (batch-normalization running statistics).</summary>
    public int StateCount { get; }

    /// <summary>The dropout rate applied to the input x (0 when none).</summary>
    public double InputDropoutRate { get; }

    /// <summary>Each dense layer l = 1..L with what follows it, and the offsets of its blocks.</summary>
    public IReadOnlyList<DenseStage> Stages { get; }

    /// <summary>Every parameter block (W1, b1, [γ1, β1], W2, …) with its offset and shape.</summary>
    public IReadOnlyList<ParameterBlock> Layout { get; }

    /// <summary>Whether any layer drops units in training (then each training call draws masks and advances <see cref="INetwork{T}.RandomState"/>).</summary>
    public bool HasDropout => InputDropoutRate > 0 || Stages.Any(s => s.DropoutRate > 0);

    /// <summary>Whether any layer behaves differently in training (dropout or batch normalization).</summary>
    public bool HasTrainingBehavior => InputDropoutRate > 0 || Stages.Any(s => s.DropoutRate > 0 || s.BatchNorm is not null);

    /// <summary>The same topology in another precision.</summary>
    public NetworkSpec WithPrecision(Precision precision) => precision == Precision ? this : new NetworkSpec(InputSize, _layers, Loss, LossFunction, precision);

    /// <summary>The same topology with another loss.</summary>
    public NetworkSpec WithLoss(Loss loss) => loss == Loss ? this : new NetworkSpec(InputSize, _layers, loss, Precision);

    /// <summary>The same topology with a user-written loss.</summary>
    public NetworkSpec WithLoss(CustomLoss loss) => new(InputSize, _layers, loss, Precision);

    /// <summary>A one-line description, e.g. <c>Input(2) → Dense(2, sigmoid) → Dense(1, identity); MeanSquaredError; Single</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Input({InputSize})");
        foreach (LayerSpec layer in _layers)
        {
            sb.Append(" → ").Append(layer);
        }

        sb.Append("; ").Append(LossFunction?.Name ?? Loss.ToString()).Append("; ").Append(Precision);
        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(NetworkSpec? other) =>
        other is not null && InputSize == other.InputSize && Loss == other.Loss && Precision == other.Precision &&
        Equals(LossFunction, other.LossFunction) && _layers.AsSpan().SequenceEqual(other._layers);

    /// <summary>Whether two specs describe the same topology and loss, whatever their precision.</summary>
    public bool SameTopology(NetworkSpec other) => other is not null && WithPrecision(other.Precision).Equals(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NetworkSpec);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(InputSize);
        hash.Add(Loss);
        hash.Add(Precision);
        foreach (LayerSpec layer in _layers)
        {
            hash.Add(layer);
        }

        return hash.ToHashCode();
    }

    private static (DenseStage[] Stages, double InputDropout, int Parameters, int State, ParameterBlock[] Layout) Compile(
        int inputSize, LayerSpec[] layers, Loss loss, Precision precision)
    {
        if (inputSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be at least 1 (NG0005).");
        }

        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss (NG0013).");
        }

        if (!Enum.IsDefined(precision))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision (NG0013).");
        }

        int denseCount = layers.Count(l => l is DenseLayerSpec);
        if (denseCount == 0)
        {
            throw new ArgumentException("A network needs at least one Dense layer; the last one is the output (NG0004).", nameof(layers));
        }

        var stages = new List<DenseStage>();
        var layout = new List<ParameterBlock>();
        double inputDropout = 0;
        long parameterOffset = 0;
        long stateOffset = 0;
        int previousSize = inputSize;

        // Dense l absorbs an immediately following BatchNorm and a following Dropout; they are collected first.
        for (int i = 0; i < layers.Length; i++)
        {
            string where = $"layer {i + 1} ({layers[i]?.ToString() ?? "null"})";
            switch (layers[i])
            {
                case DenseLayerSpec dense:
                {
                    ValidateDense(dense, where, isOutput: stages.Count == denseCount - 1);
                    BatchNormLayerSpec? batchNorm = null;
                    double dropout = 0;
                    int next = i + 1;
                    if (next < layers.Length && layers[next] is BatchNormLayerSpec bn)
                    {
                        ValidateBatchNorm(bn, $"layer {next + 1} ({bn})");
                        batchNorm = bn;
                        next++;
                    }

                    if (next < layers.Length && layers[next] is DropoutLayerSpec drop)
                    {
                        ValidateDropout(drop, $"layer {next + 1} ({drop})");
                        if (stages.Count == denseCount - 1)
                        {
                            throw new ArgumentException($"{$"layer {next + 1} ({drop})"}: Dropout after the output layer is not allowed; put it between Dense layers (NG0018).", nameof(layers));
                        }

                        dropout = drop.Rate;
                        next++;
                    }

                    int index = stages.Count + 1;
                    long weights = (long)previousSize * dense.Size;
                    long w = parameterOffset, b = w + weights;
                    parameterOffset = b + dense.Size;
                    long gamma = -1, beta = -1, mean = -1, variance = -1;
                    if (batchNorm is not null)
                    {
                        gamma = parameterOffset;
                        beta = gamma + dense.Size;
                        parameterOffset = beta + dense.Size;
                        mean = stateOffset;
                        variance = mean + dense.Size;
                        stateOffset = variance + dense.Size;
                    }

                    if (parameterOffset > Array.MaxLength || stateOffset > Array.MaxLength)
                    {
                        throw new ArgumentException($"{where}: the network has {parameterOffset} parameters, more than one array can hold (NG0016).", nameof(layers));
                    }

                    var stage = new DenseStage(index, dense, previousSize, (int)w, (int)b, batchNorm, (int)gamma, (int)beta, (int)mean, (int)variance, dropout);
                    stages.Add(stage);
                    layout.Add(new ParameterBlock($"W{index}", index, ParameterKind.Weights, (int)w, previousSize, dense.Size));
                    layout.Add(new ParameterBlock($"b{index}", index, ParameterKind.Bias, (int)b, 1, dense.Size));
                    if (batchNorm is not null)
                    {
                        layout.Add(new ParameterBlock($"gamma{index}", index, ParameterKind.Scale, (int)gamma, 1, dense.Size));
                        layout.Add(new ParameterBlock($"beta{index}", index, ParameterKind.Shift, (int)beta, 1, dense.Size));
                    }

                    previousSize = dense.Size;
                    i = next - 1;
                    break;
                }

                case DropoutLayerSpec drop when stages.Count == 0:
                    ValidateDropout(drop, where);
                    if (inputDropout > 0 || i > 0)
                    {
                        throw new ArgumentException($"{where}: only one Dropout may follow the input or a Dense layer (NG0018).", nameof(layers));
                    }

                    inputDropout = drop.Rate;
                    break;

                case DropoutLayerSpec:
                    throw new ArgumentException($"{where}: a Dropout must follow a Dense layer (or its BatchNorm) or the input, at most once (NG0018).", nameof(layers));

                case BatchNormLayerSpec:
                    throw new ArgumentException($"{where}: a BatchNorm must directly follow a Dense layer, before any Dropout (NG0017).", nameof(layers));

                case null:
                    throw new ArgumentNullException(nameof(layers), $"{where} is null.");

                default:
                    throw new ArgumentException($"{where}: unsupported layer type {layers[i].GetType().Name}.", nameof(layers));
            }
        }

        DenseStage output = stages[^1];
        switch (loss)
        {
            case Loss.CrossEntropy when output.Activation != Activation.Softmax:
                throw new ArgumentException($"CrossEntropy needs a Softmax output layer, but layer {output.Index} uses {output.Activation}: use [Dense({output.OutputSize}, Activation.Softmax)] or another loss (NG0007).", nameof(loss));
            case Loss.BinaryCrossEntropy when output.Activation != Activation.Sigmoid:
                throw new ArgumentException($"BinaryCrossEntropy needs a Sigmoid output layer, but layer {output.Index} uses {output.Activation}: use [Dense({output.OutputSize}, Activation.Sigmoid)] or another loss (NG0008).", nameof(loss));
        }

        return (stages.ToArray(), inputDropout, (int)parameterOffset, (int)stateOffset, layout.ToArray());

        void ValidateDense(DenseLayerSpec dense, string where, bool isOutput)
        {
            if (dense.Size <= 0)
            {
                throw new ArgumentException($"{where}: the layer size must be at least 1 (NG0005).", nameof(layers));
            }

            if (!Enum.IsDefined(dense.Activation))
            {
                throw new ArgumentException($"{where}: unknown activation {(int)dense.Activation} (NG0013).", nameof(layers));
            }

            if (dense.Activation == Activation.Custom && dense.Function is null)
            {
                throw new ArgumentException($"{where}: Activation.Custom needs the function: pass a CustomActivation, new DenseLayerSpec(size, function).", nameof(layers));
            }

            if (dense.Activation == Activation.Softmax && !isOutput)
            {
                throw new ArgumentException($"{where}: Softmax is only allowed on the output (last Dense) layer (NG0006).", nameof(layers));
            }

            if (!double.IsNaN(dense.Alpha) && !ActivationInfo.HasAlpha(dense.Activation))
            {
                throw new ArgumentException($"{where}: Alpha only applies to LeakyReLU and ELU, not {dense.Activation} (NG0009).", nameof(layers));
            }

            if (!double.IsNaN(dense.Alpha) && (!double.IsFinite(dense.Alpha) || dense.Alpha < 0))
            {
                throw new ArgumentException($"{where}: Alpha must be a finite number ≥ 0 (NG0010).", nameof(layers));
            }
        }

        void ValidateDropout(DropoutLayerSpec drop, string where)
        {
            if (!(drop.Rate >= 0 && drop.Rate < 1))
            {
                throw new ArgumentException($"{where}: the dropout rate must be in [0, 1) (NG0019).", nameof(layers));
            }
        }

        void ValidateBatchNorm(BatchNormLayerSpec bn, string where)
        {
            if (!(bn.Momentum >= 0 && bn.Momentum < 1) || !(bn.Epsilon > 0) || !double.IsFinite(bn.Epsilon))
            {
                throw new ArgumentException($"{where}: BatchNorm needs 0 ≤ momentum < 1 and a finite ε > 0 (NG0020).", nameof(layers));
            }
        }
    }
}

/// <summary>Dense layer l with the batch normalization and dropout that follow it, and where its blocks live.</summary>
/// <param name="Index">l, from 1.</param>
/// <param name="Dense">The dense layer.</param>
/// <param name="InputSize">The width of a^{l−1}.</param>
/// <param name="WeightOffset">Offset of W^l ([InputSize, OutputSize], input-major) in the parameters.</param>
/// <param name="BiasOffset">Offset of b^l in the parameters.</param>
/// <param name="BatchNorm">The batch normalization of z^l, or null.</param>
/// <param name="GammaOffset">Offset of γ^l in the parameters, or −1.</param>
/// <param name="BetaOffset">Offset of β^l in the parameters, or −1.</param>
/// <param name="MeanOffset">Offset of the running mean in the state, or −1.</param>
/// <param name="VarianceOffset">Offset of the running variance in the state, or −1.</param>
/// <param name="DropoutRate">The dropout rate on a^l, 0 when none.</param>
public sealed record DenseStage(
    int Index, DenseLayerSpec Dense, int InputSize, int WeightOffset, int BiasOffset,
    BatchNormLayerSpec? BatchNorm, int GammaOffset, int BetaOffset, int MeanOffset, int VarianceOffset, double DropoutRate)
{
    /// <summary>The width of a^l.</summary>
    public int OutputSize => Dense.Size;

    /// <summary>The activation σ of the layer.</summary>
    public Activation Activation => Dense.Activation;

    /// <summary>The α in effect for LeakyReLU and ELU.</summary>
    public double Alpha => Dense.EffectiveAlpha;

    /// <summary>The number of parameters of this layer (W, b and γ, β).</summary>
    public int ParameterCount => InputSize * OutputSize + OutputSize + (BatchNorm is null ? 0 : 2 * OutputSize);
}

/// <summary>What a parameter block holds.</summary>
public enum ParameterKind
{
    /// <summary>A weight matrix W^l, [in, out] input-major.</summary>
    Weights,

    /// <summary>A bias vector b^l.</summary>
    Bias,

    /// <summary>A batch-normalization scale γ^l.</summary>
    Scale,

    /// <summary>A batch-normalization shift β^l.</summary>
    Shift,
}

/// <summary>One block of the flat parameter buffer.</summary>
/// <param name="Name">W1, b1, gamma1, beta1, W2, …</param>
/// <param name="Layer">The dense layer l it belongs to.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Offset">The index of its first value.</param>
/// <param name="Rows">Rows (the input width for weights, 1 for vectors).</param>
/// <param name="Columns">Columns (the layer width).</param>
public sealed record ParameterBlock(string Name, int Layer, ParameterKind Kind, int Offset, int Rows, int Columns)
{
    /// <summary>The number of values.</summary>
    public int Length => Rows * Columns;

    /// <summary>Whether L1/L2 penalties apply (weights only, never biases, γ or β).</summary>
    public bool IsPenalized => Kind == ParameterKind.Weights;
}

/// <summary>The fluent builder returned by <see cref="NetworkSpec.Input(int)"/>.</summary>
public sealed class NetworkSpecBuilder
{
    private readonly int _inputSize;
    private readonly List<LayerSpec> _layers = [];

    internal NetworkSpecBuilder(int inputSize) => _inputSize = inputSize;

    /// <summary>Appends a dense layer.</summary>
    public NetworkSpecBuilder Dense(int size, Activation activation = Activation.Identity, double alpha = double.NaN)
    {
        _layers.Add(new DenseLayerSpec(size, activation, alpha));
        return this;
    }

    /// <summary>Appends a dense layer with a user-written activation.</summary>
    public NetworkSpecBuilder Dense(int size, CustomActivation activation)
    {
        _layers.Add(new DenseLayerSpec(size, activation));
        return this;
    }

    /// <summary>Appends dropout.</summary>
    public NetworkSpecBuilder Dropout(double rate)
    {
        _layers.Add(new DropoutLayerSpec(rate));
        return this;
    }

    /// <summary>Appends batch normalization (directly after a dense layer).</summary>
    public NetworkSpecBuilder BatchNorm(double momentum = 0.99, double epsilon = 0.001)
    {
        _layers.Add(new BatchNormLayerSpec(momentum, epsilon));
        return this;
    }

    /// <summary>Validates and builds the spec.</summary>
    public NetworkSpec Build(Loss loss, Precision precision = Precision.Single) => new(_inputSize, _layers, loss, precision);

    /// <summary>Validates and builds the spec with a user-written loss.</summary>
    public NetworkSpec Build(CustomLoss loss, Precision precision = Precision.Single) => new(_inputSize, _layers, loss, precision);
}
