// Frozen copy of the code the generator emitted for TopologyC at commit d7dbb64 (before issue 11), kept as the A/B
// baseline; not generated, not edited.
// Changes from the emitted text (bench/obj/.../NetGen.Benchmarks.TopologyC.NetGen.g.cs): this header, the namespace,
// the class name (TopologyC -> LegacyTopologyC), 'partial class' -> 'public class' and the [GeneratedCode]
// attribute dropped. Run `--ab` of bench/Program.cs to compare it with the generated code.
#nullable enable

namespace NetGen.Benchmarks.Legacy
{
    /// <summary>
    /// Generated feed-forward network 784 → 128 (relu) → 64 (relu) → 10 (softmax); loss: cross-entropy; float.
    /// </summary>
    /// <remarks>
    /// <para>Layers (l = 1..L; z = W a + b, a = σ(z)):</para>
    /// <code>
    /// l  layer                      activation   kernel
    /// 0  input [784]                             
    /// 1  dense 784 → 128            relu         register-blocked product, W in column panels
    /// 2  dense 128 → 64             relu         register-blocked product
    /// 3  dense 64 → 10              softmax      register-blocked product
    /// </code>
    /// <para>Parameters: one flat buffer of 109386 values, in this order (W^l input-major [in, out]: the weight
    /// w^l_jk from input k to output j is at offset k·out + j of W^l, as Keras stores it):</para>
    /// <code>
    /// W1      [0, 100352)             [784 × 128]
    /// b1      [100352, 100480)        [128]
    /// W2      [100480, 108672)        [128 × 64]
    /// b2      [108672, 108736)        [64]
    /// W3      [108736, 109376)        [64 × 10]
    /// b3      [109376, 109386)        [10]
    /// </code>
    /// </remarks>
    public class LegacyTopologyC : global::NetGen.INetwork<float>, global::NetGen.ISgdStep<float>
    {
        // ─── Sizes ─────────────────────────────────────────────────────────────
        /// <summary>The width of the input a^0 = x.</summary>
        public const int Layer0Size = 784;
        /// <summary>The width of a^1 (hidden layer, relu).</summary>
        public const int Layer1Size = 128;
        /// <summary>The width of a^2 (hidden layer, relu).</summary>
        public const int Layer2Size = 64;
        /// <summary>The width of a^3 (output layer, softmax).</summary>
        public const int Layer3Size = 10;
        /// <summary>The number of dense layers L.</summary>
        public const int LayerCount = 3;
        /// <summary>The number of trainable parameters (the length of Parameters and Gradients).</summary>
        public const int ParameterLength = 109386;
        /// <summary>The number of running statistics of batch normalization (the length of State).</summary>
        public const int StateLength = 0;

        // ─── Parameter layout: offsets into Parameters and Gradients ──────────────
        /// <summary>Offset of W1, [784 × 128] input-major: w1_jk (input k → output j) at W1 + k·128 + j.</summary>
        public const int W1 = 0;
        /// <summary>Offset of b1, [128].</summary>
        public const int b1 = 100352;
        /// <summary>Offset of W2, [128 × 64] input-major: w2_jk (input k → output j) at W2 + k·64 + j.</summary>
        public const int W2 = 100480;
        /// <summary>Offset of b2, [64].</summary>
        public const int b2 = 108672;
        /// <summary>Offset of W3, [64 × 10] input-major: w3_jk (input k → output j) at W3 + k·10 + j.</summary>
        public const int W3 = 108736;
        /// <summary>Offset of b3, [10].</summary>
        public const int b3 = 109376;

        /// <summary>Rows per batch tile: batches are processed in tiles so the buffers stay bounded.</summary>
        private const int TileRows = 256;
        /// <summary>Training batches of at least this many rows are split across two cores (≈ 10.0 MFLOP).</summary>
        private const int ParallelTrainingRows = 32;
        /// <summary>Inference batches of at least this many rows are split across two cores.</summary>
        private const int ParallelInferenceRows = 46;

        private static readonly global::NetGen.NetworkSpec s_spec = new global::NetGen.NetworkSpec(
            784,
            new global::NetGen.LayerSpec[]
            {
                new global::NetGen.DenseLayerSpec(128, global::NetGen.Activation.ReLU),
                new global::NetGen.DenseLayerSpec(64, global::NetGen.Activation.ReLU),
                new global::NetGen.DenseLayerSpec(10, global::NetGen.Activation.Softmax),
            },
            global::NetGen.Loss.CrossEntropy,
            global::NetGen.Precision.Single);

        private readonly float[] _parameters = new float[ParameterLength];
        private readonly float[] _gradients = new float[ParameterLength];
        private readonly float[] _state = new float[StateLength];
        private ulong _randomState;
        private readonly Workspace _work = new Workspace();
        private Pair? _pair;   // the second core's half of large batches, made on first use
        private readonly float[] _wt2 = new float[Layer1Size * Layer2Size];   // W2ᵀ [out × in], refreshed by each batch of 4 rows or more
        private readonly float[] _wt3 = new float[Layer2Size * Layer3Size];   // W3ᵀ [out × in], refreshed by each batch of 4 rows or more

        /// <summary>Creates the network with Glorot-uniform weights from seed 0 (the same values as a GenericNetwork with seed 0).</summary>
        public LegacyTopologyC() : this(0) { }

        /// <summary>Creates the network with Glorot-uniform weights from <paramref name="seed"/>.</summary>
        /// <param name="seed">The initialization seed: the same seed gives the same parameters, bit for bit.</param>
        public LegacyTopologyC(int seed) : this(seed, global::NetGen.Initializer.GlorotUniform) { }

        /// <summary>Creates the network with weights drawn by <paramref name="initializer"/> from <paramref name="seed"/>.</summary>
        /// <param name="seed">The initialization seed.</param>
        /// <param name="initializer">How weights are drawn; biases start at 0.</param>
        public LegacyTopologyC(int seed, global::NetGen.Initializer initializer)
        {
            global::NetGen.Initializers.Initialize<float>(s_spec, _parameters, _state, initializer, seed);
            _randomState = global::NetGen.Initializers.InitialRandomState(seed);
        }

        /// <inheritdoc />
        public global::NetGen.NetworkSpec Spec => s_spec;
        /// <inheritdoc />
        public int InputSize => Layer0Size;
        /// <inheritdoc />
        public int OutputSize => Layer3Size;
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
        /// z1 = W1 a0 + b1,   a1 = relu(z1)
        /// z2 = W2 a1 + b2,   a2 = relu(z2)
        /// z3 = W3 a2 + b3,   a3 = softmax(z3)
        /// </code>
        /// </remarks>
        public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output)
        {
            global::NetGen.Shapes.RequireLength(input.Length, Layer0Size, nameof(input), "The input");
            global::NetGen.Shapes.RequireLength(output.Length, Layer3Size, nameof(output), "The output");
            _work.EnsureRows(1);
            ForwardTile(_work, input, 1, false, 0, 0);
            new global::System.Span<float>(_work.A3, 0, Layer3Size).CopyTo(output);
        }

