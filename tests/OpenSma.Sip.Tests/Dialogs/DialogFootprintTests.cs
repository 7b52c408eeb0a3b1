using System.Globalization;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using Xunit.Abstractions;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>Runs alone: the heap measurements must not see other tests' allocations.</summary>
[CollectionDefinition(nameof(DialogFootprintCollection), DisableParallelization = true)]
public sealed class DialogFootprintCollection;

/// <summary>
/// What one established call leaves on the heap in the SIP stack (a live call's state is what the
/// GC copies from gen0 to gen2 while calls are set up at a high rate). Many calls are set up on an
/// in-memory transport, their transactions run out on the fake clock, and the bytes still held
/// per call are measured with a full collection. The budgets fail the test when a change makes a
/// dialog markedly heavier; the figures are printed (docs/sip.md records them).
/// </summary>
[Collection(nameof(DialogFootprintCollection))]
public sealed class DialogFootprintTests(ITestOutputHelper output)
{
    private const int Calls = 400;

    // Calls set up first so that one-time allocations (code paths, caches) are not counted per call; they stay up.
    private const int WarmUp = 20;

    private const string Sdp = "v=0\r\no=peer 42 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";

    private static readonly byte[] OurSdp = Encoding.UTF8.GetBytes("v=0\r\no=us 7 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");

    [Fact]
    public async Task AnsweredUasDialog_RetainsLessThanBudget()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        var readers = new List<Task<int>>(Calls);

        await SetUpUasCallsAsync(h, 0, WarmUp, readers);
        readers.Clear();
        h.Calls.Clear();
        var before = Retained();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await SetUpUasCallsAsync(h, 1000, Calls, readers);
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / Calls;
        var perCall = (Retained() - before) / Calls;

