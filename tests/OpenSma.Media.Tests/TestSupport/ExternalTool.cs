using System.Diagnostics;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>
/// Runs the command-line tools listed in scripts/apt-packages.txt (sox, espeak-ng, multimon-ng).
/// Generous timeouts for a loaded CI machine; the process is always killed if it overruns.
/// </summary>
internal static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Run(string tool, params string[] arguments) => RunAsync(tool, arguments).GetAwaiter().GetResult();

    public static async Task<string> RunAsync(string tool, string[] arguments)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{tool} is not installed; run scripts/install-deps (scripts/apt-packages.txt lists it).", ex);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                var output = await stdout;
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
                }

                return output;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
    }

    /// <summary>A scratch directory removed when disposed.</summary>
    public sealed class Scratch : IDisposable
    {
        public Scratch()
        {
            Directory.CreateDirectory(Path);
        }

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "opensma-media-" + Guid.NewGuid().ToString("N"));

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        }
    }
}
