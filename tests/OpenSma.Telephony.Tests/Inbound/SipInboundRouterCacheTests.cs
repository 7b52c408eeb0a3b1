using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Invocation;
using OpenSma.Storage.Resources;
using OpenSma.Testing;
using OpenSma.Telephony.Tests.Support;
using static OpenSma.Telephony.Tests.Support.ProxySessionSetup;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>
/// The router keeps what it reads from the store between calls: real INVITEs over loopback, the
/// real SQLite store under a wrapper that counts the reads reaching it, and every change written
/// through the store instance the router shares (as the control plane writes) seen by the next call.
/// </summary>
public sealed class SipInboundRouterCacheTests
{
    private const string Decline = """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";

    [Fact]
    public async Task SecondCall_ToTheSameNumber_DoesNotReadTheStore()
    {
        CountingResourceStore? counting = null;
        await using var rig = await Rig.StartAsync(wrapStore: s => counting = new CountingResourceStore(s));
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();

        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        var afterFirst = counting!.Reads;
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        var afterSecond = counting.Reads;
        // Not found is kept too: the unknown number's rule lookups (by number, then by host) are made once.
        Assert.Equal(404, (await phone.CallAsync(rig.SipAddress, "+15550000000")).FinalStatus);
        var afterUnknown = counting.Reads;
        Assert.Equal(404, (await phone.CallAsync(rig.SipAddress, "+15550000000")).FinalStatus);

        Assert.True(afterFirst >= 2, $"the first call read the rule and the SMA ({afterFirst} reads)");
        Assert.Equal(afterFirst, afterSecond);
        Assert.True(afterUnknown > afterSecond);
        Assert.Equal(afterUnknown, counting.Reads);
        Assert.Equal(2, rig.Handler.Events.Count(e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL"));
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task RuleDisabledThenDeleted_IsSeenByTheNextCall()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.True((await rig.Store.UpdateAsync(rule with { Disabled = true }, 1, CancellationToken.None)).IsOk);
        Assert.Equal(480, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.True((await rig.Store.UpdateAsync(rule, 2, CancellationToken.None)).IsOk);
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.True((await rig.Store.DeleteAsync<SipRule>(rule.Id, null, CancellationToken.None)).IsOk);
        Assert.Equal(404, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        Assert.Equal(2, rig.Handler.Events.Count(e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL"));
    }

    [Fact]
    public async Task RuleCreatedForAnUnknownNumber_AndRuleRetargeted_AreSeenByTheNextCall()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync("sma-1");
        var other = await AddOtherHandlerAsync(rig, "sma-2");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();
        Assert.Equal(404, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.True((await rig.Store.UpdateAsync(rule with { TargetApplications = [new SipRuleTarget("sma-2", 1, "us-east-1")] }, 1, CancellationToken.None)).IsOk);
        Assert.Equal(486, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        Assert.Single(other.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
    }

    [Fact]
    public async Task SmaEndpointChanged_OrSmaDeleted_IsSeenByTheNextCall()
    {
        await using var rig = await Rig.StartAsync();
        var sma = await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var other = await AddOtherHandlerAsync(rig, smaId: null);
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.True((await rig.Store.UpdateAsync(sma with { Endpoint = DelegateHandlerResolver.EndpointFor("other") }, 1, CancellationToken.None)).IsOk);
        Assert.Equal(486, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        Assert.Single(other.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
        Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");

        Assert.True((await rig.Store.DeleteAsync<SipMediaApplication>(sma.Id, null, CancellationToken.None)).IsOk);
        Assert.Equal(480, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
    }

    [Fact]
    public async Task ProxyNumberDeleted_IsSeenByTheNextCall()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        bob.AnswerWith = PhoneAnswer.Busy;
        await SetUpSessionAsync(rig, bob, "Open");
        await using var alice = await rig.NewPhoneAsync();
        Assert.Equal(486, (await alice.CallAsync(rig.SipAddress, AliceProxy, from: Alice)).FinalStatus);

        // Released from the inventory: no longer a proxy number, and no SIP rule has it.
        Assert.True((await rig.Store.DeleteAsync<PhoneNumber>(AliceProxy, null, CancellationToken.None)).IsOk);

        Assert.Equal(404, (await alice.CallAsync(rig.SipAddress, AliceProxy, from: Alice)).FinalStatus);
        Assert.Single(bob.Incoming);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task ChangeByAnotherProcess_IsSeenOnceTheWindowHasPassed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync();
        rig.Telephony.Inbound!.UseRouteCache(TimeSpan.FromSeconds(1), time);
        await rig.AddSmaAsync();
        var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        // Another server sharing the database: this process's store does not see the write.
        var theirs = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(rig.Root), TimeProvider.System, CancellationToken.None);
        try
        {
            Assert.True((await theirs.UpdateAsync(rule with { Disabled = true }, 1, CancellationToken.None)).IsOk);
        }
        finally
        {
            ((IDisposable)theirs).Dispose();
            SqliteConnection.ClearAllPools();
        }

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(480, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        Assert.Equal(TimeSpan.FromSeconds(1), rig.Telephony.Inbound.RouteCacheFreshness);
    }

    [Fact]
    public async Task RouteCacheOff_ReadsTheStoreOnEveryCall()
    {
        CountingResourceStore? counting = null;
        await using var rig = await Rig.StartAsync(wrapStore: s => counting = new CountingResourceStore(s));
        rig.Telephony.Inbound!.UseRouteCache(TimeSpan.Zero);
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();

        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        var afterFirst = counting!.Reads;
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.Equal(2 * afterFirst, counting.Reads);
    }

    [Fact]
    public async Task RouteCacheFreshnessOption_IsAppliedWhenTheRouterIsAttached()
    {
        await using var rig = await Rig.StartAsync(configure: o => o with { RouteCacheFreshness = TimeSpan.FromMilliseconds(250) });

        Assert.Equal(TimeSpan.FromMilliseconds(250), rig.Telephony.Inbound!.RouteCacheFreshness);
    }

    [Fact]
    public async Task RouteCacheOff_OverAStoreThatIsAlreadyACache_ReadsPastThatCacheOnEveryCall()
    {
        // serve's SQLite store is the control plane's CachedResourceStore; zero must still mean "read the database".
        CountingResourceStore? counting = null;
        await using var rig = await Rig.StartAsync(
            configure: o => o with { RouteCacheFreshness = TimeSpan.Zero },
            wrapStore: s => new CachedResourceStore(counting = new CountingResourceStore(s)));
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();

        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        var afterFirst = counting!.Reads;
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.True(afterFirst > 0);
        Assert.Equal(2 * afterFirst, counting.Reads);
    }

    [Fact]
    public async Task RouteCacheOn_OverAStoreThatIsAlreadyACache_ReadsNothingOnTheSecondCall()
    {
        CountingResourceStore? counting = null;
        await using var rig = await Rig.StartAsync(wrapStore: s => new CachedResourceStore(counting = new CountingResourceStore(s)));
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => Decline;
        await using var phone = await rig.NewPhoneAsync();

        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
        var afterFirst = counting!.Reads;
        Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

        Assert.Equal(afterFirst, counting.Reads);
    }

    /// <summary>A second handler ("other") that answers busy; with <paramref name="smaId"/>, an SMA that invokes it.</summary>
    private static async Task<ScriptedHandler> AddOtherHandlerAsync(Rig rig, string? smaId)
    {
        var other = new ScriptedHandler { Script = _ => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"486"}}]""" };
        rig.Handlers.Register("other", other.HandleAsync);
        if (smaId is not null)
        {
            await rig.AddSmaAsync(smaId, handler: "other");
        }

        return other;
    }
}
