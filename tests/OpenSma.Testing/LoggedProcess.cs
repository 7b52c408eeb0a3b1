using System.Diagnostics;
using System.Text;

namespace OpenSma.Testing;

/// <summary>
/// A program a test drives (serve, baresip, linphonec, sipp, node): its stdout and stderr lines are
/// kept for waits and failure messages, and commands can be typed on its stdin. Dispose kills it and
/// its children; <see cref="StopAsync"/> first asks it to quit.
/// </summary>
public sealed class LoggedProcess : IAsyncDisposable
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

    /// <summary>Starts the program with its output redirected into <see cref="Log"/> (stdin as <paramref name="start"/> says).</summary>
    public static LoggedProcess Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new LoggedProcess(
            Process.Start(start) ?? throw new InvalidOperationException(start.FileName + " did not start"),
            Path.GetFileName(start.FileName));
        process.Process.OutputDataReceived += (_, e) => process.Append(e.Data);
        process.Process.ErrorDataReceived += (_, e) => process.Append(e.Data);
        process.Process.BeginOutputReadLine();
        process.Process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts <paramref name="program"/> with its stdin open for <see cref="WriteLineAsync"/>.</summary>
    public static LoggedProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardInput = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Start(start);
    }

    /// <summary>Types a line on the program's stdin (started with it redirected).</summary>
    public async Task WriteLineAsync(string line)
    {
        await Process.StandardInput.WriteLineAsync(line);
        await Process.StandardInput.FlushAsync();
    }

    /// <summary>The last <paramref name="characters"/> of the log, for failure messages.</summary>
    public string Tail(int characters = 6000)
    {
        var log = Log;
        return log[^Math.Min(characters, log.Length)..];
    }

    /// <summary>Waits until the log satisfies <paramref name="condition"/>; fails with the log when the program exits first or time runs out.</summary>
    public async Task WaitForAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
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

    /// <summary>Waits until <paramref name="text"/> appears in the log.</summary>
    public Task WaitForTextAsync(string text, TimeSpan timeout) =>
        WaitForAsync(log => log.Contains(text, StringComparison.Ordinal), timeout, $"'{text}'");

    /// <inheritdoc cref="WaitForTextAsync"/>
    public Task WaitForAsync(string text, TimeSpan timeout) => WaitForTextAsync(text, timeout);

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
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone (or disposed by an earlier call), or a child that will not die.
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
