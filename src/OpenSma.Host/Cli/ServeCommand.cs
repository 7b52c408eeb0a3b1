using System.CommandLine;
using OpenSma.Engine;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Virtual;
using OpenSma.Storage.Objects;

namespace OpenSma.Host.Cli;

/// <summary><c>opensma serve</c>: the long-running host with embedded defaults.</summary>
internal static class ServeCommand
{
    public static Command Create(Option<string> dataDir)
    {
        var command = new Command("serve", "Run OpenSMA: the call engine with HTTP handler support, buckets and state under --data-dir. Stops on Ctrl-C.");
        command.SetAction(async (result, cancellationToken) =>
        {
            var dir = Path.GetFullPath(result.GetValue(dataDir)!);
            Directory.CreateDirectory(dir);
            var store = new FolderObjectStore(Path.Combine(dir, "buckets"));
            using var network = new VirtualNetwork(TimeProvider.System);
            using var http = new HttpHandlerResolver();
            var engine = new CallEngine(new EngineOptions(), TimeProvider.System, store, network, [http, .. FunctionsWiring.Resolvers(dir)]);
            await Console.Out.WriteLineAsync($"OpenSMA serving. Data directory: {dir} (buckets in {store.Root}).");
            await Console.Out.WriteLineAsync("Place a virtual call with: opensma call --handler http://127.0.0.1:3000/");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            foreach (var transaction in engine.Transactions)
            {
                transaction.Abort("host stopping");
            }

            await Console.Out.WriteLineAsync("OpenSMA stopped.");
            return 0;
        });
        return command;
    }
}
