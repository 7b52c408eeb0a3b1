using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Messages;

/// <summary>
/// Parameter names and common values parse to one shared string each (a parsed message lives as
/// long as its dialog), exactly as they were on the wire; anything else gets a string of its own.
/// </summary>
public sealed class SipCommonTokensTests
{
    [Fact]
    public void HeaderParameters_CommonNamesAndValues_AreShared_OthersAreNot()
    {
        Assert.True(SipVia.TryParse("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport;received=192.0.2.9", out var a));
        Assert.True(SipVia.TryParse("SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK-2;rport;received=192.0.2.8", out var b));
        var namesA = a.Parameters.Select(p => p.Name).ToArray();
        var namesB = b.Parameters.Select(p => p.Name).ToArray();
        Assert.Equal(["branch", "rport", "received"], namesA);
        for (var i = 0; i < namesA.Length; i++)
        {
            Assert.Same(namesA[i], namesB[i]);
        }

        Assert.Same(a.Transport, b.Transport);
        Assert.Equal("UDP", a.Transport);
        Assert.Equal("z9hG4bK-1", a.Branch);
        Assert.NotSame(a.Parameters.Get("received"), b.Parameters.Get("received"));
    }

    [Fact]
    public void UriParameters_CommonNamesAndValues_AreShared_CaseAndEscapesKept()
    {
        Assert.True(SipUri.TryParse("sip:alice@192.0.2.1;transport=udp;lr;X-Custom=%41b", out var a));
        Assert.True(SipUri.TryParse("sip:bob@192.0.2.2;transport=udp;lr;X-Custom=%41b", out var b));
        Assert.Same(a.Parameters.Select(p => p.Name).First(), b.Parameters.Select(p => p.Name).First());
        Assert.Same(a.Parameters.Get("transport"), b.Parameters.Get("transport"));
        Assert.Equal("udp", a.Parameters.Get("transport"));
        Assert.Equal(string.Empty, a.Parameters.Get("lr"));
        Assert.Equal("Ab", a.Parameters.Get("X-Custom"));

        Assert.True(SipUri.TryParse("sip:carol@192.0.2.3;Transport=UDP", out var c));
        Assert.Equal("Transport", c.Parameters.Select(p => p.Name).Single());
        Assert.Equal("UDP", c.Parameters.Get("transport"));
    }

    [Fact]
    public void NameAddressTag_NameIsShared_ValueIsKept()
    {
        Assert.True(SipNameAddress.TryParse("<sip:alice@192.0.2.1>;tag=abc", out var a));
        Assert.True(SipNameAddress.TryParse("\"Bob\" <sip:bob@192.0.2.2>;tag=xyz", out var b));
        Assert.Same(a.Parameters.Select(p => p.Name).Single(), b.Parameters.Select(p => p.Name).Single());
        Assert.Equal("abc", a.Tag);
        Assert.Equal("xyz", b.Tag);
    }
}
