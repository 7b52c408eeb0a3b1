using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Support;
using OpenSma.Testing;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>
/// Two serve processes on one PostgreSQL database (real server): the router reads through one store
/// with a one-hour route cache on a clock that never moves, and the other process writes through
/// its own store. The LISTEN/NOTIFY feed alone makes the next call see each change.
/// </summary>
public sealed class SipInboundRouterPostgresTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private const string Decline = """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RuleDisabledThenDeletedByAnotherServer_IsSeenByTheNextCall_WithoutWaitingForTheWindow()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var ours = await OpenListeningAsync(connectionString);
        var theirs = await OpenListeningAsync(connectionString);
        try
        {
            await using var rig = await Rig.StartAsync(wrapStore: sqlite =>
            {
                ((IDisposable)sqlite).Dispose();
                return ours;
            });
            rig.Telephony.Inbound!.UseRouteCache(TimeSpan.FromHours(1), new FakeTimeProvider(DateTimeOffset.UtcNow));
            await rig.AddSmaAsync();
            var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-1");
            rig.Handler.Script = _ => Decline;
            await using var phone = await rig.NewPhoneAsync();
            Assert.Equal(603, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
            var signal = (IResourceChangeSignal)ours;

            var before = signal.ChangeVersion(SipRule.Kind);
            Assert.True((await theirs.UpdateAsync(rule with { Disabled = true }, 1, CancellationToken.None)).IsOk);
            await EventuallyAsync(() => signal.ChangeVersion(SipRule.Kind) > before);
            Assert.Equal(480, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);

            before = signal.ChangeVersion(SipRule.Kind);
            Assert.True((await theirs.DeleteAsync<SipRule>(rule.Id, null, CancellationToken.None)).IsOk);
            await EventuallyAsync(() => signal.ChangeVersion(SipRule.Kind) > before);
            Assert.Equal(404, (await phone.CallAsync(rig.SipAddress, Rig.Number)).FinalStatus);
            await rig.AssertAllReleasedAsync();
        }
        finally
        {
            ((IDisposable)theirs).Dispose();
            ((IDisposable)ours).Dispose();
        }
    }

    private static async Task<IResourceStore> OpenListeningAsync(string connectionString)
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForPostgreSql(connectionString), TimeProvider.System, CancellationToken.None);
        var feed = ((IResourceChangeFeedSource)store).ChangeFeed!;
        await EventuallyAsync(() => feed.IsListening);
        return store;
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the change never arrived");
            await Task.Delay(20);
        }
    }
}
