using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>Runs one sipp process in its own scratch folder, bounded in time and always killed.</summary>
internal static class SippProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Errors);

    public static async Task<Outcome> RunAsync(IEnumerable<string> arguments, TimeSpan limit)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-");
        var start = new ProcessStartInfo("sipp")
        {
            WorkingDirectory = folder.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

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

        var errors = string.Join("\n", folder.EnumerateFiles("*_errors.log").Select(f => File.ReadAllText(f.FullName)));
        var output = await stdout + await stderr;
        folder.Delete(recursive: true);
        return new Outcome(process.ExitCode, output, errors);
    }

    /// <summary>True when something (sipp) has bound the loopback port for this protocol.</summary>
    public static bool IsBound(int port, bool tcp)
    {
        using var probe = tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>A port the OS just handed out for both UDP and TCP on loopback.</summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP; try another.
            }
        }

        throw new InvalidOperationException("no free port");
    }
}
