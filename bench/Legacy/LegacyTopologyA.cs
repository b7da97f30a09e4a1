// Frozen copy of the code the generator emitted for TopologyA at commit d7dbb64 (before issue 11), kept as the A/B
// baseline; not generated, not edited.
// Changes from the emitted text (bench/obj/.../NetGen.Benchmarks.TopologyA.NetGen.g.cs): this header, the namespace,
// the class name (TopologyA -> LegacyTopologyA), 'partial class' -> 'public class' and the [GeneratedCode]
// attribute dropped. Run `--ab` of bench/Program.cs to compare it with the generated code.
#nullable enable

namespace NetGen.Benchmarks.Legacy
{
    /// <summary>
    /// Generated feed-forward network 2 → 2 (sigmoid) → 1 (identity); loss: mean squared error; float.
    /// </summary>
    /// <remarks>
    /// <para>Layers (l = 1..L; z = W a + b, a = σ(z)):</para>
    /// <code>
    /// l  layer                      activation   kernel
    /// 0  input [2]                               
    /// 1  dense 2 → 2                sigmoid      unrolled (4 weights)
    /// 2  dense 2 → 1                identity     unrolled (2 weights)
    /// </code>
    /// <para>Parameters: one flat buffer of 9 values, in this order (W^l input-major [in, out]: the weight
    /// w^l_jk from input k to output j is at offset k·out + j of W^l, as Keras stores it):</para>
    /// <code>
    /// W1      [0, 4)                  [2 × 2]
    /// b1      [4, 6)                  [2]
    /// W2      [6, 8)                  [2 × 1]
    /// b2      [8, 9)                  [1]
    /// </code>
    /// </remarks>
    public class LegacyTopologyA : global::NetGen.INetwork<float>, global::NetGen.ISgdStep<float>
    {
        // ─── Sizes ─────────────────────────────────────────────────────────────
        /// <summary>The width of the input a^0 = x.</summary>
        public const int Layer0Size = 2;
        /// <summary>The width of a^1 (hidden layer, sigmoid).</summary>
        public const int Layer1Size = 2;
        /// <summary>The width of a^2 (output layer, identity).</summary>
        public const int Layer2Size = 1;
        /// <summary>The number of dense layers L.</summary>
        public const int LayerCount = 2;
        /// <summary>The number of trainable parameters (the length of Parameters and Gradients).</summary>
        public const int ParameterLength = 9;
        /// <summary>The number of running statistics of batch normalization (the length of State).</summary>
        public const int StateLength = 0;

        // ─── Parameter layout: offsets into Parameters and Gradients ──────────────
        /// <summary>Offset of W1, [2 × 2] input-major: w1_jk (input k → output j) at W1 + k·2 + j.</summary>
        public const int W1 = 0;
        /// <summary>Offset of b1, [2].</summary>
        public const int b1 = 4;
        /// <summary>Offset of W2, [2 × 1] input-major: w2_jk (input k → output j) at W2 + k·1 + j.</summary>
        public const int W2 = 6;
        /// <summary>Offset of b2, [1].</summary>
        public const int b2 = 8;

        /// <summary>Rows per batch tile: batches are processed in tiles so the buffers stay bounded.</summary>
        private const int TileRows = 256;
        /// <summary>Training batches of at least this many rows are split across two cores (≈ 10.0 MFLOP).</summary>
        private const int ParallelTrainingRows = 277778;
        /// <summary>Inference batches of at least this many rows are split across two cores.</summary>
        private const int ParallelInferenceRows = 833334;

        private static readonly global::NetGen.NetworkSpec s_spec = new global::NetGen.NetworkSpec(
            2,
            new global::NetGen.LayerSpec[]
            {
                new global::NetGen.DenseLayerSpec(2, global::NetGen.Activation.Sigmoid),
                new global::NetGen.DenseLayerSpec(1, global::NetGen.Activation.Identity),
            },
            global::NetGen.Loss.MeanSquaredError,
            global::NetGen.Precision.Single);

        private readonly float[] _parameters = new float[ParameterLength];
        private readonly float[] _gradients = new float[ParameterLength];
        private readonly float[] _state = new float[StateLength];
        private ulong _randomState;
        private readonly Workspace _work = new Workspace();
        private Pair? _pair;   // the second core's half of large batches, made on first use

        /// <summary>Creates the network with Glorot-uniform weights from seed 0 (the same values as a GenericNetwork with seed 0).</summary>
        public LegacyTopologyA() : this(0) { }

