using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSma.ControlPlane.S3;
using OpenSma.Storage.Objects;

namespace OpenSma.ControlPlane.Tests.S3;

/// <summary><c>Storage:PromptHeadFreshnessMs</c> is read with the rest of the Storage section, so every host that registers storage from it applies it.</summary>
public sealed class StorageConfigurationTests
{
    private static IConfigurationSection Storage(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Storage");

    [Theory]
    [InlineData("""{ "Storage": { "PromptHeadFreshnessMs": 250 } }""", 250)]
    [InlineData("""{ "Storage": { "PromptHeadFreshnessMs": " 0 " } }""", 0)]
    [InlineData("""{ "Storage": { "DefaultBackend": "folder" } }""", 1000)]
    public void Read_PromptHeadFreshness_WholeMillisecondsOrTheDefault(string json, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), StorageConfiguration.Read(Storage(json)).PromptHeadFreshness);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1s")]
    [InlineData("")]
    public void Read_BadPromptHeadFreshness_NamesTheFullKey(string value)
    {
        var section = Storage($$"""{ "Storage": { "PromptHeadFreshnessMs": "{{value}}" } }""");

        var error = Assert.Throws<InvalidOperationException>(() => StorageConfiguration.Read(section));

        Assert.Equal($"Storage:PromptHeadFreshnessMs '{value}' is not a whole number of milliseconds, 0 or more (0 turns it off).", error.Message);
    }

    [Fact]
    public void AddOpenSmaStorage_PromptHeadFreshness_ReachesTheBackends()
    {
        var directory = Directory.CreateTempSubdirectory("opensma-storage-config-").FullName;
        try
        {
            var services = new ServiceCollection().AddOpenSmaStorage(Storage("""{ "Storage": { "PromptHeadFreshnessMs": 0 } }"""), directory);
            using var provider = services.BuildServiceProvider();

            var objects = provider.GetRequiredService<RoutedObjectStore>();

            Assert.Equal(TimeSpan.Zero, Assert.IsType<HeadCachingObjectStore>(objects.BackendOf("prompts")).Freshness);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
