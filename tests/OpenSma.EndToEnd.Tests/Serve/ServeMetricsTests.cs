using System.Net;
using OpenSma.EndToEnd.Tests.Support;
using OpenSma.EndToEnd.Tests.Telephony.Support;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary>
/// <c>GET /metrics</c> on serve's API address: Prometheus text that counts a call placed with the
/// AWS CLI, beside the Chime API and the S3 endpoint, which keep their own requests (even an S3
/// bucket named "metrics").
/// </summary>
public sealed class ServeMetricsTests : IAsyncLifetime
{
    private InProcessServe _serve = null!;

    public async Task InitializeAsync() => _serve = await InProcessServe.StartAsync("metrics");

    public async Task DisposeAsync() => await _serve.DisposeAsync();

    [Fact]
    public async Task Metrics_AfterACall_CountsItAndTheGaugesAreBackToZero()
    {
        using var handler = new HandlerServer(e => HandlerServer.Type(e) == "CALL_ANSWERED" ? HandlerServer.Actions(TelephonyFixture.Hangup()) : null);
        var smaId = await _serve.CreateSmaAsync("metrics", handler.Url);
        await _serve.ChimeAsync("create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", "+15559870000", "--to-phone-number", "+15551230000");
        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), TimeSpan.FromSeconds(60), "HANGUP");

        using var http = new HttpClient();
        IReadOnlyDictionary<string, double> metrics;
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            // The HANGUP reply is the transaction's last step: poll until it has ended.
            while ((metrics = await GetMetricsAsync(http))["opensma_call_transactions"] != 0)
            {
                await Task.Delay(100, wait.Token);
            }
        }

        Assert.Equal(1, metrics["opensma_call_transactions_ended_total"]);
        Assert.Equal(1, metrics["opensma_handler_events_total{type=\"NEW_OUTBOUND_CALL\"}"]);
        Assert.Equal(handler.Events.Count, metrics["opensma_handler_invocations_total{outcome=\"ok\"}"]);
        Assert.Equal(0, metrics["opensma_handler_invocations_total{outcome=\"unreachable\"}"]);
        Assert.True(metrics["process_cpu_seconds_total"] > 0);
    }

    [Fact]
    public async Task Metrics_BesideS3BucketNamedMetricsAndChimeApi_EachGetsItsOwnRequests()
    {
        var file = Path.Combine(_serve.WorkDirectory, "note.txt");
        await File.WriteAllTextAsync(file, "kept by S3");
        await _serve.AwsAsync("s3", "mb", "s3://metrics");
        await _serve.AwsAsync("s3", "cp", file, "s3://metrics/note.txt");

        var listed = await _serve.AwsAsync("s3", "ls", "s3://metrics");
        var fetched = Path.Combine(_serve.WorkDirectory, "fetched.txt");
        await _serve.AwsAsync("s3", "cp", "s3://metrics/note.txt", fetched);
        var smas = await _serve.ChimeAsync("list-sip-media-applications");
        using var http = new HttpClient();
        using var response = await http.GetAsync(_serve.ApiUrl + "/metrics");

        Assert.Contains("note.txt", listed, StringComparison.Ordinal);
        Assert.Equal("kept by S3", await File.ReadAllTextAsync(fetched));
        Assert.Equal(0, smas.GetProperty("SipMediaApplications").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE opensma_call_transactions gauge\nopensma_call_transactions 0\n", body, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyDictionary<string, double>> GetMetricsAsync(HttpClient http) =>
        PrometheusSamples.Parse(await http.GetStringAsync(_serve.ApiUrl + "/metrics"));
}
