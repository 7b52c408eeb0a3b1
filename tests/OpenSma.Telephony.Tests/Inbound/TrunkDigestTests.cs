using System.Text;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>Voice connector credentials admit trunk INVITEs by digest (401 challenge, 403 for wrong ones), over loopback UDP.</summary>
public sealed class TrunkDigestTests
{
    private const string TrunkHost = "vc1.voiceconnector.example";

    [Fact]
    public async Task IncomingCall_ToConnectorHostFromHostNotAllowed_IsChallengedAndAdmittedWithItsCredentials()
    {
        await using var rig = await StartAsync(requireTrunkAuthorization: false);
        await using var phone = await rig.NewPhoneAsync();

        var challenged = await InviteAsync(rig, phone, TrunkHost, credentials: null);
        var admitted = await InviteAsync(rig, phone, TrunkHost, new SipCredentials("pbx-user", "s3cret"));

        Assert.Equal(401, challenged.FinalResponse.StatusCode);
        var challenges = challenged.FinalResponse.Headers.GetFields(SipHeaderNames.WwwAuthenticate).ToList();
        Assert.Contains(challenges, c => c.Contains("realm=\"" + TrunkHost + "\"", StringComparison.Ordinal) && c.Contains("SHA-256", StringComparison.Ordinal));
        Assert.Equal(603, admitted.FinalResponse.StatusCode);
        Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_ToConnectorHostWithWrongPassword_Gets403()
    {
        await using var rig = await StartAsync(requireTrunkAuthorization: false);
        await using var phone = await rig.NewPhoneAsync();

        var refused = await InviteAsync(rig, phone, TrunkHost, new SipCredentials("pbx-user", "guess"));
        var unknownUser = await InviteAsync(rig, phone, TrunkHost, new SipCredentials("someone", "s3cret"));

        Assert.Equal(403, refused.FinalResponse.StatusCode);
        Assert.Equal(403, unknownUser.FinalResponse.StatusCode);
        Assert.Empty(rig.Handler.Events);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_TrunkChecksOn_AnyConnectorsCredentialsAdmit_NoneAreChallenged_WrongOnesGet403()
    {
        await using var rig = await StartAsync(requireTrunkAuthorization: true);
        await using var phone = await rig.NewPhoneAsync();

        var challenged = await InviteAsync(rig, phone, "127.0.0.1", credentials: null);
        var refused = await InviteAsync(rig, phone, "127.0.0.1", new SipCredentials("pbx-user", "wrong"));
        var admitted = await InviteAsync(rig, phone, "127.0.0.1", new SipCredentials("pbx-user", "s3cret"));

        Assert.Equal(401, challenged.FinalResponse.StatusCode);
        Assert.Contains("realm=\"opensma\"", challenged.FinalResponse.Headers.Get(SipHeaderNames.WwwAuthenticate), StringComparison.Ordinal);
        Assert.Equal(403, refused.FinalResponse.StatusCode);
        Assert.Equal(603, admitted.FinalResponse.StatusCode);
        Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_ToConnectorHostFromAllowedNetwork_NeedsNoCredentials()
    {
        await using var rig = await StartAsync(requireTrunkAuthorization: false, cidrs: ["127.0.0.0/8"]);
        await using var phone = await rig.NewPhoneAsync();

        var admitted = await InviteAsync(rig, phone, TrunkHost, credentials: null);

        Assert.Equal(603, admitted.FinalResponse.StatusCode);
        Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
    }

    private static async Task<Rig> StartAsync(bool requireTrunkAuthorization, IReadOnlyList<string>? cidrs = null)
    {
        var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = requireTrunkAuthorization });
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
        var now = DateTimeOffset.UtcNow;
        var connector = new VoiceConnector(
            "vc1", "111122223333", "us-east-1", "pbx", TrunkHost, false, null, null, now, now,
            Termination: new VoiceConnectorTermination(null, null, ["US"], cidrs ?? ["10.0.0.0/8"], false),
            Credentials: [new TerminationCredential("pbx-user", "s3cret")]);
        Assert.True((await rig.Store.InsertAsync(connector, CancellationToken.None)).IsOk);
        return rig;
    }

    /// <summary>An INVITE whose Request-URI names <paramref name="host"/>, sent to the rig's address; answers one challenge when given credentials.</summary>
    private static async Task<SipInviteResult> InviteAsync(Rig rig, TestPhone phone, string host, SipCredentials? credentials)
    {
        using var media = phone.Media.TryOpenLeg()!;
        var result = await phone.Sip.InviteAsync(new SipInviteOptions
        {
            Target = SipUri.Sip(Rig.Number, host),
            OutboundProxy = SipUri.Sip(null, rig.SipAddress.Address.ToString(), rig.SipAddress.Port),
            From = new SipNameAddress(SipUri.Sip("+15557654321", "127.0.0.1")),
            Body = Encoding.UTF8.GetBytes(media.CreateOffer().ToString()),
            ContentType = "application/sdp",
            Credentials = credentials,
        }).WaitAsync(Rig.Patience);
        return result;
    }
}
