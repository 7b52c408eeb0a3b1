using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Messages;

public sealed class SipUriTests
{
    [Theory]
    [InlineData("sip:alice@example.com", "sip", "alice", "example.com", null)]
    [InlineData("sips:bob:secret@[2001:db8::1]:5061;transport=tls", "sips", "bob", "[2001:db8::1]", 5061)]
    [InlineData("sip:+15551230000@127.0.0.1:5080;user=phone", "sip", "+15551230000", "127.0.0.1", 5080)]
    [InlineData("sip:example.com", "sip", null, "example.com", null)]
    public void TryParse_SipForms_ReadsParts(string text, string scheme, string? user, string host, int? port)
    {
        Assert.True(SipUri.TryParse(text, out var uri));
        Assert.Equal(scheme, uri.Scheme);
        Assert.Equal(user, uri.User);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal(text, uri.ToString());
    }

    [Fact]
    public void TryParse_Tel_ReadsNumberAndParameters()
    {
        Assert.True(SipUri.TryParse("tel:+1-555-123-0000;phone-context=example.com", out var uri));
        Assert.True(uri.IsTel);
        Assert.Equal("+1-555-123-0000", uri.Number);
        Assert.Equal("example.com", uri.Parameters.Get("phone-context"));
        Assert.Equal("tel:+1-555-123-0000;phone-context=example.com", uri.ToString());
    }

    [Theory]
    [InlineData("sip:")]
    [InlineData("sip:a b@c")]
    [InlineData("sip:@host")]
    [InlineData("sip:host:99999")]
    [InlineData("sip:host;;lr")]
    [InlineData("<sip:host>")]
    [InlineData("sip:[::1")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(SipUri.TryParse(text, out _));

    [Fact]
    public void ToString_UserWithReservedCharacters_EscapesThem()
    {
        var uri = SipUri.Sip("a b@c", "example.com");
        Assert.Equal("sip:a%20b%40c@example.com", uri.ToString());
        Assert.True(SipUri.TryParse(uri.ToString(), out var back));
        Assert.Equal("a b@c", back.User);
    }
}
