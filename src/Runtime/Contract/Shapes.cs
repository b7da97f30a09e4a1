using System;

namespace NetGen;

/// <summary>The argument checks every <see cref="INetwork{T}"/> implementation shares, with messages that name what and where.</summary>
public static class Shapes
{
    /// <summary>Throws unless <paramref name="length"/> equals <paramref name="expected"/>.</summary>
    public static void RequireLength(int length, int expected, string parameter, string what)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{what} must hold exactly {expected} values, but it holds {length}.", parameter);
        }
    }

    /// <summary>Returns the number of rows of a row-major batch, checking that its partner has matching rows.</summary>
    /// <param name="inputLength">The length of the inputs span.</param>
    /// <param name="inputSize">Values per input row.</param>
    /// <param name="otherLength">The length of the outputs or targets span.</param>
    /// <param name="otherSize">Values per output or target row.</param>
    /// <param name="otherParameter">The name of the outputs or targets parameter.</param>
    public static int BatchCount(int inputLength, int inputSize, int otherLength, int otherSize, string otherParameter)
    {
        if (inputLength % inputSize != 0)
        {
            throw new ArgumentException($"The inputs hold {inputLength} values, which is not a whole number of rows of {inputSize} features.", "inputs");
        }

        int count = inputLength / inputSize;
        if (otherLength != (long)count * otherSize)
        {
            throw new ArgumentException($"The {otherParameter} hold {otherLength} values, but {count} input rows need {(long)count * otherSize} ({count} × {otherSize}).", otherParameter);
        }

        return count;
    }
}
