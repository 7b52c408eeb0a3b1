using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Registry;

/// <summary>Functions, versions and aliases saved in the work directory survive a restart (a new registry on the same folder).</summary>
public sealed class DurableRegistryTests
{
    private const string Account = "111122223333";
    private const string Arn = "arn:aws:lambda:us-east-1:111122223333:function:";

    private const string Handler = """
        const fs = require('node:fs');
        exports.handler = async (event, context) => ({
          code: fs.readFileSync(__dirname + '/marker.txt', 'utf8'),
          version: context.functionVersion,
        });
        """;

    private static FunctionRegistry Open(TempDirectory work) =>
        new("us-east-1", Account, work.Path, new FakeTimeProvider(DateTimeOffset.UtcNow), Path.Combine(work.Path, "state"));

    private static FunctionsOptions Options(TempDirectory work, params FunctionDefinition[] configured)
    {
        var options = new FunctionsOptions { WorkDirectory = work.Path, Region = "us-east-1", AccountId = Account, Durable = true };
        foreach (var d in configured)
            options.Functions.Add(d);
        return options;
    }

    private static FunctionDefinition Zip(string name) => new() { Name = name, Runtime = "nodejs20.x", Handler = "index.handler" };

    private static byte[] Package(string marker) =>
        FunctionRegistryTests.ZipOf(("index.js", Handler), ("marker.txt", marker));

    private static void Mark(TempDirectory code, string marker, int minutes)
    {
        code.Write("marker.txt", marker);
        File.SetLastWriteTimeUtc(code.Combine("marker.txt"), DateTime.UtcNow.AddMinutes(minutes));
    }

    private static async Task<(string Code, string Version)> RunAsync(FunctionHost host, string target)
    {
        var result = await host.InvokeAsync(target, "{}"u8.ToArray(), "tx-durable", CancellationToken.None).Guard();
        Assert.True(result.Status == FunctionInvocationStatus.Succeeded, $"{target}: {result.Status} {result.ErrorMessage}");
        var reply = JsonNode.Parse(result.Payload.Span)!;
        return (reply["code"]!.GetValue<string>(), reply["version"]!.GetValue<string>());
    }

    private static string Describe(FunctionRegistry registry) => string.Join("\n", registry.List().SelectMany(f =>
        registry.ListVersions(f.Name)!.Select(v => $"{v.Arn}|{v.Version}|{v.CodeSha256}|{v.CodeSize}|{v.CodeRoot}|{v.WatchCode}|{v.Definition.Timeout}|{v.Definition.Description}|{v.LastModified:O}")
            .Concat(registry.ListAliases(f.Name)!.Select(a => $"{a.Arn}->{a.FunctionVersion}|{a.Description}|{a.RevisionId}"))));

