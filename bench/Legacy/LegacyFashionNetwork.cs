// Frozen copy of the kernels struct the generator emitted for FashionNetwork (bench/FashionNetwork.cs) at commit 89fe483,
// calling the frozen kernels (LegacyDense) instead of NetGen.Dense: the baseline of the whole-step A/B of `--kernels`
// (bench/KernelRunner.cs); not generated, not edited.
// Changes from the emitted text: this header, the namespace, the class (LegacyFashionNetwork, public, holding only the
// constants, the engine and the kernels), 'private struct Kernels' -> 'public struct Kernels' and
// global::NetGen.Dense. -> global::NetGen.Benchmarks.Legacy.LegacyDense.
#nullable enable

namespace NetGen.Benchmarks.Legacy
{
    /// <summary>784-256-128-10 ReLU / softmax-CE over the legacy kernels, run by the current engine.</summary>
    public sealed class LegacyFashionNetwork
    {
        // ─── Sizes ─────────────────────────────────────────────────────────────
        /** <summary>The width of the input a^0 = x.</summary> */ public const int Layer0Size = 784;
        /** <summary>The width of a^1 (hidden layer, relu).</summary> */ public const int Layer1Size = 256;
        /** <summary>The width of a^2 (hidden layer, relu).</summary> */ public const int Layer2Size = 128;
        /** <summary>The width of a^3 (output layer, softmax).</summary> */ public const int Layer3Size = 10;
        /** <summary>The number of dense layers L.</summary> */ public const int LayerCount = 3;
        /** <summary>The number of trainable parameters (the length of Parameters and Gradients).</summary> */ public const int ParameterLength = 235146;
        /** <summary>The number of running statistics of batch normalization (the length of State).</summary> */ public const int StateLength = 0;

        // ─── Parameter layout: offsets into Parameters and Gradients ──────────────
        /** <summary>Offset of W1, [784 × 256] input-major: w1_jk (input k → output j) at W1 + k·256 + j.</summary> */ public const int W1 = 0;
        /** <summary>Offset of b1, [256].</summary> */ public const int b1 = 200704;
        /** <summary>Offset of W2, [256 × 128] input-major: w2_jk (input k → output j) at W2 + k·128 + j.</summary> */ public const int W2 = 200960;
        /** <summary>Offset of b2, [128].</summary> */ public const int b2 = 233728;
        /** <summary>Offset of W3, [128 × 10] input-major: w3_jk (input k → output j) at W3 + k·10 + j.</summary> */ public const int W3 = 233856;
        /** <summary>Offset of b3, [10].</summary> */ public const int b3 = 235136;

        /// <summary>The engine over the legacy kernels.</summary>
        public global::NetGen.NetworkEngine<float, Kernels> Engine { get; } = new global::NetGen.NetworkEngine<float, Kernels>();

        public struct Kernels : global::NetGen.INetworkKernels<float>
        {
            public static int InputSize => Layer0Size;
            public static int OutputSize => Layer3Size;
            public static int ParameterLength => 235146;
            public static int ParallelTrainingRows => 32;   // ≈ 10.0 MFLOP
            public static int ParallelInferenceRows => 32;

            public static global::NetGen.NetworkSpec Spec { get; } = new global::NetGen.NetworkSpec(784, new global::NetGen.LayerSpec[]
            {
                new global::NetGen.DenseLayerSpec(256, global::NetGen.Activation.ReLU),
                new global::NetGen.DenseLayerSpec(128, global::NetGen.Activation.ReLU),
                new global::NetGen.DenseLayerSpec(10, global::NetGen.Activation.Softmax),
            }, global::NetGen.Loss.CrossEntropy, global::NetGen.Precision.Single);

            // the workspace: one buffer [rows × width] per slot, a line per layer
            private const int Z1 = 0, A1 = 1, Delta1 = 2;   // z1 = W1 a0 + b1; a1 = σ(z1); δ1 = ∂C/∂z1
            private const int Z2 = 3, A2 = 4, Delta2 = 5;   // z2 = W2 a1 + b2; a2 = σ(z2); δ2 = ∂C/∂z2
            private const int Z3 = 6, A3 = 7, Delta3 = 8;   // z3 = W3 a2 + b3; a3 = σ(z3); δ3 = ∂C/∂z3
            public static global::System.ReadOnlySpan<int> BufferWidths => new int[] { Layer1Size, Layer1Size, Layer1Size, Layer2Size, Layer2Size, Layer2Size, Layer3Size, Layer3Size, Layer3Size };
            public static int OutputSlot => A3;

            // (W^l)ᵀ [out × in] of the wide layers l ≥ 2, copied once per training batch of 4 rows or more for δ^{l−1} = (W^l)ᵀ δ^l
            private const int WT2 = 0;
            private const int WT3 = 32768;
            public static int TransposedLength => 34048;
            public static void TransposeWeights(global::System.ReadOnlySpan<float> p, global::System.Span<float> wt)
            {
                global::NetGen.VectorMath.Transpose<float>(p.Slice(W2, Layer1Size * Layer2Size), Layer1Size, Layer2Size, wt.Slice(WT2));
                global::NetGen.VectorMath.Transpose<float>(p.Slice(W3, Layer2Size * Layer3Size), Layer2Size, Layer3Size, wt.Slice(WT3));
            }
            private struct Layer1 : global::NetGen.IDenseLayer<float> { public static int In => Layer0Size; public static int Out => Layer1Size; public static int W => W1; public static int B => b1; }
            private struct Layer2 : global::NetGen.IDenseLayer<float> { public static int In => Layer1Size; public static int Out => Layer2Size; public static int W => W2; public static int B => b2; }
            private struct Layer3 : global::NetGen.IDenseLayer<float> { public static int In => Layer2Size; public static int Out => Layer3Size; public static int W => W3; public static int B => b3; }

