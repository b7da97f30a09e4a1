namespace NetGen.Generator;

/// <summary>
/// The metadata names the generator matches. The attributes live in NetGen.Attributes, which the generator does not
/// reference; a test asserts each constant equals <c>typeof(…).FullName</c>.
/// </summary>
internal static class KnownNames
{
    public const string Network = "NetGen.NetworkAttribute";
    public const string Input = "NetGen.InputAttribute";
    public const string Dense = "NetGen.DenseAttribute";
    public const string Dropout = "NetGen.DropoutAttribute";
    public const string BatchNorm = "NetGen.BatchNormAttribute";
    public const string INetwork = "NetGen.INetwork`1";
    public const string ActivationFunction = "NetGen.ActivationFunctionAttribute";
    public const string LossFunction = "NetGen.LossFunctionAttribute";

    public const string NetworkShort = "Network";
    public const string InputShort = "Input";
    public const string DenseShort = "Dense";
    public const string DropoutShort = "Dropout";
    public const string BatchNormShort = "BatchNorm";
}
