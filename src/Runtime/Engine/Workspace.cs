using System;

namespace NetGen;

/// <summary>
/// The per-layer buffers of one batch tile, row-major [rows × width], sized from the table a network's kernels give
/// (<see cref="INetworkKernels{T}.BufferWidths"/>), plus the scratch of the kernel shapes (weight panels). Buffers grow only when a larger tile than ever before arrives; one workspace serves one
/// thread at a time.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Workspace<T> where T : unmanaged
{
    private const int Panels = 0;
    private readonly int[] _widths;
    private readonly T[][] _buffers;
    private T[][] _scratch = [];

    /// <summary>Creates an empty workspace for buffers of the given widths (values per row).</summary>
    public Workspace(ReadOnlySpan<int> widths)
    {
        _widths = widths.ToArray();
        _buffers = new T[_widths.Length][];
        Array.Fill(_buffers, []);
    }

    /// <summary>The number of rows every buffer holds.</summary>
    public int Rows { get; private set; }

    /// <summary>The buffer in <paramref name="slot"/> (at least <see cref="Rows"/> × its width values).</summary>
    public Span<T> this[int slot] => _buffers[slot];

    /// <summary>Grows the buffers to hold <paramref name="rows"/> samples (allocates only when a larger tile than ever before arrives).</summary>
    public void EnsureRows(int rows)
    {
        if (rows <= Rows)
        {
            return;
        }

        for (int i = 0; i < _buffers.Length; i++)
        {
            _buffers[i] = new T[checked(rows * _widths[i])];
        }

        Rows = rows;
    }

    /// <summary>Room for one layer's weights in column panels (packed per tile, used by that layer's product at once).</summary>
    public Span<T> PanelBuffer(int length) => Scratch(Panels, length);

    private Span<T> Scratch(int id, int length)
    {
        if (id >= _scratch.Length)
        {
            T[][] grown = new T[id + 1][];
            Array.Fill(grown, []);
            _scratch.CopyTo(grown, 0);
            _scratch = grown;
        }

        T[] buffer = _scratch[id];
        if (buffer.Length < length)
        {
            _scratch[id] = buffer = new T[length];
        }

        return buffer.AsSpan(0, length);
    }
}
