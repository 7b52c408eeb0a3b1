using Microsoft.Extensions.Time.Testing;
using OpenSma.Speech.Caching;

namespace OpenSma.Speech.Tests;

public sealed class SpeechOptionsTests
{
    private static SpeechOptions Read(Dictionary<string, string> settings) => SpeechOptions.Read(key => settings.GetValueOrDefault(key));

    [Fact]
    public void Read_Nothing_EspeakWithDefaults()
    {
        var options = Read([]);
        Assert.Equal("espeak-ng", options.Backend);
        Assert.Equal(64L * 1024 * 1024, options.CacheBytes);
        Assert.Equal("espeak-ng", options.Espeak.Executable);
        Assert.Equal(new Uri("https://polly.us-east-1.amazonaws.com"), options.Polly.ResolveEndpoint());
    }

    [Fact]
    public void Read_PollySection_AllValues()
    {
        var options = Read(new()
        {
            ["Backend"] = "Polly",
            ["CacheMegabytes"] = "8",
            ["Polly:Region"] = "eu-central-1",
            ["Polly:Endpoint"] = "http://127.0.0.1:4566",
            ["Polly:AccessKeyId"] = "AKID",
            ["Polly:SecretAccessKey"] = "secret",
            ["Polly:TimeoutSeconds"] = "3",
        });
        Assert.Equal("polly", options.Backend);
        Assert.Equal(8L * 1024 * 1024, options.CacheBytes);
        Assert.Equal("eu-central-1", options.Polly.Region);
        Assert.Equal(new Uri("http://127.0.0.1:4566"), options.Polly.ResolveEndpoint());
        Assert.Equal("AKID", options.Polly.Credentials!.AccessKeyId);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Polly.Timeout);
    }

    [Theory]
    [InlineData("Backend", "festival", "Speech:Backend")]
    [InlineData("CacheMegabytes", "-1", "Speech:CacheMegabytes")]
    [InlineData("Polly:Endpoint", "not a url", "Speech:Polly:Endpoint")]
    [InlineData("Polly:AccessKeyId", "AKID", "go together")]
    [InlineData("Espeak:TimeoutSeconds", "soon", "Speech:Espeak:TimeoutSeconds")]
    public void Read_BadValue_ThrowsNamingTheKey(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new() { [key] = value }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EachBackend_CachedOrNone()
    {
        using var http = new HttpClient();
        var time = new FakeTimeProvider();
        Assert.IsType<CachingSpeechSynthesizer>(SpeechBackends.Create(new SpeechOptions(), http, time));
        Assert.IsType<CachingSpeechSynthesizer>(SpeechBackends.Create(new SpeechOptions { Backend = SpeechOptions.PollyBackend }, http, time));
        Assert.Null(SpeechBackends.Create(new SpeechOptions { Backend = SpeechOptions.NoBackend }, http, time));
    }
}
