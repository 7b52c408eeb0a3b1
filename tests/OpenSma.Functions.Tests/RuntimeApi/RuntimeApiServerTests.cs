using System.Net;
using System.Text;
using System.Threading.Channels;
using OpenSma.Functions.RuntimeApi;

namespace OpenSma.Functions.Tests.RuntimeApi;

public sealed class RuntimeApiServerTests
{
    /// <summary>A sandbox stand-in that records what the runtime posted.</summary>
    private sealed class RecordingHandler : IRuntimeApiHandler
    {
        public Channel<RuntimeInvocation> Next { get; } = Channel.CreateUnbounded<RuntimeInvocation>();

        public List<(string Kind, string Id, string Body, string? Type)> Posts { get; } = [];

        public async ValueTask<RuntimeInvocation?> NextAsync(CancellationToken cancellationToken) =>
            await Next.Reader.ReadAsync(cancellationToken);

        public RuntimeApiAnswer Respond(string requestId, byte[] body) => Record("response", requestId, body, null);

        public RuntimeApiAnswer ReportError(string requestId, byte[] body, string? errorType) => Record("error", requestId, body, errorType);

        public RuntimeApiAnswer ReportInitError(byte[] body, string? errorType) => Record("init", "", body, errorType);

        private RuntimeApiAnswer Record(string kind, string id, byte[] body, string? type)
        {
            Posts.Add((kind, id, Encoding.UTF8.GetString(body), type));
            return id == "unknown" ? RuntimeApiAnswer.InvalidRequestId(id) : RuntimeApiAnswer.Accepted;
        }
    }

    [Fact]
    public async Task Next_PendingInvocation_IsDeliveredWithLambdaHeaders()
    {
        var handler = new RecordingHandler();
        await using var server = await RuntimeApiServer.StartAsync(handler, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri("http://" + server.Address) };
        handler.Next.Writer.TryWrite(new RuntimeInvocation(
            "req-1", Encoding.UTF8.GetBytes("{\"a\":1}"), 1_700_000_003_000, "arn:aws:lambda:us-east-1:1:function:f", "Root=1-x", "{\"c\":2}"));

        using var response = await http.GetAsync("/2018-06-01/runtime/invocation/next");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("req-1", response.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single());
        Assert.Equal("1700000003000", response.Headers.GetValues("Lambda-Runtime-Deadline-Ms").Single());
        Assert.Equal("arn:aws:lambda:us-east-1:1:function:f", response.Headers.GetValues("Lambda-Runtime-Invoked-Function-Arn").Single());
        Assert.Equal("Root=1-x", response.Headers.GetValues("Lambda-Runtime-Trace-Id").Single());
        Assert.Equal("{\"c\":2}", response.Headers.GetValues("Lambda-Runtime-Client-Context").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("{\"a\":1}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Posts_ResponseErrorAndInitError_ReachTheHandlerAndAreAccepted()
    {
        var handler = new RecordingHandler();
        await using var server = await RuntimeApiServer.StartAsync(handler, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri("http://" + server.Address) };

        using var ok = await http.PostAsync("/2018-06-01/runtime/invocation/req-1/response", new StringContent("{\"r\":1}"));
        using var errorBody = new StringContent("{\"errorType\":\"E\"}");
        errorBody.Headers.Add("Lambda-Runtime-Function-Error-Type", "Unhandled");
        using var error = await http.PostAsync("/2018-06-01/runtime/invocation/req-2/error", errorBody);
        using var init = await http.PostAsync("/2018-06-01/runtime/init/error", new StringContent("{}"));
        using var unknown = await http.PostAsync("/2018-06-01/runtime/invocation/unknown/response", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        Assert.Equal("{\"status\":\"OK\"}", await ok.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, error.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, init.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("\"errorType\":\"InvalidRequestID\"", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(("response", "req-1", "{\"r\":1}", (string?)null), handler.Posts[0]);
        Assert.Equal(("error", "req-2", "{\"errorType\":\"E\"}", "Unhandled"), handler.Posts[1]);
        Assert.Equal("init", handler.Posts[2].Kind);
    }
}
