using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Messages;

/// <summary>The parsed views of the core headers (Call-ID, CSeq, top Via, tags) follow header edits and agree across threads.</summary>
public sealed class SipMessageViewsTests
{
    private static SipRequest Invite()
    {
        var request = new SipRequest(SipMethods.Invite, SipUri.Sip("bob", "192.0.2.2"));
        request.Headers
            .Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1")
            .Add("From", "<sip:alice@192.0.2.1>;tag=a1")
            .Add("To", "<sip:bob@192.0.2.2>")
            .Add("Call-ID", " call-1 ")
            .Add("CSeq", "7 INVITE");
        return request;
    }

    [Fact]
    public void Views_ParseOnFirstUse_AndFollowEveryEdit()
    {
        var m = Invite();
        Assert.Equal("call-1", m.CallId);
        Assert.Equal(new SipCSeq(7, "INVITE"), m.CSeq);
        Assert.Equal("a1", m.FromTag);
        Assert.Null(m.ToTag);
        Assert.Equal("z9hG4bK-1", m.SharedTopVia!.Branch);

        m.Headers.Set("To", "<sip:bob@192.0.2.2>;tag=b2");
        m.Headers.Set("CSeq", "8 INVITE");
        m.Headers.AddFirst("Via", "SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-2");
        Assert.Equal("b2", m.ToTag);
        Assert.Equal(new SipCSeq(8, "INVITE"), m.CSeq);
        Assert.Equal("z9hG4bK-2", m.SharedTopVia!.Branch);
        Assert.Equal("call-1", m.CallId);

        m.Headers.Remove("CSeq");
        Assert.Null(m.CSeq);
    }

    [Fact]
    public void Views_ReplacedHeaderCollection_IsReadAfresh()
    {
        var m = Invite();
        Assert.Equal("call-1", m.CallId);
        var other = new SipResponse(200) { Headers = m.Headers.Clone().Set("Call-ID", "call-2") };
        Assert.Equal("call-2", other.CallId);
        Assert.Equal("call-1", m.CallId);
    }

    [Fact]
    public void Views_ReadFromManyThreadsAtOnce_AllAgree()
    {
        for (var round = 0; round < 50; round++)
        {
            var m = Invite();
            var seen = new (string? CallId, SipCSeq? CSeq, string? FromTag, string? Branch)[8];
            Parallel.For(0, seen.Length, i => seen[i] = (m.CallId, m.CSeq, m.FromTag, m.SharedTopVia?.Branch));
            Assert.All(seen, s => Assert.Equal(("call-1", (SipCSeq?)new SipCSeq(7, "INVITE"), "a1", "z9hG4bK-1"), s));
        }
    }
}
