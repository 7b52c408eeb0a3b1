using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Engine.Control;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Durability;

/// <summary>
/// Entry point of this assembly when run as a process (<c>dotnet OpenSma.ControlPlane.Tests.dll
/// serve &lt;dataDirectory&gt;</c>): a real control-plane server on the SQLite store that the
/// durability test can kill without warning. The test runner never calls it.
/// </summary>
public static class ChildServerProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "serve")
        {
            await Console.Error.WriteLineAsync("usage: serve <dataDirectory>");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ICallControl>(new RecordingCallControl());
        builder.Services.AddOpenSmaControlPlane(new ControlPlaneOptions
        {
            Store = ResourceStoreOptions.ForSqlite(args[1]),
            SigV4 = new SigV4Options { Mode = SigV4Mode.Off },
        });
        var app = builder.Build();
        app.MapChimeSdkVoiceApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await Console.Out.WriteLineAsync("READY " + address);
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }
}