        /// <summary>Creates the network with Glorot-uniform weights from <paramref name="seed"/>.</summary>
        /// <param name="seed">The initialization seed: the same seed gives the same parameters, bit for bit.</param>
        public LegacyTopologyA(int seed) : this(seed, global::NetGen.Initializer.GlorotUniform) { }

        /// <summary>Creates the network with weights drawn by <paramref name="initializer"/> from <paramref name="seed"/>.</summary>
        /// <param name="seed">The initialization seed.</param>
        /// <param name="initializer">How weights are drawn; biases start at 0.</param>
        public LegacyTopologyA(int seed, global::NetGen.Initializer initializer)
        {
            global::NetGen.Initializers.Initialize<float>(s_spec, _parameters, _state, initializer, seed);
            _randomState = global::NetGen.Initializers.InitialRandomState(seed);
        }

        /// <inheritdoc />
        public global::NetGen.NetworkSpec Spec => s_spec;
        /// <inheritdoc />
        public int InputSize => Layer0Size;
        /// <inheritdoc />
        public int OutputSize => Layer2Size;
        /// <inheritdoc />
        public int ParameterCount => ParameterLength;
        /// <inheritdoc />
        public global::System.Span<float> Parameters => _parameters;
        /// <inheritdoc />
        public global::System.Span<float> Gradients => _gradients;
        /// <inheritdoc />
        public global::System.Span<float> State => _state;
        /// <inheritdoc />
        public ulong RandomState { get => _randomState; set => _randomState = value; }

        /// <inheritdoc />
        /// <remarks>
        /// <code>
        /// z1 = W1 a0 + b1,   a1 = sigmoid(z1)
        /// z2 = W2 a1 + b2,   a2 = identity(z2)
        /// </code>
        /// </remarks>
        public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output)
        {
            global::NetGen.Shapes.RequireLength(input.Length, Layer0Size, nameof(input), "The input");
            global::NetGen.Shapes.RequireLength(output.Length, Layer2Size, nameof(output), "The output");
            _work.EnsureRows(1);
            ForwardTile(_work, input, 1, false, 0, 0);
            new global::System.Span<float>(_work.A2, 0, Layer2Size).CopyTo(output);
        }

        /// <inheritdoc />
        public void ForwardBatch(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs)
        {
            int count = global::NetGen.Shapes.BatchCount(inputs.Length, Layer0Size, outputs.Length, Layer2Size, nameof(outputs));
            if (count >= ParallelInferenceRows)
            {
                // two halves, the second on another core (see Pair)
                Pair pair = _pair ??= new Pair(this);
                pair.Training = false;
                pair.Runner.Run(inputs, default, outputs, global::NetGen.Parallelism.Enabled);
                return;
            }
            ForwardRows(_work, inputs, outputs, count);
        }

        /// <inheritdoc />
        /// <remarks>
        /// <code>
        /// z1 = W1 a0 + b1,   a1 = sigmoid(z1)
        /// z2 = W2 a1 + b2,   a2 = identity(z2)
        /// C = ½ Σ_j (a_j − y_j)²
        /// δ2 = σ'(z2) ∘ (a2 − y)
        /// δ1 = ((W2)ᵀ δ2) ∘ σ'(z1)
        /// ∂C/∂W^l_jk += δ^l_j a^(l−1)_k,   ∂C/∂b^l_j += δ^l_j
        /// </code>
        /// </remarks>
        public float Backward(global::System.ReadOnlySpan<float> input, global::System.ReadOnlySpan<float> target)
        {
            global::NetGen.Shapes.RequireLength(input.Length, Layer0Size, nameof(input), "The input");
            global::NetGen.Shapes.RequireLength(target.Length, Layer2Size, nameof(target), "The target");
            _work.EnsureRows(1);
            ForwardTile(_work, input, 1, true, 0, 0);
            return BackwardTile(_work, _gradients, input, target, 1, false, 1f);
        }

        /// <inheritdoc />
        public float BackwardBatch(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets)
        {
            int count = global::NetGen.Shapes.BatchCount(inputs.Length, Layer0Size, targets.Length, Layer2Size, nameof(targets));
            const ulong key = 0;
            const bool transposed = false;
            if (count >= ParallelTrainingRows)
            {
                // Two halves, the second on another core, each with its own gradients, added in a fixed order:
                // the result is the same bit for bit whether the halves ran in parallel or one after the other.
                Pair pair = _pair ??= new Pair(this);
                pair.Training = true;
                pair.Key = key;
                pair.Transposed = transposed;
                global::System.Array.Clear(pair.Gradients, 0, pair.Gradients.Length);
                var (first, second) = pair.Runner.Run(inputs, targets, default, global::NetGen.Parallelism.Enabled);
                AddTo(_gradients, pair.Gradients);
                return first + second;
            }
            return BackwardRows(_work, _gradients, inputs, targets, count, 0, key, transposed);
        }

