using System.Diagnostics;

namespace OpenSma.Testing;

/// <summary>How a program run to its end finished: exit code and everything it printed.</summary>
public sealed record ProcessResult(int Exit, string Stdout, string Stderr);

/// <summary>Runs a program (aws, dotnet, node, initdb, ss ...) to its end.</summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="file"/> to its end; killed (with its children) and reported when it overruns <paramref name="timeout"/>.</summary>
    /// <param name="environment">Variables set for the program.</param>
    /// <param name="unset">Variables of this process the program must not inherit.</param>
    /// <param name="workingDirectory">Where the program runs; this process's current directory when null.</param>
    public static async Task<ProcessResult> RunAsync(
        string file,
        IEnumerable<string> args,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? unset = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var name in unset ?? [])
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException(file + " did not start");
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
}
