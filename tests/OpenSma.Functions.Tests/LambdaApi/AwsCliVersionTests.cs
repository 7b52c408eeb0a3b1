using System.Text.Json.Nodes;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.LambdaApi;

/// <summary>Versions and aliases as deploy tools use them, through the real AWS CLI.</summary>
public sealed class AwsCliVersionTests
{
    private static Task<ProcessOutput> AwsAsync(LambdaApiServer server, string workDir, params string[] args) => server.AwsLambdaAsync(workDir, args);

    private static JsonNode Ok(ProcessOutput output)
    {
        Assert.True(output.ExitCode == 0, $"aws exited {output.ExitCode}: {output.Stderr}");
        return output.Stdout.Trim().Length == 0 ? new JsonObject() : JsonNode.Parse(output.Stdout)!;
    }

    private const string Handler = """
        const fs = require('node:fs');
        exports.handler = async (event, context) => ({
          code: fs.readFileSync(__dirname + '/marker.txt', 'utf8'),
          version: context.functionVersion,
          invoked: context.invokedFunctionArn,
        });
        """;

    private static async Task<JsonNode> InvokeAsync(LambdaApiServer server, TempDirectory dir, params string[] target)
    {
        var output = dir.Combine(Guid.NewGuid().ToString("N") + ".json");
        var invoked = Ok(await AwsAsync(server, dir.Path, ["invoke", .. target, "--payload", "{}", output]));
        Assert.Null(invoked["FunctionError"]);
        var reply = JsonNode.Parse(File.ReadAllText(output))!;
        Assert.Equal(reply["version"]!.GetValue<string>(), invoked["ExecutedVersion"]!.GetValue<string>());
        return reply;
    }

    [Fact]
    public async Task AwsCli_PublishVersionsAndAliases_QualifiedInvocationsRunThatCode()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var dir = new TempDirectory();
        using var code = new TempDirectory();
        code.Write("index.js", Handler);
        code.Write("marker.txt", "one");
        const string Arn = "arn:aws:lambda:us-east-1:111122223333:function:versioned";

        Ok(await AwsAsync(server, dir.Path, "create-function", "--function-name", "versioned", "--runtime", "nodejs20.x",
            "--role", "arn:aws:iam::111122223333:role/x", "--handler", "index.handler", "--timeout", "20",
            "--code", $"S3Bucket=hot-reload,S3Key={code.Path}"));
        var v1 = Ok(await AwsAsync(server, dir.Path, "publish-version", "--function-name", "versioned", "--description", "first"));
        var again = Ok(await AwsAsync(server, dir.Path, "publish-version", "--function-name", "versioned"));
        code.Write("marker.txt", "two");
        File.SetLastWriteTimeUtc(code.Combine("marker.txt"), DateTime.UtcNow.AddMinutes(1));
        var v2 = Ok(await AwsAsync(server, dir.Path, "publish-version", "--function-name", "versioned"));
        code.Write("marker.txt", "three");
        File.SetLastWriteTimeUtc(code.Combine("marker.txt"), DateTime.UtcNow.AddMinutes(2));
        var alias = Ok(await AwsAsync(server, dir.Path, "create-alias", "--function-name", "versioned", "--name", "live", "--function-version", "1"));
        var duplicate = await AwsAsync(server, dir.Path, "create-alias", "--function-name", "versioned", "--name", "live", "--function-version", "2");
        var badVersion = await AwsAsync(server, dir.Path, "create-alias", "--function-name", "versioned", "--name", "next", "--function-version", "9");

