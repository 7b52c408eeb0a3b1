using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Messages;

/// <summary>What a dialog keeps of the peer's Allow: one bit per known method.</summary>
public sealed class SipMethodSetTests
{
    private static SipRequest WithAllow(params string[] values)
    {
        var request = new SipRequest("INVITE", SipUri.Parse("sip:a@192.0.2.1"));
        foreach (var value in values)
        {
            request.Headers.Add("Allow", value);
        }

        return request;
    }

    [Fact]
    public void FromAllow_ReadsEveryHeaderAndIgnoresCase()
    {
        var set = SipMethodSets.FromAllow(WithAllow("INVITE, ACK,bye", "update , X-FOO"));
        Assert.Equal(SipMethodSet.Present | SipMethodSet.Invite | SipMethodSet.Ack | SipMethodSet.Bye | SipMethodSet.Update, set);
    }

    [Fact]
    public void FromAllow_WithoutUpdate_HasNoUpdateBit()
    {
        var set = SipMethodSets.FromAllow(WithAllow("INVITE, ACK, CANCEL, BYE"));
        Assert.Equal(SipMethodSet.None, set & SipMethodSet.Update);
        Assert.NotEqual(SipMethodSet.None, set & SipMethodSet.Cancel);
    }

    [Fact]
    public void FromAllow_NoHeader_IsNone_OnlyExtensions_IsPresent()
    {
        Assert.Equal(SipMethodSet.None, SipMethodSets.FromAllow(WithAllow()));
        Assert.Equal(SipMethodSet.Present, SipMethodSets.FromAllow(WithAllow("X-FOO")));
    }

    [Fact]
    public void Of_MapsEachKnownMethodToItsOwnBit_AndOthersToNone()
    {
        string[] known = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "UPDATE", "PRACK", "REFER", "NOTIFY", "SUBSCRIBE", "MESSAGE"];
        var seen = SipMethodSet.None;
        foreach (var method in known)
        {
            var bit = SipMethodSets.Of(method);
            Assert.True(bit != SipMethodSet.None && (bit & (bit - 1)) == 0, method + " has one bit");
            Assert.Equal(SipMethodSet.None, seen & bit);
            seen |= bit;
        }

        Assert.Equal(SipMethodSet.None, SipMethodSets.Of("PUBLISH"));
    }
}
