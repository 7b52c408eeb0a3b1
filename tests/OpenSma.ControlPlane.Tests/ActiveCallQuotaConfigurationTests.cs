using System.Text;
using Microsoft.Extensions.Configuration;

namespace OpenSma.ControlPlane.Tests;

/// <summary>
/// <c>ControlPlane:Quotas:MaxActiveCalls</c> is the account/Region active-call quota the engine
/// enforces; the older key <c>MaxActiveCallsPerSipMediaApplication</c> still sets it.
/// </summary>
public sealed class ActiveCallQuotaConfigurationTests
{
    private static QuotaOptions Quotas(string quotasJson) =>
        ControlPlaneConfiguration.Bind(
            new ControlPlaneOptions(),
            new ConfigurationBuilder()
                .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "ControlPlane": { "Quotas": {{quotasJson}} } }""")))
                .Build()
                .GetSection("ControlPlane")).Quotas;

    [Theory]
    [InlineData("""{ "Enabled": true, "MaxActiveCalls": 7 }""", 7)]
    [InlineData("""{ "Enabled": true, "MaxActiveCallsPerSipMediaApplication": 8 }""", 8)]
    [InlineData("""{ "Enabled": true, "MaxActiveCalls": 7, "MaxActiveCallsPerSipMediaApplication": 8 }""", 7)]
    [InlineData("""{ "Enabled": true }""", 10)]
    public void MaxActiveCalls_NewKeyWins_OlderKeyStillRead_DefaultIsTheAwsTen(string json, int expected)
    {
        var quotas = Quotas(json);

        Assert.Equal(expected, quotas.MaxActiveCalls);
        Assert.Equal(expected, quotas.MaxActiveCallsPerSipMediaApplication);
        Assert.Equal(expected, quotas.ActiveCallLimit);
    }

    [Fact]
    public void MaxActiveCalls_QuotasOff_NoLimitForTheEngine()
    {
        var quotas = Quotas("""{ "MaxActiveCalls": 7 }""");

        Assert.Equal(7, quotas.MaxActiveCalls);
        Assert.Null(quotas.ActiveCallLimit);
    }

    [Theory]
    [InlineData("""{ "MaxActiveCalls": 0 }""", "ControlPlane:Quotas:MaxActiveCalls")]
    [InlineData("""{ "MaxActiveCalls": 5, "MaxActiveCallsPerSipMediaApplication": "many" }""", "ControlPlane:Quotas:MaxActiveCallsPerSipMediaApplication")]
    public void MaxActiveCalls_BadValue_FailsNamingTheKey(string json, string key)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Quotas(json));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OlderPropertyName_SetsTheSameQuota()
    {
        var quotas = new QuotaOptions { Enabled = true, MaxActiveCallsPerSipMediaApplication = 4 };

        Assert.Equal(4, quotas.MaxActiveCalls);
        Assert.Equal(quotas, new QuotaOptions { Enabled = true, MaxActiveCalls = 4 });
    }
}
