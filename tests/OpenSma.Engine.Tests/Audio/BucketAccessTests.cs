using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Audio;

/// <summary>Buckets marked not readable or not writable by SMAs, through whole calls on virtual legs.</summary>
public sealed class BucketAccessTests : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-access-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly VirtualNetwork _network;
    private readonly CallEngine _engine;
    private readonly VirtualTimeDriver _driver;
    private readonly ScriptedHandler _handler = new();
    private readonly SipMediaApplicationRef _application;

    public BucketAccessTests()
    {
        var folder = new FolderObjectStore(_root);
        foreach (var bucket in new[] { "private-prompts", "locked-recordings" })
        {
            folder.CreateBucket(bucket);
        }

        File.WriteAllBytes(Path.Combine(_root, "private-prompts", "menu.wav"), WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 440).Samples.Span));
        var store = new RoutedObjectStore(
            new Dictionary<string, IObjectStore> { ["folder"] = folder },
            new Dictionary<string, BucketRule>
            {
                ["private-prompts"] = new() { SmaRead = false },
                ["locked-*"] = new() { SmaWrite = false },
            },
            "folder");
        _network = new VirtualNetwork(_time);
        var handlers = new DelegateHandlerResolver();
        handlers.Register("access", (json, ct) => _handler.HandleAsync(json, ct));
        _engine = new CallEngine(new EngineOptions(), _time, store, _network, [handlers]);
        _driver = new VirtualTimeDriver(_engine.Activity, _time.Advance) { IdleTimeout = TimeSpan.FromSeconds(20) };
        _application = new SipMediaApplicationRef("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("access"));
    }

    [Theory]
    [InlineData("""{"Type":"PlayAudio","Parameters":{"AudioSource":{"Type":"S3","BucketName":"private-prompts","Key":"menu.wav"}}}""")]
    [InlineData("""{"Type":"PlayAudioAndGetDigits","Parameters":{"RepeatDurationInMilliseconds":3000,"AudioSource":{"Type":"S3","BucketName":"private-prompts","Key":"menu.wav"},"FailureAudioSource":{"Type":"S3","BucketName":"private-prompts","Key":"menu.wav"}}}""")]
    public async Task PlayFromBucketNotReadableBySmas_FailsWithTheAccessError_CallGoesOn(string action)
    {
        _handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(action) : ActionList(A.Hangup());
        await RunCallAsync();

        var failed = _handler.Events[1];
        Assert.Equal(EventTypes.ActionFailed, failed.Type());
        Assert.Equal("InvalidAudioSource", failed.Str("ActionData.ErrorType"));
        Assert.Equal("Cannot access S3 bucket or audio file.", failed.Str("ActionData.ErrorMessage"));
        Assert.Equal(EventTypes.Hangup, _handler.Events[^1].Type());
    }

    [Fact]
    public async Task RecordAudio_BucketNotWritableBySmas_FailsAsAnUploadError_NothingWritten()
    {
        const string record = """{"Type":"RecordAudio","Parameters":{"DurationInSeconds":1,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"locked-recordings"}}}""";
        _handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(record) : ActionList(A.Hangup());
        await RunCallAsync();

        Assert.Equal("Error occurred while uploading recording to S3 bucket.", _handler.Events[1].Str("ActionData.ErrorMessage"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "locked-recordings"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StartCallRecording_BucketNotWritableBySmas_IsNoAccessToDestination()
    {
        _handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(A.Action("StartCallRecording", $$$"""{"CallId":"{{{e.Participants()[0].Str("CallId")}}}","Track":"INCOMING","Destination":{"Type":"S3","Location":"locked-recordings/calls"}}"""))
            : ActionList(A.Hangup());
        await RunCallAsync();

        Assert.Equal(EventTypes.ActionFailed, _handler.Events[1].Type());
        Assert.Equal("NoAccessToDestination: Error while accessing destination", _handler.Events[1].Str("ActionData.Error"));
    }

    private async Task RunCallAsync()
    {
        var leg = _network.CreateInbound("+15559870000", "+15551230000", VirtualParty.Answering(), null);
        var transaction = _engine.StartInboundCall(_application, leg, "rule-1");
        Assert.True(await _driver.RunUntilAsync(() => transaction.Completion.IsCompleted, TimeSpan.FromMinutes(5)), "the call did not end: " + string.Join(", ", _handler.EventTypes));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var transaction in _engine.Transactions)
        {
            transaction.Abort("test over");
        }

        await _driver.RunUntilAsync(() => _engine.ActiveTransactions == 0, TimeSpan.FromSeconds(5));
        _network.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