        /// <inheritdoc />
        public void ZeroGradients() => global::System.Array.Clear(_gradients, 0, _gradients.Length);

        /// <inheritdoc />
        /// <remarks>
        /// A batch that fits one tile and one core is fused: the forward pass runs, then each layer from the output down
        /// computes δ^{l−1} with the old W^l and then writes θ += (−η/B) ∂C/∂θ straight into the parameters — one pass over
        /// the weights instead of zeroing, accumulating and re-reading a gradient buffer. Larger batches take the same
        /// steps through <see cref="Gradients"/>.
        /// </remarks>
        public float TrainStep(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, float learningRate)
        {
            int count = global::NetGen.Shapes.BatchCount(inputs.Length, Layer0Size, targets.Length, Layer2Size, nameof(targets));
            if (count == 0)
            {
                return 0f;
            }
            float scale = -learningRate / count;
            if (count > TileRows || count >= ParallelTrainingRows)
            {
                ZeroGradients();
                float total = BackwardBatch(inputs, targets);
                AddScaled(_parameters, _gradients, scale);
                return total;
            }
            const ulong key = 0;
            if (count % VectorWidth == 0)
            {
                return LanesBackward(_work, _parameters, inputs, targets, count, scale);
            }
            const bool transposed = false;
            _work.EnsureRows(count);
            ForwardTile(_work, inputs, count, true, key, 0);
            return BackwardTile(_work, _parameters, inputs, targets, count, transposed, scale);
        }

        /// <summary>Inference over <paramref name="count"/> rows in tiles (whole vectors of samples through the lane kernels).</summary>
        private void ForwardRows(Workspace ws, global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs, int count)
        {
            for (int first = 0; first < count; first += TileRows)
            {
                int rows = global::System.Math.Min(TileRows, count - first);
                int start = first;
                int lanes = rows - rows % VectorWidth;
                if (lanes > 0)
                {
                    LanesForward(ws, inputs.Slice(first * Layer0Size, lanes * Layer0Size), outputs.Slice(first * Layer2Size, lanes * Layer2Size), lanes);
                }
                start += lanes;
                rows -= lanes;
                if (rows == 0)
                {
                    continue;
                }
                ws.EnsureRows(rows);
                ForwardTile(ws, inputs.Slice(start * Layer0Size, rows * Layer0Size), rows, false, 0, start);
                new global::System.Span<float>(ws.A2, 0, rows * Layer2Size).CopyTo(outputs.Slice(start * Layer2Size));
            }
        }

        /// <summary>Training over <paramref name="count"/> rows (row <paramref name="firstRow"/> of the batch onwards, for the dropout masks): adds ∂C/∂θ to <paramref name="g"/>, returns the summed loss.</summary>
        private float BackwardRows(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, int count, int firstRow, ulong key, bool transposed)
        {
            float loss = 0f;
            for (int first = 0; first < count; first += TileRows)
            {
                int rows = global::System.Math.Min(TileRows, count - first);
                int start = first;
                int lanes = rows - rows % VectorWidth;
                if (lanes > 0)
                {
                    loss += LanesBackward(ws, g, inputs.Slice(first * Layer0Size, lanes * Layer0Size), targets.Slice(first * Layer2Size, lanes * Layer2Size), lanes, 1f);
                }
                start += lanes;
                rows -= lanes;
                if (rows == 0)
                {
                    continue;
                }
                ws.EnsureRows(rows);
                var input = inputs.Slice(start * Layer0Size, rows * Layer0Size);
                ForwardTile(ws, input, rows, true, key, firstRow + start);
                loss += BackwardTile(ws, g, input, targets.Slice(start * Layer2Size, rows * Layer2Size), rows, transposed, 1f);
            }
            return loss;
        }

        /// <summary>p += scale · g, vectorized.</summary>
        private static void AddScaled(float[] p, float[] g, float scale)
        {
            ref var pr = ref Ref(p);
            ref var gr = ref Ref(g);
            var scaleV = Vec(scale);
            int i = 0;
            for (; i + VectorWidth <= p.Length; i += VectorWidth)
            {
                Store(ref pr, i, Fma(scaleV, Load(ref gr, i), Load(ref pr, i)));
            }
            for (; i < p.Length; i++)
            {
                p[i] += scale * g[i];
            }
        }

