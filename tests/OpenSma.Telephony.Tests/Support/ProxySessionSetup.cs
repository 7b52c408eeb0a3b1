using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Inbound;
using OpenSma.Telephony.Tests.Outbound;

namespace OpenSma.Telephony.Tests.Support;

/// <summary>
/// A proxy session between Alice and Bob for the proxy-call tests: a voice connector (with an
/// origination route to <c>trunkTo</c>, or none so only the registrar reaches Bob), both proxy
/// numbers on it, the connector's proxy settings and the session, and the rig's inbound router
/// resolving proxy calls from the store.
/// </summary>
internal static class ProxySessionSetup
{
    public const string Alice = "+15557654321";
    public const string Bob = "+15559998888";
    public const string AliceProxy = "+15550001111";
    public const string BobProxy = "+15550002222";

    public static async Task SetUpSessionAsync(Rig rig, TestPhone? trunkTo, string status, string? fallback = null)
    {
        var now = DateTimeOffset.UtcNow;
        // Without a trunk the connector has no origination routes, so only the registrar can reach Bob.
        var connector = SipDialRouterTests.Trunk("vc-proxy", trunkTo is null ? [] : [new OriginationRoute("127.0.0.1", trunkTo.Address.Port, "UDP", 1, 1)]);
        Assert.True((await rig.Store.InsertAsync(connector, CancellationToken.None)).IsOk);
        foreach (var number in new[] { AliceProxy, BobProxy })
        {
            var record = new PhoneNumber(
                number, number, "US", "Local", "VoiceConnector", "Assigned",
                [new PhoneNumberAssociation("VoiceConnectorId", connector.Id, now)], null, null, null, null, now, now, null);
            Assert.True((await rig.Store.InsertAsync(record, CancellationToken.None)).IsOk);
        }

        Assert.True((await rig.Store.InsertAsync(new VoiceConnectorProxy(connector.Id, 60, ["US"], fallback, false, now), CancellationToken.None)).IsOk);
        var session = new ProxySession(
            "ps-1", connector.Id, "ride", status, 60, ["Voice"],
            [new ProxyParticipant(Alice, AliceProxy), new ProxyParticipant(Bob, BobProxy)],
            "PreferSticky", null, null, now, now, status == "Closed" ? now : null, now.AddHours(1));
        Assert.True((await rig.Store.InsertAsync(session, CancellationToken.None)).IsOk);
        var router = rig.Telephony.Inbound!;
        router.UseProxySessions(new StoreProxyCallResolver(rig.Store, TimeProvider.System), rig.Telephony.LegFactory);
        router.ProxyCallStarted += (caller, _, _) => { lock (rig.Legs) { rig.Legs.Add(caller); } };
    }
}
