using System.CommandLine;
using OpenSma.Host.Cli;

namespace OpenSma.Host;

internal static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    internal static RootCommand BuildRoot()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Where state, buckets and recordings live.",
            DefaultValueFactory = _ => "./.opensma",
            Recursive = true,
        };
        return new RootCommand("OpenSMA: a self-hostable SIP media application service, wire-compatible with Amazon Chime SDK PSTN Audio.")
        {
            dataDir,
            ServeCommand.Create(dataDir),
            CallCommand.Create(dataDir),
            FunctionsCommand.Create(),
        };
    }
}
