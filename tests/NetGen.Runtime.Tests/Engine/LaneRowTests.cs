using System.Numerics;

namespace NetGen.Runtime.Tests.Engine;

/// <summary>
/// The lane loads and stores straight from and to row-major buffers (<see cref="ILane{TSelf, T}.Load(ref readonly T, int, int, int)"/>,
/// <see cref="ILane{TSelf, T}.Store(TSelf, ref T, int, int, int)"/>), as the generated lane kernels use them: every row width
/// from 1 to 9 (the de-interleaving shuffles for 2, 3 and 4, the per-lane fallback for the rest), float and double, row
/// counts that are not a multiple of the vector width (whole vectors over <see cref="VectorLane{T}"/>, the rest over
/// <see cref="ScalarLane{T}"/>, as the engine splits a batch), and the one length check of
/// <see cref="ILane{TSelf, T}.Rows(ReadOnlySpan{T}, int, int)"/>.
/// </summary>
public sealed class LaneRowTests
{
    public static TheoryData<int, int> WidthsAndRows()
    {
        var data = new TheoryData<int, int>();
        for (int width = 1; width <= 9; width++)
        {
            foreach (int rows in new[] { 1, 3, 8, 13, 37 })
            {
                data.Add(width, rows);
            }
        }

        return data;
    }

    /// <summary>Row r, column c: a value that names both, exact in float.</summary>
    private static T Value<T>(int row, int column) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateTruncating(row * 16 + column + 0.25);

    private static T[] Buffer<T>(int rows, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var buffer = new T[rows * width];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < width; c++)
            {
                buffer[r * width + c] = Value<T>(r, c);
            }
        }

        return buffer;
    }

    [Theory]
    [MemberData(nameof(WidthsAndRows))]
    public void Load_picks_each_column_out_of_whole_rows_float(int width, int rows) => Loads<float>(width, rows);

    [Theory]
    [MemberData(nameof(WidthsAndRows))]
    public void Load_picks_each_column_out_of_whole_rows_double(int width, int rows) => Loads<double>(width, rows);

    [Theory]
    [MemberData(nameof(WidthsAndRows))]
    public void Store_writes_each_column_into_whole_rows_float(int width, int rows) => Stores<float>(width, rows);

    [Theory]
    [MemberData(nameof(WidthsAndRows))]
    public void Store_writes_each_column_into_whole_rows_double(int width, int rows) => Stores<double>(width, rows);

    private static void Loads<T>(int width, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // exactly rows × width values: a load past the end of the buffer would read another array's values
        T[] buffer = Buffer<T>(rows, width);
        int whole = rows - rows % Vector<T>.Count;
        var seen = new T[rows];
        for (int c = 0; c < width; c++)
        {
            Array.Fill(seen, T.NaN);
            LoadColumn<VectorLane<T>, T>(buffer.AsSpan(0, whole * width), whole, c, width, seen.AsSpan(0, whole));
            LoadColumn<ScalarLane<T>, T>(buffer.AsSpan(whole * width), rows - whole, c, width, seen.AsSpan(whole));
            for (int r = 0; r < rows; r++)
            {
                Assert.True(seen[r] == Value<T>(r, c), $"{typeof(T).Name} width {width}, {rows} rows: row {r} column {c} loaded {seen[r]}, not {Value<T>(r, c)}");
            }
        }
    }

    /// <summary>Column c of the rows, one lane value per V.Count rows, written out lane by lane with the checked span store.</summary>
    private static void LoadColumn<V, T>(ReadOnlySpan<T> buffer, int rows, int column, int width, Span<T> seen)
        where V : struct, ILane<V, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly T start = ref V.Rows(buffer, rows, width);
        for (int s = 0; s < rows; s += V.Count)
        {
            V.Store(V.Load(in start, s, column, width), seen, s);
        }
    }

    private static void Stores<T>(int width, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] expected = Buffer<T>(rows, width);
        int whole = rows - rows % Vector<T>.Count;
        // one sentinel value after the rows: a store past the end would overwrite it
        var buffer = new T[rows * width + 1];
        Array.Fill(buffer, T.NaN);
        T sentinel = T.CreateTruncating(-7.5);
        buffer[^1] = sentinel;
        for (int c = 0; c < width; c++)
        {
            var column = new T[rows];
            for (int r = 0; r < rows; r++)
            {
                column[r] = Value<T>(r, c);
            }

            StoreColumn<VectorLane<T>, T>(column.AsSpan(0, whole), buffer.AsSpan(0, whole * width), whole, c, width);
            StoreColumn<ScalarLane<T>, T>(column.AsSpan(whole), buffer.AsSpan(whole * width, (rows - whole) * width), rows - whole, c, width);
        }

        for (int i = 0; i < rows * width; i++)
        {
            Assert.True(buffer[i] == expected[i], $"{typeof(T).Name} width {width}, {rows} rows: value {i} is {buffer[i]}, not {expected[i]}");
        }

        Assert.Equal(sentinel, buffer[^1]);
    }

    private static void StoreColumn<V, T>(ReadOnlySpan<T> column, Span<T> buffer, int rows, int c, int width)
        where V : struct, ILane<V, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T start = ref V.Rows(buffer, rows, width);
        for (int s = 0; s < rows; s += V.Count)
        {
            V.Store(V.Load(column, s), ref start, s, c, width);
        }
    }

    [Fact]
    public void Rows_checks_the_length_and_the_whole_vectors_once()
    {
        int w = Vector<float>.Count;
        var buffer = new float[3 * w];
        Assert.Throws<ArgumentException>(() => RowsOf<VectorLane<float>>(buffer, w, 4));       // 4w values needed, 3w there
        Assert.Throws<ArgumentException>(() => RowsOf<VectorLane<float>>(buffer, w + 1, 1));   // not whole vectors
        Assert.Throws<ArgumentException>(() => RowsOf<ScalarLane<float>>(buffer, 3 * w + 1, 1));
        Assert.Throws<ArgumentException>(() => RowsOf<ScalarLane<float>>(buffer, -1, 1));
        RowsOf<VectorLane<float>>(buffer, w, 3);
        RowsOf<ScalarLane<float>>(buffer, 1, 3 * w);
        RowsOf<VectorLane<float>>([], 0, 5);   // an empty buffer of no rows: the outputs a kernel is not asked to keep
    }

    private static void RowsOf<V>(float[] buffer, int rows, int width) where V : struct, ILane<V, float>
    {
        _ = V.Rows(buffer.AsSpan(), rows, width);
        _ = V.Rows((ReadOnlySpan<float>)buffer, rows, width);
    }
}
