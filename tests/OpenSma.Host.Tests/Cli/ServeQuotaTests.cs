using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSma.Engine.Control;
using OpenSma.Host.Cli;

namespace OpenSma.Host.Tests.Cli;

/// <summary>
/// serve reads <c>ControlPlane:Quotas:MaxActiveCallsPerSipMediaApplication</c> into the engine, so
/// CreateSipMediaApplicationCall over the limit gets ResourceLimitExceeded.
/// </summary>
public sealed class ServeQuotaTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("opensma-quota-test-").FullName;

    // A handler that accepts connections and never answers keeps the first call alive.
    private readonly TcpListener _silentHandler = new(IPAddress.Loopback, 0);

    public ServeQuotaTests() => _silentHandler.Start();

    public void Dispose()
    {
        _silentHandler.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData(true, CallControlStatus.ResourceLimitExceeded)]
    [InlineData(false, CallControlStatus.Accepted)]
    public async Task CreateCall_SecondCallOverConfiguredLimit_FollowsQuotasEnabled(bool enabled, CallControlStatus expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ControlPlane:Quotas:Enabled"] = enabled ? "true" : "false",
            ["ControlPlane:Quotas:MaxActiveCallsPerSipMediaApplication"] = "1",
        }).Build();
        await using var app = ServeCommand.Build(_dataDir, "http://127.0.0.1:0", "127.0.0.1", sipPort: 0, configuration);
        var calls = app.Services.GetRequiredService<ICallControl>();
        var port = ((IPEndPoint)_silentHandler.LocalEndpoint).Port;
        var sma = new SipMediaApplicationRef("sma-1", "123456789012", "us-east-1", $"http://127.0.0.1:{port}/");
        var request = new OutboundCallRequest(sma, "+12065550100", "+12065550101", null, null);

        var first = await calls.CreateCallAsync(request, CancellationToken.None);
        var second = await calls.CreateCallAsync(request, CancellationToken.None);

        Assert.Equal(CallControlStatus.Accepted, first.Status);
        Assert.Equal(expected, second.Status);
    }
}