        /// <summary>g += h, vectorized, in index order.</summary>
        private static void AddTo(float[] g, float[] h)
        {
            ref var gr = ref Ref(g);
            ref var hr = ref Ref(h);
            int i = 0;
            for (; i + VectorWidth <= g.Length; i += VectorWidth)
            {
                Store(ref gr, i, Load(ref gr, i) + Load(ref hr, i));
            }
            for (; i < g.Length; i++)
            {
                g[i] += h[i];
            }
        }

        /// <summary>
        /// The two halves of a large batch: rows [0, split) on the calling thread into the network's own buffers and
        /// gradients, rows [split, count) on another core into this object's. split is half the batch, a multiple of 8.
        /// </summary>
        private sealed class Pair : global::NetGen.IPairedWork<float>
        {
            private readonly LegacyTopologyA _net;
            private readonly Workspace _work = new Workspace();

            public Pair(LegacyTopologyA net)
            {
                _net = net;
                Runner = new global::NetGen.PairRunner<float>(this);
            }

            public global::NetGen.PairRunner<float> Runner { get; }
            public float[] Gradients { get; } = new float[ParameterLength];
            public bool Training { get; set; }
            public ulong Key { get; set; }
            public bool Transposed { get; set; }

            public float RunPart(int part, global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, global::System.Span<float> outputs)
            {
                int count = inputs.Length / Layer0Size;
                int split = count / 2 / 8 * 8;
                int first = part == 0 ? 0 : split, rows = part == 0 ? split : count - split;
                Workspace ws = part == 0 ? _net._work : _work;
                if (Training)
                {
                    return _net.BackwardRows(ws, part == 0 ? _net._gradients : Gradients, inputs.Slice(first * Layer0Size, rows * Layer0Size),
                        targets.Slice(first * Layer2Size, rows * Layer2Size), rows, first, Key, Transposed);
                }
                _net.ForwardRows(ws, inputs.Slice(first * Layer0Size, rows * Layer0Size), outputs.Slice(first * Layer2Size, rows * Layer2Size), rows);
                return 0f;
            }
        }

        /// <summary>The forward pass over <paramref name="rows"/> samples, layer by layer; training draws dropout masks and uses batch statistics.</summary>
        private void ForwardTile(Workspace ws, global::System.ReadOnlySpan<float> x, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> a0 = x;
            global::System.ReadOnlySpan<float> a1 = Layer1Forward(ws, a0, rows, training, key, firstRow);
            Layer2Forward(ws, a1, rows, training, key, firstRow);
        }

        /// <summary>Layer 1 forward: z1 = W1 a0 + b1, a1 = σ(z1); returns a1.</summary>
        private global::System.ReadOnlySpan<float> Layer1Forward(Workspace ws, global::System.ReadOnlySpan<float> a0, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // ─── Layer 1: dense 2 → 2, sigmoid (unrolled, 4 weights) ───
            // z1 = W1 a0 + b1      z1_j = Σ_k w1_jk a0_k + b1_j,  w1_jk at W1 + k·2 + j
            // a1 = σ(z1)      σ(z) = 1 / (1 + e^(−z))
            global::System.Span<float> z1 = ws.Z1;
            global::System.Span<float> a1 = ws.A1;
            for (int s = 0; s < rows; s++)
            {
                int i = s * Layer0Size, o = s * Layer1Size;
                z1[o + 0] = p[W1 + 0 * 2 + 0] * a0[i + 0] + p[W1 + 1 * 2 + 0] * a0[i + 1] + p[b1 + 0];
                z1[o + 1] = p[W1 + 0 * 2 + 1] * a0[i + 0] + p[W1 + 1 * 2 + 1] * a0[i + 1] + p[b1 + 1];
                a1[o + 0] = 1f / (1f + global::System.MathF.Exp(-z1[o + 0]));
                a1[o + 1] = 1f / (1f + global::System.MathF.Exp(-z1[o + 1]));
            }
            return a1;
        }

