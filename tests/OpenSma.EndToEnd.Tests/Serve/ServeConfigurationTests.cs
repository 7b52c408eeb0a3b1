using Microsoft.Extensions.Configuration;
using OpenSma.EndToEnd.Tests.Support;
using OpenSma.Host.Cli;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary>
/// <c>opensma serve</c> configured through <c>opensma.json</c> keys: strict SigV4 (the AWS CLI with the
/// configured key works, a wrong secret is refused), and quotas (the AWS CLI gets the typed quota error).
/// </summary>
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

    [Fact]
    public async Task Quotas_AwsCliGetsResourceLimitExceeded_AndWhatFitsIsCreated()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "opensma-serve-quota-" + Guid.NewGuid().ToString("N"));
        var apiUrl = $"http://127.0.0.1:{FreePorts.Tcp()}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ControlPlane:Quotas:Enabled"] = "true",
            ["ControlPlane:Quotas:MaxSipMediaApplications"] = "1",
            ["ControlPlane:Quotas:MaxPhoneNumbers"] = "1",
        }).Build();
        await using var app = ServeCommand.Build(dataDir, apiUrl, "127.0.0.1", sipPort: 0, configuration);
        await app.StartAsync();
        try
        {
            Task<ProcessResult> Chime(params string[] args) => TestProcess.AwsChimeAsync(apiUrl, "AKIDEXAMPLE", "secret", args);

            var first = await Chime("create-sip-media-application", "--aws-region", "us-east-1", "--name", "one", "--endpoints", "LambdaArn=http://127.0.0.1:9/");
            Assert.True(first.Exit == 0, first.Stderr);
            var second = await Chime("create-sip-media-application", "--aws-region", "us-east-1", "--name", "two", "--endpoints", "LambdaArn=http://127.0.0.1:9/");
            Assert.NotEqual(0, second.Exit);
            Assert.Contains("ResourceLimitExceededException", second.Stderr, StringComparison.Ordinal);

            // Phone numbers go through serve's own store wrapper (it learns which numbers it owns).
            var search = await Chime("search-available-phone-numbers", "--area-code", "312", "--country", "US", "--max-results", "2");
            Assert.True(search.Exit == 0, search.Stderr);
            var numbers = System.Text.Json.JsonDocument.Parse(search.Stdout).RootElement.GetProperty("E164PhoneNumbers").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var both = await Chime("create-phone-number-order", "--product-type", "SipMediaApplicationDialIn", "--e164-phone-numbers", numbers[0], numbers[1]);
            Assert.NotEqual(0, both.Exit);
            Assert.Contains("ResourceLimitExceededException", both.Stderr, StringComparison.Ordinal);
            var one = await Chime("create-phone-number-order", "--product-type", "SipMediaApplicationDialIn", "--e164-phone-numbers", numbers[0]);
            Assert.True(one.Exit == 0, one.Stderr);
            var listed = await Chime("list-phone-numbers");
            Assert.True(listed.Exit == 0, listed.Stderr);
            Assert.Contains(numbers[0], listed.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(numbers[1], listed.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
