using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Messages;

public sealed class SipNameAddressTests
{
    [Fact]
    public void TryParse_QuotedDisplayWithEscapes_Unescapes()
    {
        Assert.True(SipNameAddress.TryParse("\"A \\\"B\\\" C\" <sip:a@b>;tag=x", out var value));
        Assert.Equal("A \"B\" C", value.DisplayName);
        Assert.Equal("x", value.Tag);
        Assert.Equal("\"A \\\"B\\\" C\" <sip:a@b>;tag=x", value.ToString());
    }

    [Fact]
    public void TryParse_TokenDisplayName_Accepted()
    {
        Assert.True(SipNameAddress.TryParse("Alice Smith <tel:+15551230000>", out var value));
        Assert.Equal("Alice Smith", value.DisplayName);
        Assert.Equal("+15551230000", value.Uri.Number);
    }

    [Theory]
    [InlineData("\"unterminated <sip:a@b>")]
    [InlineData("Bell, Alexander <sip:a@b>")]
    [InlineData("< sip:a@b >")]
    [InlineData("sip:a@b?x=y")]
    [InlineData("<sip:a@b>;;")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(SipNameAddress.TryParse(text, out _));

    [Fact]
    public void WithTag_LeavesOriginalUnchanged()
    {
        var original = SipNameAddress.Parse("<sip:a@b>");
        var tagged = original.WithTag("t1");
        Assert.Null(original.Tag);
        Assert.Equal("<sip:a@b>;tag=t1", tagged.ToString());
    }
}
