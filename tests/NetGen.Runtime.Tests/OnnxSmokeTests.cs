namespace NetGen.Runtime.Tests;

public class OnnxSmokeTests
{
    [Fact]
    public void OnnxRuntime_loads() => Assert.NotEmpty(Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders());
}
