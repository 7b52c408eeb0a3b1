using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Runtime;

/// <summary>
/// On virtual time the clock may only move once the engine has nothing left to do at the current
/// instant. These tests cover the hand-offs where work leaves the mailbox and comes back (a handler
/// working in real time, a digit or an answer resuming a waiting action): the clock must not move
/// in between, so a run gives the same timings every time.
/// </summary>
public sealed class VirtualClockHandoffTests
{
    [Fact]
    public async Task ClockWaitsForHandlers_HandlerWorkingInRealTime_ClockStandsStillUntilTheReplyIsApplied()
    {
        await using var h = new EngineHarness(new EngineOptions { ClockWaitsForHandlers = true });
        var sentAt = new List<DateTimeOffset>();
        h.Handler.Before = async (_, ct) =>
        {
            lock (sentAt)
            {
                sentAt.Add(h.Time.GetUtcNow());
            }

            // Real time: far longer than the driver needs to run 5 s of virtual time.
            await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System, ct);
        };
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(A.Pause(1000)),
            EventTypes.ActionSuccessful => ActionList(A.Hangup()),
            _ => null,
        };
        var (tx, _) = h.StartInbound();
        Assert.Equal("all legs ended", await h.RunToEndAsync(tx));

        // One attempt per event (no virtual attempt timeout), and the Pause took exactly its 1 s.
        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal(3, h.Handler.Invocations);
        Assert.Equal(TimeSpan.FromSeconds(1), sentAt[1] - sentAt[0]);
        Assert.Equal(sentAt[1], sentAt[2]);
    }

    [Fact]
    public async Task DigitAfterPrompt_EveryRun_ActionEndsAtTheSameInstant()
    {
        await using var h = new EngineHarness();
        h.AddPrompt("menu.wav", TimeSpan.FromMilliseconds(500));
        var answeredAt = DateTimeOffset.MinValue;
        var collected = new List<TimeSpan>();
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => Mark(ref answeredAt, A.Action("PlayAudioAndGetDigits",
                """{"AudioSource":{"Type":"S3","BucketName":"prompts-bucket","Key":"menu.wav"},"FailureAudioSource":{"Type":"S3","BucketName":"prompts-bucket","Key":"menu.wav"},"MinNumberOfDigits":1,"MaxNumberOfDigits":1,"RepeatDurationInMilliseconds":3000}""")),
            EventTypes.ActionSuccessful => Collected(),
            _ => null,
        };

        for (var call = 0; call < 50; call++)
        {
            var (tx, _) = h.StartInbound(new DigitCue(TimeSpan.FromSeconds(1), '7'));
            await h.RunToEndAsync(tx);
        }

        // The digit comes 0.5 s after the prompt, while the collector waits: the action ends on
        // that frame, in every run.
        Assert.Equal(50, collected.Count);
        Assert.InRange(collected[0].TotalSeconds, 1.0, 1.02);
        Assert.All(collected, c => Assert.Equal(collected[0], c));

        string Collected()
        {
            collected.Add(h.Time.GetUtcNow() - answeredAt);
            return ActionList(A.Hangup());
        }

        string Mark(ref DateTimeOffset at, string action)
        {
            at = h.Time.GetUtcNow();
            return ActionList(action);
        }
    }
}