    [Fact]
    public async Task Restart_KeepsFunctionsVersionsAndAliases_AliasRunsItsVersion_NumberingContinues()
    {
        using var work = new TempDirectory();
        using var code = new TempDirectory();
        code.Write("index.js", Handler);
        Mark(code, "one", 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        string before;
        await using (var first = new FunctionHost(Options(work), time))
        {
            first.Add(new FunctionDefinition { Name = "ivr", Runtime = "nodejs20.x", Handler = "index.handler", CodeDirectory = code.Path, Timeout = 20 });
            first.Registry.Put(Zip("zipped") with { Timeout = 20 }, Package("from-zip"));
            Assert.Equal("1", first.Registry.Publish("ivr", "first")!.Version);
            Mark(code, "two", 2);
            Assert.Equal("2", first.Registry.Publish("ivr")!.Version);
            first.Registry.PutAlias("ivr", "live", "2", "production", mustExist: false);
            first.Registry.PutAlias("ivr", "old", "1", null, mustExist: false);
            Assert.Equal(("two", "2"), await RunAsync(first, Arn + "ivr:live"));
            before = Describe(first.Registry);
        }
        Mark(code, "three", 3); // edited while the server was down: $LATEST is still the folder

        await using var second = new FunctionHost(Options(work), time);

        Assert.Empty(second.Registry.LoadProblems);
        Assert.Equal(before, Describe(second.Registry));
        Assert.Equal(["ivr", "zipped"], second.List().Select(f => f.Name));
        Assert.Equal(("two", "2"), await RunAsync(second, Arn + "ivr:live"));
        Assert.Equal(("one", "1"), await RunAsync(second, Arn + "ivr:old"));
        Assert.Equal(("one", "1"), await RunAsync(second, "ivr:1"));
        Assert.Equal(("three", "$LATEST"), await RunAsync(second, "ivr"));
        Assert.Equal(("from-zip", "$LATEST"), await RunAsync(second, "zipped"));
        Assert.True(second.Registry.TryGet("ivr", out var latest));
        Assert.True(latest.WatchCode);
        Assert.Equal(code.Path, latest.CodeRoot);
        Assert.Equal("3", second.Registry.Publish("ivr")!.Version);
        // Publishing a zip function that did not change since its last version returns that version, also across a restart.
        Assert.Equal("1", second.Registry.Publish("zipped")!.Version);
        await using var third = new FunctionHost(Options(work), time);
        Assert.Equal("1", third.Registry.Publish("zipped")!.Version);
        Assert.Equal(["$LATEST", "1", "2", "3"], third.Registry.ListVersions("ivr")!.Select(v => v.Version));
    }

    [Fact]
    public void EveryChange_IsSavedBeforeItReturns_DeleteRemovesStateAndCopiedCode()
    {
        using var work = new TempDirectory();
        var registry = Open(work);
        var created = registry.Put(Zip("fn"), Package("a"));
        Assert.Equal(created.CodeSha256, Open(work).ListVersions("fn")!.Single().CodeSha256);

        registry.UpdateConfiguration("fn", d => d with { Timeout = 9, Environment = new Dictionary<string, string> { ["K"] = "v" } });
        Assert.True(Open(work).TryGet("fn", out var reread));
        Assert.Equal((9, "v"), (reread.Definition.Timeout, reread.Definition.Environment["K"]));

        registry.Put(Zip("fn") with { Timeout = 9 }, Package("b")); // UpdateFunctionCode
        registry.Publish("fn");
        registry.PutAlias("fn", "live", "1", null, mustExist: false);
        Assert.Equal("1", Open(work).GetAlias("fn", "live")!.FunctionVersion);
        registry.PutAlias("fn", "live", RegisteredFunction.Latest, null, mustExist: true);
        Assert.Equal(RegisteredFunction.Latest, Open(work).GetAlias("fn", "live")!.FunctionVersion);
        Assert.True(registry.DeleteAlias("fn", "live"));
        Assert.Null(Open(work).GetAlias("fn", "live"));
        Assert.Equal(registry.ListVersions("fn")!.Select(v => v.CodeSha256), Open(work).ListVersions("fn")!.Select(v => v.CodeSha256));

        var roots = registry.ListVersions("fn")!.Select(v => v.CodeRoot).ToList();
        Assert.True(registry.Remove("fn"));
        var after = Open(work);
        Assert.Empty(after.List());
        Assert.Empty(after.LoadProblems);
        Assert.All(roots, r => Assert.False(Directory.Exists(r), r));
        // A function made again under the same name starts a new life: version 1.
        registry.Put(Zip("fn"), Package("c"));
        Assert.Equal("1", registry.Publish("fn")!.Version);
    }

    [Fact]
    public void InterruptedWrite_LeftoverTempFile_IsDiscardedAndReported_StateBeforeItIsKept()
    {
        using var work = new TempDirectory();
        var registry = Open(work);
        registry.Put(Zip("a"), Package("a"));
        registry.Publish("a");
        registry.PutAlias("a", "live", "1", null, mustExist: false);
        var manifest = Path.Combine(work.Path, "state", "a.json");
        var text = File.ReadAllText(manifest);
        // A kill between creating the temporary file and renaming it: half a manifest under the temp name.
        var temp = manifest + ".tmp-0123456789abcdef";
        File.WriteAllText(temp, text[..(text.Length / 2)]);
        // ... and a package extraction cut short at the same moment.
        var halfExtracted = Path.Combine(work.Path, "code", "a-0011223344556677.tmp-feedface");
        Directory.CreateDirectory(halfExtracted);
        File.WriteAllText(Path.Combine(halfExtracted, "index.js"), "exports.hand");

        var reopened = Open(work);

        Assert.Equal("1", reopened.GetAlias("a", "live")!.FunctionVersion);
        Assert.Equal(["$LATEST", "1"], reopened.ListVersions("a")!.Select(v => v.Version));
        var problem = Assert.Single(reopened.LoadProblems);
        Assert.Contains(temp, problem, StringComparison.Ordinal);
        Assert.False(File.Exists(temp));
        Assert.False(Directory.Exists(halfExtracted));
        Assert.True(reopened.TryGet("a:live", out var live));
        Assert.True(File.Exists(Path.Combine(live.CodeRoot, "index.js")));
    }

    [Fact]
    public void TruncatedManifest_PreviousStateIsLoadedAndReported_OtherFunctionsUntouched()
    {
        using var work = new TempDirectory();
        var registry = Open(work);
        registry.Put(Zip("a"), Package("a"));
        registry.Put(Zip("b"), Package("b"));
        registry.Publish("a");
        registry.PutAlias("a", "live", "1", null, mustExist: false);
        registry.UpdateConfiguration("a", d => d with { Timeout = 30 }); // the write that gets "torn"
        var manifest = Path.Combine(work.Path, "state", "a.json");
        var text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, text[..(text.Length / 3)]);

        var reopened = Open(work);

        var problem = Assert.Single(reopened.LoadProblems);
        Assert.Contains(manifest, problem, StringComparison.Ordinal);
        Assert.Contains("previous state", problem, StringComparison.Ordinal);
        Assert.True(reopened.TryGet("a", out var a));
        Assert.Equal(3, a.Definition.Timeout); // the state before the torn write
        Assert.Equal("1", reopened.GetAlias("a", "live")!.FunctionVersion);
        Assert.True(reopened.TryGet("b", out _));
        Assert.Single(Directory.GetFiles(Path.Combine(work.Path, "state"), "a.json.corrupt-*"));
        // The restored manifest is in place: the next start reads it without complaint.
        Assert.Empty(Open(work).LoadProblems);
    }

