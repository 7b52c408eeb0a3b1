using OpenSma.Engine.Legs;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Outbound;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Outbound;

public sealed class SipDialRouterTests
{
    internal static VoiceConnector Trunk(string id, IReadOnlyList<OriginationRoute> routes, int? cps = null, string? defaultNumber = null, bool disabled = false)
    {
        var now = DateTimeOffset.UtcNow;
        return new VoiceConnector(
            id, "111122223333", "us-east-1", "trunk " + id, id + ".voiceconnector.example", false, null, null, now, now,
            Termination: new VoiceConnectorTermination(cps, defaultNumber, ["US"], [], false),
            Origination: new VoiceConnectorOrigination(routes, disabled),
            Credentials: [new TerminationCredential("trunkuser", "trunkpass")]);
    }

    [Fact]
    public async Task PlanAsync_OwnedNumber_GoesBackIntoOurOwnEndpoint()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");

        var plan = await rig.Telephony.Router.PlanAsync(new OutboundLegRequest("+15550001111", Rig.Number, null), CancellationToken.None);

        var target = Assert.Single(plan.Attempts);
        Assert.Equal("own-number", target.Route);
        Assert.Equal(Rig.Number, target.Target.User);
        Assert.Equal(rig.SipAddress.Port, target.Target.Port);
    }

    [Theory]
    [InlineData("tel:{0}")]
    [InlineData("tel:{0};phone-context=example.com")]
    public async Task PlanAsync_OwnedNumberAsTelUri_ReadsAsTheNumber(string format)
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");

        var plan = await rig.Telephony.Router.PlanAsync(new OutboundLegRequest("+15550001111", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Rig.Number), null), CancellationToken.None);

        var target = Assert.Single(plan.Attempts);
        Assert.Equal("own-number", target.Route);
        Assert.Equal(Rig.Number, target.Target.User);
    }

    [Fact]
    public async Task PlanAsync_UnownedNumber_UsesTrunkRoutesByPriorityWithCredentialsAndDefaultCallerId()
    {
        await using var rig = await Rig.StartAsync();
        var routes = new[] { new OriginationRoute("192.0.2.20", 5080, "TCP", 2, 1), new OriginationRoute("192.0.2.10", 5060, "UDP", 1, 1) };
        Assert.True((await rig.Store.InsertAsync(Trunk("vc1", routes, defaultNumber: "+15559990000"), CancellationToken.None)).IsOk);

        var plan = await rig.Telephony.Router.PlanAsync(new OutboundLegRequest("+15550001111", "+14155550123", null), CancellationToken.None);

        Assert.Equal(["192.0.2.10", "192.0.2.20"], plan.Attempts.Select(a => a.Target.Host));
        Assert.Equal("tcp", plan.Attempts[1].Target.Transport);
        Assert.All(plan.Attempts, a => Assert.Equal("trunk", a.Route));
        Assert.All(plan.Attempts, a => Assert.Equal("trunkuser", a.Credentials!.Username));
        // +15550001111 is not ours, so the trunk's default number is the caller ID.
        Assert.All(plan.Attempts, a => Assert.Equal("+15559990000", a.From.Uri.User));
        Assert.Equal("+14155550123", plan.Attempts[0].Target.User);
    }

    [Fact]
    public async Task PlanAsync_OwnedCallerId_IsKept()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync("+15550001111", false, "sma-1");
        Assert.True((await rig.Store.InsertAsync(Trunk("vc1", [new("192.0.2.10", 5060, "UDP", 1, 1)], defaultNumber: "+15559990000"), CancellationToken.None)).IsOk);

        var plan = await rig.Telephony.Router.PlanAsync(new OutboundLegRequest("+15550001111", "+14155550123", null), CancellationToken.None);

        Assert.Equal("+15550001111", Assert.Single(plan.Attempts).From.Uri.User);
    }

    [Fact]
    public async Task PlanAsync_OverCpsLimit_Fails503()
    {
        await using var rig = await Rig.StartAsync();
        Assert.True((await rig.Store.InsertAsync(Trunk("vc1", [new("192.0.2.10", 5060, "UDP", 1, 1)], cps: 1), CancellationToken.None)).IsOk);
        var request = new OutboundLegRequest("+15550001111", "+14155550123", null);

        var first = await rig.Telephony.Router.PlanAsync(request, CancellationToken.None);
        var second = await rig.Telephony.Router.PlanAsync(request, CancellationToken.None);

        Assert.Single(first.Attempts);
        Assert.Empty(second.Attempts);
        Assert.Equal(503, second.FailureCode);
    }

    [Fact]
    public async Task PlanAsync_AwsBridgeEndpoint_DialsTheUriAtTheConnectorsRoutes()
    {
        await using var rig = await Rig.StartAsync();
        Assert.True((await rig.Store.InsertAsync(Trunk("abcdef", [new("192.0.2.30", 5062, "UDP", 1, 1)]), CancellationToken.None)).IsOk);

        var plan = await rig.Telephony.Router.PlanAsync(
            new OutboundLegRequest("+15550001111", "5550", null, "arn:aws:chime:us-east-1:111122223333:vc/abcdef"),
            CancellationToken.None);

        var target = Assert.Single(plan.Attempts).Target;
        Assert.Equal(("5550", "192.0.2.30", 5062), (target.User, target.Host, target.Port));
    }

    [Fact]
    public async Task PlanAsync_SipUriOrNothing_DialsDirectlyOr404()
    {
        await using var rig = await Rig.StartAsync();

        var direct = await rig.Telephony.Router.PlanAsync(new OutboundLegRequest("+15550001111", "sip:bob@192.0.2.40:5070", null), CancellationToken.None);
        var nowhere = await rig.Telephony.Router.PlanAsync(new OutboundLegRequest("+15550001111", "+14155550123", null), CancellationToken.None);

        Assert.Equal("192.0.2.40", Assert.Single(direct.Attempts).Target.Host);
        Assert.Empty(nowhere.Attempts);
        Assert.Equal(404, nowhere.FailureCode);
    }

    [Fact]
    public void OrderRoutes_LowerPriorityFirst_EveryRouteOnce()
    {
        var routes = new[] { new OriginationRoute("c", 1, "UDP", 3, 10), new OriginationRoute("a", 1, "UDP", 1, 5), new OriginationRoute("b", 1, "UDP", 1, 50) };

        var ordered = SipDialRouter.OrderRoutes(routes).ToList();

        Assert.Equal(3, ordered.Count);
        Assert.Equal(["a", "b"], ordered.Take(2).Select(r => r.Host).Order());
        Assert.Equal("c", ordered[2].Host);
    }
}
