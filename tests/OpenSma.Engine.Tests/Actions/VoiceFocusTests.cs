using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Actions;

/// <summary>VoiceFocus (spec §7.16) reaching the leg: its audio, its persistent state, its events and its rate limit.</summary>
public sealed class VoiceFocusTests
{
    private const string Record =
        """{"Type":"RecordAudio","Parameters":{"DurationInSeconds":4,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"recordings-bucket"}}}""";

    private static string VoiceFocus(bool enable) =>
        A.Action("VoiceFocus", "{\"CallId\":\"{LEG-A}\",\"Enable\":" + (enable ? "true" : "false") + "}");

    private static PcmAudio Noise(TimeSpan length)
    {
        var random = new Random(11);
        var samples = new short[PcmAudio.SamplesFor(length)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)random.Next(-3000, 3001);
        }

        return new PcmAudio(samples);
    }

    private static async Task<double> RecordedNoiseChangeDbAsync(bool enable)
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(GoldenScenarios.Fill(VoiceFocus(enable), e), Record)
            : ActionList(A.Hangup());
        var noise = Noise(TimeSpan.FromSeconds(8));
        var (tx, _) = h.StartInbound(new SayCue(TimeSpan.Zero, noise));
        await h.RunToEndAsync(tx);

        var recorded = h.Handler.Events.Single(e => e.Type() == EventTypes.ActionSuccessful && e.Str("ActionData.Type") == "RecordAudio");
        var key = recorded.Str("ActionData.RecordingDestination.Key")!;
        var wav = WavReader.Decode(File.ReadAllBytes(Path.Combine(h.Store.Root, "recordings-bucket", key)));
        Assert.NotNull(wav.Audio);

        // Seconds 1.5 to 3.5 of the recording: past the suppressor's learning time.
        var heard = wav.Audio!.Samples.Span[12000..28000];
        return 20 * Math.Log10(Signal.Rms(heard) / Signal.Rms(noise.Samples.Span[12000..28000]));
    }

    [Fact]
    public async Task VoiceFocus_Enabled_RecordingOfTheCallerHasItsNoiseSuppressed()
    {
        var change = await RecordedNoiseChangeDbAsync(enable: true);
        Assert.True(change < -12, $"recorded noise changed by {change:F1} dB");
    }

    [Fact]
    public async Task VoiceFocus_Disabled_RecordingOfTheCallerKeepsItsLevel()
    {
        var change = await RecordedNoiseChangeDbAsync(enable: false);
        Assert.InRange(change, -1, 1);
    }

    [Fact]
    public async Task VoiceFocus_EnableThenDisable_StatePersistsOnTheLeg_AndEndsAListWithSuccess()
    {
        await using var h = new EngineHarness();
        // The leg exists before the call starts: the mailbox may run the first events before
        // StartInbound has even returned to this thread.
        var leg = h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());
        var states = new List<bool>();
        h.Handler.Reply = e =>
        {
            states.Add(leg.VoiceFocusEnabled);
            return h.Handler.Events.Count switch
            {
                1 => ActionList(GoldenScenarios.Fill(VoiceFocus(true), e)),
                2 => ActionList(A.Pause(500)),
                3 => ActionList(GoldenScenarios.Fill(VoiceFocus(false), e)),
                _ => ActionList(A.Hangup()),
            };
        };
        var tx = h.Engine.StartInboundCall(h.Application, leg, "rule-1");
        await h.RunToEndAsync(tx);

        // State seen by each invocation: before enabling, enabled, still enabled after a Pause, disabled.
        Assert.Equal([false, true, true, false], states.Take(4));
        var enabled = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, enabled.Type());
        Assert.Equal("VoiceFocus", enabled.Str("ActionData.Type"));
        Assert.Equal(leg.CallId, enabled.Str("ActionData.Parameters.CallId"));
        Assert.Equal("true", enabled.Str("ActionData.Parameters.Enable"));
        Assert.Equal(
            ["Parameters", "Type"],
            enabled.ActionData().EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("false", h.Handler.Events[3].Str("ActionData.Parameters.Enable"));
        Assert.False(leg.VoiceFocusEnabled);
    }

    [Fact]
    public async Task VoiceFocus_InTheMiddleOfAList_IsSilent()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(GoldenScenarios.Fill(VoiceFocus(true), e), A.Pause(300))
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var reports = h.Handler.Events.Where(e => e.Type() is EventTypes.ActionSuccessful or EventTypes.ActionFailed).ToList();
        var only = Assert.Single(reports);
        Assert.Equal("Pause", only.Str("ActionData.Type"));
        Assert.True(leg.VoiceFocusEnabled);
    }

    [Fact]
    public async Task VoiceFocus_SixthInOneSecond_FailsThrottled_AndTheLegKeepsTheFifthState()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList([.. new[] { true, false, true, false, true, false }.Select(on => GoldenScenarios.Fill(VoiceFocus(on), e))])
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var failed = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionFailed, failed.Type());
        Assert.Equal("VoiceFocus", failed.Str("ActionData.Type"));
        Assert.Equal("ActionExecutionThrottled", failed.Str("ActionData.ErrorType"));
        Assert.Equal("Failed to run action. The maximum number of actions per second has been reached.", failed.Str("ActionData.ErrorMessage"));
        Assert.Equal("false", failed.Str("ActionData.Parameters.Enable"));
        Assert.True(leg.VoiceFocusEnabled);
    }

    [Fact]
    public async Task VoiceFocus_FiveThenAPauseOfOneSecond_TheNextOneRuns()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(
                [.. Enumerable.Range(0, 5).Select(i => GoldenScenarios.Fill(VoiceFocus(i % 2 == 0), e)),
                 A.Pause(1000),
                 GoldenScenarios.Fill(VoiceFocus(false), e)])
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var success = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, success.Type());
        Assert.Equal("VoiceFocus", success.Str("ActionData.Type"));
        Assert.False(leg.VoiceFocusEnabled);
    }
}
