using System.Text.Json.Nodes;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

public sealed class FunctionsConfigurationFileTests
{
    private static FunctionDefinition Definition(string name, string code, string handler = "index.handler") => new()
    {
        Name = name,
        Runtime = "python3.12",
        Handler = handler,
        CodeDirectory = code,
        Timeout = 9,
        ReservedConcurrency = 1,
        Environment = new Dictionary<string, string> { ["A"] = "1" },
    };

    [Fact]
    public void Put_ThenReplaceThenRemove_KeepsTheRestOfTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("opensma.json", """
            // comments are allowed in configuration files
            { "ControlPlane": { "AwsRegion": "eu-west-1" },
              "functions": { "Region": "eu-west-1", "functions": [ { "Name": "keep", "Runtime": "nodejs20.x", "CodeDirectory": "/srv/keep" } ] } }
            """);
        var file = new FunctionsConfigurationFile(path);

        file.Put(Definition("ivr", dir.Path));
        file.Put(Definition("ivr", dir.Path, handler: "app.main"));
        var afterPut = file.List();
        var removed = file.Remove("keep");
        var removedAgain = file.Remove("keep");

        Assert.Equal(["keep", "ivr"], afterPut.Select(f => f.Name));
        var ivr = afterPut[1];
        Assert.Equal(("python3.12", "app.main", 9, 1, Path.GetFullPath(dir.Path)), (ivr.Runtime, ivr.Handler, ivr.Timeout, ivr.ReservedConcurrency, ivr.Code));
        Assert.Equal("1", ivr.Environment["A"]);
        Assert.True(removed);
        Assert.False(removedAgain);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("eu-west-1", root["ControlPlane"]!["AwsRegion"]!.GetValue<string>());
        Assert.Equal("eu-west-1", root["functions"]!["Region"]!.GetValue<string>());
        Assert.Equal(["ivr"], root["functions"]!["functions"]!.AsArray().Select(f => f!["Name"]!.GetValue<string>()));
    }

    [Fact]
    public void Put_MissingFile_CreatesIt()
    {
        using var dir = new TempDirectory();
        var file = new FunctionsConfigurationFile(dir.Combine("sub/opensma.json"));

        file.Put(Definition("ivr", dir.Path));

        Assert.Equal("ivr", Assert.Single(file.List()).Name);
    }

    [Fact]
    public void Put_InvalidDefinitionOrBrokenFile_ThrowsAndLeavesTheFileAlone()
    {
        using var dir = new TempDirectory();
        var broken = dir.Write("broken.json", "{ not json");
        var good = dir.Write("good.json", "{}");

        var badRuntime = Assert.Throws<FunctionConfigurationException>(() =>
            new FunctionsConfigurationFile(good).Put(Definition("ivr", dir.Path) with { Runtime = "cobol" }));
        var missingCode = Assert.Throws<FunctionConfigurationException>(() =>
            new FunctionsConfigurationFile(good).Put(Definition("ivr", dir.Combine("nope"))));
        var badFile = Assert.Throws<FunctionConfigurationException>(() => new FunctionsConfigurationFile(broken).Put(Definition("ivr", dir.Path)));

        Assert.Contains("Runtime 'cobol' is not supported", badRuntime.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", missingCode.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid JSON", badFile.Message, StringComparison.Ordinal);
        Assert.Equal("{}", File.ReadAllText(good));
        Assert.Equal("{ not json", File.ReadAllText(broken));
    }
}
