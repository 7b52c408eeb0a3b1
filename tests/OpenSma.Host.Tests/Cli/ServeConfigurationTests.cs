using Microsoft.Extensions.Configuration;
using OpenSma.Host.Cli;
using OpenSma.Sip;
using OpenSma.Telephony;

namespace OpenSma.Host.Tests.Cli;

public sealed class ServeConfigurationTests
{
    [Fact]
    public void Telephony_MediaClocksSlotsAndTrunkDigestAlgorithms_AreRead()
    {
        var options = ServeConfiguration.Telephony(Configuration(new()
        {
            ["Telephony:MediaClocks"] = "3",
            ["Telephony:MediaClockSlots"] = "5",
            ["Telephony:TrunkDigestAlgorithms:0"] = "MD5",
            ["Telephony:MediaRealTimePriority"] = "0",
            ["Telephony:MediaSendLeadMs"] = "0",
        }));

        Assert.Equal(TimeSpan.Zero, options.MediaSendLead);
        Assert.Equal(3, options.MediaClocks);
        Assert.Equal(5, options.MediaClockSlots);
        Assert.Equal(["MD5"], options.TrunkDigestAlgorithms);
        Assert.Equal(0, options.MediaRealTimePriority);
    }

    [Fact]
    public void Telephony_NoSection_KeepsTheDefaults()
    {
        var options = ServeConfiguration.Telephony(Configuration(new()));
        var defaults = new TelephonyOptions();

        Assert.Equal(defaults.MediaClocks, options.MediaClocks);
        Assert.Equal(Environment.ProcessorCount, options.MediaClocks);
        Assert.Equal(defaults.MediaClockSlots, options.MediaClockSlots);
        Assert.Null(options.TrunkDigestAlgorithms);

        // The library leaves media threads alone; serve asks for real-time scheduling.
        Assert.Equal(0, defaults.MediaRealTimePriority);
        Assert.Equal(ServeConfiguration.ServeMediaRealTimePriority, options.MediaRealTimePriority);
        Assert.Equal(10, options.MediaRealTimePriority);

        // Likewise the send lead: none in the library, serve's default in serve.
        Assert.Equal(TimeSpan.Zero, defaults.MediaSendLead);
        Assert.Equal(TimeSpan.FromMilliseconds(ServeConfiguration.ServeMediaSendLeadMs), options.MediaSendLead);
        Assert.True(options.MediaSendLead > TimeSpan.Zero);
    }

    [Theory]
    [InlineData("Telephony:MediaClocks", "0", "MediaClocks")]
    [InlineData("Telephony:MediaClockSlots", "21", "MediaClockSlots")]
    [InlineData("Telephony:TrunkDigestAlgorithms:0", "SHA-512-256", "TrunkDigestAlgorithms")]
    [InlineData("Telephony:MediaRealTimePriority", "99", "MediaRealTimePriority")]
    [InlineData("Telephony:MediaRealTimePriority", "-1", "MediaRealTimePriority")]
    [InlineData("Telephony:MediaSendLeadMs", "201", "MediaSendLeadMs")]
    [InlineData("Telephony:MediaSendLeadMs", "-5", "MediaSendLeadMs")]
    public void Telephony_BadValue_FailsNamingTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServeConfiguration.Telephony(Configuration(new() { [key] = value })));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sip_ConnectionLimitsAndDigestUriCheck_AreRead()
    {
        var defaults = new SipEndpointOptions();
        var options = ServeConfiguration.Sip(
            Configuration(new()
            {
                ["Sip:TcpIdleTimeoutSeconds"] = "0",
                ["Sip:MaxInboundConnections"] = "500",
                ["Sip:MaxInboundConnectionsPerAddress"] = "7",
                ["Sip:DigestRequireMatchingUri"] = "false",
            }),
            defaults);

        Assert.Null(options.Connections.IdleTimeout);
        Assert.Equal(500, options.Connections.MaxInboundConnections);
        Assert.Equal(7, options.Connections.MaxInboundConnectionsPerAddress);
        Assert.Equal(defaults.Connections.MaxQueuedSendBytes, options.Connections.MaxQueuedSendBytes);
        Assert.False(options.DigestRequireMatchingUri);
        Assert.True(defaults.DigestRequireMatchingUri);
        Assert.Equal(defaults, ServeConfiguration.Sip(null, defaults));
    }

    [Theory]
    [InlineData("Sip:MaxInboundConnections", "-1", "MaxInboundConnections")]
    [InlineData("Sip:TcpIdleTimeoutSeconds", "soon", "TcpIdleTimeoutSeconds")]
    [InlineData("Sip:DigestRequireMatchingUri", "maybe", "DigestRequireMatchingUri")]
    public void Sip_BadValue_FailsNamingTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServeConfiguration.Sip(Configuration(new() { [key] = value }), new SipEndpointOptions()));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EnvironmentVariablesWithThePrefix_OverrideTheFile()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("opensma-config-").FullName, "opensma.json");
        File.WriteAllText(file, """{ "ConfigurationTest": { "Overridden": "file", "Kept": "file" } }""");
        Environment.SetEnvironmentVariable("OPENSMA_ConfigurationTest__Overridden", "environment");
        try
        {
            var configuration = ServeConfiguration.Load(file);

            Assert.NotNull(configuration);
            Assert.Equal("environment", configuration["ConfigurationTest:Overridden"]);
            Assert.Equal("file", configuration["ConfigurationTest:Kept"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENSMA_ConfigurationTest__Overridden", null);
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingConfigFile_FailsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServeConfiguration.Load("/nonexistent/opensma.json"));

        Assert.Contains("/nonexistent/opensma.json", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
