using System.Text;
using System.Text.Json;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Transactions;

/// <summary>
/// The event JSON handed to an invoker is a pooled buffer (IHandlerInvoker's lifetime contract): it
/// is reused only after an invocation that completed, never under an attempt the engine gave up on.
/// </summary>
public sealed class EventBufferLifetimeTests
{
    [Fact]
    public async Task TimedOutAttempt_KeepsReadingItsEvent_TheBufferIsNotReusedUnderIt()
    {
        await using var h = new EngineHarness();
        ReadOnlyMemory<byte> abandonedEvent = default;
        string? firstText = null;
        var calls = 0;
        h.Handlers.Register("slow-first", async (json, ct) =>
        {
            if (++calls == 1)
            {
                // The first attempt holds on to the event bytes and never answers in time.
                abandonedEvent = json;
                firstText = Encoding.UTF8.GetString(json.Span);
                await Task.Delay(Timeout.InfiniteTimeSpan, h.Time, ct);
            }

            var type = JsonDocument.Parse(json).RootElement.GetProperty("InvocationEventType").GetString();
            return Encoding.UTF8.GetBytes(type == EventTypes.NewInboundCall
                ? ActionList(A.Pause(100), A.Pause(100), A.Action("SendDigits", "{\"CallId\":\"x\"}"), A.Hangup())
                : ActionList(A.Pause(100), A.Hangup()));
        });
        var sma = new SipMediaApplicationRef("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("slow-first"));
        var leg = h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());
        var tx = h.Engine.StartInboundCall(sma, leg, "rule-1");
        await h.RunToEndAsync(tx);

        // Later events were written after the abandoned attempt; its bytes are still its own event.
        Assert.True(calls >= 3, $"only {calls} invocations");
        Assert.Equal(firstText, Encoding.UTF8.GetString(abandonedEvent.Span));
        Assert.Equal(EventTypes.NewInboundCall, JsonDocument.Parse(abandonedEvent).RootElement.GetProperty("InvocationEventType").GetString());
    }

    [Fact]
    public async Task CompletedInvocations_EachSeeTheirOwnEvent()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(A.Action("SendDigits", "{\"CallId\":\"nope\"}"))
            : e.Type() == EventTypes.ActionFailed ? ActionList(A.Pause(100), A.Pause(100), A.Hangup()) : null;
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);

        // The scripted handler parsed every buffer when it arrived: sequences run 1..n in order.
        var sequences = h.Handler.Events.Select(e => e.GetProperty("Sequence").GetInt32()).ToArray();
        Assert.Equal(Enumerable.Range(1, sequences.Length), sequences);
        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionFailed, EventTypes.Hangup], h.Handler.EventTypes);
    }
}