        Assert.Equal(("1", Arn + ":1", "first"), (v1["Version"]!.GetValue<string>(), v1["FunctionArn"]!.GetValue<string>(), v1["Description"]!.GetValue<string>()));
        Assert.Equal("1", again["Version"]!.GetValue<string>()); // nothing changed: no new version
        Assert.Equal("2", v2["Version"]!.GetValue<string>());
        Assert.Equal((Arn + ":live", "1"), (alias["AliasArn"]!.GetValue<string>(), alias["FunctionVersion"]!.GetValue<string>()));
        Assert.Contains("ResourceConflictException", duplicate.Stderr, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", badVersion.Stderr, StringComparison.Ordinal);

        var viaAlias = await InvokeAsync(server, dir, "--function-name", "versioned", "--qualifier", "live");
        var viaVersionArn = await InvokeAsync(server, dir, "--function-name", Arn + ":2");
        var latest = await InvokeAsync(server, dir, "--function-name", "versioned");
        Assert.Equal(("one", "1", Arn + ":live"), (viaAlias["code"]!.GetValue<string>(), viaAlias["version"]!.GetValue<string>(), viaAlias["invoked"]!.GetValue<string>()));
        Assert.Equal(("two", "2", Arn + ":2"), (viaVersionArn["code"]!.GetValue<string>(), viaVersionArn["version"]!.GetValue<string>(), viaVersionArn["invoked"]!.GetValue<string>()));
        Assert.Equal(("three", "$LATEST", Arn), (latest["code"]!.GetValue<string>(), latest["version"]!.GetValue<string>(), latest["invoked"]!.GetValue<string>()));

        // An SMA endpoint naming the alias goes where the alias points, also after it moves.
        var engineView = await server.Host.InvokeAsync(Arn + ":live", "{}"u8.ToArray(), "tx-1", CancellationToken.None).Guard();
        Assert.Equal(FunctionInvocationStatus.Succeeded, engineView.Status);
        Assert.Equal("one", JsonNode.Parse(engineView.Payload.Span)!["code"]!.GetValue<string>());
        var moved = Ok(await AwsAsync(server, dir.Path, "update-alias", "--function-name", "versioned", "--name", "live", "--function-version", "2"));
        Assert.Equal("2", moved["FunctionVersion"]!.GetValue<string>());
        Assert.Equal("two", (await InvokeAsync(server, dir, "--function-name", Arn + ":live"))["code"]!.GetValue<string>());

        var versions = Ok(await AwsAsync(server, dir.Path, "list-versions-by-function", "--function-name", "versioned"));
        Assert.Equal(["$LATEST", "1", "2"], versions["Versions"]!.AsArray().Select(v => v!["Version"]!.GetValue<string>()));
        var aliases = Ok(await AwsAsync(server, dir.Path, "list-aliases", "--function-name", "versioned"));
        Assert.Equal(["live"], aliases["Aliases"]!.AsArray().Select(a => a!["Name"]!.GetValue<string>()));
        var got = Ok(await AwsAsync(server, dir.Path, "get-alias", "--function-name", "versioned", "--name", "live"));
        Assert.Equal("2", got["FunctionVersion"]!.GetValue<string>());
        var config = Ok(await AwsAsync(server, dir.Path, "get-function-configuration", "--function-name", "versioned", "--qualifier", "1"));
        Assert.Equal(("1", Arn + ":1"), (config["Version"]!.GetValue<string>(), config["FunctionArn"]!.GetValue<string>()));

        Ok(await AwsAsync(server, dir.Path, "delete-alias", "--function-name", "versioned", "--name", "live"));
        var gone = await AwsAsync(server, dir.Path, "invoke", "--function-name", "versioned", "--qualifier", "live", "--payload", "{}", dir.Combine("gone.json"));
        Assert.Contains("ResourceNotFoundException", gone.Stderr, StringComparison.Ordinal);
        var noVersion = await AwsAsync(server, dir.Path, "get-function", "--function-name", Arn + ":7");
        Assert.Contains("ResourceNotFoundException", noVersion.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateFunctionCode_WithPublish_CreatesTheNextVersion()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var dir = new TempDirectory();
        using var one = new TempDirectory();
        using var two = new TempDirectory();
        one.Write("index.js", Handler);
        one.Write("marker.txt", "one");
        two.Write("index.js", Handler);
        two.Write("marker.txt", "two");

        var created = Ok(await AwsAsync(server, dir.Path, "create-function", "--function-name", "pub", "--runtime", "nodejs20.x",
            "--role", "arn:aws:iam::111122223333:role/x", "--handler", "index.handler", "--timeout", "20", "--publish",
            "--code", $"S3Bucket=hot-reload,S3Key={one.Path}"));
        var updated = Ok(await AwsAsync(server, dir.Path, "update-function-code", "--function-name", "pub", "--publish",
            "--s3-bucket", "hot-reload", "--s3-key", two.Path));

        Assert.Equal("1", created["Version"]!.GetValue<string>());
        Assert.Equal("2", updated["Version"]!.GetValue<string>());
        Assert.Equal("one", (await InvokeAsync(server, dir, "--function-name", "pub:1"))["code"]!.GetValue<string>());
        Assert.Equal("two", (await InvokeAsync(server, dir, "--function-name", "pub", "--qualifier", "2"))["code"]!.GetValue<string>());
    }
}
