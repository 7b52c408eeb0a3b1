using OpenSma.Sip.Messages;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Telephony.Tests.Inbound;

public sealed class InviteFactsTests
{
    [Fact]
    public void CustomHeaders_KeepsXUserToUserAndDiversion_WithTheirSpelling()
    {
        var headers = new SipHeaders()
            .Add("Subject", "not custom")
            .Add("X-Customer-Ref", "abc-42")
            .Add("user-to-user", "6b65793d76616c7565;encoding=hex")
            .Add("Diversion", "<sip:+12025550111@pbx.example.com>;reason=unconditional")
            .Add("Diversion", "<sip:+12025550112@pbx.example.com>;reason=user-busy");

        var found = InviteFacts.CustomHeaders(headers)!;

        Assert.Equal(3, found.Count);
        Assert.Equal("abc-42", found["X-Customer-Ref"]);
        Assert.Contains("user-to-user", found.Keys);
        Assert.Equal(
            "<sip:+12025550111@pbx.example.com>;reason=unconditional, <sip:+12025550112@pbx.example.com>;reason=user-busy",
            found["Diversion"]);
    }

    [Fact]
    public void CustomHeaders_NonePresent_IsNull() =>
        Assert.Null(InviteFacts.CustomHeaders(new SipHeaders().Add("Subject", "x")));
}
