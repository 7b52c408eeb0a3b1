using System.Security.Cryptography;
using System.Text.Json;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Tests.Parsing;

/// <summary>Data-driven run of the RFC 4475 torture messages against their expected outcomes.</summary>
public sealed class Rfc4475Tests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "rfc4475");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var name in Expected().Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    private static Dictionary<string, JsonElement> Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "expected.json")));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    [Fact]
    public void Files_AllFortyNine_ArePresentAndIntact()
    {
        var expected = Expected();
        Assert.Equal(49, expected.Count);
        foreach (var (name, entry) in expected)
        {
            var bytes = File.ReadAllBytes(Path.Combine(Folder, name));
            Assert.Equal(entry.GetProperty("size").GetInt32(), bytes.Length);
            Assert.Equal(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ParseDatagram_TortureMessage_MatchesExpectedOutcome(string name)
    {
        var entry = Expected()[name];
        var result = new SipMessageParser().ParseDatagram(File.ReadAllBytes(Path.Combine(Folder, name)));
        var expect = entry.GetProperty("expect").GetString();
        var isResponse = entry.GetProperty("message").GetString() == "response";
        var allowed = AllowedCodes(entry.GetProperty("respond"));

        switch (expect)
        {
            case "parse":
                Assert.True(result.IsComplete, $"{name}: {result.Error}");
                Assert.Equal(isResponse, result.Message is SipResponse);
                break;
            case "reject":
                AssertRejected(name, result, isResponse, allowed);
                break;
            case "reject-or-lenient":
                if (!result.IsComplete)
                {
                    AssertRejected(name, result, isResponse, allowed);
                }

                break;
            default:
                Assert.Fail($"unknown expectation {expect}");
                break;
        }
    }

    private static void AssertRejected(string name, SipParseResult result, bool isResponse, HashSet<string> allowed)
    {
        Assert.Equal(SipParseStatus.Invalid, result.Status);
        if (isResponse)
        {
            // A faulty response is never answered: it is dropped.
            Assert.Contains("drop", allowed);
            return;
        }

        Assert.True(
            allowed.Contains(result.ErrorStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            $"{name}: got {result.ErrorStatusCode} ({result.Error}), allowed {string.Join(",", allowed)}");
        Assert.NotNull(result.Message);
    }

    private static HashSet<string> AllowedCodes(JsonElement respond)
    {
        var set = new HashSet<string>();
        foreach (var role in respond.EnumerateObject())
        {
            // Datagram parsing: the "stream" outcome (close) does not apply.
            if (role.Name == "stream")
            {
                continue;
            }

            foreach (var v in role.Value.EnumerateArray())
            {
                set.Add(v.GetString()!);
            }
        }

        return set;
    }

    private static SipMessage Parse(string name)
    {
        var result = new SipMessageParser().ParseDatagram(File.ReadAllBytes(Path.Combine(Folder, name)));
        Assert.True(result.IsComplete, result.Error);
        return result.Message!;
    }

    [Fact]
    public void ParseDatagram_Wsinv_ReadsFoldedCompactAndPaddedValues()
    {
        var m = (SipRequest)Parse("wsinv.dat");
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal(new SipCSeq(9, "INVITE"), m.CSeq);
        Assert.Equal(3, m.Vias.Count);
        Assert.Equal("TCP", m.Vias[1].Transport);
        Assert.Equal("z9hG4bK30239", m.Vias[2].Branch);
        Assert.Equal(150, m.Body.Length);
        Assert.Equal("1918181833n", m.To!.Tag);
        Assert.Equal("J Rosenberg \\\"", m.From!.DisplayName);
        Assert.Equal(";;,,;;,;", m.Headers.Get("UnknownHeaderWithUnusualValue"));
        Assert.Equal(string.Empty, m.Headers.Get("Subject"));
        Assert.Equal("0.33", m.Contacts[0].Parameters.Get("q"));
    }

    [Fact]
    public void ParseDatagram_Esc01_DecodesEscapesExactlyOnce()
    {
        var m = (SipRequest)Parse("esc01.dat");
        Assert.Equal("sips:user@example.com", m.RequestUri.User);
        Assert.Equal("user", m.To!.Uri.User);
        Assert.Equal("I have spaces", m.From!.Uri.User);
        var contact = m.Contacts.Single();
        Assert.Equal("caller", contact.Uri.User);
        Assert.True(contact.Uri.Parameters.Contains("lr"));
        Assert.Equal("value%41", contact.Uri.Parameters.Get("name"));
    }

    [Fact]
    public void ParseDatagram_Escnull_KeepsNulInUserParts()
    {
        var m = Parse("escnull.dat");
        Assert.Equal("null-\0-null", m.To!.Uri.User);
        Assert.Equal(["\0", "\0\0"], m.Contacts.Select(c => c.Uri.User));
    }

    [Fact]
    public void ParseDatagram_Esc02_TreatsPercentMethodAndHeaderAsUnknown()
    {
        var m = (SipRequest)Parse("esc02.dat");
        Assert.Equal("RE%47IST%45R", m.Method);
        Assert.False(SipMethods.IsKnown(m.Method));
        Assert.Equal(2, m.Contacts.Count);
        Assert.Equal("%Z%45", m.To!.DisplayName);
    }

    [Fact]
    public void ParseDatagram_Semiuri_UserPartHoldsSemicolon()
    {
        var m = (SipRequest)Parse("semiuri.dat");
        Assert.Equal("user;par=u@example.net", m.RequestUri.User);
        Assert.Equal("example.com", m.RequestUri.Host);
        Assert.Equal(0, m.RequestUri.Parameters.Count);
    }

    [Fact]
    public void ParseDatagram_DblreqAndMpart01_FrameBodyByContentLength()
    {
        Assert.Equal(0, Parse("dblreq.dat").Body.Length);
        Assert.Equal(553, Parse("mpart01.dat").Body.Length);
    }

    [Fact]
    public void ParseDatagram_Inv2543_BodyRunsToEndOfDatagram()
    {
        var m = Parse("inv2543.dat");
        Assert.Equal(105, m.Body.Length);
        Assert.Null(m.From!.Tag);
    }

    [Fact]
    public void ParseDatagram_ContactParams_FollowBracketRules()
    {
        var bare = Parse("cparam01.dat").Contacts.Single();
        Assert.True(bare.Parameters.Contains("unknownparam"));
        Assert.False(bare.Uri.Parameters.Contains("unknownparam"));
        var bracketed = Parse("cparam02.dat").Contacts.Single();
        Assert.True(bracketed.Uri.Parameters.Contains("unknownparam"));
        Assert.False(bracketed.Parameters.Contains("unknownparam"));
        var escaped = Parse("regescrt.dat").Contacts.Single();
        Assert.Equal("<sip:sip.example.com>", escaped.Uri.Headers.Get("Route"));
    }

    [Fact]
    public void ParseDatagram_Responses_KeepReasonPhrase()
    {
        Assert.Equal(string.Empty, ((SipResponse)Parse("noreason.dat")).ReasonPhrase);
        var unreason = (SipResponse)Parse("unreason.dat");
        Assert.Equal(200, unreason.StatusCode);
        Assert.Contains(unreason.ReasonPhrase, c => c > 0x7f);
    }

    [Fact]
    public void ParseDatagram_UnknownSchemes_KeepOpaqueRequestUri()
    {
        var m = (SipRequest)Parse("unkscm.dat");
        Assert.Equal("nobodyknowsthisscheme", m.RequestUri.Scheme);
        Assert.False(m.RequestUri.IsSip);
        Assert.Equal("totallyopaquecontent", m.RequestUri.Opaque);
    }

    [Theory]
    [InlineData("quotbal.dat", 400)]
    [InlineData("ltgtruri.dat", 400)]
    [InlineData("lwsruri.dat", 400)]
    [InlineData("lwsstart.dat", 400)]
    [InlineData("trws.dat", 400)]
    [InlineData("escruri.dat", 400)]
    [InlineData("regbadct.dat", 400)]
    [InlineData("badaspec.dat", 400)]
    [InlineData("baddn.dat", 400)]
    [InlineData("badvers.dat", 505)]
    [InlineData("mismatch02.dat", 501)]
    [InlineData("clerr.dat", 400)]
    [InlineData("ncl.dat", 400)]
    [InlineData("mcl01.dat", 400)]
    [InlineData("scalar02.dat", 400)]
    [InlineData("insuf.dat", 400)]
    [InlineData("multi01.dat", 400)]
    [InlineData("badinv01.dat", 400)]
    public void ParseDatagram_FaultyRequest_IsRejectedStrictly(string name, int code)
    {
        var result = new SipMessageParser().ParseDatagram(File.ReadAllBytes(Path.Combine(Folder, name)));
        Assert.Equal(SipParseStatus.Invalid, result.Status);
        Assert.Equal(code, result.ErrorStatusCode);
    }

    [Fact]
    public void ParseDatagram_Baddate_IsAcceptedBecauseDateIsNotUsed()
    {
        Assert.NotNull(Parse("baddate.dat").Headers.Get("Date"));
    }
}
