using System.Linq;
using System;
using System.Globalization;
using NetGen;
using NetGen.Samples.Course;

// The course's examples, each trained with plain SGD (w ← w − η ∂C/∂w) on the network NetGen generated for it.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Run("Perceptron: y = 2x + 1, network 1-1 (identity)", new Perceptron(seed: 1), CourseExamples.Linear(), epochs: 200, batchSize: 10, learningRate: 0.5);
Run("One hidden node: y = 2x + 1, network 1-1-1 (sigmoid, identity)", new OneHiddenNode(seed: 1), CourseExamples.Linear(), epochs: 2000, batchSize: 10, learningRate: 0.5);
Run("Quadratic: f = x0² + 3x0x1 + x1² + 5, network 2-2-1 (sigmoid, identity)", new QuadraticFit(seed: 1), CourseExamples.Quadratic(), epochs: 2000, batchSize: 10, learningRate: 0.1);
Run("Quadratic: the same with 10 hidden units, network 2-10-1", new QuadraticFitWide(seed: 1), CourseExamples.Quadratic(), epochs: 2000, batchSize: 10, learningRate: 0.1);

// The lecture's challenge: an activation of your own, differentiated by the generator at compile time.
var swish = new QuadraticFitSwish(seed: 1);
CustomActivation sigma = swish.Spec.DenseLayers[0].Function!;
Console.WriteLine($"Your activation {sigma.Name}: σ(z) = {sigma.Formula}");
Console.WriteLine($"  the derivative the generator wrote: σ'(z) = {sigma.DerivativeFormula}");
(double[] qx, double[] qy) = CourseExamples.Quadratic();
Console.WriteLine($"  gradient check (central differences vs Backward): {GradientCheck.Check(swish, qx.AsSpan(0, 20), qy.AsSpan(0, 10))}");
Run("Quadratic: network 2-2-1 (swish, identity)", swish, CourseExamples.Quadratic(), epochs: 2000, batchSize: 10, learningRate: 0.1);

static void Run(string title, INetwork<double> network, (double[] X, double[] Y) data, int epochs, int batchSize, double learningRate)
{
    Console.WriteLine(title);
    Console.WriteLine($"  {network.ParameterCount} parameters, SGD η = {learningRate}, batch {batchSize}, {epochs} epochs");
    int every = Math.Max(1, epochs / 10);
    CourseExamples.Train(network, data.X, data.Y, epochs, batchSize, learningRate, (epoch, loss) =>
    {
        if (epoch == 1 || epoch % every == 0)
        {
            Console.WriteLine($"  epoch {epoch,5}: C = {loss:E3}");
        }
    });
    Console.WriteLine($"  parameters: [{string.Join(", ", network.Parameters.ToArray().Select(p => p.ToString("G5")))}]");
    Console.WriteLine();
}
