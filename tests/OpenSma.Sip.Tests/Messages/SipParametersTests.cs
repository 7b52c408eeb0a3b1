using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Messages;

/// <summary>The parameter list keeps order, matches names without case, and copies independently.</summary>
public sealed class SipParametersTests
{
    private static string Written(SipParameters parameters)
    {
        var sb = new StringBuilder();
        parameters.WriteHeaderParameters(sb);
        return sb.ToString();
    }

    [Fact]
    public void AddSetRemove_KeepOrder_AndNamesMatchWithoutCase()
    {
        var p = new SipParameters();
        Assert.Equal(0, p.Count);
        Assert.Empty(p);
        p.Add("tag", "a1");
        p.Add("lr", null);
        p.Add("transport", "tcp");
        Assert.Equal(";tag=a1;lr;transport=tcp", Written(p));
        Assert.Equal("tcp", p.Get("TRANSPORT"));
        Assert.Equal(string.Empty, p.Get("lr"));
        Assert.Null(p.Get("maddr"));

        p.Set("Tag", "b2").Set("ttl", "5");
        Assert.Equal(";Tag=b2;lr;transport=tcp;ttl=5", Written(p));

        Assert.True(p.Remove("LR"));
        Assert.False(p.Remove("lr"));
        Assert.Equal(";Tag=b2;transport=tcp;ttl=5", Written(p));
        Assert.True(p.Remove("ttl"));
        Assert.True(p.Remove("tag"));
        Assert.Equal(["transport"], p.Select(x => x.Name));
        Assert.True(p.Remove("transport"));
        Assert.Equal(0, p.Count);
        Assert.Equal(string.Empty, Written(p));
        p.Add("x", "1");
        Assert.Equal(";x=1", Written(p));
    }

    [Fact]
    public void Clone_IsIndependentOfTheOriginal()
    {
        var p = new SipParameters();
        p.Add("a", "1");
        p.Add("b", "2");
        var copy = p.Clone();
        copy.Set("a", "9");
        copy.Remove("b");
        copy.Add("c", "3");
        Assert.Equal(";a=1;b=2", Written(p));
        Assert.Equal(";a=9;c=3", Written(copy));
        Assert.Equal(0, new SipParameters().Clone().Count);
    }
}
