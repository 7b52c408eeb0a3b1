using System.CommandLine;
using OpenSma.ControlPlane.S3;
using OpenSma.Engine.Speech;
using OpenSma.Engine.Virtual;
using OpenSma.Host.Calls;
using OpenSma.Storage.Objects;

namespace OpenSma.Host.Cli;

/// <summary>
/// <c>opensma call</c>: a virtual phone calls an SMA handler (no SIP, no phone needed), or with
/// <c>--sip</c> OpenSMA's own SIP phone places a real SIP/RTP call over loopback.
/// </summary>
internal static class CallCommand
{
    private static readonly HttpClient Http = new();

    public static Command Create(Option<string> dataDir)
    {
        var handler = new Option<string>("--handler")
        {
            Description = "The SMA handler: an http(s):// URL that receives events as JSON POSTs, or a Lambda function ARN registered with OpenSMA.",
            Required = true,
        };
        var from = new Option<string>("--from") { Description = "The calling number (E.164).", DefaultValueFactory = _ => "+15559870000" };
        var to = new Option<string>("--to") { Description = "The called number (E.164).", DefaultValueFactory = _ => "+15551230000" };
        var digits = new Option<string?>("--digits")
        {
            Description = "Digits the caller presses, e.g. \"1@3s,2,#\": a digit at a time after the answer; without a time, 500 ms after the previous one.",
        };
        var say = new Option<string[]>("--say")
        {
            Description = "A WAV file the caller speaks, optionally @TIME after the answer (e.g. hello.wav@2s). Repeatable; RecordAudio captures it.",
            AllowMultipleArgumentsPerToken = false,
        };
        var hangupAfter = new Option<string?>("--hangup-after") { Description = "The caller hangs up this long after the answer (e.g. 30s)." };
        var callee = new Option<string[]>("--callee")
        {
            Description = "How a number called by CallAndBridge behaves: NUMBER=answer[@RING]|busy[@RING]|noanswer|reject[:CODE][@RING], then ;digits=...;say=FILE@T;hangup=T. The configuration's VirtualPhones section adds more (a --callee wins over it for its number). Other numbers answer after 2 s.",
        };
        var header = new Option<string[]>("--header") { Description = "A SIP header on the caller's INVITE, NAME=VALUE (X-..., User-to-User, Diversion). Repeatable." };
        var sip = new Option<bool>("--sip") { Description = "Place a real SIP/RTP call over loopback: OpenSMA's engine, SIP endpoint and router on 127.0.0.1, dialled by OpenSMA's own SIP phone (not with --fast)." };
        var fast = new Option<bool>("--fast") { Description = "Run on virtual time: prompts and timeouts take no real time (handler latency is not counted)." };
        var json = new Option<bool>("--json") { Description = "Write the trace as JSON lines (one object per line) instead of the ladder." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print every event's full JSON." };
        var record = new Option<string?>("--record") { Description = "Directory to save what each virtual phone heard, as WAV (caller-heard.wav, NUMBER-heard.wav)." };
        var config = new Option<string?>("--config") { Description = "Configuration file (default opensma.json when present; OPENSMA_ environment variables override it, as for serve): local Lambda functions (Functions), bucket backends (Storage), text-to-speech (Speech), scripted virtual phones (VirtualPhones)." };
        var maxDuration = new Option<string>("--max-duration") { Description = "Give up when the call is still up after this long (exit code 3).", DefaultValueFactory = _ => "10m" };

        var command = new Command("call", "Place a virtual call into an SMA handler and print the event/action ladder. Exit code 0: the call ended with every leg hung up; 1: the handler failed and the call was released; 2: bad options; 3: still up at --max-duration.")
        {
            handler, from, to, digits, say, hangupAfter, callee, header, sip, fast, json, verbose, record, config, maxDuration,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var cues = new List<VirtualCue>(CallScript.ParseDigits(result.GetValue(digits)));
                cues.AddRange((result.GetValue(say) ?? []).Select(s => (VirtualCue)CallScript.ParseSay(s, "--say")));
                if (result.GetValue(hangupAfter) is { } h)
                {
                    cues.Add(new HangupCue(Durations.Parse(h, "--hangup-after")));
                }

                var dataDirectory = result.GetValue(dataDir)!;
                var (objects, speech, phones) = ReadConfiguration(result.GetValue(config), dataDirectory);
                var options = new VirtualCallOptions
                {
                    Objects = objects,
                    Speech = speech,
                    Handler = result.GetValue(handler)!,
                    From = result.GetValue(from)!,
                    To = result.GetValue(to)!,
                    Caller = VirtualParty.Answering([.. cues]),
                    Callees = [.. (result.GetValue(callee) ?? []).Select(CallScript.ParseCallee)],
                    VirtualPhones = phones,
                    SipHeaders = ParseHeaders(result.GetValue(header)),
                    Fast = result.GetValue(fast),
                    Json = result.GetValue(json),
                    Verbose = result.GetValue(verbose),
                    RecordDirectory = result.GetValue(record),
                    DataDirectory = dataDirectory,
                    MaxDuration = Durations.Parse(result.GetValue(maxDuration)!, "--max-duration"),
                };
                if (result.GetValue(sip) && options.Fast)
                {
                    throw new CallScriptException("--fast runs on virtual time; a real SIP call (--sip) runs in real time.");
                }

                await using var functions = FunctionsWiring.Create(result.GetValue(config), options.DataDirectory);
                if (result.GetValue(sip))
                {
                    return await SipCallRunner.RunAsync(options, Console.Out, functions.Resolvers, cancellationToken);
                }

                return await VirtualCallRunner.RunAsync(options, Console.Out, functions.Resolvers, cancellationToken);
            }
            catch (CallScriptException ex)
            {
                await Console.Error.WriteLineAsync("opensma call: " + ex.Message);
                return 2;
            }
        });
        return command;
    }

    /// <summary>
    /// The same Storage, Speech and VirtualPhones sections as serve, from the same sources (the
    /// file, then OPENSMA_ environment variables; docs/storage.md, docs/speech.md, docs/telephony.md).
    /// A bad entry is a <see cref="CallScriptException"/> naming its key.
    /// </summary>
    internal static (IObjectStore Objects, ISpeechSynthesizer? Speech, VirtualPhones Phones) ReadConfiguration(string? path, string dataDirectory)
    {
        try
        {
            var configuration = ServeConfiguration.Load(path);
            return (
                ObjectStoreFactory.Create(ServeConfiguration.Storage(configuration), dataDirectory),
                ServeConfiguration.Speech(configuration, Http, TimeProvider.System),
                VirtualPhones.Read(configuration));
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new CallScriptException(ex.Message);
        }
    }

    private static Dictionary<string, string>? ParseHeaders(string[]? headers)
    {
        if (headers is not { Length: > 0 })
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in headers)
        {
            var eq = h.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CallScriptException($"--header: '{h}' must be NAME=VALUE.");
            }

            map[h[..eq]] = h[(eq + 1)..];
        }

        return map;
    }
}