        /// <summary>Layer 2 forward: z2 = W2 a1 + b2, a2 = σ(z2); returns a2.</summary>
        private global::System.ReadOnlySpan<float> Layer2Forward(Workspace ws, global::System.ReadOnlySpan<float> a1, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // ─── Layer 2: dense 2 → 1, identity (unrolled, 2 weights) ───
            // z2 = W2 a1 + b2      z2_j = Σ_k w2_jk a1_k + b2_j,  w2_jk at W2 + k·1 + j
            // a2 = σ(z2)      σ(z) = z
            global::System.Span<float> z2 = ws.Z2;
            global::System.Span<float> a2 = ws.A2;
            for (int s = 0; s < rows; s++)
            {
                int i = s * Layer1Size, o = s * Layer2Size;
                z2[o + 0] = p[W2 + 0 * 1 + 0] * a1[i + 0] + p[W2 + 1 * 1 + 0] * a1[i + 1] + p[b2 + 0];
                a2[o + 0] = z2[o + 0];
            }
            return a2;
        }

        /// <summary>Back-propagation over the tile ForwardTile just computed, from the output layer down: adds ∂C/∂θ to <paramref name="g"/>, returns the summed loss.</summary>
        private float BackwardTile(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> y, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> a0 = x;
            float loss = OutputError(ws, y, rows);
            Layer2Backward(ws, g, ws.A1, rows, transposed, scale);
            Layer1Backward(ws, g, a0, rows, transposed, scale);
            return loss;
        }

        /// <summary>The loss of the tile and the output error δ2 = ∂C/∂z2.</summary>
        private float OutputError(Workspace ws, global::System.ReadOnlySpan<float> y, int rows)
        {
            global::System.ReadOnlySpan<float> z2 = ws.Z2, a2 = ws.A2;
            global::System.Span<float> delta2 = ws.Delta2;
            float loss = 0f;
            // ─── Output error, layer 2 (identity), mean squared error ───
            // C = ½ Σ_j (a_j − y_j)²
            // δ2 = σ'(z2) ∘ (a2 − y),  σ'(z) = 1
            for (int s = 0; s < rows; s++)
            {
                int o = s * Layer2Size;
                float e0 = a2[o + 0] - y[o + 0];   // ∂C/∂a2_0
                loss += 0.5f * e0 * e0;
                delta2[o + 0] = e0;
            }
            return loss;
        }

        /// <summary>Layer 1 backward: g += scale · (∂C/∂W1, ∂C/∂b1) from δ1 (the input gradient of layer 1 is never computed).</summary>
        private void Layer1Backward(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> a0, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            global::System.Span<float> delta1 = ws.Delta1;
            // ─── Layer 1 gradients: ∂C/∂W1_jk += δ1_j a0_k,   ∂C/∂b1_j += δ1_j   (times scale: 1, or −η/B for a fused SGD step) ───
            for (int s = 0; s < rows; s++)
            {
                int i = s * Layer0Size, o = s * Layer1Size;
                float d0 = scale * delta1[o + 0]; float d1 = scale * delta1[o + 1];
                g[W1 + 0 * 2 + 0] += d0 * a0[i + 0];
                g[W1 + 0 * 2 + 1] += d1 * a0[i + 0];
                g[W1 + 1 * 2 + 0] += d0 * a0[i + 1];
                g[W1 + 1 * 2 + 1] += d1 * a0[i + 1];
                g[b1 + 0] += d0;
                g[b1 + 1] += d1;
            }
        }

        /// <summary>Layer 2 backward: δ1 = ((W2)ᵀ δ2) ∘ σ'(z1), then g += scale · (∂C/∂W2, ∂C/∂b2).</summary>
        private void Layer2Backward(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> a1, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            global::System.Span<float> delta2 = ws.Delta2;
            global::System.ReadOnlySpan<float> z1 = ws.Z1;
            global::System.Span<float> delta1 = ws.Delta1;
            // ─── Back-propagate to layer 1: δ1 = ((W2)ᵀ δ2) ∘ σ'(z1),   σ'(z) = a (1 − a) ───
            for (int s = 0; s < rows; s++)
            {
                int i = s * Layer1Size, o = s * Layer2Size;
                float da0 = (p[W2 + 0 * 1 + 0] * delta2[o + 0]);   // ∂C/∂a1_0
                delta1[i + 0] = da0 * a1[i + 0] * (1f - a1[i + 0]);
                float da1 = (p[W2 + 1 * 1 + 0] * delta2[o + 0]);   // ∂C/∂a1_1
                delta1[i + 1] = da1 * a1[i + 1] * (1f - a1[i + 1]);
            }

            // ─── Layer 2 gradients: ∂C/∂W2_jk += δ2_j a1_k,   ∂C/∂b2_j += δ2_j   (times scale: 1, or −η/B for a fused SGD step) ───
            for (int s = 0; s < rows; s++)
            {
                int i = s * Layer1Size, o = s * Layer2Size;
                float d0 = scale * delta2[o + 0];
                g[W2 + 0 * 1 + 0] += d0 * a1[i + 0];
                g[W2 + 1 * 1 + 0] += d0 * a1[i + 1];
                g[b2 + 0] += d0;
            }
        }

