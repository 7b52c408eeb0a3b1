using OpenSma.Engine.Virtual;
using OpenSma.Host.Calls;

namespace OpenSma.Host.Tests.Calls;

public sealed class CallScriptTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("3", 3_000)]
    public void Durations_TryParse_ReadsTheUnits(string text, int milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-1s")]
    public void Durations_TryParse_RejectsNonsense(string text) => Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void ParseDigits_TimedAndUntimed_FollowEachOther()
    {
        var cues = CallScript.ParseDigits("1@3s,2,#").Cast<DigitCue>().ToList();
        Assert.Equal(['1', '2', '#'], cues.Select(c => c.Digit));
        Assert.Equal([3000d, 3500d, 4000d], cues.Select(c => c.At.TotalMilliseconds));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("X")]
    [InlineData("1@later")]
    public void ParseDigits_BadEntry_IsAClearError(string script)
    {
        var error = Assert.Throws<CallScriptException>(() => CallScript.ParseDigits(script));
        Assert.StartsWith("--digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseCallee_AnswerWithCues()
    {
        var (number, party) = CallScript.ParseCallee("+14155550123=answer@4s;digits=9@1s;hangup=10s");
        Assert.Equal("+14155550123", number);
        Assert.Equal(VirtualAnswer.Answer, party.Answer);
        Assert.Equal(TimeSpan.FromSeconds(4), party.RingFor);
        Assert.Equal(2, party.Cues.Count);
        Assert.Equal(TimeSpan.FromSeconds(10), Assert.IsType<HangupCue>(party.Cues[1]).At);
    }

    [Theory]
    [InlineData("+1555=busy", VirtualAnswer.Busy, 603)]
    [InlineData("+1555=noanswer", VirtualAnswer.NoAnswer, 603)]
    [InlineData("+1555=reject:486@1s", VirtualAnswer.Reject, 486)]
    public void ParseCallee_AnswerKinds(string spec, VirtualAnswer answer, int rejectCode)
    {
        var (_, party) = CallScript.ParseCallee(spec);
        Assert.Equal(answer, party.Answer);
        Assert.Equal(rejectCode, party.RejectCode);
    }

    [Theory]
    [InlineData("+1555")]
    [InlineData("+1555=pickup")]
    [InlineData("+1555=reject:99")]
    [InlineData("+1555=answer;dance=yes")]
    public void ParseCallee_Bad_IsAClearError(string spec) =>
        Assert.StartsWith("--callee", Assert.Throws<CallScriptException>(() => CallScript.ParseCallee(spec)).Message, StringComparison.Ordinal);

    [Fact]
    public void ParseSay_MissingFile_IsAClearError() =>
        Assert.Contains("does not exist", Assert.Throws<CallScriptException>(() => CallScript.ParseSay("/no/such.wav@1s", "--say")).Message, StringComparison.Ordinal);

    [Fact]
    public void ParseSay_NotAWav_IsAClearError()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "hello");
            Assert.Contains("not a usable WAV", Assert.Throws<CallScriptException>(() => CallScript.ParseSay(path, "--say")).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
