using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;

namespace OpenSma.Host.Calls;

/// <summary>
/// Turns the virtual phone options of <c>opensma call</c> into a <see cref="VirtualParty"/>:
/// <c>--digits "1@3s,2,#"</c> (a digit without a time comes 500 ms after the previous one),
/// <c>--say hello.wav@2s</c>, <c>--hangup-after 30s</c>, and callee descriptions such as
/// <c>+14155550123=answer@2s;digits=1@1s;say=hi.wav@0.5s;hangup=10s</c>. The part after the
/// number (<see cref="ParseParty"/>) is also the script of serve's <c>VirtualPhones</c> section.
/// </summary>
internal static class CallScript
{
    public static readonly TimeSpan DigitSpacing = TimeSpan.FromMilliseconds(500);

    public static List<VirtualCue> ParseDigits(string? script, string option = "--digits")
    {
        var cues = new List<VirtualCue>();
        if (string.IsNullOrWhiteSpace(script))
        {
            return cues;
        }

        var at = TimeSpan.Zero;
        foreach (var raw in script.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = raw.Split('@', 2);
            if (parts[0].Length != 1 || !"0123456789*#ABCD".Contains(parts[0][0], StringComparison.Ordinal))
            {
                throw new CallScriptException($"{option}: '{raw}' is not a digit (0-9, *, #, A-D), optionally with @TIME.");
            }

            at = parts.Length == 2 ? Durations.Parse(parts[1], option) : at + DigitSpacing;
            cues.Add(new DigitCue(at, parts[0][0]));
        }

        return cues;
    }

    public static SayCue ParseSay(string spec, string option)
    {
        var at = TimeSpan.Zero;
        var path = spec;
        var sep = spec.LastIndexOf('@');
        if (sep > 0 && Durations.TryParse(spec[(sep + 1)..], out var parsed))
        {
            at = parsed;
            path = spec[..sep];
        }

        if (!File.Exists(path))
        {
            throw new CallScriptException($"{option}: the file '{path}' does not exist.");
        }

        var decoded = WavReader.Decode(File.ReadAllBytes(path));
        return decoded.Audio is { } audio
            ? new SayCue(at, audio)
            : throw new CallScriptException($"{option}: '{path}' is not a usable WAV file: {decoded.Error}");
    }

    /// <summary>NUMBER=answer[@ring]|busy[@ring]|noanswer|reject[:code][@ring] followed by ;digits=..;say=..;hangup=..</summary>
    public static (string Number, VirtualParty Party) ParseCallee(string spec)
    {
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new CallScriptException($"--callee: '{spec}' must look like +14155550123=answer@2s");
        }

        var number = spec[..eq];
        return (number, ParseParty(spec[(eq + 1)..], "--callee", $"how {number} answers"));
    }

    /// <summary>
    /// A phone's script: answer[@ring]|busy[@ring]|noanswer|reject[:code][@ring] followed by
    /// ;digits=..;say=..;hangup=.. Errors start with <paramref name="option"/> (the option or
    /// configuration key the script came from) and quote the part that is wrong.
    /// </summary>
    public static VirtualParty ParseParty(string script, string option, string? what = null)
    {
        var items = script.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            throw new CallScriptException($"{option}: '{script}' says nothing about {what ?? "how the phone answers"} (example: answer@2s;hangup=10s).");
        }

        var party = ParseAnswer(items[0], option);
        var cues = new List<VirtualCue>();
        foreach (var item in items.Skip(1))
        {
            var kv = item.Split('=', 2);
            var value = kv.Length == 2 ? kv[1] : string.Empty;
            switch (kv[0])
            {
                case "digits":
                    cues.AddRange(ParseDigits(value, option + " digits"));
                    break;
                case "say":
                    cues.Add(ParseSay(value, option + " say"));
                    break;
                case "hangup":
                    cues.Add(new HangupCue(Durations.Parse(value, option + " hangup")));
                    break;
                default:
                    throw new CallScriptException($"{option}: unknown item '{kv[0]}' (use digits=, say=, hangup=).");
            }
        }

        return party with { Cues = cues };
    }

    private static VirtualParty ParseAnswer(string text, string option)
    {
        var at = text.Split('@', 2);
        var ring = at.Length == 2 ? Durations.Parse(at[1], option) : TimeSpan.FromSeconds(2);
        var kind = at[0].Split(':', 2);
        return kind[0] switch
        {
            "answer" => new VirtualParty { RingFor = ring },
            "busy" => new VirtualParty { Answer = VirtualAnswer.Busy, RingFor = ring },
            "noanswer" => new VirtualParty { Answer = VirtualAnswer.NoAnswer },
            "reject" => new VirtualParty
            {
                Answer = VirtualAnswer.Reject,
                RingFor = ring,
                RejectCode = kind.Length == 2 && int.TryParse(kind[1], out var code) && code is >= 400 and <= 699
                    ? code
                    : kind.Length == 2 ? throw new CallScriptException($"{option}: '{kind[1]}' is not a SIP error code (400-699).") : 603,
            },
            _ => throw new CallScriptException($"{option}: '{kind[0]}' is not answer, busy, noanswer or reject (the script starts with how the phone answers)."),
        };
    }
}
