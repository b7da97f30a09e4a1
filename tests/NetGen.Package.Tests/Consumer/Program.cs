using System;
using System.Collections.Generic;
using System.Globalization;
using NetGen;

// The package test's consumer: a fresh console project that installed the NetGen package and nothing else.
// It learns y = x0 + x1 on 64 points of [0, 1)² with the course's 2-2-1 network (plain SGD), predicts one point, and
// prints the first and the last epoch's loss; the exit code is 1 unless the loss decreased.
const int Count = 64;
var rng = new Random(7);
float[] x = new float[2 * Count];
float[] y = new float[Count];
for (int i = 0; i < Count; i++)
{
    x[2 * i] = (float)rng.NextDouble();
    x[2 * i + 1] = (float)rng.NextDouble();
    y[i] = x[2 * i] + x[2 * i + 1];
}

var net = new QuadraticFit(seed: 1);
IReadOnlyList<double> losses = net.Fit(x, y, epochs: 200, batchSize: 8, learningRate: 0.1);
float[] prediction = net.Predict(new float[] { 0.3f, 0.4f });

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"parameters {net.ParameterCount}");
Console.WriteLine($"first loss {losses[0]:R}");
Console.WriteLine($"last loss {losses[^1]:R}");
Console.WriteLine($"prediction {prediction[0]:R}");
return losses[^1] < losses[0] && float.IsFinite(prediction[0]) ? 0 : 1;

[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(2, Activation.Sigmoid)]
[Dense(1)]
public partial class QuadraticFit { }
