using System.Diagnostics;
using System.Text.Json;

namespace OpenSma.ControlPlane.Tests.Infrastructure;

/// <summary>Runs a real client (aws, python3, node) with fake credentials and a generous timeout,
/// and always kills it on the way out.</summary>
public static class ClientProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public JsonElement Json()
        {
            Assert.True(ExitCode == 0, $"client failed ({ExitCode}):\n{StdErr}\n{StdOut}");
            // The CLI prints one indented document; the scripts print one line after any noise.
            var text = StdOut.Trim();
            return JsonDocument.Parse(text.StartsWith('{') ? text : text.Split('\n')[^1]).RootElement.Clone();
        }
    }

    /// <summary>The test project's source folder, where the client scripts and node_modules live.</summary>
    public static string SourceDirectory { get; } = FindSourceDirectory();

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? SourceDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDOPENSMATEST";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "opensma-test-secret";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_SESSION_TOKEN");
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_ENDPOINT_URL");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(timeout.Token);
            return new Result(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string FindSourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenSma.ControlPlane.Tests.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("OpenSma.ControlPlane.Tests source folder not found above " + AppContext.BaseDirectory);
    }
}
