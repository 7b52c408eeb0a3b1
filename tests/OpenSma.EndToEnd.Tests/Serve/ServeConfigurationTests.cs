using Microsoft.Extensions.Configuration;
using OpenSma.EndToEnd.Tests.Support;
using OpenSma.Host.Cli;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary><c>opensma serve</c> configured for strict SigV4: the AWS CLI with the configured key works, a wrong secret is refused.</summary>
public sealed class ServeConfigurationTests
{
    [Fact]
    public async Task StrictSigV4_ConfiguredKeyAccepted_WrongSecretRefused()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "opensma-serve-cfg-" + Guid.NewGuid().ToString("N"));
        var port = FreePorts.Tcp();
        var apiUrl = $"http://127.0.0.1:{port}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ControlPlane:AwsAccountId"] = "444455556666",
            ["ControlPlane:SigV4:Mode"] = "Strict",
            ["ControlPlane:SigV4:Credentials:AKIAOPENSMATEST00001"] = "right-secret",
        }).Build();
        await using var app = ServeCommand.Build(dataDir, apiUrl, "127.0.0.1", sipPort: 0, configuration);
        await app.StartAsync();
        try
        {
            var ok = await TestProcess.AwsChimeAsync(apiUrl, "AKIAOPENSMATEST00001", "right-secret", "create-sip-media-application", "--aws-region", "us-east-1", "--name", "cfg", "--endpoints", "LambdaArn=http://127.0.0.1:9/");
            Assert.True(ok.Exit == 0, ok.Stderr);
            Assert.Contains("arn:aws:chime:us-east-1:444455556666:sma/", ok.Stdout, StringComparison.Ordinal);

            var refused = await TestProcess.AwsChimeAsync(apiUrl, "AKIAOPENSMATEST00001", "wrong-secret", "list-sip-media-applications");
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("InvalidSignatureException", refused.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void StrictSigV4_WithoutCredentials_IsAConfigurationError()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ControlPlane:SigV4:Mode"] = "Strict" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => ServeCommand.Build(Path.GetTempPath(), "http://127.0.0.1:1", "127.0.0.1", 0, configuration));
        Assert.Contains("Credentials", error.Message, StringComparison.Ordinal);
    }
}
