using System.Text.Json.Nodes;
using OpenSma.Functions.Tests.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.LambdaApi;

/// <summary>What the AWS CLI deployed is still there after the server restarts on the same work directory.</summary>
public sealed class AwsCliRestartTests
{
    private static JsonNode Ok(ProcessOutput output)
    {
        Assert.True(output.ExitCode == 0, $"aws exited {output.ExitCode}: {output.Stderr}");
        return output.Stdout.Trim().Length == 0 ? new JsonObject() : JsonNode.Parse(output.Stdout)!;
    }

    private const string Handler = "exports.handler = async (event, context) => ({ package: PACKAGE, version: context.functionVersion, greeting: process.env.GREETING ?? null });";

    [Fact]
    public async Task AwsCli_ZipFunctionVersionAndAlias_SurviveARestart()
    {
        using var work = new TempDirectory();
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("v1.zip"), FunctionRegistryTests.ZipOf(("index.js", Handler.Replace("PACKAGE", "'one'", StringComparison.Ordinal))));
        File.WriteAllBytes(dir.Combine("v2.zip"), FunctionRegistryTests.ZipOf(("index.js", Handler.Replace("PACKAGE", "'two'", StringComparison.Ordinal))));
        JsonNode before;
        JsonNode aliasBefore;
        await using (var first = await LambdaApiServer.StartAsync(work.Path, durable: true))
        {
            Ok(await first.AwsLambdaAsync(dir.Path, "create-function", "--function-name", "kept", "--runtime", "nodejs20.x",
                "--role", "arn:aws:iam::111122223333:role/x", "--handler", "index.handler", "--timeout", "20",
                "--zip-file", "fileb://v1.zip", "--publish"));
            aliasBefore = Ok(await first.AwsLambdaAsync(dir.Path, "create-alias", "--function-name", "kept", "--name", "live", "--function-version", "1"));
            Ok(await first.AwsLambdaAsync(dir.Path, "update-function-code", "--function-name", "kept", "--zip-file", "fileb://v2.zip"));
            Ok(await first.AwsLambdaAsync(dir.Path, "update-function-configuration", "--function-name", "kept", "--environment", "Variables={GREETING=hi}"));
            before = Ok(await first.AwsLambdaAsync(dir.Path, "get-function", "--function-name", "kept"));
        }

        await using var second = await LambdaApiServer.StartAsync(work.Path, durable: true);

        var after = Ok(await second.AwsLambdaAsync(dir.Path, "get-function", "--function-name", "kept"));
        Assert.Equal(before["Configuration"]!.ToJsonString(), after["Configuration"]!.ToJsonString());
        var alias = Ok(await second.AwsLambdaAsync(dir.Path, "get-alias", "--function-name", "kept", "--name", "live"));
        Assert.Equal(aliasBefore.ToJsonString(), alias.ToJsonString()); // RevisionId included
        var versions = Ok(await second.AwsLambdaAsync(dir.Path, "list-versions-by-function", "--function-name", "kept"));
        Assert.Equal(["$LATEST", "1"], versions["Versions"]!.AsArray().Select(v => v!["Version"]!.GetValue<string>()));

        Ok(await second.AwsLambdaAsync(dir.Path, "invoke", "--function-name", "kept", "--payload", "{}", dir.Combine("latest.json")));
        var latest = JsonNode.Parse(File.ReadAllText(dir.Combine("latest.json")))!;
        Assert.Equal(("two", "$LATEST", "hi"), (latest["package"]!.GetValue<string>(), latest["version"]!.GetValue<string>(), latest["greeting"]!.GetValue<string>()));
        Ok(await second.AwsLambdaAsync(dir.Path, "invoke", "--function-name", "kept", "--qualifier", "live", "--payload", "{}", dir.Combine("live.json")));
        var live = JsonNode.Parse(File.ReadAllText(dir.Combine("live.json")))!;
        Assert.Equal(("one", "1"), (live["package"]!.GetValue<string>(), live["version"]!.GetValue<string>()));
        Assert.Null(live["greeting"]); // version 1 was published before the environment was set
        var published = Ok(await second.AwsLambdaAsync(dir.Path, "publish-version", "--function-name", "kept"));
        Assert.Equal("2", published["Version"]!.GetValue<string>());

        Ok(await second.AwsLambdaAsync(dir.Path, "delete-function", "--function-name", "kept"));
        await using var third = await LambdaApiServer.StartAsync(work.Path, durable: true);
        var gone = await third.AwsLambdaAsync(dir.Path, "get-function", "--function-name", "kept");
        Assert.Contains("ResourceNotFoundException", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateFunction_ThatCannotBeSaved_Is500ServiceException_AndTheFunctionDoesNotExist()
    {
        using var work = new TempDirectory();
        await using var server = await LambdaApiServer.StartAsync(work.Path, durable: true);
        // A folder where the manifest should go makes the save fail (also when running as root).
        Directory.CreateDirectory(Path.Combine(work.Path, "state", "blocked.json"));
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var zip = Convert.ToBase64String(FunctionRegistryTests.ZipOf(("index.js", "exports.handler = async () => 1;")));
        var body = new JsonObject
        {
            ["FunctionName"] = "blocked", ["Runtime"] = "nodejs20.x", ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::111122223333:role/x", ["Code"] = new JsonObject { ["ZipFile"] = zip },
        }.ToJsonString();

        using var created = await http.PostAsync("/2015-03-31/functions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        using var got = await http.GetAsync("/2015-03-31/functions/blocked");

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, created.StatusCode);
        Assert.Equal("ServiceException", created.Headers.GetValues("X-Amzn-ErrorType").Single());
        Assert.Contains("blocked", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, got.StatusCode);
    }
}
