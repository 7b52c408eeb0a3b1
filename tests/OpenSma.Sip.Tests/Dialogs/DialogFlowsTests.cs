using System.Net;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>The flows live dialogs report to the transports' idle sweep (ISipRequestHandler.CollectFlowsInUse).</summary>
public sealed class DialogFlowsTests
{
    [Fact]
    public void LiveDialogs_ReportTheirFlowOnTheirTransport_UntilTheyEnd()
    {
        var h = new EndpointHarness(protocol: "TCP");
        h.AttachApplication();
        h.Receive(EndpointHarness.Invite());
        var dialog = Assert.Single(h.Calls);
        var early = new HashSet<IPEndPoint>();
        h.Endpoint.UserAgent.CollectFlowsInUse(h.Transport, early);
        Assert.Equal([EndpointHarness.Peer], early);

        var other = new InMemorySipTransport(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5061), "TCP");
        var none = new HashSet<IPEndPoint>();
        h.Endpoint.UserAgent.CollectFlowsInUse(other, none);
        Assert.Empty(none);

        _ = dialog.AnswerAsync();
        var tag = h.SentResponse(200).To!.Tag!;
        h.Receive(EndpointHarness.InDialog("ACK", tag, 1, "z9hG4bK-ack1"));
        var confirmed = new HashSet<IPEndPoint>();
        h.Endpoint.UserAgent.CollectFlowsInUse(h.Transport, confirmed);
        Assert.Equal([EndpointHarness.Peer], confirmed);

        _ = dialog.HangUpAsync();
        var ended = new HashSet<IPEndPoint>();
        h.Endpoint.UserAgent.CollectFlowsInUse(h.Transport, ended);
        Assert.Empty(ended);
    }
}
