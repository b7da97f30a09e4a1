using System.Numerics;

namespace NetGen;

/// <summary>
/// <c>network.Save(path)</c>, <c>network.Load(path)</c> and <c>network.ExportOnnx(path)</c>: shorthands for
/// <see cref="ModelFile"/> and <see cref="OnnxExport"/>.
/// </summary>
public static class NetworkFileExtensions
{
    /// <summary>Saves the network to a model file, atomically (see <see cref="ModelFile.Save{T}(INetwork{T}, string)"/>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The model file; its directory must exist.</param>
    public static void Save<T>(this INetwork<T> network, string path) where T : unmanaged, IFloatingPointIeee754<T> =>
        ModelFile.Save(network, path);

    /// <summary>
    /// Saves the network with its preprocessing (input scaling, class labels, target scaling, metadata) as one
    /// self-contained model file, atomically (see <see cref="ModelFile.Save{T}(INetwork{T}, string, Preprocessing?)"/>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The model file; its directory must exist.</param>
    /// <param name="preprocessing">What to store with it; null for none.</param>
    public static void Save<T>(this INetwork<T> network, string path, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T> =>
        ModelFile.Save(network, path, preprocessing);

    /// <summary>
    /// Loads a model file into the network (see <see cref="ModelFile.Load{T}(INetwork{T}, string, bool)"/>); on any
    /// error the network is unchanged.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to load into; its topology and loss must be those stored.</param>
    /// <param name="path">The model file.</param>
    /// <param name="convertPrecision">Whether a file of the other precision is accepted and converted.</param>
    /// <exception cref="ModelFormatException">The file is not a valid model file or does not fit the network.</exception>
    public static void Load<T>(this INetwork<T> network, string path, bool convertPrecision = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        ModelFile.Load(network, path, convertPrecision);

    /// <summary>Exports the network for inference as an ONNX model (see <see cref="OnnxExport"/>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to export.</param>
    /// <param name="path">The .onnx file; its directory must exist.</param>
    public static void ExportOnnx<T>(this INetwork<T> network, string path) where T : unmanaged, IFloatingPointIeee754<T> =>
        OnnxExport.Export(network, path);

    /// <summary>Exports an ONNX model that takes raw rows: the preprocessing is part of its graph and metadata (see <see cref="OnnxExport"/>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="network">The network to export.</param>
    /// <param name="path">The .onnx file; its directory must exist.</param>
    /// <param name="preprocessing">The preprocessing the network was trained with; null for none.</param>
    public static void ExportOnnx<T>(this INetwork<T> network, string path, Preprocessing? preprocessing) where T : unmanaged, IFloatingPointIeee754<T> =>
        OnnxExport.Export(network, path, preprocessing);
}
