using System.Diagnostics;
using System.Text;

namespace OpenSma.EndToEnd.Tests.Support;

/// <summary>
/// A program the end-to-end tests drive (serve, baresip, linphonec): its stdout and stderr lines
/// are kept for waits and failure messages. Dispose asks it to quit (when a way is given), then
/// kills it and its children.
/// </summary>
internal sealed class LoggedProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly string _name;

    private LoggedProcess(Process process, string name)
    {
        Process = process;
        _name = name;
    }

    public Process Process { get; }

    public int Id => Process.Id;

    public bool HasExited => Process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the program with its output redirected into <see cref="Log"/>.</summary>
    public static LoggedProcess Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new LoggedProcess(Process.Start(start)!, Path.GetFileName(start.FileName));
        process.Process.OutputDataReceived += (_, e) => process.Append(e.Data);
        process.Process.ErrorDataReceived += (_, e) => process.Append(e.Data);
        process.Process.BeginOutputReadLine();
        process.Process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the log satisfies <paramref name="condition"/>; fails with the log when the program exits first or time runs out.</summary>
    public async Task WaitForAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition(Log))
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited before {what}:\n{Log}");
            }

            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_name} never showed {what}:\n{Log}");
            }
        }
    }

    public Task WaitForTextAsync(string text, TimeSpan timeout) =>
        WaitForAsync(log => log.Contains(text, StringComparison.Ordinal), timeout, $"'{text}'");

    /// <summary>Asks the program to quit with <paramref name="quit"/> and waits up to <paramref name="grace"/>; it is killed if still running.</summary>
    public async Task StopAsync(Func<Task> quit, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(quit);
        try
        {
            if (!Process.HasExited)
            {
                await quit();
                await Process.WaitForExitAsync().WaitAsync(grace);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone (or disposed by an earlier call).
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
