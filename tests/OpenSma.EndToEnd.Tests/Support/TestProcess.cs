namespace OpenSma.EndToEnd.Tests.Support;

/// <summary>What end-to-end tests share: the repository root, the opensma executable and the AWS CLI (free ports and running a program are in OpenSma.Testing).</summary>
internal static class TestProcess
{
    public static string RepoRoot
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(dir, "OpenSma.slnx")))
            {
                dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
            }

            return dir;
        }
    }

    /// <summary>The opensma executable built beside the tests.</summary>
    public static string Opensma => Path.Combine(AppContext.BaseDirectory, "opensma.dll");

    /// <summary>The AWS CLI's chime-sdk-voice commands against an OpenSMA API address, signed with the given key.</summary>
    public static Task<ProcessResult> AwsChimeAsync(string apiUrl, string accessKeyId, string secret, params string[] args) =>
        AwsAsync(apiUrl, accessKeyId, secret, ["chime-sdk-voice", .. args]);

    /// <summary>Any AWS CLI command (<c>s3 cp ...</c>, <c>lambda invoke ...</c>) against an OpenSMA API address.</summary>
    public static Task<ProcessResult> AwsAsync(string apiUrl, string accessKeyId, string secret, string[] args) =>
        ExternalProcess.RunAsync(
            "aws",
            [.. args, "--endpoint-url", apiUrl, "--output", "json"],
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = accessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = secret,
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["AWS_MAX_ATTEMPTS"] = "1",
                ["AWS_PAGER"] = "",
                // Nothing from the machine's own AWS setup may leak into a test.
                ["AWS_CONFIG_FILE"] = NoSuchFile,
                ["AWS_SHARED_CREDENTIALS_FILE"] = NoSuchFile,
            });

    private static string NoSuchFile => Path.Combine(Path.GetTempPath(), "opensma-tests-no-aws-config", Guid.NewGuid().ToString("N"));
}
