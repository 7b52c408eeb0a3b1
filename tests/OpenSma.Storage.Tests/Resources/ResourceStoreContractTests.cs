using OpenSma.Storage.Resources;

namespace OpenSma.Storage.Tests.Resources;

/// <summary>Behaviour every backend must show; each backend's test class supplies a fresh store.</summary>
public abstract class ResourceStoreContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    protected abstract Task<IResourceStore> CreateStoreAsync();

    protected static SipMediaApplication Sma(string id, string name) =>
        new(id, "123456789012", "us-east-1", name, "arn:aws:lambda:us-east-1:123456789012:function:h", T0, T0);

    [Fact]
    public async Task InsertAsync_NewDocument_GetReturnsItAtVersionOne()
    {
        var store = await CreateStoreAsync();
        var result = await store.InsertAsync(Sma("a", "first"), CancellationToken.None);
        var read = await store.GetAsync<SipMediaApplication>("a", CancellationToken.None);

        Assert.Equal(WriteStatus.Ok, result.Status);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal("first", read.Value.Name);
        Assert.Equal(T0, read.Value.CreatedTimestamp);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:h", read.Value.Endpoint);
    }

    [Fact]
    public async Task InsertAsync_DuplicateIdOrUniqueKey_Conflicts()
    {
        var store = await CreateStoreAsync();
        await store.InsertAsync(Sma("a", "first"), CancellationToken.None);

        var sameId = await store.InsertAsync(Sma("a", "other"), CancellationToken.None);
        var sameName = await store.InsertAsync(Sma("b", "first"), CancellationToken.None);

        Assert.Equal(WriteStatus.Conflict, sameId.Status);
        Assert.Equal(WriteStatus.Conflict, sameName.Status);
        Assert.Null(await store.GetAsync<SipMediaApplication>("b", CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_SameIdOtherKind_IsNotFound()
    {
        var store = await CreateStoreAsync();
        await store.InsertAsync(Sma("a", "first"), CancellationToken.None);

        Assert.Null(await store.GetAsync<SipRule>("a", CancellationToken.None));
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_IsRejectedAndKeepsNewerWrite()
    {
        var store = await CreateStoreAsync();
        await store.InsertAsync(Sma("a", "v1"), CancellationToken.None);
        var first = await store.UpdateAsync(Sma("a", "v2"), 1, CancellationToken.None);
        var stale = await store.UpdateAsync(Sma("a", "v3"), 1, CancellationToken.None);
        var missing = await store.UpdateAsync(Sma("zz", "v3"), 1, CancellationToken.None);
        var read = await store.GetAsync<SipMediaApplication>("a", CancellationToken.None);

        Assert.Equal(new WriteResult(WriteStatus.Ok, 2), first);
        Assert.Equal(WriteStatus.VersionConflict, stale.Status);
        Assert.Equal(WriteStatus.NotFound, missing.Status);
        Assert.Equal("v2", read!.Value.Name);
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task UpdateAsync_UniqueKeyTakenByAnother_Conflicts()
    {
        var store = await CreateStoreAsync();
        await store.InsertAsync(Sma("a", "one"), CancellationToken.None);
        await store.InsertAsync(Sma("b", "two"), CancellationToken.None);

        var result = await store.UpdateAsync(Sma("b", "one"), 1, CancellationToken.None);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal("two", (await store.GetAsync<SipMediaApplication>("b", CancellationToken.None))!.Value.Name);
    }

    [Fact]
    public async Task FindByKeyAsync_SipRuleTrigger_FindsRuleCaseInsensitively()
    {
        var store = await CreateStoreAsync();
        var rule = new SipRule("r1", "rule", false, "RequestUriHostname", "Trunk.Example.com", [new SipRuleTarget("a", 1, "us-east-1")], T0, T0);
        await store.InsertAsync(rule, CancellationToken.None);

        var found = await store.FindByKeyAsync<SipRule>(SipRule.TriggerKey("RequestUriHostname", "trunk.example.COM"), CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal("r1", found.Value.Id);
        Assert.Equal("a", Assert.Single(found.Value.TargetApplications).SipMediaApplicationId);
    }

    [Fact]
    public async Task ListAsync_AfterSequence_PagesInCreationOrder()
    {
        var store = await CreateStoreAsync();
        foreach (var name in new[] { "c", "a", "b", "d", "e" })
        {
            await store.InsertAsync(Sma("id-" + name, name), CancellationToken.None);
        }

        var page1 = await store.ListAsync<SipMediaApplication>(0, 2, CancellationToken.None);
        var page2 = await store.ListAsync<SipMediaApplication>(page1[^1].Sequence, 2, CancellationToken.None);
        var page3 = await store.ListAsync<SipMediaApplication>(page2[^1].Sequence, 2, CancellationToken.None);

        Assert.Equal(["c", "a"], page1.Select(s => s.Value.Name));
        Assert.Equal(["b", "d"], page2.Select(s => s.Value.Name));
        Assert.Equal(["e"], page3.Select(s => s.Value.Name));
    }

    [Fact]
    public async Task DeleteAsync_RemovesOnlyThatDocument_AndChecksVersion()
    {
        var store = await CreateStoreAsync();
        await store.InsertAsync(Sma("a", "one"), CancellationToken.None);
        await store.InsertAsync(Sma("b", "two"), CancellationToken.None);

        var stale = await store.DeleteAsync<SipMediaApplication>("a", 7, CancellationToken.None);
        var deleted = await store.DeleteAsync<SipMediaApplication>("a", 1, CancellationToken.None);
        var again = await store.DeleteAsync<SipMediaApplication>("a", null, CancellationToken.None);

        Assert.Equal(WriteStatus.VersionConflict, stale.Status);
        Assert.Equal(WriteStatus.Ok, deleted.Status);
        Assert.Equal(WriteStatus.NotFound, again.Status);
        Assert.Null(await store.GetAsync<SipMediaApplication>("a", CancellationToken.None));
        Assert.NotNull(await store.GetAsync<SipMediaApplication>("b", CancellationToken.None));
        Assert.Equal(WriteStatus.Ok, (await store.InsertAsync(Sma("c", "one"), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Tags_PutOverwriteAndRemove_AreKeptPerArn()
    {
        var store = await CreateStoreAsync();
        await store.PutTagsAsync("arn:x", [new ResourceTag("env", "dev"), new ResourceTag("team", "voice")], CancellationToken.None);
        await store.PutTagsAsync("arn:x", [new ResourceTag("env", "prod")], CancellationToken.None);
        await store.PutTagsAsync("arn:y", [new ResourceTag("env", "other")], CancellationToken.None);
        await store.RemoveTagsAsync("arn:x", ["team", "absent"], CancellationToken.None);

        Assert.Equal([new ResourceTag("env", "prod")], await store.GetTagsAsync("arn:x", CancellationToken.None));
        Assert.Equal([new ResourceTag("env", "other")], await store.GetTagsAsync("arn:y", CancellationToken.None));
    }

    [Fact]
    public async Task Settings_PutTwice_KeepsLastValue()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetSettingAsync("calling-name", CancellationToken.None));
        await store.PutSettingAsync("calling-name", "Alice", CancellationToken.None);
        await store.PutSettingAsync("calling-name", "Bob", CancellationToken.None);

        Assert.Equal("Bob", await store.GetSettingAsync("calling-name", CancellationToken.None));
    }

    [Fact]
    public async Task MutateAsync_ConcurrentWriters_LoseNoUpdate()
    {
        var store = await CreateStoreAsync();
        var group = new VoiceConnectorGroup("g", "123456789012", "us-east-1", "group", [], null, T0, T0);
        await store.InsertAsync(group, CancellationToken.None);
        const int writers = 24;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            var result = await store.MutateAsync<VoiceConnectorGroup>(
                "g",
                g => g with { VoiceConnectorItems = [.. g.VoiceConnectorItems, new VoiceConnectorItem("vc" + i, 1)] },
                CancellationToken.None);
            Assert.True(result.IsOk);
        })));

        var read = await store.GetAsync<VoiceConnectorGroup>("g", CancellationToken.None);
        Assert.Equal(writers, read!.Value.VoiceConnectorItems.Select(i => i.VoiceConnectorId).Distinct().Count());
        Assert.Equal(writers + 1, read.Version);
    }

    [Fact]
    public async Task MutateAsync_MissingDocument_ReportsNotFound()
    {
        var store = await CreateStoreAsync();

        var result = await store.MutateAsync<SipRule>("none", r => r with { Disabled = true }, CancellationToken.None);

        Assert.Equal(WriteStatus.NotFound, result.Status);
    }

    private static bool InUsEast1(SipMediaApplication sma) => sma.AwsRegion == "us-east-1";

    [Fact]
    public async Task InsertWithinQuotaAsync_ManyAtOnceThroughTwoStores_InsertsExactlyTheLimit()
    {
        // Two instances on one database stand for two servers; the inserts race from both.
        var first = await CreateStoreAsync();
        var second = await CreateStoreAsync();
        const int Limit = 3;
        const int Attempts = 40;

        var results = await Task.WhenAll(Enumerable.Range(0, Attempts).Select(i => Task.Run(async () =>
            (await (i % 2 == 0 ? first : second).InsertWithinQuotaAsync([Sma($"id-{i}", $"name-{i}")], Limit, InUsEast1, CancellationToken.None))[0])));

        Assert.Equal(Limit, results.Count(r => r.Status == WriteStatus.Ok));
        Assert.Equal(Attempts - Limit, results.Count(r => r.Status == WriteStatus.QuotaExceeded));
        Assert.Equal(Limit, (await first.ListAllAsync<SipMediaApplication>(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task InsertWithinQuotaAsync_RefusesOnlyCountedInsertsOverTheLimit_AndABatchWhole()
    {
        var store = await CreateStoreAsync();
        var elsewhere = Sma("w", "west") with { AwsRegion = "us-west-2" };

        var two = await store.InsertWithinQuotaAsync([Sma("a", "a"), Sma("b", "b")], 2, InUsEast1, CancellationToken.None);
        var uncounted = await store.InsertWithinQuotaAsync([elsewhere], 2, InUsEast1, CancellationToken.None);
        var taken = await store.InsertWithinQuotaAsync([Sma("a", "again")], 2, InUsEast1, CancellationToken.None);
        var over = await store.InsertWithinQuotaAsync([Sma("w2", "west-2") with { AwsRegion = "us-west-2" }, Sma("c", "c")], 2, InUsEast1, CancellationToken.None);
        var stored = await store.ListAllAsync<SipMediaApplication>(CancellationToken.None);

        Assert.Equal([WriteStatus.Ok, WriteStatus.Ok], two.Select(r => r.Status));
        Assert.Equal(WriteStatus.Ok, Assert.Single(uncounted).Status);
        Assert.Equal(WriteStatus.Conflict, Assert.Single(taken).Status);
        Assert.Equal([WriteStatus.QuotaExceeded, WriteStatus.QuotaExceeded], over.Select(r => r.Status));
        Assert.Equal(["a", "b", "w"], stored.Select(s => s.Value.Id));
        Assert.Equal(1, stored[0].Version);
    }

    [Fact]
    public async Task CountInWindowAsync_TwoStores_CountIntoOneWindowPerKey()
    {
        var first = await CreateStoreAsync();
        var second = await CreateStoreAsync();

        long[] counts =
        [
            await first.CountInWindowAsync("k", 100, CancellationToken.None),
            await second.CountInWindowAsync("k", 100, CancellationToken.None),
            await second.CountInWindowAsync("other", 100, CancellationToken.None),
            // A late clock's event goes into the newest window.
            await first.CountInWindowAsync("k", 99, CancellationToken.None),
            await second.CountInWindowAsync("k", 101, CancellationToken.None),
            await first.CountInWindowAsync("k", 101, CancellationToken.None),
        ];

        Assert.Equal([1L, 2L, 1L, 3L, 1L, 2L], counts);
    }

    [Fact]
    public async Task CountInWindowAsync_ManyAtOnceThroughTwoStores_LosesNoEvent()
    {
        var first = await CreateStoreAsync();
        var second = await CreateStoreAsync();
        const int Events = 40;

        var counts = await Task.WhenAll(Enumerable.Range(0, Events).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? first : second).CountInWindowAsync("burst", 7, CancellationToken.None))));

        Assert.Equal(Enumerable.Range(1, Events).Select(n => (long)n), counts.Order());
    }
}