    [Fact]
    public void UnreadableManifest_WithNoPreviousState_SkipsThatFunctionOnly_AndNamesTheFile()
    {
        using var work = new TempDirectory();
        var registry = Open(work);
        registry.Put(Zip("good"), Package("g"));
        registry.Put(Zip("bad"), Package("b"));
        var manifest = Path.Combine(work.Path, "state", "bad.json");
        Assert.False(File.Exists(manifest + ".prev"));
        File.WriteAllText(manifest, "{ \"Format\": 1, \"Name\": \"bad\", \"Latest\": ");

        var reopened = Open(work);

        Assert.Equal(["good"], reopened.List().Select(f => f.Name));
        var problem = Assert.Single(reopened.LoadProblems);
        Assert.Contains(manifest, problem, StringComparison.Ordinal);
        Assert.Contains("not loaded", problem, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(work.Path, "state"), "bad.json.corrupt-*"));
    }

    [Fact]
    public void ChangeThatCannotBeSaved_IsRefusedAndLeavesNothingBehind()
    {
        using var work = new TempDirectory();
        var registry = Open(work);
        registry.Put(Zip("kept"), Package("k"));
        // A folder where the manifest should go makes the rename fail (also when running as root).
        Directory.CreateDirectory(Path.Combine(work.Path, "state", "blocked.json"));

        var error = Assert.Throws<IOException>(() => registry.Put(Zip("blocked"), Package("x")));

        Assert.Contains("blocked", error.Message, StringComparison.Ordinal);
        Assert.False(registry.TryGet("blocked", out _));
        Assert.Empty(Directory.GetFiles(Path.Combine(work.Path, "state"), "*.tmp-*"));
        Assert.Equal(["kept"], Open(work).List().Select(f => f.Name));
    }

    [Fact]
    public async Task ConfigurationFileEntry_WinsForLatest_SavedVersionsAndAliasesStay()
    {
        using var work = new TempDirectory();
        using var code = new TempDirectory();
        code.Write("index.js", Handler);
        Mark(code, "one", 1);
        var configured = new FunctionDefinition { Name = "ivr", Runtime = "nodejs20.x", Handler = "index.handler", CodeDirectory = code.Path, Timeout = 5 };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using (var first = new FunctionHost(Options(work, configured), time))
        {
            first.Registry.Publish("ivr");
            first.Registry.PutAlias("ivr", "live", "1", null, mustExist: false);
            first.Registry.UpdateConfiguration("ivr", d => d with { Timeout = 11 }); // changed through the API
            first.Registry.Put(Zip("api-only"), Package("z"));
        }

        await using var unchanged = new FunctionHost(Options(work, configured), time);
        Assert.True(unchanged.Registry.TryGet("ivr", out var latest));
        Assert.Equal(5, latest.Definition.Timeout); // the file wins for $LATEST
        Assert.Equal("1", unchanged.Registry.GetAlias("ivr", "live")!.FunctionVersion);
        Assert.True(unchanged.Registry.TryGet("ivr:1", out var v1));
        Assert.Equal(5, v1.Definition.Timeout);
        Assert.True(unchanged.Registry.TryGet("api-only", out _));
        // $LATEST is what version 1 was published from again, yet it went through a change: Lambda would publish anew.
        Assert.Equal("2", unchanged.Registry.Publish("ivr")!.Version);

        await using var again = new FunctionHost(Options(work, configured), time);
        // The same file entry over the same code keeps the saved $LATEST: nothing to publish.
        Assert.Equal("2", again.Registry.Publish("ivr")!.Version);
        await using var edited = new FunctionHost(Options(work, configured with { Timeout = 7 }), time);
        Assert.True(edited.Registry.TryGet("ivr", out var changed));
        Assert.Equal(7, changed.Definition.Timeout);
        Assert.Equal("3", edited.Registry.Publish("ivr")!.Version);
        Assert.Equal(["$LATEST", "1", "2", "3"], edited.Registry.ListVersions("ivr")!.Select(v => v.Version));
    }

    [Fact]
    public void DataDirectoryMoved_CopiedCodeIsFoundAtItsNewPlace_FoldersRegisteredInPlaceKeepTheirPath()
    {
        using var parent = new TempDirectory();
        using var code = new TempDirectory();
        code.Write("index.js", Handler);
        Mark(code, "one", 1);
        var old = Path.Combine(parent.Path, "old");
        var registry = new FunctionRegistry("us-east-1", Account, old, new FakeTimeProvider(), Path.Combine(old, "state"));
        registry.Put(Zip("zipped"), Package("z"));
        registry.Put(new FunctionDefinition { Name = "folder", Runtime = "nodejs20.x", Handler = "index.handler", CodeDirectory = code.Path });
        registry.Publish("folder");
        var moved = Path.Combine(parent.Path, "moved");
        Directory.Move(old, moved);

        var reopened = new FunctionRegistry("us-east-1", Account, moved, new FakeTimeProvider(), Path.Combine(moved, "state"));

        Assert.Empty(reopened.LoadProblems);
        Assert.True(reopened.TryGet("zipped", out var zipped));
        Assert.StartsWith(moved, zipped.CodeRoot, StringComparison.Ordinal);
        Assert.True(reopened.TryGet("folder:1", out var v1));
        Assert.Equal("one", File.ReadAllText(Path.Combine(v1.CodeRoot, "marker.txt")));
        Assert.True(reopened.TryGet("folder", out var latest));
        Assert.Equal(code.Path, latest.CodeRoot);
    }

    [Fact]
    public void InMemoryRegistry_WritesNoState()
    {
        using var work = new TempDirectory();
        var registry = new FunctionRegistry("us-east-1", Account, work.Path, new FakeTimeProvider());
        registry.Put(Zip("fn"), Package("a"));
        registry.Publish("fn");

        Assert.Null(registry.StateDirectory);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "state")));
        Assert.Empty(Open(work).List());
    }
}
