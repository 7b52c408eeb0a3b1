using System.Net;
using System.Text;
using System.Text.Json;
using OpenSma.Testing;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// The SMA handler under load, over HTTP: for the digits number it plays a 1 s prompt collecting
/// one digit, then hangs up; for the media number it plays a 60 s prompt (the caller hangs up).
/// Counts events and failures.
/// </summary>
internal sealed class BenchHandler : IDisposable
{
    public const string DigitsNumber = "+15551239001";
    public const string MediaNumber = "+15551239002";
    private static readonly byte[] Collect = Reply("""{"Type":"PlayAudioAndGetDigits","Parameters":{"AudioSource":{"Type":"S3","BucketName":"prompts","Key":"prompt.wav"},"FailureAudioSource":{"Type":"S3","BucketName":"prompts","Key":"prompt.wav"},"MinNumberOfDigits":1,"MaxNumberOfDigits":1,"InBetweenDigitsDurationInMilliseconds":5000,"Repeat":1,"RepeatDurationInMilliseconds":5000}}""");
    private static readonly byte[] Long = Reply("""{"Type":"PlayAudio","Parameters":{"AudioSource":{"Type":"S3","BucketName":"prompts","Key":"long.wav"}}}""");
    private static readonly byte[] Hangup = Reply("""{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}""");
    private static readonly byte[] Nothing = Reply(string.Empty);
    private readonly HttpListener _listener = new();
    private long _events;
    private long _digitsCollected;
    private long _actionFailures;

    public BenchHandler()
    {
        Url = $"http://127.0.0.1:{ServeUnderTest.FreePort()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        for (var i = 0; i < 8; i++)
        {
            _ = Task.Run(() => HttpListenerLoop.ServeAsync(_listener, HandleAsync));
        }
    }

    public string Url { get; }

    public long Events => Interlocked.Read(ref _events);

    public long DigitsCollected => Interlocked.Read(ref _digitsCollected);

    public long ActionFailures => Interlocked.Read(ref _actionFailures);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }

    private static byte[] Reply(string action) => Encoding.UTF8.GetBytes($$"""{"SchemaVersion":"1.0","Actions":[{{action}}]}""");

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.InputStream);
            Interlocked.Increment(ref _events);
            var body = Answer(doc.RootElement);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is JsonException or HttpListenerException or IOException)
        {
            context.Response.Abort();
        }
    }

    private byte[] Answer(JsonElement e)
    {
        var type = e.GetProperty("InvocationEventType").GetString();
        switch (type)
        {
            case "NEW_INBOUND_CALL":
                var to = e.GetProperty("CallDetails").GetProperty("Participants")[0].GetProperty("To").GetString();
                return to == MediaNumber ? Long : Collect;
            case "ACTION_SUCCESSFUL" when e.GetProperty("ActionData").GetProperty("Type").GetString() == "PlayAudioAndGetDigits":
                Interlocked.Increment(ref _digitsCollected);
                return Hangup;
            case "ACTION_FAILED":
                Interlocked.Increment(ref _actionFailures);
                return Hangup;
            default:
                return Nothing;
        }
    }
}
