using System;
using System.Numerics;

namespace NetGen;

/// <summary>How one training run of a candidate trains: a fresh optimizer and the Fit options.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Optimizer">A new optimizer for this run only (optimizers keep per-parameter state, so runs never share one).</param>
/// <param name="Options">
/// The options passed to <see cref="Trainer.Fit{T}(INetwork{T}, Dataset{T}, IOptimizer{T}, FitOptions?, Dataset{T}?)"/>;
/// the search replaces <see cref="FitOptions.Seed"/> by the run's seed and links its cancellation token in.
/// </param>
public sealed record TrainingSetup<T>(IOptimizer<T> Optimizer, FitOptions Options)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// One point of a hyperparameter search: named values (what the result table shows) and a function that turns them
/// into a <see cref="TrainingSetup{T}"/>. The function is called once per training run (once per fold with k-fold
/// cross-validation), from any thread, so it must create a new optimizer each time and must not share mutable state.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example>
/// A hand-made candidate that changes anything Fit takes:
/// <code>
/// new Candidate&lt;float&gt;(Hyperparameters.Of(("eta", 0.1), ("clip", 1.0)),
///     p => new TrainingSetup&lt;float&gt;(new Momentum&lt;float&gt;(p.Get&lt;double&gt;("eta")), new FitOptions { Epochs = 20, ClipNorm = p.Get&lt;double&gt;("clip") }));
/// </code>
/// </example>
public sealed class Candidate<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Func<Hyperparameters, TrainingSetup<T>> _setup;

    /// <summary>Creates a candidate.</summary>
    /// <param name="parameters">The named values.</param>
    /// <param name="setup">Builds a new optimizer and the Fit options from the values.</param>
    public Candidate(Hyperparameters parameters, Func<Hyperparameters, TrainingSetup<T>> setup)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(setup);
        Parameters = parameters;
        _setup = setup;
    }

    /// <summary>The named values.</summary>
    public Hyperparameters Parameters { get; }

    /// <summary>Builds the optimizer and options of one training run.</summary>
    /// <exception cref="InvalidOperationException">The setup function returned null or a null optimizer or options.</exception>
    public TrainingSetup<T> CreateSetup()
    {
        TrainingSetup<T>? setup = _setup(Parameters);
        if (setup?.Optimizer is null || setup.Options is null)
        {
            throw new InvalidOperationException($"The setup of candidate ({Parameters}) returned no optimizer or no options.");
        }

        return setup;
    }

    /// <inheritdoc />
    public override string ToString() => Parameters.ToString();
}
