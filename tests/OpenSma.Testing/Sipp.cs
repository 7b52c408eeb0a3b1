using System.Diagnostics;

namespace OpenSma.Testing;

/// <summary>How a sipp run ended: sipp's exit code (0 every call passed, 1 a call failed, 255 fatal or global timeout), stdout and stderr, and its <c>*_errors.log</c> files.</summary>
public sealed record SippResult(int ExitCode, string Output, string Errors);

/// <summary>Runs sipp (apt sip-tester) to its end, bounded in time and always killed.</summary>
public static class Sipp
{
    /// <summary>Runs sipp with <paramref name="arguments"/> in <paramref name="folder"/> (where it writes its logs) until it exits or <paramref name="limit"/> passes.</summary>
    public static async Task<SippResult> RunAsync(IEnumerable<string> arguments, string folder, TimeSpan limit)
    {
        var start = new ProcessStartInfo("sipp", arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var cts = new CancellationTokenSource(limit);
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        var errors = string.Join("\n", Directory.EnumerateFiles(folder, "*_errors.log").Select(File.ReadAllText));
        return new SippResult(process.ExitCode, await stdout + await stderr, errors);
    }
}
