using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Host.Calls;

/// <summary>
/// Places one virtual call into an SMA handler and prints its ladder (<c>opensma call</c>).
/// Exit codes: 0 the call ended with every leg hung up; 1 the engine released the call because
/// the handler failed (invocation failure, timeout, empty first reply, invocation limit);
/// 3 the call was still up at the maximum duration.
/// </summary>
internal static class VirtualCallRunner
{
    public const int Ended = 0;
    public const int HandlerFailed = 1;
    public const int StillUp = 3;

    public static async Task<int> RunAsync(VirtualCallOptions options, TextWriter output, IEnumerable<IHandlerEndpointResolver> extraResolvers, CancellationToken cancellationToken)
    {
        var fake = options.Fast ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null;
        TimeProvider time = fake ?? TimeProvider.System;
        var activity = new ActivityTracker();
        using var network = new VirtualNetwork(time);
        foreach (var (number, party) in options.Callees)
        {
            network.Register(number, party);
        }

        // The configuration's VirtualPhones ring as in serve with SIP off; a --callee for the number wins.
        var phones = options.ConfiguredPhonesNotOnCommandLine();
        var virtualPhones = new VirtualPhoneLegFactory(network, time, phones, sip: null, NullLogger.Instance);
        ICallLegFactory legs = phones.Count > 0 ? virtualPhones : network;

        var store = options.OpenObjects();
        // On virtual time the clock waits while a handler works in real time, so the engine's own
        // 5 s attempt timeout cannot fire then: the HTTP client enforces it in real time, and local
        // functions enforce their own timeout.
        using var http = new HttpHandlerResolver(options.Fast ? TimeSpan.FromSeconds(5) : null);
        IHandlerEndpointResolver[] resolvers = [http, .. extraResolvers];

        var trace = new LadderTrace(output, time, options.Json, options.Verbose);
        var engine = new CallEngine(new EngineOptions { AwsAccountId = options.AwsAccountId, AwsRegion = options.AwsRegion, Speech = options.Speech, ClockWaitsForHandlers = options.Fast }, time, store, legs, resolvers, activity: activity);

        var application = new SipMediaApplicationRef(options.SipMediaApplicationId, options.AwsAccountId, options.AwsRegion, options.Handler);
        var caller = network.CreateInbound(options.From, options.To, options.Caller, options.SipHeaders);
        var transaction = engine.StartInboundCall(application, caller, sipRuleId: "local-rule", trace);

        bool ended;
        if (fake is not null)
        {
            var driver = new VirtualTimeDriver(activity, fake.Advance);
            ended = await driver.RunUntilAsync(() => transaction.Completion.IsCompleted, options.MaxDuration, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            ended = await Task.WhenAny(transaction.Completion, Task.Delay(options.MaxDuration, cancellationToken)).ConfigureAwait(false) == transaction.Completion;
        }

        if (options.RecordDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            foreach (var leg in network.Legs.Concat(virtualPhones.PhoneLegs))
            {
                var name = leg == caller ? "caller-heard.wav" : $"{SipCallRunner.FileName(leg.To)}-heard.wav";
                await File.WriteAllBytesAsync(Path.Combine(dir, name), WavWriter.WriteMono(leg.Heard().Samples.Span), cancellationToken).ConfigureAwait(false);
            }
        }

        if (!ended)
        {
            transaction.Abort("maximum duration reached");
            await transaction.Completion.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            return StillUp;
        }

        var reason = await transaction.Completion.ConfigureAwait(false);
        return reason == "all legs ended" ? Ended : HandlerFailed;
    }
}
