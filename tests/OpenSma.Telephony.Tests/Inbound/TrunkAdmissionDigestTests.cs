using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>The digest side of trunk admission on a fake clock: answers, replays, stale nonces, wrong passwords.</summary>
public sealed class TrunkAdmissionDigestTests : IAsyncLifetime
{
    private const string TrunkHost = "vc1.voiceconnector.example";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-admission-" + Guid.NewGuid().ToString("N"));
    private IResourceStore _store = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_root), _time, CancellationToken.None);
        var now = _time.GetUtcNow();
        var connector = new VoiceConnector(
            "vc1", "111122223333", "us-east-1", "pbx", TrunkHost, false, null, null, now, now,
            Termination: new VoiceConnectorTermination(null, null, ["US"], ["10.0.0.0/8"], false),
            Credentials: [new TerminationCredential("pbx-user", "s3cret")]);
        Assert.True((await _store.InsertAsync(connector, CancellationToken.None)).IsOk);
    }

    public Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CheckAsync_AnswerAdmits_TheSameAnswerAgainIsChallengedAsStale()
    {
        var admission = Admission();
        var invite = Invite();

        var first = await admission.CheckAsync(InviteFacts.From(invite), invite, CancellationToken.None);
        var answer = Answer(admission, invite, new SipCredentials("pbx-user", "s3cret"));
        var admitted = await admission.CheckAsync(InviteFacts.From(answer), answer, CancellationToken.None);
        var replayed = await admission.CheckAsync(InviteFacts.From(answer), answer, CancellationToken.None);

        Assert.Equal(AdmissionVerdict.Challenge, first.Verdict);
        Assert.Equal(TrunkHost, first.Realm);
        Assert.Equal(SipAuthStatus.Missing, first.Auth.Status);
        Assert.Equal(AdmissionVerdict.Admit, admitted.Verdict);
        Assert.Contains("pbx-user", admitted.Reason, StringComparison.Ordinal);
        Assert.Equal(AdmissionVerdict.Challenge, replayed.Verdict);
        Assert.True(replayed.Auth.NeedsStaleChallenge);
    }

    [Fact]
    public async Task CheckAsync_AnswerToAnExpiredNonce_IsChallengedAsStale()
    {
        var admission = Admission();
        var invite = Invite();
        var answer = Answer(admission, invite, new SipCredentials("pbx-user", "s3cret"));

        _time.Advance(TimeSpan.FromMinutes(6));
        var late = await admission.CheckAsync(InviteFacts.From(answer), answer, CancellationToken.None);

        Assert.Equal(AdmissionVerdict.Challenge, late.Verdict);
        Assert.Equal(SipAuthStatus.Stale, late.Auth.Status);
    }

    [Theory]
    [InlineData("pbx-user", "guess")]
    [InlineData("intruder", "s3cret")]
    public async Task CheckAsync_WrongCredentials_AreRefused(string user, string password)
    {
        var admission = Admission();
        var invite = Invite();
        var answer = Answer(admission, invite, new SipCredentials(user, password));

        var refused = await admission.CheckAsync(InviteFacts.From(answer), answer, CancellationToken.None);

        Assert.Equal(AdmissionVerdict.Refuse, refused.Verdict);
    }

    [Fact]
    public async Task CheckAsync_AnswerForAnotherRealm_IsChallengedForTheConnectorsRealm()
    {
        var admission = Admission();
        var invite = Invite();
        var elsewhere = admission.Verifier.Challenge(invite, "some-other-realm", "t1");
        var answer = SipDigestClient.Authorize(invite, elsewhere, new SipCredentials("pbx-user", "s3cret"))!;
        answer.Headers.AddFirst(SipHeaderNames.Via, invite.Headers.Get(SipHeaderNames.Via)!);

        var result = await admission.CheckAsync(InviteFacts.From(answer), answer, CancellationToken.None);

        Assert.Equal(AdmissionVerdict.Challenge, result.Verdict);
        Assert.Equal(TrunkHost, result.Realm);
    }

    private TrunkAdmission Admission() =>
        new(_store, registrar: null, new TelephonyOptions(), new SipDigestVerifier(_time));

    /// <summary>An INVITE from 192.0.2.50 (outside the connector's 10.0.0.0/8) to the connector's host name.</summary>
    private static SipRequest Invite()
    {
        var invite = new SipRequest(SipMethods.Invite, SipUri.Sip("+15551230000", TrunkHost));
        invite.Headers
            .Add(SipHeaderNames.Via, "SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bKtrunk1")
            .Add(SipHeaderNames.From, "<sip:+15557654321@192.0.2.50>;tag=pbx1")
            .Add(SipHeaderNames.To, "<sip:+15551230000@" + TrunkHost + ">")
            .Add(SipHeaderNames.CallId, "call-1@192.0.2.50")
            .Add(SipHeaderNames.CSeq, "1 INVITE");
        return invite;
    }

    /// <summary>The caller's retry: the INVITE answered against the challenge the admission would send.</summary>
    private static SipRequest Answer(TrunkAdmission admission, SipRequest invite, SipCredentials credentials)
    {
        var challenge = admission.Verifier.Challenge(invite, TrunkHost, "t1");
        var answer = SipDigestClient.Authorize(invite, challenge, credentials)!;
        answer.Headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bKtrunk2");
        return answer;
    }
}
