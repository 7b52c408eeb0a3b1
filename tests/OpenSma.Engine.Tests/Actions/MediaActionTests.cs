using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Actions;

/// <summary>Executors that work on a leg's audio and digits, checked through what the far end heard and said.</summary>
public sealed class MediaActionTests
{
    private const string GetDigitsTemplate =
        """{"Type":"PlayAudioAndGetDigits","Parameters":{"AudioSource":{"Type":"S3","BucketName":"prompts-bucket","Key":"menu.wav"},"FailureAudioSource":{"Type":"S3","BucketName":"prompts-bucket","Key":"retry.wav"},EXTRA}}""";

    private static string GetDigits(string extra) => GetDigitsTemplate.Replace("EXTRA", extra, StringComparison.Ordinal);

    [Fact]
    public async Task PlayAudio_Repeat_PlaysTheFileThatManyTimes_EchoShowsDefaults()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("half.wav", TimeSpan.FromMilliseconds(500));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Play("half.wav", ",\"Repeat\":\"3\"")) : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var success = h.Handler.Events[1];
        Assert.Equal("\"3\"", success.Str("ActionData.Parameters.Repeat") is { } r ? $"\"{r}\"" : null);
        Assert.Equal("LEG-A", success.Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal(leg.CallId, success.Str("ActionData.Parameters.CallId"));
        var heard = leg.Heard().Samples.Span;
        Assert.InRange(heard.Length, 12000, 12400);
        Assert.True(Signal.Rms(heard[..12000]) > 1000, "the prompt played three times back to back");
    }

    [Fact]
    public async Task PlayAudio_DefaultRepeat_IsEchoedAsOne()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("half.wav", TimeSpan.FromMilliseconds(500));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Play("half.wav")) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal("1", h.Handler.Events[1].Str("ActionData.Parameters.Repeat"));
    }

    [Fact]
    public async Task PlayAudio_PlaybackTerminator_StopsAtOnce_NoFurtherRepeats()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("long.wav", TimeSpan.FromSeconds(10));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(A.Play("long.wav", ",\"Repeat\":5,\"PlaybackTerminators\":[\"#\",\"0\"]"))
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound(new DigitCue(TimeSpan.FromSeconds(1), '5'), new DigitCue(TimeSpan.FromSeconds(2), '0'));
        await h.RunToEndAsync(tx);

        Assert.Equal(EventTypes.ActionSuccessful, h.Handler.Events[1].Type());
        Assert.InRange(leg.Heard().Duration.TotalSeconds, 1.95, 2.1);
    }

    [Theory]
    [InlineData(8000, 8, 1)]
    [InlineData(44100, 16, 2)]
    [InlineData(16000, 24, 1)]
    [InlineData(48000, 32, 2)]
    public async Task PlayAudio_AnyPcmWav_IsConvertedAndKeepsItsDuration(int rate, int bits, int channels)
    {
        await using var h = new EngineHarness();
        var path = Path.Combine(h.Store.Root, EngineHarness.Bucket, "odd.wav");
        File.WriteAllBytes(path, TestWav.Tone(rate, bits, channels, TimeSpan.FromSeconds(1), 440));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Play("odd.wav")) : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal(EventTypes.ActionSuccessful, h.Handler.Events[1].Type());
        var heard = leg.Heard().Samples.Span;
        Assert.InRange(heard.Length, 7900, 8200);
        Assert.True(Signal.Rms(heard[400..7600]) > 2000);
    }

    [Theory]
    [InlineData("not a wav at all")]
    [InlineData("RIFF\u0004\0\0\0WAVE")]
    public async Task PlayAudio_UnreadableFile_FailsWithInvalidAudioSource(string content)
    {
        await using var h = new EngineHarness();
        File.WriteAllText(Path.Combine(h.Store.Root, EngineHarness.Bucket, "bad.wav"), content);
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Play("bad.wav")) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal(EventTypes.ActionFailed, h.Handler.Events[1].Type());
        Assert.Equal("InvalidAudioSource", h.Handler.Events[1].Str("ActionData.ErrorType"));
        Assert.Equal("Audio Source parameter value is invalid.", h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task PlayAudioAndGetDigits_TypeAheadDuringPrompt_TerminatorStripped()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("menu.wav", TimeSpan.FromSeconds(3));
        h.AddPrompt("retry.wav", TimeSpan.FromSeconds(1));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(GetDigits("\"MinNumberOfDigits\":2,\"MaxNumberOfDigits\":4,\"RepeatDurationInMilliseconds\":5000,\"InBetweenDigitsDurationInMilliseconds\":2000"))
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound(
            new DigitCue(TimeSpan.FromSeconds(1), '1'),
            new DigitCue(TimeSpan.FromSeconds(1.5), '2'),
            new DigitCue(TimeSpan.FromSeconds(2), '3'),
            new DigitCue(TimeSpan.FromSeconds(2.5), '#'));
        await h.RunToEndAsync(tx);

        var success = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, success.Type());
        Assert.Equal("123", success.Str("ActionData.ReceivedDigits"));
        Assert.Equal("[\"#\"]", success.Str("ActionData.Parameters.TerminatorDigits"));
        // The first digit stopped the 3 s prompt after 1 s (barge-in).
        var heard = leg.Heard().Samples.Span;
        Assert.True(Signal.Rms(heard[8400..16000]) < 50, "the prompt stopped when the caller started typing");
    }

    [Fact]
    public async Task PlayAudioAndGetDigits_RegexMismatch_PlaysFailureAudio_RetriesThenSucceeds()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("menu.wav", TimeSpan.FromSeconds(1));
        h.AddPrompt("retry.wav", TimeSpan.FromSeconds(1));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(GetDigits("\"InputDigitsRegex\":\"^[1-4]$\",\"MaxNumberOfDigits\":1,\"Repeat\":3,\"RepeatDurationInMilliseconds\":3000"))
            : ActionList(A.Hangup());
        // First attempt: 9 (does not match). Second attempt starts after 1 s failure audio + 1 s prompt.
        var (tx, _) = h.StartInbound(new DigitCue(TimeSpan.FromSeconds(1.5), '9'), new DigitCue(TimeSpan.FromSeconds(4.0), '3'));
        await h.RunToEndAsync(tx);

        Assert.Equal("3", h.Handler.Events[1].Str("ActionData.ReceivedDigits"));
    }

    [Fact]
    public async Task PlayAudioAndGetDigits_NoInputAfterAllAttempts_FailsWithDigitsNotReceived()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("menu.wav", TimeSpan.FromSeconds(1));
        h.AddPrompt("retry.wav", TimeSpan.FromSeconds(1));
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(GetDigits("\"MinNumberOfDigits\":1,\"Repeat\":2,\"RepeatDurationInMilliseconds\":2000"))
            : ActionList(A.Hangup());
        var start = h.Time.GetUtcNow();
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var failed = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionFailed, failed.Type());
        Assert.Equal("DigitsNotReceived", failed.Str("ActionData.ErrorType"));
        // prompt 1 s + wait 2 s + failure 1 s + prompt 1 s + wait 2 s = 7 s
        Assert.InRange(leg.Heard().Duration.TotalSeconds, 6.9, 7.2);
        Assert.True((h.Time.GetUtcNow() - start).TotalSeconds >= 7);
    }

    [Fact]
    public async Task RecordAudio_StopsOnSilence_WritesTheCallerAudioAsWav()
    {
        await using var h = new EngineHarness();
        const string record = """{"Type":"RecordAudio","Parameters":{"DurationInSeconds":30,"SilenceDurationInSeconds":2,"SilenceThreshold":100,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"recordings-bucket","Prefix":"vm/"}}}""";
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(record) : ActionList(A.Hangup());
        var voice = ToneGenerator.Beep(TimeSpan.FromSeconds(3), 300);
        var (tx, _) = h.StartInbound(new SayCue(TimeSpan.FromSeconds(0.5), voice));
        await h.RunToEndAsync(tx);

        var success = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, success.Type());
        Assert.Equal("RecordAudio", success.Str("ActionData.Type"));
        Assert.Equal("recordings-bucket", success.Str("ActionData.RecordingDestination.BucketName"));
        Assert.Null(success.Str("ActionData.RecordingTerminatorUsed"));
        var key = success.Str("ActionData.RecordingDestination.Key")!;
        Assert.StartsWith("vm/" + tx.TransactionId + "_", key, StringComparison.Ordinal);
        var wav = WavReader.Decode(File.ReadAllBytes(Path.Combine(h.Store.Root, "recordings-bucket", key)));
        Assert.NotNull(wav.Audio);
        // 0.5 s quiet + 3 s voice + 2 s of silence that ended it.
        Assert.InRange(wav.Audio!.Duration.TotalSeconds, 5.3, 5.8);
        Assert.True(Signal.Rms(wav.Audio.Samples.Span[8000..24000]) > 1000);
        var meta = h.Store.ReadMetadata("recordings-bucket", key)!;
        Assert.Equal(tx.TransactionId, meta["transaction-id"]);
    }

    [Fact]
    public async Task RecordAudio_Terminator_EndsRecording_AndIsReported()
    {
        await using var h = new EngineHarness();
        const string record = """{"Type":"RecordAudio","Parameters":{"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"recordings-bucket"}}}""";
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(record) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound(new DigitCue(TimeSpan.FromSeconds(4), '#'));
        await h.RunToEndAsync(tx);
        Assert.Equal("#", h.Handler.Events[1].Str("ActionData.RecordingTerminatorUsed"));
    }

    [Fact]
    public async Task RecordAudio_Duration_EndsRecording()
    {
        await using var h = new EngineHarness();
        const string record = """{"Type":"RecordAudio","Parameters":{"DurationInSeconds":"3","RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"recordings-bucket"}}}""";
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(record) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound(new SayCue(TimeSpan.Zero, ToneGenerator.Beep(TimeSpan.FromSeconds(10), 300)));
        await h.RunToEndAsync(tx);
        var key = h.Handler.Events[1].Str("ActionData.RecordingDestination.Key")!;
        var wav = WavReader.Decode(File.ReadAllBytes(Path.Combine(h.Store.Root, "recordings-bucket", key))).Audio!;
        Assert.InRange(wav.Duration.TotalSeconds, 2.95, 3.05);
    }

    [Fact]
    public async Task RecordAudio_UploadToMissingBucket_FailsWithTheDocumentedMessage()
    {
        await using var h = new EngineHarness();
        const string record = """{"Type":"RecordAudio","Parameters":{"DurationInSeconds":1,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"no-such-bucket"}}}""";
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(record) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal("Error occurred while uploading recording to S3 bucket.", h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task CallRecording_Both_WritesStereoWithIncomingLeftOutgoingRight_PauseKeepsLength()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("prompt.wav", TimeSpan.FromSeconds(2));
        string? callId = null;
        h.Handler.Reply = e =>
        {
            callId ??= e.Participants()[0].Str("CallId");
            return (e.Type(), e.Str("ActionData.Type")) switch
            {
                (EventTypes.NewInboundCall, _) => ActionList(
                    A.Action("StartCallRecording", $$$"""{"CallId":"{{{callId}}}","Track":"BOTH","Destination":{"Type":"S3","Location":"recordings-bucket/support"}}""")),
                (EventTypes.ActionSuccessful, "StartCallRecording") => ActionList(
                    A.Play("prompt.wav"),
                    A.Action("PauseCallRecording", $$"""{"CallId":"{{callId}}"}"""),
                    A.Pause(1000),
                    A.Action("ResumeCallRecording", $$"""{"CallId":"{{callId}}"}"""),
                    A.Pause(1000),
                    A.Action("StopCallRecording", $$"""{"CallId":"{{callId}}"}""")),
                _ => ActionList(A.Hangup()),
            };
        };
        var (tx, _) = h.StartInbound(new SayCue(TimeSpan.FromSeconds(2.5), ToneGenerator.Beep(TimeSpan.FromSeconds(2), 300)));
        await h.RunToEndAsync(tx);

        var started = h.Handler.Events[1];
        var location = started.Str("ActionData.CallRecordingDestination.Location")!;
        Assert.Matches($"^recordings-bucket/support/2026/11/24/2026-11-24-12-00-00-000_{tx.TransactionId}_{callId}\\.wav$", location);
        var bytes = File.ReadAllBytes(Path.Combine(h.Store.Root, location));
        Assert.Equal(2, BitConverter.ToInt16(bytes, 22));
        var samples = (bytes.Length - 44) / 4;
        // 2 s prompt + 1 s paused + 1 s = 4 s; paused time stays in the file.
        Assert.InRange(samples / 8000.0, 3.95, 4.1);
        var left = new short[samples];
        var right = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            left[i] = BitConverter.ToInt16(bytes, 44 + (i * 4));
            right[i] = BitConverter.ToInt16(bytes, 46 + (i * 4));
        }

        Assert.True(Signal.Rms(right.AsSpan(2000, 12000)) > 1000, "outgoing (right) carries the prompt");
        Assert.True(Signal.Rms(left.AsSpan(2000, 12000)) < 50, "incoming (left) is quiet while the caller is silent");
        // Paused at 2 s (tone until 2.25 s) and resumed at 3 s: the caller, speaking from 2.5 s, is not recorded then.
        Assert.True(Signal.Rms(right.AsSpan(18400, 5200)) < 50 && Signal.Rms(left.AsSpan(18400, 5200)) < 50, "paused time is silence");
        Assert.True(Signal.Rms(left.AsSpan(26400, 4800)) > 1000, "the caller's voice was recorded after resume");
    }

    [Fact]
    public async Task StartCallRecording_TwiceOnOneLeg_SecondFails_WithCombinedErrorField()
    {
        await using var h = new EngineHarness();
        string? callId = null;
        var start = """{"Type":"StartCallRecording","Parameters":{"CallId":"CALL","Track":"INCOMING","Destination":{"Type":"S3","Location":"recordings-bucket"}}}""";
        h.Handler.Reply = e =>
        {
            callId ??= e.Participants()[0].Str("CallId");
            return e.Type() switch
            {
                EventTypes.NewInboundCall => ActionList(start.Replace("CALL", callId, StringComparison.Ordinal)),
                EventTypes.ActionSuccessful => ActionList(start.Replace("CALL", callId, StringComparison.Ordinal)),
                _ => ActionList(A.Hangup()),
            };
        };
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        var failed = h.Handler.Events[2];
        Assert.Equal(EventTypes.ActionFailed, failed.Type());
        Assert.Equal("InvalidActionParameter: Call recording can be started only once per leg.", failed.Str("ActionData.Error"));
        Assert.StartsWith("Amazon-Chime-SMA-Call-Recordings/", h.Handler.Events[1].Str("ActionData.CallRecordingDestination.Location")!["recordings-bucket/".Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendDigits_TheFarEndReceivesThemAsTones()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(A.Action("SendDigits", $$"""{"CallId":"{{e.Participants()[0].Str("CallId")}}","Digits":"12,#","ToneDurationInMilliseconds":100}"""))
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal("12#", leg.DigitsHeard());
        // Three 100 ms tones with 100 ms gaps and a 500 ms pause.
        Assert.InRange(leg.Heard().Duration.TotalSeconds, 1.05, 1.2);
        Assert.Equal("100", h.Handler.Events[1].Str("ActionData.Parameters.ToneDurationInMilliseconds"));
    }
}

internal static class TestWav
{
    /// <summary>A PCM WAV of a sine tone in the given format (8-bit unsigned, 16/24/32-bit signed).</summary>
    public static byte[] Tone(int rate, int bits, int channels, TimeSpan length, double hz)
    {
        var frames = (int)(rate * length.TotalSeconds);
        var bytesPerSample = bits / 8;
        var data = new byte[frames * channels * bytesPerSample];
        for (var i = 0; i < frames; i++)
        {
            var v = Math.Sin(2 * Math.PI * hz * i / rate) * 0.5;
            for (var c = 0; c < channels; c++)
            {
                var offset = ((i * channels) + c) * bytesPerSample;
                switch (bits)
                {
                    case 8:
                        data[offset] = (byte)(128 + (v * 127));
                        break;
                    case 16:
                        BitConverter.TryWriteBytes(data.AsSpan(offset), (short)(v * short.MaxValue));
                        break;
                    case 24:
                        var s24 = (int)(v * 8388607);
                        data[offset] = (byte)s24;
                        data[offset + 1] = (byte)(s24 >> 8);
                        data[offset + 2] = (byte)(s24 >> 16);
                        break;
                    default:
                        BitConverter.TryWriteBytes(data.AsSpan(offset), (int)(v * int.MaxValue));
                        break;
                }
            }
        }

        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8);
        w.Write(36 + data.Length);
        w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)channels);
        w.Write(rate);
        w.Write(rate * channels * bytesPerSample);
        w.Write((short)(channels * bytesPerSample));
        w.Write((short)bits);
        w.Write("data"u8);
        w.Write(data.Length);
        w.Write(data);
        w.Flush();
        return ms.ToArray();
    }
}
