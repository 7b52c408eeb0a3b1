using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSma.Host.Cli;
using OpenSma.Storage.Objects;
using OpenSma.Telephony;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Host.Tests.Cli;

/// <summary><c>Storage:PromptHeadFreshnessMs</c> and <c>Telephony:RouteCacheFreshnessMs</c>: read, defaulted, validated, and applied by serve.</summary>
public sealed class CacheFreshnessConfigurationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("opensma-freshness-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("250", 250)]
    [InlineData("0", 0)]
    [InlineData(" 60000 ", 60000)]
    public void Values_AreWholeMilliseconds(string value, int expectedMs)
    {
        var configuration = Configuration(new() { ["Storage:PromptHeadFreshnessMs"] = value, ["Telephony:RouteCacheFreshnessMs"] = value });

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ServeConfiguration.Storage(configuration).PromptHeadFreshness);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ServeConfiguration.Telephony(configuration).RouteCacheFreshness);
    }

    [Fact]
    public void Absent_KeepsOneSecond()
    {
        var configuration = Configuration(new() { ["Storage:DefaultBackend"] = "folder" });

        Assert.Equal(TimeSpan.FromSeconds(1), ServeConfiguration.Storage(configuration).PromptHeadFreshness);
        Assert.Equal(TimeSpan.FromSeconds(1), ServeConfiguration.Storage(null).PromptHeadFreshness);
        Assert.Equal(TimeSpan.FromSeconds(1), ServeConfiguration.Telephony(configuration).RouteCacheFreshness);
        Assert.Equal(SipInboundRouter.DefaultRouteCacheFreshness, new TelephonyOptions().RouteCacheFreshness);
    }

    [Theory]
    [InlineData("Storage:PromptHeadFreshnessMs", "-1")]
    [InlineData("Storage:PromptHeadFreshnessMs", "1.5")]
    [InlineData("Storage:PromptHeadFreshnessMs", "1s")]
    [InlineData("Storage:PromptHeadFreshnessMs", "")]
    [InlineData("Telephony:RouteCacheFreshnessMs", "-1000")]
    [InlineData("Telephony:RouteCacheFreshnessMs", "+5")]
    [InlineData("Telephony:RouteCacheFreshnessMs", "99999999999999999999")]
    public void BadValue_FailsNamingTheKeyAndTheValue(string key, string value)
    {
        var configuration = Configuration(new() { [key] = value });

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            _ = ServeConfiguration.Storage(configuration);
            _ = ServeConfiguration.Telephony(configuration);
        });

        Assert.Equal($"{key} '{value}' is not a whole number of milliseconds, 0 or more (0 turns it off).", error.Message);
    }

    [Fact]
    public async Task ServeBuild_PromptHeadFreshness_ReachesEveryBackend()
    {
        var configuration = Configuration(new() { ["Storage:PromptHeadFreshnessMs"] = "0" });
        await using var app = ServeCommand.Build(Path.Combine(_root, "data"), "http://127.0.0.1:0", "127.0.0.1", sipPort: 0, configuration);

        var objects = app.Services.GetRequiredService<RoutedObjectStore>();

        Assert.Same(objects, app.Services.GetRequiredService<IObjectStore>());
        Assert.Equal(TimeSpan.Zero, Assert.IsType<HeadCachingObjectStore>(objects.BackendOf("prompts")).Freshness);
    }

    [Fact]
    public void ServeBuild_BadFreshness_StopsStartUpNamingTheKey()
    {
        var configuration = Configuration(new() { ["Storage:PromptHeadFreshnessMs"] = "soon" });

        var error = Assert.Throws<InvalidOperationException>(() => ServeCommand.Build(Path.Combine(_root, "data"), "http://127.0.0.1:0", "127.0.0.1", sipPort: 0, configuration));

        Assert.StartsWith("Storage:PromptHeadFreshnessMs 'soon'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CallCommand_ReadsThePromptHeadFreshnessToo()
    {
        var file = Path.Combine(_root, "opensma.json");
        File.WriteAllText(file, """{ "Storage": { "PromptHeadFreshnessMs": 0 } }""");

        var (objects, _, _) = CallCommand.ReadConfiguration(file, Path.Combine(_root, "data"));

        Assert.Equal(TimeSpan.Zero, Assert.IsType<HeadCachingObjectStore>(((RoutedObjectStore)objects).BackendOf("prompts")).Freshness);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
