using OpenSma.Testing;

namespace OpenSma.Functions.Tests.TestSupport;

internal sealed record ProcessOutput(int ExitCode, string Stdout, string Stderr);

internal static class ProcessRunner
{
    /// <summary>Runs a program to its end (OpenSma.Testing's <see cref="ExternalProcess"/>, killed after a generous bound) and captures its output.</summary>
    public static async Task<ProcessOutput> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var (exit, stdout, stderr) = await ExternalProcess.RunAsync(file, arguments, TimeSpan.FromSeconds(120), environment, workingDirectory: workingDirectory);
        return new ProcessOutput(exit, stdout, stderr);
    }
}
