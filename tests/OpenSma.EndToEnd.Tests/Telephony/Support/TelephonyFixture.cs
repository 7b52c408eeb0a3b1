using OpenSma.Media.Audio;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// One <c>opensma serve</c> process per test class, with a scratch directory and a prompts bucket:
/// <c>greeting.wav</c> (2 s of 700 Hz, then 1 s of silence) and <c>long.wav</c> (20 s of 500 Hz).
/// </summary>
public sealed class TelephonyFixture : IAsyncLifetime
{
    public const string Bucket = "prompts";
    public static readonly TimeSpan Greeting = TimeSpan.FromSeconds(2);

    internal ServeProcess Serve { get; private set; } = null!;

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("opensma-tel-").FullName;

    public static string PlayAudio(string key, string? participantTag = null) =>
        "{\"Type\":\"PlayAudio\",\"Parameters\":{" + Tag(participantTag) + "\"AudioSource\":{\"Type\":\"S3\",\"BucketName\":\"" + Bucket + "\",\"Key\":\"" + key + "\"}}}";

    public static string Hangup(string? participantTag = null) =>
        "{\"Type\":\"Hangup\",\"Parameters\":{" + Tag(participantTag) + "\"SipResponseCode\":\"0\"}}";

    public static string GetDigits(string key) =>
        $$$"""{"Type":"PlayAudioAndGetDigits","Parameters":{"AudioSource":{"Type":"S3","BucketName":"{{{Bucket}}}","Key":"{{{key}}}"},"FailureAudioSource":{"Type":"S3","BucketName":"{{{Bucket}}}","Key":"{{{key}}}"},"MinNumberOfDigits":2,"MaxNumberOfDigits":5,"TerminatorDigits":["#"],"InBetweenDigitsDurationInMilliseconds":8000,"Repeat":2,"RepeatDurationInMilliseconds":15000}}""";

    private static string Tag(string? participantTag) => participantTag is null ? "" : $"\"ParticipantTag\":\"{participantTag}\",";

    public async Task InitializeAsync()
    {
        Serve = await ServeProcess.StartAsync(WorkDirectory);
        var bucket = Path.Combine(Serve.DataDirectory, "buckets", Bucket);
        Directory.CreateDirectory(bucket);
        Signal.WriteWav(Path.Combine(bucket, "greeting.wav"), PcmAudio.Concat(Signal.Tone(Greeting, 700), PcmAudio.Silence(TimeSpan.FromSeconds(1))));
        Signal.WriteWav(Path.Combine(bucket, "long.wav"), Signal.Tone(TimeSpan.FromSeconds(20), 500));
    }

    public async Task DisposeAsync()
    {
        await Serve.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
