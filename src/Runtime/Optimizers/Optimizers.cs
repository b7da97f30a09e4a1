using System;
using System.Collections.Generic;
using System.Numerics;

namespace NetGen;

/// <summary>Creates optimizers by name, for the command line.</summary>
public static class Optimizers
{
    /// <summary>
    /// The names <see cref="Create{T}"/> accepts: <c>sgd</c> (<see cref="Sgd{T}"/>), <c>momentum</c> and <c>nesterov</c>
    /// (<see cref="Momentum{T}"/>), <c>adagrad</c> (<see cref="AdaGrad{T}"/>), <c>rmsprop</c> (<see cref="RmsProp{T}"/>),
    /// <c>adam</c> (<see cref="Adam{T}"/>), <c>adamw</c> (<see cref="AdamW{T}"/>).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"];

    /// <summary>Creates the optimizer called <paramref name="name"/> with its default hyperparameters and, if given, the learning rate η.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="name">One of <see cref="Names"/>, in any case, surrounding blanks ignored.</param>
    /// <param name="learningRate">η ≥ 0, or null for the optimizer's default (0.01 for sgd, momentum and nesterov; 0.001 for the others).</param>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>; the message lists them.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η is negative, infinite or NaN.</exception>
    public static IOptimizer<T> Create<T>(string name, double? learningRate = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(name);
        if (learningRate is double rate)
        {
            OptimizerChecks.LearningRate(rate, nameof(learningRate));
        }

        IOptimizer<T> optimizer = name.Trim().ToUpperInvariant() switch
        {
            "SGD" => new Sgd<T>(),
            "MOMENTUM" => new Momentum<T>(),
            "NESTEROV" => new Momentum<T>(nesterov: true),
            "ADAGRAD" => new AdaGrad<T>(),
            "RMSPROP" => new RmsProp<T>(),
            "ADAM" => new Adam<T>(),
            "ADAMW" => new AdamW<T>(),
            _ => throw new ArgumentException($"Unknown optimizer '{name}'. Valid names: {string.Join(", ", Names)}.", nameof(name)),
        };

        if (learningRate is double eta)
        {
            optimizer.LearningRate = eta;
        }

        return optimizer;
    }
}
