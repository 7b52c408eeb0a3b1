using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenSma.EndToEnd.Tests.Support;

internal sealed record ProcessResult(int Exit, string Stdout, string Stderr);

/// <summary>What end-to-end tests share: the repository root, free loopback ports, and running a real program.</summary>
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a program to its end; killed (with its children) and reported when it overruns.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in {timeout}: {await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The AWS CLI's chime-sdk-voice commands against an OpenSMA API address, signed with the given key.</summary>
    public static Task<ProcessResult> AwsChimeAsync(string apiUrl, string accessKeyId, string secret, params string[] args) =>
        AwsAsync(apiUrl, accessKeyId, secret, ["chime-sdk-voice", .. args]);

    /// <summary>Any AWS CLI command (<c>s3 cp ...</c>, <c>lambda invoke ...</c>) against an OpenSMA API address.</summary>
    public static Task<ProcessResult> AwsAsync(string apiUrl, string accessKeyId, string secret, string[] args) =>
        RunAsync(
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
