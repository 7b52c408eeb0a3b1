using System.IO.Compression;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Functions.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Registry;

public sealed class FunctionRegistryTests
{
    private static FunctionRegistry NewRegistry(TempDirectory work) =>
        new("us-east-1", "111122223333", work.Path, new FakeTimeProvider());

    private static FunctionDefinition Definition(string name, string? dir = null, string? zip = null) => new()
    {
        Name = name,
        Runtime = "nodejs20.x",
        Handler = "index.handler",
        CodeDirectory = dir,
        ZipFile = zip,
    };

    [Fact]
    public void Put_CodeDirectory_IsFoundByNameFullArnAndQualifiedArn()
    {
        using var work = new TempDirectory();
        using var code = new TempDirectory();
        code.Write("index.js", "exports.handler = async () => ({});");
        var registry = NewRegistry(work);

        var entry = registry.Put(Definition("ivr", dir: code.Path));

        Assert.Equal("arn:aws:lambda:us-east-1:111122223333:function:ivr", entry.Arn);
        Assert.Equal(code.Path, entry.CodeRoot);
        Assert.True(entry.WatchCode);
        Assert.True(registry.TryGet("ivr", out _));
        Assert.True(registry.TryGet("arn:aws:lambda:us-east-1:111122223333:function:ivr", out _));
        Assert.True(registry.TryGet("arn:aws:lambda:us-east-1:111122223333:function:ivr:prod", out var qualified));
        Assert.Same(entry, qualified);
        Assert.False(registry.TryGet("arn:aws:lambda:us-east-1:111122223333:function:other", out _));
    }

    [Fact]
    public void Put_ZipBytes_ExtractsIntoWorkDirectoryWithLambdaCodeSha256()
    {
        using var work = new TempDirectory();
        var zip = ZipOf(("index.js", "exports.handler = async () => 1;"), ("lib/util.js", "module.exports = 2;"));
        var registry = NewRegistry(work);

        var entry = registry.Put(Definition("zipped"), zip);

        Assert.False(entry.WatchCode);
        Assert.StartsWith(work.Path, entry.CodeRoot, StringComparison.Ordinal);
        Assert.Equal("module.exports = 2;", File.ReadAllText(Path.Combine(entry.CodeRoot, "lib", "util.js")));
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(zip)), entry.CodeSha256);
        Assert.Equal(zip.Length, entry.CodeSize);
    }

    [Fact]
    public void Put_NotAZip_ThrowsWithClearMessage()
    {
        using var work = new TempDirectory();
        var registry = NewRegistry(work);

        var error = Assert.Throws<FunctionConfigurationException>(() => registry.Put(Definition("bad"), new byte[] { 1, 2, 3 }));

        Assert.StartsWith("Could not unzip the code package", error.Message, StringComparison.Ordinal);
        Assert.Empty(registry.List());
    }

    [Theory]
    [InlineData("bad name", "nodejs20.x", 3, "Function name")]
    [InlineData("ok", "cobol1.0", 3, "Runtime 'cobol1.0' is not supported")]
    [InlineData("ok", "nodejs20.x", 901, "Timeout must be")]
    public void Put_InvalidDefinition_Throws(string name, string runtime, int timeout, string message)
    {
        using var work = new TempDirectory();
        using var code = new TempDirectory();
        var registry = NewRegistry(work);

        var error = Assert.Throws<FunctionConfigurationException>(() =>
            registry.Put(Definition(name, dir: code.Path) with { Runtime = runtime, Timeout = timeout }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_MissingCodeDirectory_Throws()
    {
        using var work = new TempDirectory();
        var registry = NewRegistry(work);

        var error = Assert.Throws<FunctionConfigurationException>(() => registry.Put(Definition("x", dir: "/nonexistent/opensma")));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateConfiguration_KeepsCodeAndRaisesRevision()
    {
        using var work = new TempDirectory();
        using var code = new TempDirectory();
        var registry = NewRegistry(work);
        var before = registry.Put(Definition("ivr", dir: code.Path));

        var after = registry.UpdateConfiguration("ivr", d => d with { Timeout = 20, Name = "renamed" });

        Assert.NotNull(after);
        Assert.Equal("ivr", after.Name);
        Assert.Equal(20, after.Definition.Timeout);
        Assert.Equal(before.CodeRoot, after.CodeRoot);
        Assert.True(after.Revision > before.Revision);
        Assert.Null(registry.UpdateConfiguration("absent", d => d));
    }

    [Fact]
    public void Remove_ByArn_RemovesTheFunction()
    {
        using var work = new TempDirectory();
        using var code = new TempDirectory();
        var registry = NewRegistry(work);
        registry.Put(Definition("b", dir: code.Path));
        registry.Put(Definition("a", dir: code.Path));

        Assert.Equal(["a", "b"], registry.List().Select(f => f.Name));
        Assert.True(registry.Remove("arn:aws:lambda:us-east-1:111122223333:function:a"));
        Assert.False(registry.Remove("a"));
        Assert.Equal(["b"], registry.List().Select(f => f.Name));
    }

    internal static byte[] ZipOf(params (string Name, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write(content);
            }
        }
        return buffer.ToArray();
    }
}
