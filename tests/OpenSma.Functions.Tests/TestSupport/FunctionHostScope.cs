using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Tests.TestSupport;

/// <summary>A FunctionHost on a fake clock with its own work folder; kills every sandbox at the end.</summary>
internal sealed class FunctionHostScope : IAsyncDisposable
{
    private readonly TempDirectory _work = new();

    public FunctionHostScope(Action<FunctionsOptions>? configure = null)
    {
        // The fake clock starts at the real time: runtimes compare Lambda-Runtime-Deadline-Ms with their own clock.
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Options = new FunctionsOptions { WorkDirectory = _work.Path, Region = "us-east-1", AccountId = "111122223333" };
        configure?.Invoke(Options);
        Host = new FunctionHost(Options, Time);
    }

    public FakeTimeProvider Time { get; }

    public FunctionsOptions Options { get; }

    public FunctionHost Host { get; }

    public string Arn(string name) => Host.Registry.ArnFor(name);

    public RegisteredFunction Add(string name, string runtime, string handler, string codeDirectory, int timeout = 3,
        int? reservedConcurrency = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Host.Add(new FunctionDefinition
        {
            Name = name,
            Runtime = runtime,
            Handler = handler,
            CodeDirectory = codeDirectory,
            Timeout = timeout,
            ReservedConcurrency = reservedConcurrency,
            Environment = environment ?? new Dictionary<string, string>(),
        });

    public Task<FunctionInvocationResult> InvokeAsync(string name, JsonNode payload, string? transactionId = SmaEvents.TransactionId) =>
        Host.InvokeAsync(name, SmaEvents.Bytes(payload), transactionId, CancellationToken.None).Guard();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _work.Dispose();
    }
}
