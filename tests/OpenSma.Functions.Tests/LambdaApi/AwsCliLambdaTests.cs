using System.Text;
using System.Text.Json.Nodes;
using OpenSma.Functions.Tests.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.LambdaApi;

/// <summary>The real AWS CLI deploying and invoking functions against MapLambdaApi.</summary>
public sealed class AwsCliLambdaTests
{
    private static Task<ProcessOutput> AwsAsync(LambdaApiServer server, string workDir, params string[] args) => server.AwsLambdaAsync(workDir, args);

    private static JsonObject Ok(ProcessOutput output)
    {
        Assert.True(output.ExitCode == 0, $"aws exited {output.ExitCode}: {output.Stderr}");
        return JsonNode.Parse(output.Stdout)!.AsObject();
    }

    [Fact]
    public async Task AwsCli_CreateInvokeUpdateDelete_WorksAgainstOpenSma()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("v1.zip"), FunctionRegistryTests.ZipOf(("index.js",
            "exports.handler = async (event) => { console.log('got', JSON.stringify(event)); return { version: 1, env: process.env.GREETING ?? null, echo: event }; };")));
        File.WriteAllBytes(dir.Combine("v2.zip"), FunctionRegistryTests.ZipOf(("index.js",
            "exports.handler = async (event) => { if (event.fail) throw new RangeError('out of range'); return { version: 2, env: process.env.GREETING ?? null }; };")));

        var created = Ok(await AwsAsync(server, dir.Path, "create-function", "--function-name", "cli-fn", "--runtime", "nodejs20.x",
            "--role", "arn:aws:iam::111122223333:role/lambda", "--handler", "index.handler", "--zip-file", "fileb://v1.zip", "--timeout", "10"));
        Assert.Equal("arn:aws:lambda:us-east-1:111122223333:function:cli-fn", created["FunctionArn"]!.GetValue<string>());
        Assert.Equal("nodejs20.x", created["Runtime"]!.GetValue<string>());
        Assert.Equal(10, created["Timeout"]!.GetValue<int>());

        var listed = Ok(await AwsAsync(server, dir.Path, "list-functions"));
        Assert.Equal(["cli-fn"], listed["Functions"]!.AsArray().Select(f => f!["FunctionName"]!.GetValue<string>()));

        var invoked = Ok(await AwsAsync(server, dir.Path, "invoke", "--function-name", "cli-fn", "--payload", "{\"n\":7}", "--log-type", "Tail", "out1.json"));
        Assert.Equal(200, invoked["StatusCode"]!.GetValue<int>());
        Assert.Equal("$LATEST", invoked["ExecutedVersion"]!.GetValue<string>());
        Assert.Null(invoked["FunctionError"]);
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(invoked["LogResult"]!.GetValue<string>()));
        Assert.Contains("INFO\tgot {\"n\":7}", log, StringComparison.Ordinal);
        var reply1 = JsonNode.Parse(File.ReadAllText(dir.Combine("out1.json")))!;
        Assert.Equal(1, reply1["version"]!.GetValue<int>());
        Assert.Equal(7, reply1["echo"]!["n"]!.GetValue<int>());

        Ok(await AwsAsync(server, dir.Path, "update-function-code", "--function-name", "cli-fn", "--zip-file", "fileb://v2.zip"));
        var configured = Ok(await AwsAsync(server, dir.Path, "update-function-configuration", "--function-name", "cli-fn",
            "--environment", "Variables={GREETING=hi}"));
        Assert.Equal("hi", configured["Environment"]!["Variables"]!["GREETING"]!.GetValue<string>());
        Ok(await AwsAsync(server, dir.Path, "invoke", "--function-name", "arn:aws:lambda:us-east-1:111122223333:function:cli-fn", "--payload", "{}", "out2.json"));
        var reply2 = JsonNode.Parse(File.ReadAllText(dir.Combine("out2.json")))!;
        Assert.Equal(2, reply2["version"]!.GetValue<int>());
        Assert.Equal("hi", reply2["env"]!.GetValue<string>());

        var failed = Ok(await AwsAsync(server, dir.Path, "invoke", "--function-name", "cli-fn", "--payload", "{\"fail\":true}", "out3.json"));
        Assert.Equal("Unhandled", failed["FunctionError"]!.GetValue<string>());
        Assert.Equal("RangeError", JsonNode.Parse(File.ReadAllText(dir.Combine("out3.json")))!["errorType"]!.GetValue<string>());

        var got = Ok(await AwsAsync(server, dir.Path, "get-function", "--function-name", "cli-fn"));
        Assert.Equal("index.handler", got["Configuration"]!["Handler"]!.GetValue<string>());

        var deleted = await AwsAsync(server, dir.Path, "delete-function", "--function-name", "cli-fn");
        Assert.Equal(0, deleted.ExitCode);
        var missing = await AwsAsync(server, dir.Path, "get-function", "--function-name", "cli-fn");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("ResourceNotFoundException", missing.Stderr, StringComparison.Ordinal);
    }
}
