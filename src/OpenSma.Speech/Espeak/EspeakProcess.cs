using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace OpenSma.Speech.Espeak;

/// <summary>
/// Runs one espeak-ng process: SSML on stdin, a WAV on stdout. A process per request keeps one
/// bad input from affecting others; a semaphore bounds how many run at once, and a process that
/// overruns its time is killed.
/// </summary>
internal sealed class EspeakProcess(EspeakOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentProcesses);

    public readonly record struct Output(byte[]? Wav, string? Error);

    public async Task<Output> RunAsync(string voice, int wordsPerMinute, string ssml, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await RunCoreAsync(voice, wordsPerMinute, ssml, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<Output> RunCoreAsync(string voice, int wordsPerMinute, string ssml, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        // -m: SSML input; -b 1: UTF-8 text; --stdout: WAV to standard output.
        foreach (var argument in new[] { "-m", "-b", "1", "--stdout", "-v", voice, "-s", wordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return new(null, $"espeak-ng could not be started ({options.Executable}: {ex.Message}); install the espeak-ng package");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            var stdout = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, deadline.Token);
            var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.StandardInput.WriteAsync(ssml.AsMemory(), deadline.Token);
            process.StandardInput.Close();
            await copy;
            var errors = await stderr;
            await process.WaitForExitAsync(deadline.Token);
            if (process.ExitCode != 0 || stdout.Length == 0)
            {
                var reason = errors.Trim();
                return new(null, $"espeak-ng failed (exit code {process.ExitCode}){(reason.Length > 0 ? ": " + reason : string.Empty)}");
            }

            return new(stdout.ToArray(), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(null, $"espeak-ng did not finish within {options.Timeout.TotalSeconds:0.#} s");
        }
        catch (IOException ex)
        {
            return new(null, $"espeak-ng failed: {ex.Message}");
        }
        finally
        {
            if (!process.HasExited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the check and the kill.
                }
            }
        }
    }
}
