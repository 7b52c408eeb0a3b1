using System.Text.Json.Nodes;
using OpenSma.Functions.Client;
using OpenSma.Functions.Logs;
using OpenSma.Functions.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.LambdaApi;

/// <summary>
/// LambdaApiClient (what <c>opensma functions</c> uses against a server) with a real Kestrel server
/// and real Node.js sandboxes: a code folder goes by path (hot-reload bucket), logs come back tagged.
/// </summary>
public sealed class FunctionsClientTests
{
    private static FunctionDefinition Definition(string name, string codeDirectory, int? reserved = null) => new()
    {
        Name = name,
        Runtime = "nodejs20.x",
        Handler = "index.handler",
        CodeDirectory = codeDirectory,
        Timeout = 20,
        MemorySize = 256,
        ReservedConcurrency = reserved,
        Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
    };

    [Fact]
    public async Task PutAsync_CodeFolder_IsUsedInPlaceAndHotReloaded()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var client = new LambdaApiClient(http);
        using var code = new TempDirectory();
        code.Write("index.js", "exports.handler = async () => ({ v: 1, greeting: process.env.GREETING });");

        await client.PutAsync(Definition("folder-fn", code.Path, reserved: 2), CancellationToken.None);
        var first = await server.Host.InvokeAsync("folder-fn", "{}"u8.ToArray(), "tx-a", CancellationToken.None).Guard();
        code.Write("index.js", "exports.handler = async () => ({ v: 2, greeting: process.env.GREETING });");
        File.SetLastWriteTimeUtc(code.Combine("index.js"), DateTime.UtcNow.AddMinutes(1));
        var second = await server.Host.InvokeAsync("folder-fn", "{}"u8.ToArray(), "tx-b", CancellationToken.None).Guard();

        Assert.True(server.Host.Registry.TryGet("folder-fn", out var registered));
        Assert.True(registered.WatchCode);
        Assert.Equal(Path.GetFullPath(code.Path), registered.CodeRoot);
        Assert.Equal(2, registered.Definition.ReservedConcurrency);
        Assert.Equal(1, JsonNode.Parse(first.Payload.Span)!["v"]!.GetValue<int>());
        Assert.Equal(2, JsonNode.Parse(second.Payload.Span)!["v"]!.GetValue<int>());
        Assert.Equal("hello", JsonNode.Parse(second.Payload.Span)!["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutAsync_ExistingFunction_ReplacesConfigurationCodeAndConcurrency()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var client = new LambdaApiClient(http);
        using var one = new TempDirectory();
        using var two = new TempDirectory();
        one.Write("index.js", "exports.handler = async () => 1;");
        two.Write("main.js", "exports.run = async () => 2;");

        await client.PutAsync(Definition("fn", one.Path, reserved: 3), CancellationToken.None);
        await client.PutAsync(Definition("fn", two.Path) with { Handler = "main.run", Timeout = 7, Environment = new Dictionary<string, string>() }, CancellationToken.None);
        var listed = await client.ListAsync(CancellationToken.None);

        var f = Assert.Single(listed);
        Assert.Equal(("fn", "main.run", 7, 256), (f.Name, f.Handler, f.Timeout, f.MemorySize));
        Assert.Null(f.ReservedConcurrency);
        Assert.Empty(f.Environment);
        Assert.Equal(Path.GetFullPath(two.Path), f.Code);
        var reply = await server.Host.InvokeAsync("fn", "{}"u8.ToArray(), null, CancellationToken.None).Guard();
        Assert.Equal("2", System.Text.Encoding.UTF8.GetString(reply.Payload.Span));
    }

    [Fact]
    public async Task PutAsync_RelativeHotReloadKeyOrMissingFolder_IsRefusedWithReason()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var client = new LambdaApiClient(http);
        using var gone = new TempDirectory();
        var missing = gone.Combine("not-there");

        var refused = await Assert.ThrowsAsync<LambdaApiException>(() => client.PutAsync(Definition("fn", missing), CancellationToken.None));
        using var relative = await http.PostAsync("/2015-03-31/functions", new StringContent(new JsonObject
        {
            ["FunctionName"] = "rel",
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Code"] = new JsonObject { ["S3Bucket"] = "hot-reload", ["S3Key"] = "relative/path" },
        }.ToJsonString()));

        Assert.Equal("InvalidParameterValueException", refused.ErrorType);
        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
        Assert.Equal(400, (int)relative.StatusCode);
        Assert.Contains("absolute folder path", await relative.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.Host.List());
    }

    [Fact]
    public async Task RemoveAsync_KnownAndUnknown_ReportsWhetherItExisted()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var client = new LambdaApiClient(http);
        using var code = new TempDirectory();
        code.Write("index.js", "exports.handler = async () => 1;");
        await client.PutAsync(Definition("fn", code.Path), CancellationToken.None);

        Assert.True(await client.RemoveAsync("fn", CancellationToken.None));
        Assert.False(await client.RemoveAsync("fn", CancellationToken.None));
        Assert.Empty(server.Host.List());
    }

    [Fact]
    public async Task LogsAsync_ByTransaction_ReturnsTaggedLinesOfThatInvocationOnly()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var client = new LambdaApiClient(http);
        using var code = new TempDirectory();
        code.Write("index.js", "exports.handler = async (e) => { console.log('serving', e.n); console.error('warn', e.n); return e.n; };");
        await client.PutAsync(Definition("fn", code.Path), CancellationToken.None);
        var one = await server.Host.InvokeAsync("fn", "{\"n\":1}"u8.ToArray(), "tx-1", CancellationToken.None).Guard();
        await server.Host.InvokeAsync("fn", "{\"n\":2}"u8.ToArray(), "tx-2", CancellationToken.None).Guard();

        var lines = new List<FunctionLogEntry>();
        await foreach (var line in client.LogsAsync("fn", 100, "tx-1", follow: false, CancellationToken.None))
            lines.Add(line);

        Assert.All(lines, l => Assert.Equal(("fn", one.RequestId, "tx-1"), (l.FunctionName, l.RequestId, l.TransactionId)));
        Assert.Contains(lines, l => l.Stream == FunctionLogStream.Stdout && l.Text.EndsWith("INFO\tserving 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Stream == FunctionLogStream.Stderr && l.Text.EndsWith("ERROR\twarn 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Stream == FunctionLogStream.Platform && l.Text.StartsWith("REPORT RequestId: " + one.RequestId, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Text.Contains("serving 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogsAsync_Follow_StreamsLinesOfLaterInvocations()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        var client = new LambdaApiClient(http);
        using var code = new TempDirectory();
        code.Write("index.js", "exports.handler = async (e) => { console.log('call', e.n); return e.n; };");
        await client.PutAsync(Definition("fn", code.Path), CancellationToken.None);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        await using var lines = client.LogsAsync("fn", 0, null, follow: true, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = lines.MoveNextAsync().AsTask();
        await server.Host.InvokeAsync("fn", "{\"n\":42}"u8.ToArray(), "tx-42", CancellationToken.None).Guard();
        var texts = new List<string>();
        while (await next)
        {
            texts.Add(lines.Current.Text);
            if (lines.Current.Text.StartsWith("REPORT", StringComparison.Ordinal))
                break;
            next = lines.MoveNextAsync().AsTask();
        }
        await stop.CancelAsync();

        Assert.Equal("START", texts[0].Split(' ')[0]);
        Assert.Contains(texts, t => t.EndsWith("INFO\tcall 42", StringComparison.Ordinal));
    }
}
