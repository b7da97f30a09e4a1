using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;

namespace NetGen;

/// <summary>
/// What a trained network needs around it to be used on raw data: the scaling of its inputs (fitted on the training
/// rows), the names of its classes, the scaling of its targets, and free-form metadata. It is saved in the model file
/// together with the network (<see cref="ModelFile.Save{T}(INetwork{T}, string, Preprocessing?)"/>), applied by
/// <see cref="Predictor{T}"/>, and folded into the graph by <see cref="OnnxExport"/>, so that a model travels as one file.
/// </summary>
/// <remarks>
/// <para>
/// The pipeline of one raw row x is: x′ = (x − offset) / scale with <see cref="InputScaling"/> (when present), then the
/// network's a^L = f(x′), then either y = a^L · scale + offset with <see cref="TargetScaling"/> (regression: outputs in
/// the targets' original units) or a class: argmax_j a^L_j, or a^L ≥ 0.5 for a single output, named by
/// <see cref="ClassLabels"/> (classification) — as a scikit-learn <c>Pipeline(StandardScaler, MLPClassifier)</c>
/// with its <c>classes_</c>, or a <c>TransformedTargetRegressor</c>.
/// </para>
/// <para>An instance is immutable, so one can be shared by any number of threads.</para>
/// </remarks>
public sealed class Preprocessing
{
    private static readonly ReadOnlyDictionary<string, string> NoMetadata = new(new Dictionary<string, string>());

    /// <summary>Creates the preprocessing of a model.</summary>
    /// <param name="inputScaling">The scaling of the raw input features, fitted on the training rows; null when the network takes raw features.</param>
    /// <param name="classLabels">
    /// The name of each class in the order of the network's outputs (for a single sigmoid output: the name of class 0,
    /// output &lt; 0.5, then of class 1); null for a network that is not a classifier. Distinct, none null.
    /// </param>
    /// <param name="targetScaling">
    /// The scaling the training targets were given (the network learned the scaled targets); its inverse turns outputs
    /// back into the targets' units. Null when the targets were not scaled. A classifier has none.
    /// </param>
    /// <param name="metadata">Free-form key/value pairs saved with the model (where the data came from, how they were split); keys non-empty.</param>
    /// <exception cref="ArgumentException">Duplicate, null or empty labels; both class labels and target scaling; an empty key or a null value.</exception>
    public Preprocessing(
        FeatureScaler? inputScaling = null,
        IReadOnlyList<string>? classLabels = null,
        FeatureScaler? targetScaling = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        InputScaling = inputScaling;
        TargetScaling = targetScaling;
        if (classLabels is not null)
        {
            if (targetScaling is not null)
            {
                throw new ArgumentException(
                    "Class labels describe a classifier and target scaling a regression: a model has at most one of them.", nameof(targetScaling));
            }

            if (classLabels.Count == 0)
            {
                throw new ArgumentException("At least one class label is needed (or pass null for a network that is not a classifier).", nameof(classLabels));
            }

            var labels = new string[classLabels.Count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < labels.Length; i++)
            {
                string? label = classLabels[i];
                if (label is null)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classLabels[{i}] is null."), nameof(classLabels));
                }

                if (!seen.Add(label))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classLabels[{i}] = '{label}' repeats an earlier label; each class needs its own name."), nameof(classLabels));
                }

                labels[i] = label;
            }

            ClassLabels = Array.AsReadOnly(labels);
        }

        if (metadata is null || metadata.Count == 0)
        {
            Metadata = NoMetadata;
        }
        else
        {
            var copy = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                if (string.IsNullOrEmpty(pair.Key))
                {
                    throw new ArgumentException("A metadata key is null or empty.", nameof(metadata));
                }

                copy.Add(pair.Key, pair.Value ?? throw new ArgumentException($"The metadata value of '{pair.Key}' is null.", nameof(metadata)));
            }

            Metadata = new ReadOnlyDictionary<string, string>(copy);
        }
    }

    /// <summary>No preprocessing: raw features go straight into the network, outputs come out as they are.</summary>
    public static Preprocessing None { get; } = new();

    /// <summary>The scaling of the raw input features, or null when the network takes them as they are.</summary>
    public FeatureScaler? InputScaling { get; }

    /// <summary>The class names in the order of the network's outputs (two for a single sigmoid output), or null.</summary>
    public ReadOnlyCollection<string>? ClassLabels { get; }

    /// <summary>The scaling the training targets were given, whose inverse turns outputs into the targets' units; or null.</summary>
    public FeatureScaler? TargetScaling { get; }

    /// <summary>Free-form key/value pairs, in ordinal order of the keys; empty when there are none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Whether there is nothing at all: no scaling, no labels, no metadata.</summary>
    public bool IsEmpty => InputScaling is null && ClassLabels is null && TargetScaling is null && Metadata.Count == 0;

    /// <summary>Checks that the preprocessing fits a network of <paramref name="spec"/>'s input and output sizes.</summary>
    /// <exception cref="ArgumentException">It does not; the message says which part and both sizes.</exception>
    public void CheckFits(NetworkSpec spec, string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (Mismatch(spec.InputSize, spec.OutputSize) is string problem)
        {
            throw new ArgumentException($"The preprocessing does not fit the network {spec}: {problem}", parameterName);
        }
    }

    /// <summary>Null when the preprocessing fits a network of these sizes, else one sentence saying why not.</summary>
    internal string? Mismatch(int inputSize, int outputSize)
    {
        if (InputScaling is { } input && input.FeatureCount != inputSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the input scaling has statistics for {input.FeatureCount} features, but the network takes {inputSize} inputs.");
        }

        if (TargetScaling is { } target && target.FeatureCount != outputSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the target scaling has statistics for {target.FeatureCount} targets, but the network has {outputSize} outputs.");
        }

        if (ClassLabels is { } labels && labels.Count != outputSize && !(outputSize == 1 && labels.Count == 2))
        {
            return outputSize == 1
                ? string.Create(CultureInfo.InvariantCulture, $"{labels.Count} class labels are given, but a network with one output has two classes (output < 0.5, output ≥ 0.5).")
                : string.Create(CultureInfo.InvariantCulture, $"{labels.Count} class labels are given, but the network has {outputSize} outputs, one per class.");
        }

        return null;
    }
}