        Assert.Equal(Calls, h.Calls.Count);
        Assert.All(h.Calls, d => Assert.Equal(SipDialogState.Confirmed, d.State));
        Assert.All(readers, r => Assert.False(r.IsCompleted));
        Assert.Equal(WarmUp + Calls, h.Endpoint.Statistics.Dialogs);
        Assert.Equal(0, h.Endpoint.Statistics.ServerTransactions);
        output.WriteLine($"UAS: {perCall} bytes retained per answered call, {allocated} allocated (whole process) to set it up");
        Console.WriteLine($"UAS footprint: {perCall} B retained per call, {allocated} B allocated");
        Assert.InRange(perCall, 1, UasBudget);
        GC.KeepAlive(readers);
    }

    [Fact]
    public async Task AnsweredUasDialog_AfterAReInvite_RetainsNoMoreThanBefore()
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        var readers = new List<Task<int>>(Calls);
        await SetUpUasCallsAsync(h, 0, WarmUp, readers, reInvite: true);
        readers.Clear();
        h.Calls.Clear();
        var before = Retained();
        await SetUpUasCallsAsync(h, 1000, Calls, readers, reInvite: true);
        var perCall = (Retained() - before) / Calls;

        Assert.All(h.Calls, d => Assert.Equal(SipDialogState.Confirmed, d.State));
        Assert.All(readers, r => Assert.False(r.IsCompleted));
        Assert.Equal(0, h.Endpoint.Statistics.ServerTransactions);
        output.WriteLine($"UAS after a re-INVITE: {perCall} bytes retained per call");
        Console.WriteLine($"UAS re-INVITE footprint: {perCall} B retained per call");

        // The settled re-INVITE leaves nothing behind: the same budget as a call without one.
        Assert.InRange(perCall, 1, UasBudget);
        GC.KeepAlive(readers);
    }

    [Fact]
    public async Task AnsweredUacDialog_RetainsLessThanBudget()
    {
        var h = new EndpointHarness();
        var dialogs = new List<SipDialog>(Calls);
        var readers = new List<Task<int>>(Calls);
        await SetUpUacCallsAsync(h, 0, WarmUp, dialogs, readers);
        dialogs.Clear();
        readers.Clear();
        var before = Retained();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await SetUpUacCallsAsync(h, 1000, Calls, dialogs, readers);
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / Calls;
        var perCall = (Retained() - before) / Calls;

        Assert.Equal(Calls, dialogs.Count);
        Assert.All(dialogs, d => Assert.Equal(SipDialogState.Confirmed, d.State));
        Assert.All(readers, r => Assert.False(r.IsCompleted));
        Assert.Equal(WarmUp + Calls, h.Endpoint.Statistics.Dialogs);
        Assert.Equal(0, h.Endpoint.Statistics.ClientTransactions);
        output.WriteLine($"UAC: {perCall} bytes retained per answered call, {allocated} allocated (whole process) to set it up");
        Console.WriteLine($"UAC footprint: {perCall} B retained per call, {allocated} B allocated");
        Assert.InRange(perCall, 1, UacBudget);
        GC.KeepAlive(readers);
    }

    // Budgets: the measured figure after the per-dialog trimming (docs/sip.md) plus some margin.
    private const long UasBudget = 5_000;
    private const long UacBudget = 4_200;

    /// <summary>Reads every event until the dialog ends; with none waiting it stops at once in a pending wait.</summary>
    private static async Task<int> ReadUntilEndAsync(SipDialog dialog)
    {
        var count = 0;
        await foreach (var unused in dialog.Events.ReadAllAsync())
        {
            count++;
        }

        return count;
    }

    private static long Retained()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task SetUpUasCallsAsync(EndpointHarness h, int first, int count, List<Task<int>> readers, bool reInvite = false)
    {
        for (var i = first; i < first + count; i++)
        {
            var callId = "call-" + i.ToString(CultureInfo.InvariantCulture);
            h.Receive(EndpointHarness.Invite(branch: "z9hG4bK-inv" + i.ToString(CultureInfo.InvariantCulture), callId: callId, body: Sdp,
                extra: "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY\r\nSupported: replaces, timer\r\n"));
            var dialog = h.Calls[^1];
            dialog.Ring(180);
            var answered = dialog.AnswerAsync(OurSdp, "application/sdp");
            var tag = h.Sent().OfType<SipResponse>().Last().To!.Tag!;
            h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack" + i.ToString(CultureInfo.InvariantCulture), callId: callId));
            Assert.True(await answered.WaitAsync(TimeSpan.FromSeconds(10)));

            if (reInvite)
            {
                // A session refresh or hold: the peer's re-INVITE, our 200 with the same SDP, its ACK.
                EndpointHarness.Drain(dialog);
                h.Receive(EndpointHarness.InDialog("INVITE", tag, 2, "z9hG4bK-re" + i.ToString(CultureInfo.InvariantCulture), callId: callId,
                    contentType: "application/sdp", body: Sdp.Replace(" 42 1 ", " 42 2 ", StringComparison.Ordinal)));
                var request = Assert.IsType<SipDialogRequestReceived>(Assert.Single(EndpointHarness.Drain(dialog))).Request;
                request.Respond(200, OurSdp, "application/sdp");
                h.Receive(EndpointHarness.InDialog("ACK", tag, 2, "z9hG4bK-reack" + i.ToString(CultureInfo.InvariantCulture), callId: callId));
                Assert.NotNull(await request.Ack.WaitAsync(TimeSpan.FromSeconds(10)));
            }

            // The application reads the events as the telephony layer does: all read, one wait pending.
            EndpointHarness.Drain(dialog);
            readers.Add(ReadUntilEndAsync(dialog));
        }

        // The INVITE transactions' timers run out; what stays is the dialogs' own state.
        h.Time.Advance(TimeSpan.FromSeconds(40));
        h.Sent();
    }

    private static async Task SetUpUacCallsAsync(EndpointHarness h, int first, int count, List<SipDialog> dialogs, List<Task<int>> readers)
    {
        for (var i = first; i < first + count; i++)
        {
            var call = h.Endpoint.InviteAsync(new SipInviteOptions
            {
                Target = SipUri.Parse("sip:+15559870000@192.0.2.20:5070"),
                From = SipNameAddress.Parse("<sip:+15551230000@192.0.2.1>"),
                Body = OurSdp,
                ContentType = "application/sdp",
            });
            var invite = (SipRequest)Assert.Single(h.Sent());
            var ringing = SipResponses.Create(invite, 180, toTag: "callee" + i.ToString(CultureInfo.InvariantCulture));
            ringing.Headers.Add("Contact", "<sip:callee@192.0.2.20:5070>");
            h.Receive(ringing);
            var ok = SipResponses.Create(invite, 200, toTag: "callee" + i.ToString(CultureInfo.InvariantCulture));
            ok.Headers.Add("Contact", "<sip:callee@192.0.2.20:5070>");
            ok.Headers.Add("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY");
            ok.Headers.Add("Content-Type", "application/sdp");
            ok.Body = Encoding.UTF8.GetBytes(Sdp);
            h.Receive(ok);
            var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(result.IsAnswered);
            var dialog = result.Dialog!;
            dialogs.Add(dialog);
            h.Sent();
            EndpointHarness.Drain(dialog);
            readers.Add(ReadUntilEndAsync(dialog));
        }

        h.Time.Advance(TimeSpan.FromSeconds(40));
        h.Sent();
    }
}
