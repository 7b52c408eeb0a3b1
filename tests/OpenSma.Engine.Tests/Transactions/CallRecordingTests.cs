using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Transactions;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Transactions;

/// <summary>StartCallRecording output against spec §7.9 and §11.2: key, WAV layout, metadata.</summary>
public sealed class CallRecordingTests
{
    [Theory]
    [InlineData(null, "Amazon-Chime-SMA-Call-Recordings/2024/03/01/2024-03-01-17-10-00-010_tx_call.wav")]
    [InlineData("support/en", "support/en/2024/03/01/2024-03-01-17-10-00-010_tx_call.wav")]
    [InlineData("support/", "support/2024/03/01/2024-03-01-17-10-00-010_tx_call.wav")]
    public void KeyFor_LegStartTime_GivesTheDocumentedKey(string? prefix, string expected)
    {
        var start = new DateTimeOffset(2024, 3, 1, 17, 10, 0, 10, TimeSpan.Zero);
        Assert.Equal(expected, CallRecording.KeyFor(prefix, start, "tx", "call"));
    }

    [Fact]
    public async Task StartCallRecording_Incoming_WritesMonoWavWithTheDocumentedMetadata_AtLegEnd()
    {
        await using var h = new EngineHarness();
        string? callId = null;
        h.Handler.Reply = e =>
        {
            callId ??= e.Participants()[0].Str("CallId");
            return (e.Type(), e.Str("ActionData.Type")) switch
            {
                (EventTypes.NewInboundCall, _) => ActionList(A.Action("StartCallRecording", $$$"""{"CallId":"{{{callId}}}","Track":"INCOMING","Destination":{"Type":"S3","Location":"recordings-bucket"}}""")),
                (EventTypes.ActionSuccessful, "StartCallRecording") => ActionList(A.Pause(3000), A.Hangup()),
                _ => ActionList(),
            };
        };
        var (tx, _) = h.StartInbound(new SayCue(TimeSpan.FromSeconds(0.5), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 300)));
        await h.RunToEndAsync(tx);

        var location = h.Handler.Events[1].Str("ActionData.CallRecordingDestination.Location")!;
        Assert.Equal("S3", h.Handler.Events[1].Str("ActionData.CallRecordingDestination.Type"));
        Assert.Matches($"^recordings-bucket/Amazon-Chime-SMA-Call-Recordings/2026/11/24/2026-11-24-12-00-00-000_{tx.TransactionId}_{callId}\\.wav$", location);
        var key = location["recordings-bucket/".Length..];
        var wav = File.ReadAllBytes(Path.Combine(h.Store.Root, "recordings-bucket", key));
        Assert.Equal(1, BitConverter.ToInt16(wav, 22));
        Assert.Equal(8000, BitConverter.ToInt32(wav, 24));
        Assert.Equal(16, BitConverter.ToInt16(wav, 34));
        var audio = WavReader.Decode(wav).Audio!;
        Assert.True(Signal.Rms(audio.Samples.Span[4000..12000]) > 1000, "the caller's tone is in the recording");

        var meta = h.Store.ReadMetadata("recordings-bucket", key)!;
        Assert.Equal("audio/wav", meta["Content-Type"]);
        Assert.Equal(tx.TransactionId, meta["transaction-id"]);
        Assert.Equal(callId, meta["call-id"]);
        Assert.Equal("audio/wav", meta["recording-audio-file-format"]);
        Assert.InRange(double.Parse(meta["recording-duration"], System.Globalization.CultureInfo.InvariantCulture), audio.Duration.TotalSeconds - 0.01, audio.Duration.TotalSeconds + 0.01);
        Assert.InRange(audio.Duration.TotalSeconds, 2.9, 3.2);
    }
}
