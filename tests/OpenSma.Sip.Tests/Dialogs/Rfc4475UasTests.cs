using System.Globalization;
using System.Text.Json;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>
/// The RFC 4475 messages that parse, fed to a running endpoint: what our UAS (or registrar)
/// answers must be one of the outcomes expected.json lists for that role.
/// </summary>
public sealed class Rfc4475UasTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "rfc4475");

    public static TheoryData<string, string> Requests()
    {
        var data = new TheoryData<string, string>();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "expected.json")));
        foreach (var entry in doc.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var v = entry.Value;
            if (v.GetProperty("expect").GetString() != "parse" || v.GetProperty("message").GetString() != "request")
            {
                continue;
            }

            var respond = v.GetProperty("respond");
            var isRegister = File.ReadAllText(Path.Combine(Folder, entry.Name)).StartsWith("REGISTER", StringComparison.Ordinal);
            foreach (var role in isRegister ? new[] { "registrar", "any" } : new[] { "uas", "any" })
            {
                if (respond.TryGetProperty(role, out var outcomes))
                {
                    data.Add(entry.Name, string.Join(",", outcomes.EnumerateArray().Select(o => o.GetString())));
                    break;
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Endpoint_TortureRequest_AnswersAsExpected(string file, string allowed)
    {
        var h = new EndpointHarness();
        h.AttachApplication();
        var request = (SipRequest)new OpenSma.Sip.Parsing.SipMessageParser().ParseDatagram(File.ReadAllBytes(Path.Combine(Folder, file))).Message!;
        h.Transport.Receive(File.ReadAllBytes(Path.Combine(Folder, file)), EndpointHarness.Peer);

        var final = h.Sent().OfType<SipResponse>().LastOrDefault(r => r.StatusCode >= 200);
        var outcomes = allowed.Split(',');
        if (final is not null && outcomes.Contains(final.StatusCode.ToString(CultureInfo.InvariantCulture)))
        {
            return;
        }

        // "process": handled as usual. A new INVITE reaches the application; a request naming a
        // dialog we do not have gets 481; a method this UA does not take gets 405; others get 200.
        Assert.Contains("process", outcomes);
        if (request.To?.Tag is not null)
        {
            Assert.Equal(481, final?.StatusCode);
        }
        else if (request.IsInvite)
        {
            Assert.Single(h.Calls);
        }
        else if (request.Method is "OPTIONS" or "REGISTER")
        {
            Assert.Equal(200, final?.StatusCode);
        }
        else
        {
            Assert.Equal(405, final?.StatusCode);
        }
    }
}
