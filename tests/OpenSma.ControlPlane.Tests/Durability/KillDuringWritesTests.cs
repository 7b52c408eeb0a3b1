using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Durability;

/// <summary>A server process is killed (SIGKILL) while clients are creating resources; every
/// creation it acknowledged with 201 must be in the store afterwards.</summary>
public sealed class KillDuringWritesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opensma-kill-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task CreateSipMediaApplication_ServerKilledMidStream_KeepsEveryAcknowledgedWrite()
    {
        var acknowledged = new ConcurrentBag<string>();
        using var process = StartChild();
        try
        {
            var url = await ReadReadyAsync(process);
            using var client = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var body = $$"""{"AwsRegion":"us-east-1","Name":"w{{w}}-{{i}}","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""";
                        using var response = await client.PostAsync("sip-media-applications", new StringContent(body, Encoding.UTF8, "application/json"));
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                            acknowledged.Add(json.RootElement.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();

            // Wait for a real stream of acknowledged writes (generous on a loaded machine), then kill.
            var deadline = Stopwatch.StartNew();
            while (acknowledged.Count < 40 && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(20);
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(acknowledged.Count >= 40, $"only {acknowledged.Count} writes were acknowledged before the deadline");
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_directory), new FakeTimeProvider(), CancellationToken.None);
        try
        {
            var stored = (await store.ListAllAsync<SipMediaApplication>(CancellationToken.None)).Select(s => s.Value.Id).ToHashSet();
            var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
            Assert.Empty(lost);
        }
        finally
        {
            ((IDisposable)store).Dispose();
        }
    }

    private Process StartChild()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ChildServerProgram).Assembly.Location);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(_directory);
        return Process.Start(start)!;
    }

    private static async Task<string> ReadReadyAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("child server exited: " + await process.StandardError.ReadToEndAsync());
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                return line["READY ".Length..];
            }
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
