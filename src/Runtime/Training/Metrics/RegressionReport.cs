using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NetGen;

/// <summary>
/// Regression metrics with scikit-learn's definitions and its <c>multioutput="uniform_average"</c>: MSE, RMSE, MAE
/// and R², per output and averaged over the outputs.
/// </summary>
/// <remarks>
/// For output j over n rows with residuals e_ij = ŷ_ij − y_ij: MSE_j = Σ_i e_ij² / n (<c>mean_squared_error</c>),
/// RMSE_j = √MSE_j (<c>root_mean_squared_error</c>), MAE_j = Σ_i |e_ij| / n (<c>mean_absolute_error</c>),
/// R²_j = 1 − Σ_i e_ij² / Σ_i (y_ij − ȳ_j)² (<c>r2_score</c>). Each averaged value is the plain mean of the per-output
/// ones, so RMSE is the mean of the √MSE_j, not √MSE. R² follows <c>force_finite=True</c>: an output whose targets are
/// all equal has R² = 1 if it is predicted exactly, else 0; with fewer than two rows R² is NaN (scikit-learn warns and
/// returns NaN). Sums are in double; Σ(y − ȳ)² is accumulated with Welford's update, so constant offsets do not cancel.
/// </remarks>
public sealed class RegressionReport
{
    private readonly double[] _mse, _mae, _r2;

    private RegressionReport(long count, double[] squared, double[] absolute, double[] total)
    {
        Count = count;
        int m = squared.Length;
        _mse = new double[m];
        _mae = new double[m];
        _r2 = new double[m];
        for (int j = 0; j < m; j++)
        {
            _mse[j] = count == 0 ? double.NaN : squared[j] / count;
            _mae[j] = count == 0 ? double.NaN : absolute[j] / count;
            _r2[j] = count < 2 ? double.NaN
                : total[j] != 0 ? 1 - squared[j] / total[j]
                : squared[j] == 0 ? 1 : 0;
        }

        double mse = 0, rmse = 0, mae = 0, r2 = 0;
        for (int j = 0; j < m; j++)
        {
            mse += _mse[j];
            rmse += Math.Sqrt(_mse[j]);
            mae += _mae[j];
            r2 += _r2[j];
        }

        MeanSquaredError = mse / m;
        RootMeanSquaredError = rmse / m;
        MeanAbsoluteError = mae / m;
        R2 = r2 / m;
    }

    /// <summary>The number of rows.</summary>
    public long Count { get; }

    /// <summary>The number of outputs (targets per row).</summary>
    public int OutputCount => _mse.Length;

    /// <summary>The mean squared error, averaged over the outputs.</summary>
    public double MeanSquaredError { get; }

    /// <summary>The mean over the outputs of each output's √MSE.</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>The mean absolute error, averaged over the outputs.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The coefficient of determination, averaged over the outputs.</summary>
    public double R2 { get; }

    /// <summary>MSE of each output.</summary>
    public IReadOnlyList<double> MeanSquaredErrors => _mse;

    /// <summary>MAE of each output.</summary>
    public IReadOnlyList<double> MeanAbsoluteErrors => _mae;

    /// <summary>R² of each output.</summary>
    public IReadOnlyList<double> R2s => _r2;

    /// <summary>The report of a network on a data set (inference mode, in chunks, nothing allocated per row).</summary>
    /// <exception cref="ArgumentException">The data do not fit the network.</exception>
    public static RegressionReport Compute<T>(INetwork<T> network, Dataset<T> data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        MetricPass.RequireShape(network, data, nameof(data));
        var sums = new Sums(network.OutputSize);
        var pass = new MetricPass<T>(network, data);
        while (pass.Next(out int first, out int rows, out ReadOnlySpan<T> outputs))
        {
            sums.Add(outputs, data.Targets.AsSpan(first * data.TargetCount, rows * data.TargetCount));
        }

        return sums.Report();
    }

    /// <summary>The report of predictions against targets, both row-major [rows × <paramref name="outputCount"/>].</summary>
    /// <exception cref="ArgumentException">The lengths differ or are not a whole number of rows.</exception>
    public static RegressionReport FromPredictions<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, int outputCount = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        if (predictions.Length != targets.Length)
        {
            throw new ArgumentException($"{predictions.Length} predictions but {targets.Length} targets: give one of each per row and output.", nameof(targets));
        }

        if (predictions.Length % outputCount != 0)
        {
            throw new ArgumentException($"{predictions.Length} values are not a whole number of rows of {outputCount} outputs.", nameof(predictions));
        }

        var sums = new Sums(outputCount);
        sums.Add(predictions, targets);
        return sums.Report();
    }

    /// <summary>One line: rows, MSE, RMSE, MAE and R².</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"rows {Count}, MSE {MeanSquaredError:G6}, RMSE {RootMeanSquaredError:G6}, MAE {MeanAbsoluteError:G6}, R² {R2:F4}");
        if (OutputCount > 1)
        {
            text.Append(CultureInfo.InvariantCulture, $" (mean of {OutputCount} outputs)");
        }

        return text.ToString();
    }

    /// <summary>Running sums per output: Σe², Σ|e|, and the targets' mean and Σ(y − ȳ)² by Welford's update.</summary>
    private sealed class Sums(int outputs)
    {
        private readonly double[] _squared = new double[outputs], _absolute = new double[outputs], _mean = new double[outputs], _total = new double[outputs];
        private long _count;

        public void Add<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int m = _squared.Length;
            for (int row = 0; row < targets.Length / m; row++)
            {
                _count++;
                for (int j = 0; j < m; j++)
                {
                    double y = double.CreateChecked(targets[row * m + j]);
                    double e = double.CreateChecked(predictions[row * m + j]) - y;
                    _squared[j] += e * e;
                    _absolute[j] += Math.Abs(e);
                    double delta = y - _mean[j];
                    _mean[j] += delta / _count;
                    _total[j] += delta * (y - _mean[j]);
                }
            }
        }

        public RegressionReport Report() => new(_count, _squared, _absolute, _total);
    }
}
