namespace NetGen.Runtime.Tests.Training;

/// <summary>The example of docs/readme-drafts/helper-metrics.md, verbatim between the markers, so that it compiles and runs.</summary>
public sealed class MetricsReadmeExampleTests
{
    [Fact]
    public void Readme_example_compiles_and_gives_consistent_numbers()
    {
        var printed = new StringWriter();
        Console.SetOut(printed);
        try
        {
            // --- README example begins ---
            Dataset<float> iris = KnownDatasets.Iris<float>();
            (Dataset<float> train, Dataset<float> test) = DataSplit.TrainTest(iris, testFraction: 0.2, seed: 1);
            Standardizer scaler = Standardizer.Fit(train);
            (train, test) = (scaler.Transform(train), scaler.Transform(test));

            var network = new GenericNetwork<float>(
                NetworkSpec.Input(4).Dense(16, Activation.ReLU).Dense(3, Activation.Softmax).Build(Loss.CrossEntropy), seed: 1);
            network.Fit(train, new Adam<float>(0.01), new FitOptions { Epochs = 30, BatchSize = 16 });

            ClassificationReport report = ClassificationReport.Compute(network, test);
            Console.WriteLine(report.ConfusionMatrix); // rows: true class, columns: predicted
            Console.WriteLine(report);                 // precision, recall, f1-score, support; accuracy, macro and weighted avg
            Console.WriteLine($"macro F1 {report.MacroAverage.F1:F3}, recall of {report.Classes[2].Name} {report.Classes[2].Recall:F3}");

            // From arrays, as sklearn.metrics takes them:
            double auc = BinaryReport.RocAucOf<double>([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);       // 0.75
            double logLoss = BinaryReport.LogLossOf<double>([0.9, 0.1, 0.2, 0.65], [1, 0, 0, 1]);  // 0.21616
            RegressionReport fit = RegressionReport.FromPredictions<double>([2.5, 0.0, 2, 8], [3, -0.5, 2, 7]);
            Console.WriteLine(fit);                    // rows 4, MSE 0.375, RMSE 0.612372, MAE 0.5, R² 0.9486
            // --- README example ends ---

            Assert.Equal(network.Evaluate(test).Accuracy!.Value, report.Accuracy, 12);
            Assert.Equal(test.Count, report.Count);
            Assert.Equal(0.75, auc, 12);
            Assert.Equal(0.21616, logLoss, 5);
            Assert.Equal(0.375, fit.MeanSquaredError, 12);
            Assert.Contains("macro avg", printed.ToString(), StringComparison.Ordinal);
            Assert.Contains("rows 4, MSE 0.375, RMSE 0.612372, MAE 0.5, R² 0.9486", printed.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
        }
    }
}