        /// <inheritdoc />
        public void ForwardBatch(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs)
        {
            int count = global::NetGen.Shapes.BatchCount(inputs.Length, Layer0Size, outputs.Length, Layer3Size, nameof(outputs));
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
        /// z1 = W1 a0 + b1,   a1 = relu(z1)
        /// z2 = W2 a1 + b2,   a2 = relu(z2)
        /// z3 = W3 a2 + b3,   a3 = softmax(z3)
        /// C = −Σ_j y_j ln a_j
        /// δ3 = a3 Σ_j y_j − y  (= a3 − y for one-hot or probability targets)
        /// δ2 = ((W3)ᵀ δ3) ∘ σ'(z2)
        /// δ1 = ((W2)ᵀ δ2) ∘ σ'(z1)
        /// ∂C/∂W^l_jk += δ^l_j a^(l−1)_k,   ∂C/∂b^l_j += δ^l_j
        /// </code>
        /// </remarks>
        public float Backward(global::System.ReadOnlySpan<float> input, global::System.ReadOnlySpan<float> target)
        {
            global::NetGen.Shapes.RequireLength(input.Length, Layer0Size, nameof(input), "The input");
            global::NetGen.Shapes.RequireLength(target.Length, Layer3Size, nameof(target), "The target");
            _work.EnsureRows(1);
            ForwardTile(_work, input, 1, true, 0, 0);
            return BackwardTile(_work, _gradients, input, target, 1, false, 1f);
        }

        /// <inheritdoc />
        public float BackwardBatch(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets)
        {
            int count = global::NetGen.Shapes.BatchCount(inputs.Length, Layer0Size, targets.Length, Layer3Size, nameof(targets));
            const ulong key = 0;
            bool transposed = count >= 4;
            if (transposed)
            {
                TransposeWeights();
            }
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
            int count = global::NetGen.Shapes.BatchCount(inputs.Length, Layer0Size, targets.Length, Layer3Size, nameof(targets));
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
            bool transposed = count >= 4;
            if (transposed)
            {
                TransposeWeights();
            }
            _work.EnsureRows(count);
            ForwardTile(_work, inputs, count, true, key, 0);
            return BackwardTile(_work, _parameters, inputs, targets, count, transposed, scale);
        }

        /// <summary>Inference over <paramref name="count"/> rows in tiles.</summary>
        private void ForwardRows(Workspace ws, global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs, int count)
        {
            for (int first = 0; first < count; first += TileRows)
            {
                int rows = global::System.Math.Min(TileRows, count - first);
                int start = first;
                ws.EnsureRows(rows);
                ForwardTile(ws, inputs.Slice(start * Layer0Size, rows * Layer0Size), rows, false, 0, start);
                new global::System.Span<float>(ws.A3, 0, rows * Layer3Size).CopyTo(outputs.Slice(start * Layer3Size));
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
                ws.EnsureRows(rows);
                var input = inputs.Slice(start * Layer0Size, rows * Layer0Size);
                ForwardTile(ws, input, rows, true, key, firstRow + start);
                loss += BackwardTile(ws, g, input, targets.Slice(start * Layer3Size, rows * Layer3Size), rows, transposed, 1f);
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
            private readonly LegacyTopologyC _net;
            private readonly Workspace _work = new Workspace();

            public Pair(LegacyTopologyC net)
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
                        targets.Slice(first * Layer3Size, rows * Layer3Size), rows, first, Key, Transposed);
                }
                _net.ForwardRows(ws, inputs.Slice(first * Layer0Size, rows * Layer0Size), outputs.Slice(first * Layer3Size, rows * Layer3Size), rows);
                return 0f;
            }
        }

        /// <summary>The forward pass over <paramref name="rows"/> samples, layer by layer; training draws dropout masks and uses batch statistics.</summary>
        private void ForwardTile(Workspace ws, global::System.ReadOnlySpan<float> x, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> a0 = x;
            global::System.ReadOnlySpan<float> a1 = Layer1Forward(ws, a0, rows, training, key, firstRow);
            global::System.ReadOnlySpan<float> a2 = Layer2Forward(ws, a1, rows, training, key, firstRow);
            Layer3Forward(ws, a2, rows, training, key, firstRow);
        }

        /// <summary>Layer 1 forward: z1 = W1 a0 + b1, a1 = σ(z1); returns a1.</summary>
        private global::System.ReadOnlySpan<float> Layer1Forward(Workspace ws, global::System.ReadOnlySpan<float> a0, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // ─── Layer 1: dense 784 → 128, relu (register-blocked product, Vector<float>) ───
            // z1 = W1 a0 + b1      z1_j = Σ_k w1_jk a0_k + b1_j,  w1_jk at W1 + k·128 + j
            // a1 = σ(z1)      σ(z) = max(0, z)
            global::System.Span<float> z1 = ws.Z1;
            global::System.Span<float> a1 = ws.A1;
            // z1: 4 samples × 2 vectors of outputs per block in 8 accumulators; each kk loads two vectors of row kk of W1 and broadcasts a0[s, kk]; σ applied on the store
            {
                ref var wr = ref Ref(p);
                ref var xr = ref Ref(a0);
                ref var zr = ref Ref(z1);
                ref var ar = ref Ref(a1);
                // W1 (784 × 128, 392 KiB) is larger than L1: for 128 rows or more it is first copied into panels of 2 vectors
                // of columns, each contiguous over k, so that the 4-sample blocks read one stream instead of a row of W1 per step
                bool packed = rows >= 128;
                if (packed)
                {
                    global::NetGen.VectorMath.PackPanels<float>(p.Slice(W1, Layer0Size * Layer1Size), Layer0Size, Layer1Size, 2 * VectorWidth, ws.Panels1);
                }
                ref var pr = ref packed ? ref Ref(ws.Panels1) : ref Get(ref wr, W1);
                nint panelStart = packed ? Layer0Size : 1;   // columns j… start at j · panelStart
                nint panelStep = packed ? 2 * VectorWidth : Layer1Size;   // from row kk to row kk + 1
                int s = 0;
                for (; s + 4 <= rows; s += 4)
                {
                    int o0 = (s + 0) * Layer1Size, o1 = (s + 1) * Layer1Size, o2 = (s + 2) * Layer1Size, o3 = (s + 3) * Layer1Size;
                    ref var x0 = ref Get(ref xr, (s + 0) * Layer0Size); ref var x1 = ref Get(ref xr, (s + 1) * Layer0Size); ref var x2 = ref Get(ref xr, (s + 2) * Layer0Size); ref var x3 = ref Get(ref xr, (s + 3) * Layer0Size);
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer1Size; j += 2 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b1 + j);
                        var init1 = Load(ref wr, b1 + j + VectorWidth);
                        var c00 = init0; var c01 = init1;
                        var c10 = init0; var c11 = init1;
                        var c20 = init0; var c21 = init1;
                        var c30 = init0; var c31 = init1;
                        ref var wk = ref Get(ref pr, j * panelStart);   // row kk of the column block (in W or in its panel), one row per step
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10); c11 = Fma(u1, w1, c11);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20); c21 = Fma(u2, w1, c21);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30); c31 = Fma(u3, w1, c31);
                            wk = ref Get(ref wk, panelStep);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o0 + j + VectorWidth, c01); Store(ref ar, o0 + j + VectorWidth, Max0(c01));
                        Store(ref zr, o1 + j, c10); Store(ref ar, o1 + j, Max0(c10));
                        Store(ref zr, o1 + j + VectorWidth, c11); Store(ref ar, o1 + j + VectorWidth, Max0(c11));
                        Store(ref zr, o2 + j, c20); Store(ref ar, o2 + j, Max0(c20));
                        Store(ref zr, o2 + j + VectorWidth, c21); Store(ref ar, o2 + j + VectorWidth, Max0(c21));
                        Store(ref zr, o3 + j, c30); Store(ref ar, o3 + j, Max0(c30));
                        Store(ref zr, o3 + j + VectorWidth, c31); Store(ref ar, o3 + j + VectorWidth, Max0(c31));
                    }
                    for (; j + VectorWidth <= Layer1Size; j += VectorWidth)
                    {
                        var init0 = Load(ref wr, b1 + j);
                        var c00 = init0;
                        var c10 = init0;
                        var c20 = init0;
                        var c30 = init0;
                        ref var wk = ref Get(ref wr, W1 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o1 + j, c10); Store(ref ar, o1 + j, Max0(c10));
                        Store(ref zr, o2 + j, c20); Store(ref ar, o2 + j, Max0(c20));
                        Store(ref zr, o3 + j, c30); Store(ref ar, o3 + j, Max0(c30));
                    }
                    for (; j < Layer1Size; j++)
                    {
                        float c0 = Get(ref wr, b1 + j), c1 = Get(ref wr, b1 + j), c2 = Get(ref wr, b1 + j), c3 = Get(ref wr, b1 + j);
                        ref var wk = ref Get(ref wr, W1 + j);
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref x1, kk), wk, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref x2, kk), wk, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref x3, kk), wk, c3);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Get(ref zr, o0 + j) = c0; Get(ref ar, o0 + j) = global::System.MathF.Max(c0, 0f);
                        Get(ref zr, o1 + j) = c1; Get(ref ar, o1 + j) = global::System.MathF.Max(c1, 0f);
                        Get(ref zr, o2 + j) = c2; Get(ref ar, o2 + j) = global::System.MathF.Max(c2, 0f);
                        Get(ref zr, o3 + j) = c3; Get(ref ar, o3 + j) = global::System.MathF.Max(c3, 0f);
                    }
                }
                for (; s < rows; s++)
                {
                    int o0 = s * Layer1Size;
                    ref var x0 = ref Get(ref xr, s * Layer0Size);
                    int j = 0;
                    for (; j + 8 * VectorWidth <= Layer1Size; j += 8 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b1 + j);
                        var init1 = Load(ref wr, b1 + j + VectorWidth);
                        var init2 = Load(ref wr, b1 + j + 2 * VectorWidth);
                        var init3 = Load(ref wr, b1 + j + 3 * VectorWidth);
                        var init4 = Load(ref wr, b1 + j + 4 * VectorWidth);
                        var init5 = Load(ref wr, b1 + j + 5 * VectorWidth);
                        var init6 = Load(ref wr, b1 + j + 6 * VectorWidth);
                        var init7 = Load(ref wr, b1 + j + 7 * VectorWidth);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3; var c04 = init4; var c05 = init5; var c06 = init6; var c07 = init7;
                        ref var wk = ref Get(ref wr, W1 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var w4 = Load(ref wk, 4 * VectorWidth);
                            var w5 = Load(ref wk, 5 * VectorWidth);
                            var w6 = Load(ref wk, 6 * VectorWidth);
                            var w7 = Load(ref wk, 7 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03); c04 = Fma(u0, w4, c04); c05 = Fma(u0, w5, c05); c06 = Fma(u0, w6, c06); c07 = Fma(u0, w7, c07);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o0 + j + VectorWidth, c01); Store(ref ar, o0 + j + VectorWidth, Max0(c01));
                        Store(ref zr, o0 + j + 2 * VectorWidth, c02); Store(ref ar, o0 + j + 2 * VectorWidth, Max0(c02));
                        Store(ref zr, o0 + j + 3 * VectorWidth, c03); Store(ref ar, o0 + j + 3 * VectorWidth, Max0(c03));
                        Store(ref zr, o0 + j + 4 * VectorWidth, c04); Store(ref ar, o0 + j + 4 * VectorWidth, Max0(c04));
                        Store(ref zr, o0 + j + 5 * VectorWidth, c05); Store(ref ar, o0 + j + 5 * VectorWidth, Max0(c05));
                        Store(ref zr, o0 + j + 6 * VectorWidth, c06); Store(ref ar, o0 + j + 6 * VectorWidth, Max0(c06));
                        Store(ref zr, o0 + j + 7 * VectorWidth, c07); Store(ref ar, o0 + j + 7 * VectorWidth, Max0(c07));
                    }
                    for (; j + 4 * VectorWidth <= Layer1Size; j += 4 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b1 + j);
                        var init1 = Load(ref wr, b1 + j + VectorWidth);
                        var init2 = Load(ref wr, b1 + j + 2 * VectorWidth);
                        var init3 = Load(ref wr, b1 + j + 3 * VectorWidth);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3;
                        ref var wk = ref Get(ref wr, W1 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o0 + j + VectorWidth, c01); Store(ref ar, o0 + j + VectorWidth, Max0(c01));
                        Store(ref zr, o0 + j + 2 * VectorWidth, c02); Store(ref ar, o0 + j + 2 * VectorWidth, Max0(c02));
                        Store(ref zr, o0 + j + 3 * VectorWidth, c03); Store(ref ar, o0 + j + 3 * VectorWidth, Max0(c03));
                    }
                    for (; j + VectorWidth <= Layer1Size; j += VectorWidth)
                    {
                        var init0 = Load(ref wr, b1 + j);
                        var c00 = init0;
                        ref var wk = ref Get(ref wr, W1 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                    }
                    for (; j < Layer1Size; j++)
                    {
                        float c0 = Get(ref wr, b1 + j);
                        ref var wk = ref Get(ref wr, W1 + j);
                        for (nint kk = 0; kk < Layer0Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Get(ref zr, o0 + j) = c0; Get(ref ar, o0 + j) = global::System.MathF.Max(c0, 0f);
                    }
                }
            }
            return a1;
        }

        /// <summary>Layer 2 forward: z2 = W2 a1 + b2, a2 = σ(z2); returns a2.</summary>
        private global::System.ReadOnlySpan<float> Layer2Forward(Workspace ws, global::System.ReadOnlySpan<float> a1, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // ─── Layer 2: dense 128 → 64, relu (register-blocked product, Vector<float>) ───
            // z2 = W2 a1 + b2      z2_j = Σ_k w2_jk a1_k + b2_j,  w2_jk at W2 + k·64 + j
            // a2 = σ(z2)      σ(z) = max(0, z)
            global::System.Span<float> z2 = ws.Z2;
            global::System.Span<float> a2 = ws.A2;
            // z2: 4 samples × 2 vectors of outputs per block in 8 accumulators; each kk loads two vectors of row kk of W2 and broadcasts a1[s, kk]; σ applied on the store
            {
                ref var wr = ref Ref(p);
                ref var xr = ref Ref(a1);
                ref var zr = ref Ref(z2);
                ref var ar = ref Ref(a2);
                int s = 0;
                for (; s + 4 <= rows; s += 4)
                {
                    int o0 = (s + 0) * Layer2Size, o1 = (s + 1) * Layer2Size, o2 = (s + 2) * Layer2Size, o3 = (s + 3) * Layer2Size;
                    ref var x0 = ref Get(ref xr, (s + 0) * Layer1Size); ref var x1 = ref Get(ref xr, (s + 1) * Layer1Size); ref var x2 = ref Get(ref xr, (s + 2) * Layer1Size); ref var x3 = ref Get(ref xr, (s + 3) * Layer1Size);
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer2Size; j += 2 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b2 + j);
                        var init1 = Load(ref wr, b2 + j + VectorWidth);
                        var c00 = init0; var c01 = init1;
                        var c10 = init0; var c11 = init1;
                        var c20 = init0; var c21 = init1;
                        var c30 = init0; var c31 = init1;
                        ref var wk = ref Get(ref wr, W2 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10); c11 = Fma(u1, w1, c11);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20); c21 = Fma(u2, w1, c21);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30); c31 = Fma(u3, w1, c31);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o0 + j + VectorWidth, c01); Store(ref ar, o0 + j + VectorWidth, Max0(c01));
                        Store(ref zr, o1 + j, c10); Store(ref ar, o1 + j, Max0(c10));
                        Store(ref zr, o1 + j + VectorWidth, c11); Store(ref ar, o1 + j + VectorWidth, Max0(c11));
                        Store(ref zr, o2 + j, c20); Store(ref ar, o2 + j, Max0(c20));
                        Store(ref zr, o2 + j + VectorWidth, c21); Store(ref ar, o2 + j + VectorWidth, Max0(c21));
                        Store(ref zr, o3 + j, c30); Store(ref ar, o3 + j, Max0(c30));
                        Store(ref zr, o3 + j + VectorWidth, c31); Store(ref ar, o3 + j + VectorWidth, Max0(c31));
                    }
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var init0 = Load(ref wr, b2 + j);
                        var c00 = init0;
                        var c10 = init0;
                        var c20 = init0;
                        var c30 = init0;
                        ref var wk = ref Get(ref wr, W2 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o1 + j, c10); Store(ref ar, o1 + j, Max0(c10));
                        Store(ref zr, o2 + j, c20); Store(ref ar, o2 + j, Max0(c20));
                        Store(ref zr, o3 + j, c30); Store(ref ar, o3 + j, Max0(c30));
                    }
                    for (; j < Layer2Size; j++)
                    {
                        float c0 = Get(ref wr, b2 + j), c1 = Get(ref wr, b2 + j), c2 = Get(ref wr, b2 + j), c3 = Get(ref wr, b2 + j);
                        ref var wk = ref Get(ref wr, W2 + j);
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref x1, kk), wk, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref x2, kk), wk, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref x3, kk), wk, c3);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Get(ref zr, o0 + j) = c0; Get(ref ar, o0 + j) = global::System.MathF.Max(c0, 0f);
                        Get(ref zr, o1 + j) = c1; Get(ref ar, o1 + j) = global::System.MathF.Max(c1, 0f);
                        Get(ref zr, o2 + j) = c2; Get(ref ar, o2 + j) = global::System.MathF.Max(c2, 0f);
                        Get(ref zr, o3 + j) = c3; Get(ref ar, o3 + j) = global::System.MathF.Max(c3, 0f);
                    }
                }
                for (; s < rows; s++)
                {
                    int o0 = s * Layer2Size;
                    ref var x0 = ref Get(ref xr, s * Layer1Size);
                    int j = 0;
                    for (; j + 8 * VectorWidth <= Layer2Size; j += 8 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b2 + j);
                        var init1 = Load(ref wr, b2 + j + VectorWidth);
                        var init2 = Load(ref wr, b2 + j + 2 * VectorWidth);
                        var init3 = Load(ref wr, b2 + j + 3 * VectorWidth);
                        var init4 = Load(ref wr, b2 + j + 4 * VectorWidth);
                        var init5 = Load(ref wr, b2 + j + 5 * VectorWidth);
                        var init6 = Load(ref wr, b2 + j + 6 * VectorWidth);
                        var init7 = Load(ref wr, b2 + j + 7 * VectorWidth);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3; var c04 = init4; var c05 = init5; var c06 = init6; var c07 = init7;
                        ref var wk = ref Get(ref wr, W2 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var w4 = Load(ref wk, 4 * VectorWidth);
                            var w5 = Load(ref wk, 5 * VectorWidth);
                            var w6 = Load(ref wk, 6 * VectorWidth);
                            var w7 = Load(ref wk, 7 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03); c04 = Fma(u0, w4, c04); c05 = Fma(u0, w5, c05); c06 = Fma(u0, w6, c06); c07 = Fma(u0, w7, c07);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o0 + j + VectorWidth, c01); Store(ref ar, o0 + j + VectorWidth, Max0(c01));
                        Store(ref zr, o0 + j + 2 * VectorWidth, c02); Store(ref ar, o0 + j + 2 * VectorWidth, Max0(c02));
                        Store(ref zr, o0 + j + 3 * VectorWidth, c03); Store(ref ar, o0 + j + 3 * VectorWidth, Max0(c03));
                        Store(ref zr, o0 + j + 4 * VectorWidth, c04); Store(ref ar, o0 + j + 4 * VectorWidth, Max0(c04));
                        Store(ref zr, o0 + j + 5 * VectorWidth, c05); Store(ref ar, o0 + j + 5 * VectorWidth, Max0(c05));
                        Store(ref zr, o0 + j + 6 * VectorWidth, c06); Store(ref ar, o0 + j + 6 * VectorWidth, Max0(c06));
                        Store(ref zr, o0 + j + 7 * VectorWidth, c07); Store(ref ar, o0 + j + 7 * VectorWidth, Max0(c07));
                    }
                    for (; j + 4 * VectorWidth <= Layer2Size; j += 4 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b2 + j);
                        var init1 = Load(ref wr, b2 + j + VectorWidth);
                        var init2 = Load(ref wr, b2 + j + 2 * VectorWidth);
                        var init3 = Load(ref wr, b2 + j + 3 * VectorWidth);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3;
                        ref var wk = ref Get(ref wr, W2 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                        Store(ref zr, o0 + j + VectorWidth, c01); Store(ref ar, o0 + j + VectorWidth, Max0(c01));
                        Store(ref zr, o0 + j + 2 * VectorWidth, c02); Store(ref ar, o0 + j + 2 * VectorWidth, Max0(c02));
                        Store(ref zr, o0 + j + 3 * VectorWidth, c03); Store(ref ar, o0 + j + 3 * VectorWidth, Max0(c03));
                    }
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var init0 = Load(ref wr, b2 + j);
                        var c00 = init0;
                        ref var wk = ref Get(ref wr, W2 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref zr, o0 + j, c00); Store(ref ar, o0 + j, Max0(c00));
                    }
                    for (; j < Layer2Size; j++)
                    {
                        float c0 = Get(ref wr, b2 + j);
                        ref var wk = ref Get(ref wr, W2 + j);
                        for (nint kk = 0; kk < Layer1Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Get(ref zr, o0 + j) = c0; Get(ref ar, o0 + j) = global::System.MathF.Max(c0, 0f);
                    }
                }
            }
            return a2;
        }

        /// <summary>Layer 3 forward: z3 = W3 a2 + b3, a3 = σ(z3); returns a3.</summary>
        private global::System.ReadOnlySpan<float> Layer3Forward(Workspace ws, global::System.ReadOnlySpan<float> a2, int rows, bool training, ulong key, int firstRow)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            // ─── Layer 3: dense 64 → 10, softmax (register-blocked product, Vector<float>) ───
            // z3 = W3 a2 + b3      z3_j = Σ_k w3_jk a2_k + b3_j,  w3_jk at W3 + k·10 + j
            // a3 = σ(z3)      a_j = e^(z_j − max z) / Σ_k e^(z_k − max z)
            global::System.Span<float> z3 = ws.Z3;
            global::System.Span<float> a3 = ws.A3;
            // z3: 4 samples × 2 vectors of outputs per block in 8 accumulators; each kk loads two vectors of row kk of W3 and broadcasts a2[s, kk]
            {
                ref var wr = ref Ref(p);
                ref var xr = ref Ref(a2);
                ref var zr = ref Ref(z3);
                int s = 0;
                for (; s + 4 <= rows; s += 4)
                {
                    int o0 = (s + 0) * Layer3Size, o1 = (s + 1) * Layer3Size, o2 = (s + 2) * Layer3Size, o3 = (s + 3) * Layer3Size;
                    ref var x0 = ref Get(ref xr, (s + 0) * Layer2Size); ref var x1 = ref Get(ref xr, (s + 1) * Layer2Size); ref var x2 = ref Get(ref xr, (s + 2) * Layer2Size); ref var x3 = ref Get(ref xr, (s + 3) * Layer2Size);
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer3Size; j += 2 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b3 + j);
                        var init1 = Load(ref wr, b3 + j + VectorWidth);
                        var c00 = init0; var c01 = init1;
                        var c10 = init0; var c11 = init1;
                        var c20 = init0; var c21 = init1;
                        var c30 = init0; var c31 = init1;
                        ref var wk = ref Get(ref wr, W3 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10); c11 = Fma(u1, w1, c11);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20); c21 = Fma(u2, w1, c21);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30); c31 = Fma(u3, w1, c31);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Store(ref zr, o0 + j, c00);
                        Store(ref zr, o0 + j + VectorWidth, c01);
                        Store(ref zr, o1 + j, c10);
                        Store(ref zr, o1 + j + VectorWidth, c11);
                        Store(ref zr, o2 + j, c20);
                        Store(ref zr, o2 + j + VectorWidth, c21);
                        Store(ref zr, o3 + j, c30);
                        Store(ref zr, o3 + j + VectorWidth, c31);
                    }
                    for (; j + VectorWidth <= Layer3Size; j += VectorWidth)
                    {
                        var init0 = Load(ref wr, b3 + j);
                        var c00 = init0;
                        var c10 = init0;
                        var c20 = init0;
                        var c30 = init0;
                        ref var wk = ref Get(ref wr, W3 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Store(ref zr, o0 + j, c00);
                        Store(ref zr, o1 + j, c10);
                        Store(ref zr, o2 + j, c20);
                        Store(ref zr, o3 + j, c30);
                    }
                    for (; j < Layer3Size; j++)
                    {
                        float c0 = Get(ref wr, b3 + j), c1 = Get(ref wr, b3 + j), c2 = Get(ref wr, b3 + j), c3 = Get(ref wr, b3 + j);
                        ref var wk = ref Get(ref wr, W3 + j);
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref x1, kk), wk, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref x2, kk), wk, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref x3, kk), wk, c3);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Get(ref zr, o0 + j) = c0;
                        Get(ref zr, o1 + j) = c1;
                        Get(ref zr, o2 + j) = c2;
                        Get(ref zr, o3 + j) = c3;
                    }
                }
                for (; s < rows; s++)
                {
                    int o0 = s * Layer3Size;
                    ref var x0 = ref Get(ref xr, s * Layer2Size);
                    int j = 0;
                    for (; j + 8 * VectorWidth <= Layer3Size; j += 8 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b3 + j);
                        var init1 = Load(ref wr, b3 + j + VectorWidth);
                        var init2 = Load(ref wr, b3 + j + 2 * VectorWidth);
                        var init3 = Load(ref wr, b3 + j + 3 * VectorWidth);
                        var init4 = Load(ref wr, b3 + j + 4 * VectorWidth);
                        var init5 = Load(ref wr, b3 + j + 5 * VectorWidth);
                        var init6 = Load(ref wr, b3 + j + 6 * VectorWidth);
                        var init7 = Load(ref wr, b3 + j + 7 * VectorWidth);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3; var c04 = init4; var c05 = init5; var c06 = init6; var c07 = init7;
                        ref var wk = ref Get(ref wr, W3 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var w4 = Load(ref wk, 4 * VectorWidth);
                            var w5 = Load(ref wk, 5 * VectorWidth);
                            var w6 = Load(ref wk, 6 * VectorWidth);
                            var w7 = Load(ref wk, 7 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03); c04 = Fma(u0, w4, c04); c05 = Fma(u0, w5, c05); c06 = Fma(u0, w6, c06); c07 = Fma(u0, w7, c07);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Store(ref zr, o0 + j, c00);
                        Store(ref zr, o0 + j + VectorWidth, c01);
                        Store(ref zr, o0 + j + 2 * VectorWidth, c02);
                        Store(ref zr, o0 + j + 3 * VectorWidth, c03);
                        Store(ref zr, o0 + j + 4 * VectorWidth, c04);
                        Store(ref zr, o0 + j + 5 * VectorWidth, c05);
                        Store(ref zr, o0 + j + 6 * VectorWidth, c06);
                        Store(ref zr, o0 + j + 7 * VectorWidth, c07);
                    }
                    for (; j + 4 * VectorWidth <= Layer3Size; j += 4 * VectorWidth)
                    {
                        var init0 = Load(ref wr, b3 + j);
                        var init1 = Load(ref wr, b3 + j + VectorWidth);
                        var init2 = Load(ref wr, b3 + j + 2 * VectorWidth);
                        var init3 = Load(ref wr, b3 + j + 3 * VectorWidth);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3;
                        ref var wk = ref Get(ref wr, W3 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Store(ref zr, o0 + j, c00);
                        Store(ref zr, o0 + j + VectorWidth, c01);
                        Store(ref zr, o0 + j + 2 * VectorWidth, c02);
                        Store(ref zr, o0 + j + 3 * VectorWidth, c03);
                    }
                    for (; j + VectorWidth <= Layer3Size; j += VectorWidth)
                    {
                        var init0 = Load(ref wr, b3 + j);
                        var c00 = init0;
                        ref var wk = ref Get(ref wr, W3 + j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Store(ref zr, o0 + j, c00);
                    }
                    for (; j < Layer3Size; j++)
                    {
                        float c0 = Get(ref wr, b3 + j);
                        ref var wk = ref Get(ref wr, W3 + j);
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            wk = ref Get(ref wk, Layer3Size);
                        }
                        Get(ref zr, o0 + j) = c0;
                    }
                }
            }
            // softmax per sample: subtract the max (so e^x never overflows), exponentiate, normalize
            for (int s = 0; s < rows; s++)
            {
                var zs = z3.Slice(s * Layer3Size, Layer3Size);
                var os = a3.Slice(s * Layer3Size, Layer3Size);
                float max = zs[0];
                for (int j = 1; j < Layer3Size; j++)
                {
                    max = global::System.MathF.Max(max, zs[j]);
                }
                float sum = 0f;
                for (int j = 0; j < Layer3Size; j++)
                {
                    os[j] = global::System.MathF.Exp(zs[j] - max);
                    sum += os[j];
                }
                for (int j = 0; j < Layer3Size; j++)
                {
                    os[j] /= sum;
                }
            }
            return a3;
        }

        /// <summary>Back-propagation over the tile ForwardTile just computed, from the output layer down: adds ∂C/∂θ to <paramref name="g"/>, returns the summed loss.</summary>
        private float BackwardTile(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> y, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> a0 = x;
            float loss = OutputError(ws, y, rows);
            Layer3Backward(ws, g, ws.A2, rows, transposed, scale);
            Layer2Backward(ws, g, ws.A1, rows, transposed, scale);
            Layer1Backward(ws, g, a0, rows, transposed, scale);
            return loss;
        }

        /// <summary>The loss of the tile and the output error δ3 = ∂C/∂z3.</summary>
        private float OutputError(Workspace ws, global::System.ReadOnlySpan<float> y, int rows)
        {
            global::System.ReadOnlySpan<float> z3 = ws.Z3, a3 = ws.A3;
            global::System.Span<float> delta3 = ws.Delta3;
            float loss = 0f;
            // ─── Output error, layer 3 (softmax), cross-entropy ───
            // C = −Σ_j y_j ln a_j,  computed as C = Σ_j y_j (lse − z_j),  lse = max z + ln Σ_k e^(z_k − max z)
            // δ3 = a3 Σ_j y_j − y  (= a3 − y for one-hot or probability targets)
            for (int s = 0; s < rows; s++)
            {
                int o = s * Layer3Size;
                float max = z3[o];
                for (int j = 1; j < Layer3Size; j++)
                {
                    max = global::System.MathF.Max(max, z3[o + j]);
                }
                float sum = 0f, sumY = 0f;
                for (int j = 0; j < Layer3Size; j++)
                {
                    sum += global::System.MathF.Exp(z3[o + j] - max);
                }
                float lse = max + global::System.MathF.Log(sum);   // ln Σ_k e^(z_k)
                for (int j = 0; j < Layer3Size; j++)
                {
                    loss += y[o + j] * (lse - z3[o + j]);
                    sumY += y[o + j];
                }
                for (int j = 0; j < Layer3Size; j++)
                {
                    delta3[o + j] = a3[o + j] * sumY - y[o + j];
                }
            }
            return loss;
        }

        /// <summary>Layer 1 backward: g += scale · (∂C/∂W1, ∂C/∂b1) from δ1 (the input gradient of layer 1 is never computed).</summary>
        private void Layer1Backward(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> a0, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            global::System.Span<float> delta1 = ws.Delta1;
            // ─── Layer 1 gradients: ∂C/∂W1_jk += δ1_j a0_k,   ∂C/∂b1_j += δ1_j   (times scale: 1, or −η/B for a fused SGD step) ───
            // ∂C/∂W1 += a0ᵀ δ1: 4 rows of W1 × 2 vectors per block, summed over the samples in 8 accumulators; ∂C/∂b1 += Σ_s δ1
            {
                ref var gr = ref Ref(g);
                ref var xr = ref Ref(a0);
                ref var dr = ref Ref(delta1);
                var scaleV = Vec(scale);   // 1, or −η/B for a fused SGD step
                int k0 = 0;
                for (; k0 + 4 <= Layer0Size; k0 += 4)
                {
                    ref var g0 = ref Get(ref gr, W1 + (k0 + 0) * Layer1Size);   // row k0 + 0 of ∂C/∂W
                    ref var g1 = ref Get(ref gr, W1 + (k0 + 1) * Layer1Size);   // row k0 + 1 of ∂C/∂W
                    ref var g2 = ref Get(ref gr, W1 + (k0 + 2) * Layer1Size);   // row k0 + 2 of ∂C/∂W
                    ref var g3 = ref Get(ref gr, W1 + (k0 + 3) * Layer1Size);   // row k0 + 3 of ∂C/∂W
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer1Size; j += 2 * VectorWidth)
                    {
                        var c00 = Vec(0f); var c01 = Vec(0f);
                        var c10 = Vec(0f); var c11 = Vec(0f);
                        var c20 = Vec(0f); var c21 = Vec(0f);
                        var c30 = Vec(0f); var c31 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var d1 = Load(ref ds, VectorWidth);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                            var u1 = Vec(Get(ref xs, 1));
                            c10 = Fma(u1, d0, c10); c11 = Fma(u1, d1, c11);
                            var u2 = Vec(Get(ref xs, 2));
                            c20 = Fma(u2, d0, c20); c21 = Fma(u2, d1, c21);
                            var u3 = Vec(Get(ref xs, 3));
                            c30 = Fma(u3, d0, c30); c31 = Fma(u3, d1, c31);
                            ds = ref Get(ref ds, Layer1Size);
                            xs = ref Get(ref xs, Layer0Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g0, j + VectorWidth, Fma(scaleV, c01, Load(ref g0, j + VectorWidth)));
                        Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
                        Store(ref g1, j + VectorWidth, Fma(scaleV, c11, Load(ref g1, j + VectorWidth)));
                        Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
                        Store(ref g2, j + VectorWidth, Fma(scaleV, c21, Load(ref g2, j + VectorWidth)));
                        Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
                        Store(ref g3, j + VectorWidth, Fma(scaleV, c31, Load(ref g3, j + VectorWidth)));
                    }
                    for (; j + VectorWidth <= Layer1Size; j += VectorWidth)
                    {
                        var c00 = Vec(0f);
                        var c10 = Vec(0f);
                        var c20 = Vec(0f);
                        var c30 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00);
                            var u1 = Vec(Get(ref xs, 1));
                            c10 = Fma(u1, d0, c10);
                            var u2 = Vec(Get(ref xs, 2));
                            c20 = Fma(u2, d0, c20);
                            var u3 = Vec(Get(ref xs, 3));
                            c30 = Fma(u3, d0, c30);
                            ds = ref Get(ref ds, Layer1Size);
                            xs = ref Get(ref xs, Layer0Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
                        Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
                        Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
                    }
                    for (; j < Layer1Size; j++)
                    {
                        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
                        for (int s = 0; s < rows; s++)
                        {
                            float dj = Get(ref dr, s * Layer1Size + j);
                            int xs = s * Layer0Size + k0;
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 0), dj, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 1), dj, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 2), dj, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 3), dj, c3);
                        }
                        Get(ref g0, j) += scale * c0;
                        Get(ref g1, j) += scale * c1;
                        Get(ref g2, j) += scale * c2;
                        Get(ref g3, j) += scale * c3;
                    }
                }
                for (; k0 < Layer0Size; k0++)
                {
                    ref var g0 = ref Get(ref gr, W1 + (k0 + 0) * Layer1Size);   // row k0 + 0 of ∂C/∂W
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer1Size; j += 2 * VectorWidth)
                    {
                        var c00 = Vec(0f); var c01 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var d1 = Load(ref ds, VectorWidth);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                            ds = ref Get(ref ds, Layer1Size);
                            xs = ref Get(ref xs, Layer0Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g0, j + VectorWidth, Fma(scaleV, c01, Load(ref g0, j + VectorWidth)));
                    }
                    for (; j + VectorWidth <= Layer1Size; j += VectorWidth)
                    {
                        var c00 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00);
                            ds = ref Get(ref ds, Layer1Size);
                            xs = ref Get(ref xs, Layer0Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                    }
                    for (; j < Layer1Size; j++)
                    {
                        float c0 = 0f;
                        for (int s = 0; s < rows; s++)
                        {
                            float dj = Get(ref dr, s * Layer1Size + j);
                            int xs = s * Layer0Size + k0;
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 0), dj, c0);
                        }
                        Get(ref g0, j) += scale * c0;
                    }
                }
                int jb = 0;
                for (; jb + VectorWidth <= Layer1Size; jb += VectorWidth)
                {
                    var sum = Vec(0f);
                    ref var ds = ref Get(ref dr, jb);
                    for (int s = 0; s < rows; s++)
                    {
                        sum += Load(ref ds, 0);
                        ds = ref Get(ref ds, Layer1Size);
                    }
                    Store(ref gr, b1 + jb, Fma(scaleV, sum, Load(ref gr, b1 + jb)));
                }
                for (; jb < Layer1Size; jb++)
                {
                    float sum = 0f;
                    for (int s = 0; s < rows; s++)
                    {
                        sum += Get(ref dr, s * Layer1Size + jb);
                    }
                    Get(ref gr, b1 + jb) += scale * sum;
                }
            }
        }

        /// <summary>Layer 2 backward: δ1 = ((W2)ᵀ δ2) ∘ σ'(z1), then g += scale · (∂C/∂W2, ∂C/∂b2).</summary>
        private void Layer2Backward(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> a1, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            global::System.Span<float> delta2 = ws.Delta2;
            global::System.ReadOnlySpan<float> z1 = ws.Z1;
            global::System.Span<float> delta1 = ws.Delta1;
            // ─── Back-propagate to layer 1: δ1 = ((W2)ᵀ δ2) ∘ σ'(z1),   σ'(z) = 1[z > 0] ───
            if (transposed)
            {
                // ∂C/∂a1 = δ2 W2ᵀ as a product with the transposed copy of W2 (made once per batch): 4 samples × 2 vectors per block
                ref var tr = ref Ref(_wt2);
                ref var dr = ref Ref(delta2);
                ref var gr = ref Ref(delta1);
                int s = 0;
                for (; s + 4 <= rows; s += 4)
                {
                    int o0 = (s + 0) * Layer1Size, o1 = (s + 1) * Layer1Size, o2 = (s + 2) * Layer1Size, o3 = (s + 3) * Layer1Size;
                    ref var x0 = ref Get(ref dr, (s + 0) * Layer2Size); ref var x1 = ref Get(ref dr, (s + 1) * Layer2Size); ref var x2 = ref Get(ref dr, (s + 2) * Layer2Size); ref var x3 = ref Get(ref dr, (s + 3) * Layer2Size);
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer1Size; j += 2 * VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var init1 = Vec(0f);
                        var c00 = init0; var c01 = init1;
                        var c10 = init0; var c11 = init1;
                        var c20 = init0; var c21 = init1;
                        var c30 = init0; var c31 = init1;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10); c11 = Fma(u1, w1, c11);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20); c21 = Fma(u2, w1, c21);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30); c31 = Fma(u3, w1, c31);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o0 + j + VectorWidth, c01);
                        Store(ref gr, o1 + j, c10);
                        Store(ref gr, o1 + j + VectorWidth, c11);
                        Store(ref gr, o2 + j, c20);
                        Store(ref gr, o2 + j + VectorWidth, c21);
                        Store(ref gr, o3 + j, c30);
                        Store(ref gr, o3 + j + VectorWidth, c31);
                    }
                    for (; j + VectorWidth <= Layer1Size; j += VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var c00 = init0;
                        var c10 = init0;
                        var c20 = init0;
                        var c30 = init0;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o1 + j, c10);
                        Store(ref gr, o2 + j, c20);
                        Store(ref gr, o3 + j, c30);
                    }
                    for (; j < Layer1Size; j++)
                    {
                        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
                        ref var wk = ref Get(ref tr, j);
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref x1, kk), wk, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref x2, kk), wk, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref x3, kk), wk, c3);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Get(ref gr, o0 + j) = c0;
                        Get(ref gr, o1 + j) = c1;
                        Get(ref gr, o2 + j) = c2;
                        Get(ref gr, o3 + j) = c3;
                    }
                }
                for (; s < rows; s++)
                {
                    int o0 = s * Layer1Size;
                    ref var x0 = ref Get(ref dr, s * Layer2Size);
                    int j = 0;
                    for (; j + 8 * VectorWidth <= Layer1Size; j += 8 * VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var init1 = Vec(0f);
                        var init2 = Vec(0f);
                        var init3 = Vec(0f);
                        var init4 = Vec(0f);
                        var init5 = Vec(0f);
                        var init6 = Vec(0f);
                        var init7 = Vec(0f);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3; var c04 = init4; var c05 = init5; var c06 = init6; var c07 = init7;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var w4 = Load(ref wk, 4 * VectorWidth);
                            var w5 = Load(ref wk, 5 * VectorWidth);
                            var w6 = Load(ref wk, 6 * VectorWidth);
                            var w7 = Load(ref wk, 7 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03); c04 = Fma(u0, w4, c04); c05 = Fma(u0, w5, c05); c06 = Fma(u0, w6, c06); c07 = Fma(u0, w7, c07);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o0 + j + VectorWidth, c01);
                        Store(ref gr, o0 + j + 2 * VectorWidth, c02);
                        Store(ref gr, o0 + j + 3 * VectorWidth, c03);
                        Store(ref gr, o0 + j + 4 * VectorWidth, c04);
                        Store(ref gr, o0 + j + 5 * VectorWidth, c05);
                        Store(ref gr, o0 + j + 6 * VectorWidth, c06);
                        Store(ref gr, o0 + j + 7 * VectorWidth, c07);
                    }
                    for (; j + 4 * VectorWidth <= Layer1Size; j += 4 * VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var init1 = Vec(0f);
                        var init2 = Vec(0f);
                        var init3 = Vec(0f);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o0 + j + VectorWidth, c01);
                        Store(ref gr, o0 + j + 2 * VectorWidth, c02);
                        Store(ref gr, o0 + j + 3 * VectorWidth, c03);
                    }
                    for (; j + VectorWidth <= Layer1Size; j += VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var c00 = init0;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Store(ref gr, o0 + j, c00);
                    }
                    for (; j < Layer1Size; j++)
                    {
                        float c0 = 0f;
                        ref var wk = ref Get(ref tr, j);
                        for (nint kk = 0; kk < Layer2Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            wk = ref Get(ref wk, Layer1Size);
                        }
                        Get(ref gr, o0 + j) = c0;
                    }
                }
            }
            else for (int s = 0; s < rows; s++)
            {
                // ∂C/∂a1_k = Σ_j w2_jk δ2_j = W2[k, :]·δ2: 4 rows k at a time, one accumulator each, then a horizontal sum
                ref var ds = ref Get(ref Ref(delta2), s * Layer2Size);
                ref var gs = ref Get(ref Ref(delta1), s * Layer1Size);
                ref var wr = ref Get(ref Ref(p), W2);
                int k = 0;
                for (; k + 4 <= Layer1Size; k += 4)
                {
                    ref var w0 = ref Get(ref wr, (k + 0) * Layer2Size);
                    ref var w1 = ref Get(ref wr, (k + 1) * Layer2Size);
                    ref var w2 = ref Get(ref wr, (k + 2) * Layer2Size);
                    ref var w3 = ref Get(ref wr, (k + 3) * Layer2Size);
                    var c0 = Vec(0f); var c1 = Vec(0f); var c2 = Vec(0f); var c3 = Vec(0f);
                    int j = 0;
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var dv = Load(ref ds, j);
                        c0 = Fma(Load(ref w0, j), dv, c0); c1 = Fma(Load(ref w1, j), dv, c1); c2 = Fma(Load(ref w2, j), dv, c2); c3 = Fma(Load(ref w3, j), dv, c3);
                    }
                    if (Layer2Size % VectorWidth == 0)
                    {
                        global::NetGen.VectorMath.StoreSums(c0, c1, c2, c3, ref Get(ref gs, k));   // no remainder: the four horizontal sums at once
                        continue;
                    }
                    float dot0 = Layer2Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c0) : 0f; float dot1 = Layer2Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c1) : 0f; float dot2 = Layer2Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c2) : 0f; float dot3 = Layer2Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c3) : 0f;
                    for (; j < Layer2Size; j++)
                    {
                        float dj = Get(ref ds, j);
                        dot0 = global::System.MathF.FusedMultiplyAdd(Get(ref w0, j), dj, dot0); dot1 = global::System.MathF.FusedMultiplyAdd(Get(ref w1, j), dj, dot1); dot2 = global::System.MathF.FusedMultiplyAdd(Get(ref w2, j), dj, dot2); dot3 = global::System.MathF.FusedMultiplyAdd(Get(ref w3, j), dj, dot3);
                    }
                    Get(ref gs, k + 0) = dot0; Get(ref gs, k + 1) = dot1; Get(ref gs, k + 2) = dot2; Get(ref gs, k + 3) = dot3;
                }
                for (; k < Layer1Size; k++)
                {
                    ref var w0 = ref Get(ref wr, (k + 0) * Layer2Size);
                    var c0 = Vec(0f);
                    int j = 0;
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var dv = Load(ref ds, j);
                        c0 = Fma(Load(ref w0, j), dv, c0);
                    }
                    float dot0 = Layer2Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c0) : 0f;
                    for (; j < Layer2Size; j++)
                    {
                        float dj = Get(ref ds, j);
                        dot0 = global::System.MathF.FusedMultiplyAdd(Get(ref w0, j), dj, dot0);
                    }
                    Get(ref gs, k + 0) = dot0;
                }
            }
            // δ1 = ∂C/∂a1 ∘ σ'(z1)
            {
                ref var sr = ref Ref(delta1);
                ref var dr = ref Ref(delta1);
                int i = 0;
                for (; i <= rows * Layer1Size - VectorWidth; i += VectorWidth)
                {
                    var u = Load(ref sr, i);
                    Store(ref dr, i, IfPositive(Vec(z1, i), u, Vec(0f)));
                }
                for (; i < rows * Layer1Size; i++)
                {
                    float u = delta1[i];
                    delta1[i] = (z1[i] > 0f ? u : 0f);
                }
            }

            // ─── Layer 2 gradients: ∂C/∂W2_jk += δ2_j a1_k,   ∂C/∂b2_j += δ2_j   (times scale: 1, or −η/B for a fused SGD step) ───
            // ∂C/∂W2 += a1ᵀ δ2: 4 rows of W2 × 2 vectors per block, summed over the samples in 8 accumulators; ∂C/∂b2 += Σ_s δ2
            {
                ref var gr = ref Ref(g);
                ref var xr = ref Ref(a1);
                ref var dr = ref Ref(delta2);
                var scaleV = Vec(scale);   // 1, or −η/B for a fused SGD step
                int k0 = 0;
                for (; k0 + 4 <= Layer1Size; k0 += 4)
                {
                    ref var g0 = ref Get(ref gr, W2 + (k0 + 0) * Layer2Size);   // row k0 + 0 of ∂C/∂W
                    ref var g1 = ref Get(ref gr, W2 + (k0 + 1) * Layer2Size);   // row k0 + 1 of ∂C/∂W
                    ref var g2 = ref Get(ref gr, W2 + (k0 + 2) * Layer2Size);   // row k0 + 2 of ∂C/∂W
                    ref var g3 = ref Get(ref gr, W2 + (k0 + 3) * Layer2Size);   // row k0 + 3 of ∂C/∂W
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer2Size; j += 2 * VectorWidth)
                    {
                        var c00 = Vec(0f); var c01 = Vec(0f);
                        var c10 = Vec(0f); var c11 = Vec(0f);
                        var c20 = Vec(0f); var c21 = Vec(0f);
                        var c30 = Vec(0f); var c31 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var d1 = Load(ref ds, VectorWidth);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                            var u1 = Vec(Get(ref xs, 1));
                            c10 = Fma(u1, d0, c10); c11 = Fma(u1, d1, c11);
                            var u2 = Vec(Get(ref xs, 2));
                            c20 = Fma(u2, d0, c20); c21 = Fma(u2, d1, c21);
                            var u3 = Vec(Get(ref xs, 3));
                            c30 = Fma(u3, d0, c30); c31 = Fma(u3, d1, c31);
                            ds = ref Get(ref ds, Layer2Size);
                            xs = ref Get(ref xs, Layer1Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g0, j + VectorWidth, Fma(scaleV, c01, Load(ref g0, j + VectorWidth)));
                        Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
                        Store(ref g1, j + VectorWidth, Fma(scaleV, c11, Load(ref g1, j + VectorWidth)));
                        Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
                        Store(ref g2, j + VectorWidth, Fma(scaleV, c21, Load(ref g2, j + VectorWidth)));
                        Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
                        Store(ref g3, j + VectorWidth, Fma(scaleV, c31, Load(ref g3, j + VectorWidth)));
                    }
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var c00 = Vec(0f);
                        var c10 = Vec(0f);
                        var c20 = Vec(0f);
                        var c30 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00);
                            var u1 = Vec(Get(ref xs, 1));
                            c10 = Fma(u1, d0, c10);
                            var u2 = Vec(Get(ref xs, 2));
                            c20 = Fma(u2, d0, c20);
                            var u3 = Vec(Get(ref xs, 3));
                            c30 = Fma(u3, d0, c30);
                            ds = ref Get(ref ds, Layer2Size);
                            xs = ref Get(ref xs, Layer1Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
                        Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
                        Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
                    }
                    for (; j < Layer2Size; j++)
                    {
                        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
                        for (int s = 0; s < rows; s++)
                        {
                            float dj = Get(ref dr, s * Layer2Size + j);
                            int xs = s * Layer1Size + k0;
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 0), dj, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 1), dj, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 2), dj, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 3), dj, c3);
                        }
                        Get(ref g0, j) += scale * c0;
                        Get(ref g1, j) += scale * c1;
                        Get(ref g2, j) += scale * c2;
                        Get(ref g3, j) += scale * c3;
                    }
                }
                for (; k0 < Layer1Size; k0++)
                {
                    ref var g0 = ref Get(ref gr, W2 + (k0 + 0) * Layer2Size);   // row k0 + 0 of ∂C/∂W
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer2Size; j += 2 * VectorWidth)
                    {
                        var c00 = Vec(0f); var c01 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var d1 = Load(ref ds, VectorWidth);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                            ds = ref Get(ref ds, Layer2Size);
                            xs = ref Get(ref xs, Layer1Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g0, j + VectorWidth, Fma(scaleV, c01, Load(ref g0, j + VectorWidth)));
                    }
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var c00 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00);
                            ds = ref Get(ref ds, Layer2Size);
                            xs = ref Get(ref xs, Layer1Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                    }
                    for (; j < Layer2Size; j++)
                    {
                        float c0 = 0f;
                        for (int s = 0; s < rows; s++)
                        {
                            float dj = Get(ref dr, s * Layer2Size + j);
                            int xs = s * Layer1Size + k0;
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 0), dj, c0);
                        }
                        Get(ref g0, j) += scale * c0;
                    }
                }
                int jb = 0;
                for (; jb + VectorWidth <= Layer2Size; jb += VectorWidth)
                {
                    var sum = Vec(0f);
                    ref var ds = ref Get(ref dr, jb);
                    for (int s = 0; s < rows; s++)
                    {
                        sum += Load(ref ds, 0);
                        ds = ref Get(ref ds, Layer2Size);
                    }
                    Store(ref gr, b2 + jb, Fma(scaleV, sum, Load(ref gr, b2 + jb)));
                }
                for (; jb < Layer2Size; jb++)
                {
                    float sum = 0f;
                    for (int s = 0; s < rows; s++)
                    {
                        sum += Get(ref dr, s * Layer2Size + jb);
                    }
                    Get(ref gr, b2 + jb) += scale * sum;
                }
            }
        }

        /// <summary>Layer 3 backward: δ2 = ((W3)ᵀ δ3) ∘ σ'(z2), then g += scale · (∂C/∂W3, ∂C/∂b3).</summary>
        private void Layer3Backward(Workspace ws, global::System.Span<float> g, global::System.ReadOnlySpan<float> a2, int rows, bool transposed, float scale)
        {
            global::System.ReadOnlySpan<float> p = _parameters;
            global::System.Span<float> delta3 = ws.Delta3;
            global::System.ReadOnlySpan<float> z2 = ws.Z2;
            global::System.Span<float> delta2 = ws.Delta2;
            // ─── Back-propagate to layer 2: δ2 = ((W3)ᵀ δ3) ∘ σ'(z2),   σ'(z) = 1[z > 0] ───
            if (transposed)
            {
                // ∂C/∂a2 = δ3 W3ᵀ as a product with the transposed copy of W3 (made once per batch): 4 samples × 2 vectors per block
                ref var tr = ref Ref(_wt3);
                ref var dr = ref Ref(delta3);
                ref var gr = ref Ref(delta2);
                int s = 0;
                for (; s + 4 <= rows; s += 4)
                {
                    int o0 = (s + 0) * Layer2Size, o1 = (s + 1) * Layer2Size, o2 = (s + 2) * Layer2Size, o3 = (s + 3) * Layer2Size;
                    ref var x0 = ref Get(ref dr, (s + 0) * Layer3Size); ref var x1 = ref Get(ref dr, (s + 1) * Layer3Size); ref var x2 = ref Get(ref dr, (s + 2) * Layer3Size); ref var x3 = ref Get(ref dr, (s + 3) * Layer3Size);
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer2Size; j += 2 * VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var init1 = Vec(0f);
                        var c00 = init0; var c01 = init1;
                        var c10 = init0; var c11 = init1;
                        var c20 = init0; var c21 = init1;
                        var c30 = init0; var c31 = init1;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10); c11 = Fma(u1, w1, c11);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20); c21 = Fma(u2, w1, c21);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30); c31 = Fma(u3, w1, c31);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o0 + j + VectorWidth, c01);
                        Store(ref gr, o1 + j, c10);
                        Store(ref gr, o1 + j + VectorWidth, c11);
                        Store(ref gr, o2 + j, c20);
                        Store(ref gr, o2 + j + VectorWidth, c21);
                        Store(ref gr, o3 + j, c30);
                        Store(ref gr, o3 + j + VectorWidth, c31);
                    }
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var c00 = init0;
                        var c10 = init0;
                        var c20 = init0;
                        var c30 = init0;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            var u1 = Vec(Get(ref x1, kk));
                            c10 = Fma(u1, w0, c10);
                            var u2 = Vec(Get(ref x2, kk));
                            c20 = Fma(u2, w0, c20);
                            var u3 = Vec(Get(ref x3, kk));
                            c30 = Fma(u3, w0, c30);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o1 + j, c10);
                        Store(ref gr, o2 + j, c20);
                        Store(ref gr, o3 + j, c30);
                    }
                    for (; j < Layer2Size; j++)
                    {
                        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
                        ref var wk = ref Get(ref tr, j);
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref x1, kk), wk, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref x2, kk), wk, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref x3, kk), wk, c3);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Get(ref gr, o0 + j) = c0;
                        Get(ref gr, o1 + j) = c1;
                        Get(ref gr, o2 + j) = c2;
                        Get(ref gr, o3 + j) = c3;
                    }
                }
                for (; s < rows; s++)
                {
                    int o0 = s * Layer2Size;
                    ref var x0 = ref Get(ref dr, s * Layer3Size);
                    int j = 0;
                    for (; j + 8 * VectorWidth <= Layer2Size; j += 8 * VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var init1 = Vec(0f);
                        var init2 = Vec(0f);
                        var init3 = Vec(0f);
                        var init4 = Vec(0f);
                        var init5 = Vec(0f);
                        var init6 = Vec(0f);
                        var init7 = Vec(0f);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3; var c04 = init4; var c05 = init5; var c06 = init6; var c07 = init7;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var w4 = Load(ref wk, 4 * VectorWidth);
                            var w5 = Load(ref wk, 5 * VectorWidth);
                            var w6 = Load(ref wk, 6 * VectorWidth);
                            var w7 = Load(ref wk, 7 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03); c04 = Fma(u0, w4, c04); c05 = Fma(u0, w5, c05); c06 = Fma(u0, w6, c06); c07 = Fma(u0, w7, c07);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o0 + j + VectorWidth, c01);
                        Store(ref gr, o0 + j + 2 * VectorWidth, c02);
                        Store(ref gr, o0 + j + 3 * VectorWidth, c03);
                        Store(ref gr, o0 + j + 4 * VectorWidth, c04);
                        Store(ref gr, o0 + j + 5 * VectorWidth, c05);
                        Store(ref gr, o0 + j + 6 * VectorWidth, c06);
                        Store(ref gr, o0 + j + 7 * VectorWidth, c07);
                    }
                    for (; j + 4 * VectorWidth <= Layer2Size; j += 4 * VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var init1 = Vec(0f);
                        var init2 = Vec(0f);
                        var init3 = Vec(0f);
                        var c00 = init0; var c01 = init1; var c02 = init2; var c03 = init3;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var w1 = Load(ref wk, VectorWidth);
                            var w2 = Load(ref wk, 2 * VectorWidth);
                            var w3 = Load(ref wk, 3 * VectorWidth);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00); c01 = Fma(u0, w1, c01); c02 = Fma(u0, w2, c02); c03 = Fma(u0, w3, c03);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref gr, o0 + j, c00);
                        Store(ref gr, o0 + j + VectorWidth, c01);
                        Store(ref gr, o0 + j + 2 * VectorWidth, c02);
                        Store(ref gr, o0 + j + 3 * VectorWidth, c03);
                    }
                    for (; j + VectorWidth <= Layer2Size; j += VectorWidth)
                    {
                        var init0 = Vec(0f);
                        var c00 = init0;
                        ref var wk = ref Get(ref tr, j);   // row kk of the column block, one row per step
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            var w0 = Load(ref wk, 0);
                            var u0 = Vec(Get(ref x0, kk));
                            c00 = Fma(u0, w0, c00);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Store(ref gr, o0 + j, c00);
                    }
                    for (; j < Layer2Size; j++)
                    {
                        float c0 = 0f;
                        ref var wk = ref Get(ref tr, j);
                        for (nint kk = 0; kk < Layer3Size; kk++)
                        {
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref x0, kk), wk, c0);
                            wk = ref Get(ref wk, Layer2Size);
                        }
                        Get(ref gr, o0 + j) = c0;
                    }
                }
            }
            else for (int s = 0; s < rows; s++)
            {
                // ∂C/∂a2_k = Σ_j w3_jk δ3_j = W3[k, :]·δ3: 4 rows k at a time, one accumulator each, then a horizontal sum
                ref var ds = ref Get(ref Ref(delta3), s * Layer3Size);
                ref var gs = ref Get(ref Ref(delta2), s * Layer2Size);
                ref var wr = ref Get(ref Ref(p), W3);
                int k = 0;
                for (; k + 4 <= Layer2Size; k += 4)
                {
                    ref var w0 = ref Get(ref wr, (k + 0) * Layer3Size);
                    ref var w1 = ref Get(ref wr, (k + 1) * Layer3Size);
                    ref var w2 = ref Get(ref wr, (k + 2) * Layer3Size);
                    ref var w3 = ref Get(ref wr, (k + 3) * Layer3Size);
                    var c0 = Vec(0f); var c1 = Vec(0f); var c2 = Vec(0f); var c3 = Vec(0f);
                    int j = 0;
                    for (; j + VectorWidth <= Layer3Size; j += VectorWidth)
                    {
                        var dv = Load(ref ds, j);
                        c0 = Fma(Load(ref w0, j), dv, c0); c1 = Fma(Load(ref w1, j), dv, c1); c2 = Fma(Load(ref w2, j), dv, c2); c3 = Fma(Load(ref w3, j), dv, c3);
                    }
                    if (Layer3Size % VectorWidth == 0)
                    {
                        global::NetGen.VectorMath.StoreSums(c0, c1, c2, c3, ref Get(ref gs, k));   // no remainder: the four horizontal sums at once
                        continue;
                    }
                    float dot0 = Layer3Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c0) : 0f; float dot1 = Layer3Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c1) : 0f; float dot2 = Layer3Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c2) : 0f; float dot3 = Layer3Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c3) : 0f;
                    for (; j < Layer3Size; j++)
                    {
                        float dj = Get(ref ds, j);
                        dot0 = global::System.MathF.FusedMultiplyAdd(Get(ref w0, j), dj, dot0); dot1 = global::System.MathF.FusedMultiplyAdd(Get(ref w1, j), dj, dot1); dot2 = global::System.MathF.FusedMultiplyAdd(Get(ref w2, j), dj, dot2); dot3 = global::System.MathF.FusedMultiplyAdd(Get(ref w3, j), dj, dot3);
                    }
                    Get(ref gs, k + 0) = dot0; Get(ref gs, k + 1) = dot1; Get(ref gs, k + 2) = dot2; Get(ref gs, k + 3) = dot3;
                }
                for (; k < Layer2Size; k++)
                {
                    ref var w0 = ref Get(ref wr, (k + 0) * Layer3Size);
                    var c0 = Vec(0f);
                    int j = 0;
                    for (; j + VectorWidth <= Layer3Size; j += VectorWidth)
                    {
                        var dv = Load(ref ds, j);
                        c0 = Fma(Load(ref w0, j), dv, c0);
                    }
                    float dot0 = Layer3Size >= VectorWidth ? global::System.Numerics.Vector.Sum(c0) : 0f;
                    for (; j < Layer3Size; j++)
                    {
                        float dj = Get(ref ds, j);
                        dot0 = global::System.MathF.FusedMultiplyAdd(Get(ref w0, j), dj, dot0);
                    }
                    Get(ref gs, k + 0) = dot0;
                }
            }
            // δ2 = ∂C/∂a2 ∘ σ'(z2)
            {
                ref var sr = ref Ref(delta2);
                ref var dr = ref Ref(delta2);
                int i = 0;
                for (; i <= rows * Layer2Size - VectorWidth; i += VectorWidth)
                {
                    var u = Load(ref sr, i);
                    Store(ref dr, i, IfPositive(Vec(z2, i), u, Vec(0f)));
                }
                for (; i < rows * Layer2Size; i++)
                {
                    float u = delta2[i];
                    delta2[i] = (z2[i] > 0f ? u : 0f);
                }
            }

            // ─── Layer 3 gradients: ∂C/∂W3_jk += δ3_j a2_k,   ∂C/∂b3_j += δ3_j   (times scale: 1, or −η/B for a fused SGD step) ───
            // ∂C/∂W3 += a2ᵀ δ3: 4 rows of W3 × 2 vectors per block, summed over the samples in 8 accumulators; ∂C/∂b3 += Σ_s δ3
            {
                ref var gr = ref Ref(g);
                ref var xr = ref Ref(a2);
                ref var dr = ref Ref(delta3);
                var scaleV = Vec(scale);   // 1, or −η/B for a fused SGD step
                int k0 = 0;
                for (; k0 + 4 <= Layer2Size; k0 += 4)
                {
                    ref var g0 = ref Get(ref gr, W3 + (k0 + 0) * Layer3Size);   // row k0 + 0 of ∂C/∂W
                    ref var g1 = ref Get(ref gr, W3 + (k0 + 1) * Layer3Size);   // row k0 + 1 of ∂C/∂W
                    ref var g2 = ref Get(ref gr, W3 + (k0 + 2) * Layer3Size);   // row k0 + 2 of ∂C/∂W
                    ref var g3 = ref Get(ref gr, W3 + (k0 + 3) * Layer3Size);   // row k0 + 3 of ∂C/∂W
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer3Size; j += 2 * VectorWidth)
                    {
                        var c00 = Vec(0f); var c01 = Vec(0f);
                        var c10 = Vec(0f); var c11 = Vec(0f);
                        var c20 = Vec(0f); var c21 = Vec(0f);
                        var c30 = Vec(0f); var c31 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var d1 = Load(ref ds, VectorWidth);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                            var u1 = Vec(Get(ref xs, 1));
                            c10 = Fma(u1, d0, c10); c11 = Fma(u1, d1, c11);
                            var u2 = Vec(Get(ref xs, 2));
                            c20 = Fma(u2, d0, c20); c21 = Fma(u2, d1, c21);
                            var u3 = Vec(Get(ref xs, 3));
                            c30 = Fma(u3, d0, c30); c31 = Fma(u3, d1, c31);
                            ds = ref Get(ref ds, Layer3Size);
                            xs = ref Get(ref xs, Layer2Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g0, j + VectorWidth, Fma(scaleV, c01, Load(ref g0, j + VectorWidth)));
                        Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
                        Store(ref g1, j + VectorWidth, Fma(scaleV, c11, Load(ref g1, j + VectorWidth)));
                        Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
                        Store(ref g2, j + VectorWidth, Fma(scaleV, c21, Load(ref g2, j + VectorWidth)));
                        Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
                        Store(ref g3, j + VectorWidth, Fma(scaleV, c31, Load(ref g3, j + VectorWidth)));
                    }
                    for (; j + VectorWidth <= Layer3Size; j += VectorWidth)
                    {
                        var c00 = Vec(0f);
                        var c10 = Vec(0f);
                        var c20 = Vec(0f);
                        var c30 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00);
                            var u1 = Vec(Get(ref xs, 1));
                            c10 = Fma(u1, d0, c10);
                            var u2 = Vec(Get(ref xs, 2));
                            c20 = Fma(u2, d0, c20);
                            var u3 = Vec(Get(ref xs, 3));
                            c30 = Fma(u3, d0, c30);
                            ds = ref Get(ref ds, Layer3Size);
                            xs = ref Get(ref xs, Layer2Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g1, j, Fma(scaleV, c10, Load(ref g1, j)));
                        Store(ref g2, j, Fma(scaleV, c20, Load(ref g2, j)));
                        Store(ref g3, j, Fma(scaleV, c30, Load(ref g3, j)));
                    }
                    for (; j < Layer3Size; j++)
                    {
                        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
                        for (int s = 0; s < rows; s++)
                        {
                            float dj = Get(ref dr, s * Layer3Size + j);
                            int xs = s * Layer2Size + k0;
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 0), dj, c0);
                            c1 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 1), dj, c1);
                            c2 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 2), dj, c2);
                            c3 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 3), dj, c3);
                        }
                        Get(ref g0, j) += scale * c0;
                        Get(ref g1, j) += scale * c1;
                        Get(ref g2, j) += scale * c2;
                        Get(ref g3, j) += scale * c3;
                    }
                }
                for (; k0 < Layer2Size; k0++)
                {
                    ref var g0 = ref Get(ref gr, W3 + (k0 + 0) * Layer3Size);   // row k0 + 0 of ∂C/∂W
                    int j = 0;
                    for (; j + 2 * VectorWidth <= Layer3Size; j += 2 * VectorWidth)
                    {
                        var c00 = Vec(0f); var c01 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var d1 = Load(ref ds, VectorWidth);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00); c01 = Fma(u0, d1, c01);
                            ds = ref Get(ref ds, Layer3Size);
                            xs = ref Get(ref xs, Layer2Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                        Store(ref g0, j + VectorWidth, Fma(scaleV, c01, Load(ref g0, j + VectorWidth)));
                    }
                    for (; j + VectorWidth <= Layer3Size; j += VectorWidth)
                    {
                        var c00 = Vec(0f);
                        ref var ds = ref Get(ref dr, j);    // δ[s, j…], one sample per step
                        ref var xs = ref Get(ref xr, k0);   // a[s, k0…]
                        for (int s = 0; s < rows; s++)
                        {
                            var d0 = Load(ref ds, 0);
                            var u0 = Vec(Get(ref xs, 0));
                            c00 = Fma(u0, d0, c00);
                            ds = ref Get(ref ds, Layer3Size);
                            xs = ref Get(ref xs, Layer2Size);
                        }
                        Store(ref g0, j, Fma(scaleV, c00, Load(ref g0, j)));
                    }
                    for (; j < Layer3Size; j++)
                    {
                        float c0 = 0f;
                        for (int s = 0; s < rows; s++)
                        {
                            float dj = Get(ref dr, s * Layer3Size + j);
                            int xs = s * Layer2Size + k0;
                            c0 = global::System.MathF.FusedMultiplyAdd(Get(ref xr, xs + 0), dj, c0);
                        }
                        Get(ref g0, j) += scale * c0;
                    }
                }
                int jb = 0;
                for (; jb + VectorWidth <= Layer3Size; jb += VectorWidth)
                {
                    var sum = Vec(0f);
                    ref var ds = ref Get(ref dr, jb);
                    for (int s = 0; s < rows; s++)
                    {
                        sum += Load(ref ds, 0);
                        ds = ref Get(ref ds, Layer3Size);
                    }
                    Store(ref gr, b3 + jb, Fma(scaleV, sum, Load(ref gr, b3 + jb)));
                }
                for (; jb < Layer3Size; jb++)
                {
                    float sum = 0f;
                    for (int s = 0; s < rows; s++)
                    {
                        sum += Get(ref dr, s * Layer3Size + jb);
                    }
                    Get(ref gr, b3 + jb) += scale * sum;
                }
            }
        }

        /// <summary>Copies each wide W^l (l ≥ 2) transposed, [out × in], for the δ^{l−1} = δ^l W^lᵀ products of a batch.</summary>
        private void TransposeWeights()
        {
            global::NetGen.VectorMath.Transpose<float>(new global::System.ReadOnlySpan<float>(_parameters, W2, Layer1Size * Layer2Size), Layer1Size, Layer2Size, _wt2);
            global::NetGen.VectorMath.Transpose<float>(new global::System.ReadOnlySpan<float>(_parameters, W3, Layer2Size * Layer3Size), Layer2Size, Layer3Size, _wt3);
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
            /// <summary>z3 = W3 a2 + b3</summary>
            public float[] Z3 = global::System.Array.Empty<float>();
            /// <summary>a3 = σ(z3)</summary>
            public float[] A3 = global::System.Array.Empty<float>();
            /// <summary>δ3 = ∂C/∂z3</summary>
            public float[] Delta3 = global::System.Array.Empty<float>();
            private float[]? _panels1;

            /// <summary>W1 in panels of 2 vectors of columns, contiguous over k, for batches of 128 rows or more (made on first use).</summary>
            public float[] Panels1 => _panels1 ??= new float[Layer0Size * Layer1Size];


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
                Z3 = new float[checked(rows * Layer3Size)];
                A3 = new float[checked(rows * Layer3Size)];
                Delta3 = new float[checked(rows * Layer3Size)];
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
