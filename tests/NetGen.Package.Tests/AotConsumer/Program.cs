using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using NetGen;

// The NativeAOT package test's consumer: a console project that installed the NetGen package, published with
// PublishAot. It trains a generated 4-8-3 classifier (batch norm, dropout, Adam) for a few epochs on three noisy
// clusters, saves the model file, reloads it into a new instance and into the generic engine, predicts every row with
// all three, exports ONNX and C#, and prints what the test compares with the same program run by the JIT.
// The exit code is 1 unless the loss decreased, the reloaded generated network predicts exactly what the trained one
// does and the generic engine agrees to float rounding.
var clock = Stopwatch.StartNew();
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Count = 150;
var rng = new Random(5);
float[] x = new float[4 * Count];
int[] labels = new int[Count];
for (int i = 0; i < Count; i++)
{
    labels[i] = i % 3;
    for (int k = 0; k < 4; k++)
    {
        x[4 * i + k] = (float)(labels[i] * (k % 2 == 0 ? 1.0 : -0.5) + 0.3 * (rng.NextDouble() - 0.5));
    }
}

var train = new Dataset<float>(x, OneHot.Encode<float>(labels, 3), 4, 3, labels);
var net = new AotClassifier(seed: 1);
TrainingHistory history = net.Fit(train, new Adam<float>(0.01), new FitOptions { Epochs = 15, BatchSize = 16, Seed = 2 });

string directory = Path.Combine(Path.GetTempPath(), "netgen-aot-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(directory);
try
{
    string model = Path.Combine(directory, "model.ngm");
    net.Save(model);
    var reloaded = new AotClassifier();
    reloaded.Load(model);
    GenericNetwork<float> generic = ModelFile.LoadGeneric<float>(model);
    net.ExportOnnx(Path.Combine(directory, "model.onnx"));
    CSharpExport.Write(reloaded, Path.Combine(directory, "Model.cs"), "Model", "Exported");

    float[] outputs = new float[3 * Count], again = new float[3 * Count], fromGeneric = new float[3 * Count];
    net.ForwardBatch(x, outputs);
    reloaded.ForwardBatch(x, again);
    generic.ForwardBatch(x, fromGeneric);
    int correct = 0;
    double checksum = 0;
    for (int i = 0; i < Count; i++)
    {
        correct += OneHot.ArgMax<float>(outputs.AsSpan(3 * i, 3)) == labels[i] ? 1 : 0;
        for (int j = 0; j < 3; j++)
        {
            checksum += (j + 1) * outputs[3 * i + j];
        }
    }

    // The reloaded generated network computes exactly what the trained one does; the generic engine runs other
    // kernels (other summation orders), so it agrees to float rounding.
    bool identical = outputs.AsSpan().SequenceEqual(again);
    double genericDifference = 0;
    for (int i = 0; i < outputs.Length; i++)
    {
        genericDifference = Math.Max(genericDifference, Math.Abs(outputs[i] - fromGeneric[i]));
    }

    double first = history.Epochs[0].Train.Loss, last = history.Epochs[^1].Train.Loss;
    // The native binary runs as itself; the JIT build runs inside the dotnet host.
    Console.WriteLine($"process {Path.GetFileNameWithoutExtension(Environment.ProcessPath)}");
    Console.WriteLine($"first loss {first:R}");
    Console.WriteLine($"last loss {last:R}");
    Console.WriteLine($"accuracy {correct}/{Count}");
    Console.WriteLine($"checksum {checksum:R}");
    Console.WriteLine($"reload identical {identical}");
    Console.WriteLine($"generic difference {genericDifference:R}");
    Console.WriteLine($"onnx bytes {new FileInfo(Path.Combine(directory, "model.onnx")).Length}");
    Console.WriteLine($"csharp lines {File.ReadAllLines(Path.Combine(directory, "Model.cs")).Length}");
    Console.WriteLine($"elapsed ms {clock.ElapsedMilliseconds}");
    return last < first && identical && genericDifference < 1e-5 && double.IsFinite(checksum) ? 0 : 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}

[Network(Loss.CrossEntropy)]
[Input(4)]
[Dense(8, Activation.ReLU)]
[BatchNorm]
[Dropout(0.1)]
[Dense(3, Activation.Softmax)]
public partial class AotClassifier { }