            /// <summary>The forward pass over the tile, layer by layer; training draws dropout masks and uses batch statistics.</summary>
            public static void Forward(in global::NetGen.Tile<float> t)
            {
                global::System.ReadOnlySpan<float> p = t.Parameters;
                global::NetGen.Workspace<float> ws = t.Work;
                int rows = t.Rows;
                global::System.ReadOnlySpan<float> a0 = t.Inputs;

                // ─── Layer 1: dense 784 → 256, relu (register-blocked product, W in column panels from 128 rows) ───
                // z1 = W1 a0 + b1      z1_j = Σ_k w1_jk a0_k + b1_j,  w1_jk at W1 + k·256 + j
                // a1 = σ(z1)      σ(z) = max(0, z)
                global::System.Span<float> z1 = ws[Z1], a1 = ws[A1];
                global::NetGen.Benchmarks.Legacy.LegacyDense.Forward<float, Layer1, global::NetGen.Activations.ReLU>(p, a0, z1, a1, rows, ws);

                // ─── Layer 2: dense 256 → 128, relu (register-blocked product, W in column panels from 128 rows) ───
                // z2 = W2 a1 + b2      z2_j = Σ_k w2_jk a1_k + b2_j,  w2_jk at W2 + k·128 + j
                // a2 = σ(z2)      σ(z) = max(0, z)
                global::System.Span<float> z2 = ws[Z2], a2 = ws[A2];
                global::NetGen.Benchmarks.Legacy.LegacyDense.Forward<float, Layer2, global::NetGen.Activations.ReLU>(p, a1, z2, a2, rows, ws);

                // ─── Layer 3: dense 128 → 10, softmax (register-blocked product) ───
                // z3 = W3 a2 + b3      z3_j = Σ_k w3_jk a2_k + b3_j,  w3_jk at W3 + k·10 + j
                // a3 = σ(z3)      a_j = e^(z_j − max z) / Σ_k e^(z_k − max z)
                global::System.Span<float> z3 = ws[Z3], a3 = ws[A3];
                global::NetGen.Benchmarks.Legacy.LegacyDense.Product<float, Layer3>(p, a2, z3, rows, ws);
                global::NetGen.Softmax.Forward<float>(z3, a3, rows, Layer3Size);
            }

            /// <summary>Back-propagation over the tile Forward just computed, from the output layer down: adds scale · ∂C/∂θ to g, returns the summed loss.</summary>
            public static float Backward(in global::NetGen.Tile<float> t, global::System.Span<float> g, float scale)
            {
                global::System.ReadOnlySpan<float> p = t.Parameters, y = t.Targets;
                global::NetGen.Workspace<float> ws = t.Work;
                int rows = t.Rows;
                global::System.ReadOnlySpan<float> a0 = t.Inputs;
                global::System.Span<float> z1 = ws[Z1], a1 = ws[A1], delta1 = ws[Delta1];
                global::System.Span<float> z2 = ws[Z2], a2 = ws[A2], delta2 = ws[Delta2];
                global::System.Span<float> z3 = ws[Z3], a3 = ws[A3], delta3 = ws[Delta3];

                // ─── Output error, layer 3 (softmax), cross-entropy ───
                // C = −Σ_j y_j ln a_j,  computed as C = Σ_j y_j (lse − z_j),  lse = max z + ln Σ_k e^(z_k − max z)
                // δ3 = a3 Σ_j y_j − y  (= a3 − y for one-hot or probability targets)
                float loss = global::NetGen.Losses.CrossEntropy<float>(z3, a3, y, delta3, rows, Layer3Size);

                // ─── Layer 3 ───
                // δ2 = ((W3)ᵀ δ3) ∘ σ'(z2),   σ'(z) = 1[z > 0]
                global::NetGen.Benchmarks.Legacy.LegacyDense.Backpropagate<float, Layer3>(p, t.Transposed, WT3, delta3, delta2, rows);
                global::NetGen.Activations.Delta<float, global::NetGen.Activations.ReLU>(delta2, z2, a2, rows * Layer2Size, 0f);
                // ∂C/∂W3_jk += δ3_j a2_k,   ∂C/∂b3_j += δ3_j   (times scale: 1, or −η/B for a fused SGD step)
                global::NetGen.Benchmarks.Legacy.LegacyDense.AccumulateGradients<float, Layer3>(g, a2, delta3, rows, scale);

                // ─── Layer 2 ───
                // δ1 = ((W2)ᵀ δ2) ∘ σ'(z1),   σ'(z) = 1[z > 0]
                global::NetGen.Benchmarks.Legacy.LegacyDense.Backpropagate<float, Layer2>(p, t.Transposed, WT2, delta2, delta1, rows);
                global::NetGen.Activations.Delta<float, global::NetGen.Activations.ReLU>(delta1, z1, a1, rows * Layer1Size, 0f);
                // ∂C/∂W2_jk += δ2_j a1_k,   ∂C/∂b2_j += δ2_j   (times scale: 1, or −η/B for a fused SGD step)
                global::NetGen.Benchmarks.Legacy.LegacyDense.AccumulateGradients<float, Layer2>(g, a1, delta2, rows, scale);

                // ─── Layer 1 ───
                // ∂C/∂W1_jk += δ1_j a0_k,   ∂C/∂b1_j += δ1_j   (times scale: 1, or −η/B for a fused SGD step)
                global::NetGen.Benchmarks.Legacy.LegacyDense.AccumulateGradients<float, Layer1>(g, a0, delta1, rows, scale);

                return loss;
            }
        }
    }
}