        /// <summary>
        /// SIMD across samples for the training pass: lane i of every vector is sample s + i. <paramref name="rows"/> is a multiple of
        /// VectorWidth. Adds scale · ∂C/∂θ to <paramref name="g"/> (the weights are read once, at the start) and returns the summed loss.
        /// </summary>
        private float LanesBackward(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> y, int rows, float scale)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // the tile transposed, one row per feature, so each vector load takes one feature of VectorWidth samples
            global::System.Span<float> xt = ws.LaneX(rows), yt = ws.LaneY(rows);
            for (int s = 0; s < rows; s++)
            {
                xt[0 * rows + s] = x[s * Layer0Size + 0];
                xt[1 * rows + s] = x[s * Layer0Size + 1];
                yt[0 * rows + s] = y[s * Layer2Size + 0];
            }
            // weights w{l}_k_j (input k → output j) and biases, broadcast to every lane once
            var w1_0_0 = Vec(p[W1 + 0 * 2 + 0]); var w1_0_1 = Vec(p[W1 + 0 * 2 + 1]); var w1_1_0 = Vec(p[W1 + 1 * 2 + 0]); var w1_1_1 = Vec(p[W1 + 1 * 2 + 1]);
            var b1_0 = Vec(p[b1 + 0]); var b1_1 = Vec(p[b1 + 1]);
            var w2_0_0 = Vec(p[W2 + 0 * 1 + 0]); var w2_1_0 = Vec(p[W2 + 1 * 1 + 0]);
            var b2_0 = Vec(p[b2 + 0]);
            // gradient accumulators, one vector per parameter, summed over the lanes at the end
            var dw1_0_0 = Vec(0f); var dw1_0_1 = Vec(0f); var dw1_1_0 = Vec(0f); var dw1_1_1 = Vec(0f);
            var db1_0 = Vec(0f); var db1_1 = Vec(0f);
            var dw2_0_0 = Vec(0f); var dw2_1_0 = Vec(0f);
            var db2_0 = Vec(0f);
            var loss = Vec(0f);
            for (int s = 0; s < rows; s += VectorWidth)
            {
                var a0_0 = Vec(xt, 0 * rows + s); var a0_1 = Vec(xt, 1 * rows + s);
                var y_0 = Vec(yt, 0 * rows + s);
                // z1 = W1 a0 + b1,   a1 = σ(z1),   σ(z) = 1 / (1 + e^(−z))
                var z1_0 = Fma(w1_1_0, a0_1, Fma(w1_0_0, a0_0, b1_0));
                var z1_1 = Fma(w1_1_1, a0_1, Fma(w1_0_1, a0_0, b1_1));
                var a1_0 = Vec(1f) / (Vec(1f) + Exp(-z1_0));
                var a1_1 = Vec(1f) / (Vec(1f) + Exp(-z1_1));
                // z2 = W2 a1 + b2,   a2 = σ(z2),   σ(z) = z
                var z2_0 = Fma(w2_1_0, a1_1, Fma(w2_0_0, a1_0, b2_0));
                var a2_0 = z2_0;
                // C = ½ Σ_j (a_j − y_j)²
                // δ2 = σ'(z2) ∘ (a2 − y)
                var e_0 = a2_0 - y_0;   // ∂C/∂a2_0
                loss = Fma(Vec(0.5f) * e_0, e_0, loss);
                var delta2_0 = e_0;
                // ∂C/∂W2_kj += δ2_j a1_k,   ∂C/∂b2_j += δ2_j
                dw2_0_0 = Fma(delta2_0, a1_0, dw2_0_0);
                dw2_1_0 = Fma(delta2_0, a1_1, dw2_1_0);
                db2_0 += delta2_0;
                // δ1 = ((W2)ᵀ δ2) ∘ σ'(z1),   σ'(z) = a (1 − a)
                var delta1_0 = (w2_0_0 * delta2_0) * a1_0 * (Vec(1f) - a1_0);
                var delta1_1 = (w2_1_0 * delta2_0) * a1_1 * (Vec(1f) - a1_1);
                // ∂C/∂W1_kj += δ1_j a0_k,   ∂C/∂b1_j += δ1_j
                dw1_0_0 = Fma(delta1_0, a0_0, dw1_0_0);
                dw1_0_1 = Fma(delta1_1, a0_0, dw1_0_1);
                dw1_1_0 = Fma(delta1_0, a0_1, dw1_1_0);
                dw1_1_1 = Fma(delta1_1, a0_1, dw1_1_1);
                db1_0 += delta1_0; db1_1 += delta1_1;
            }
            // sum the lanes into the gradients
            g[W1 + 0 * 2 + 0] += scale * global::System.Numerics.Vector.Sum(dw1_0_0);
            g[W1 + 0 * 2 + 1] += scale * global::System.Numerics.Vector.Sum(dw1_0_1);
            g[W1 + 1 * 2 + 0] += scale * global::System.Numerics.Vector.Sum(dw1_1_0);
            g[W1 + 1 * 2 + 1] += scale * global::System.Numerics.Vector.Sum(dw1_1_1);
            g[b1 + 0] += scale * global::System.Numerics.Vector.Sum(db1_0);
            g[b1 + 1] += scale * global::System.Numerics.Vector.Sum(db1_1);
            g[W2 + 0 * 1 + 0] += scale * global::System.Numerics.Vector.Sum(dw2_0_0);
            g[W2 + 1 * 1 + 0] += scale * global::System.Numerics.Vector.Sum(dw2_1_0);
            g[b2 + 0] += scale * global::System.Numerics.Vector.Sum(db2_0);
            return global::System.Numerics.Vector.Sum(loss);
        }

        /// <summary>SIMD across samples for inference: lane i is sample s + i; <paramref name="rows"/> is a multiple of VectorWidth.</summary>
        private void LanesForward(Workspace ws, global::System.ReadOnlySpan<float> x, global::System.Span<float> output, int rows)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // the tile transposed, one row per feature, so each vector load takes one feature of VectorWidth samples
            global::System.Span<float> xt = ws.LaneX(rows);
            for (int s = 0; s < rows; s++)
            {
                xt[0 * rows + s] = x[s * Layer0Size + 0];
                xt[1 * rows + s] = x[s * Layer0Size + 1];
            }
            // weights w{l}_k_j (input k → output j) and biases, broadcast to every lane once
            var w1_0_0 = Vec(p[W1 + 0 * 2 + 0]); var w1_0_1 = Vec(p[W1 + 0 * 2 + 1]); var w1_1_0 = Vec(p[W1 + 1 * 2 + 0]); var w1_1_1 = Vec(p[W1 + 1 * 2 + 1]);
            var b1_0 = Vec(p[b1 + 0]); var b1_1 = Vec(p[b1 + 1]);
            var w2_0_0 = Vec(p[W2 + 0 * 1 + 0]); var w2_1_0 = Vec(p[W2 + 1 * 1 + 0]);
            var b2_0 = Vec(p[b2 + 0]);
            for (int s = 0; s < rows; s += VectorWidth)
            {
                var a0_0 = Vec(xt, 0 * rows + s); var a0_1 = Vec(xt, 1 * rows + s);
                // z1 = W1 a0 + b1,   a1 = σ(z1),   σ(z) = 1 / (1 + e^(−z))
                var z1_0 = Fma(w1_1_0, a0_1, Fma(w1_0_0, a0_0, b1_0));
                var z1_1 = Fma(w1_1_1, a0_1, Fma(w1_0_1, a0_0, b1_1));
                var a1_0 = Vec(1f) / (Vec(1f) + Exp(-z1_0));
                var a1_1 = Vec(1f) / (Vec(1f) + Exp(-z1_1));
                // z2 = W2 a1 + b2,   a2 = σ(z2),   σ(z) = z
                var z2_0 = Fma(w2_1_0, a1_1, Fma(w2_0_0, a1_0, b2_0));
                var a2_0 = z2_0;
                // back to one row per sample
                for (int i = 0; i < VectorWidth; i++)
                {
                    output[(s + i) * Layer2Size + 0] = a2_0[i];
                }
            }
        }

        /// <summary>The per-layer buffers of one batch tile, row-major [rows × width].</summary>
        private sealed class Workspace
        {
            /// <summary>The number of rows the buffers hold.</summary>
            public int Rows;
            /// <summary>z1 = W1 a0 + b1</summary>
            public float[] Z1 = global::System.Array.Empty<float>();
            /// <summary>a1 = σ(z1)</summary>
            public float[] A1 = global::System.Array.Empty<float>();
            /// <summary>δ1 = ∂C/∂z1</summary>
            public float[] Delta1 = global::System.Array.Empty<float>();
            /// <summary>z2 = W2 a1 + b2</summary>
            public float[] Z2 = global::System.Array.Empty<float>();
            /// <summary>a2 = σ(z2)</summary>
            public float[] A2 = global::System.Array.Empty<float>();
            /// <summary>δ2 = ∂C/∂z2</summary>
            public float[] Delta2 = global::System.Array.Empty<float>();
            private float[] _laneX = global::System.Array.Empty<float>(), _laneY = global::System.Array.Empty<float>();

            /// <summary>Room for the inputs of <paramref name="rows"/> samples transposed for the lane kernels, [Layer0Size × rows].</summary>
            public global::System.Span<float> LaneX(int rows) => _laneX.Length >= rows * Layer0Size ? _laneX : (_laneX = new float[rows * Layer0Size]);

            /// <summary>Room for the targets of <paramref name="rows"/> samples transposed, [Layer2Size × rows].</summary>
            public global::System.Span<float> LaneY(int rows) => _laneY.Length >= rows * Layer2Size ? _laneY : (_laneY = new float[rows * Layer2Size]);

            /// <summary>Grows the buffers to hold <paramref name="rows"/> samples (allocates only when a larger tile than ever before arrives).</summary>
            public void EnsureRows(int rows)
            {
                if (rows <= Rows)
                {
                    return;
                }
                Z1 = new float[checked(rows * Layer1Size)];
                A1 = new float[checked(rows * Layer1Size)];
                Delta1 = new float[checked(rows * Layer1Size)];
                Z2 = new float[checked(rows * Layer2Size)];
                A2 = new float[checked(rows * Layer2Size)];
                Delta2 = new float[checked(rows * Layer2Size)];
                Rows = rows;
            }
        }

        // ─── Vector<float> helpers: short names for the hot loops above; the JIT inlines them ───
        /// <summary>The number of lanes of Vector&lt;T&gt; on this machine (a constant to the JIT).</summary>
        private static int VectorWidth => global::System.Numerics.Vector<float>.Count;
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ref float Ref(global::System.ReadOnlySpan<float> values) => ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ref float Get(ref float origin, nint index) => ref global::System.Runtime.CompilerServices.Unsafe.Add(ref origin, index);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Load(ref float origin, nint index) => global::System.Numerics.Vector.LoadUnsafe(ref origin, (nuint)index);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Store(ref float origin, nint index, global::System.Numerics.Vector<float> value) => global::System.Numerics.Vector.StoreUnsafe(value, ref origin, (nuint)index);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Vec(float value) => new global::System.Numerics.Vector<float>(value);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Vec(global::System.ReadOnlySpan<float> values, int start) => new global::System.Numerics.Vector<float>(values.Slice(start));
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Fma(global::System.Numerics.Vector<float> a, global::System.Numerics.Vector<float> b, global::System.Numerics.Vector<float> c) => global::System.Numerics.Vector.FusedMultiplyAdd(a, b, c);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Exp(global::System.Numerics.Vector<float> z) => global::NetGen.VectorMath.Exp(z);   // e^z within 2 ulp, several times faster than Vector.Exp for float
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Log(global::System.Numerics.Vector<float> z) => global::System.Numerics.Vector.Log(z);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Max0(global::System.Numerics.Vector<float> z) => global::System.Numerics.Vector.Max(z, global::System.Numerics.Vector<float>.Zero);
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> Min0(global::System.Numerics.Vector<float> z) => global::System.Numerics.Vector.Min(z, global::System.Numerics.Vector<float>.Zero);
        /// <summary>Lane by lane: z &gt; 0 ? then : otherwise.</summary>
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static global::System.Numerics.Vector<float> IfPositive(global::System.Numerics.Vector<float> z, global::System.Numerics.Vector<float> then, global::System.Numerics.Vector<float> otherwise) => global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.GreaterThan(z, global::System.Numerics.Vector<float>.Zero), then, otherwise);
        /// <summary>tanh z = sign(z) (1 − e^(−2|z|)) / (1 + e^(−2|z|)), vectorized and finite for every z.</summary>
        private static global::System.Numerics.Vector<float> Tanh(global::System.Numerics.Vector<float> z)
        {
            var e = Exp(Vec(-2f) * global::System.Numerics.Vector.Abs(z));
            var t = (Vec(1f) - e) / (Vec(1f) + e);
            return global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.LessThan(z, global::System.Numerics.Vector<float>.Zero), -t, t);
        }
    }
}
