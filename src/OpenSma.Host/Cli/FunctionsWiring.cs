using OpenSma.Engine.Invocation;

namespace OpenSma.Host.Cli;

/// <summary>Handler resolvers beyond HTTP that the host adds (Lambda functions come with the Functions project).</summary>
internal static class FunctionsWiring
{
    public static IEnumerable<IHandlerEndpointResolver> Resolvers(string dataDirectory)
    {
        _ = dataDirectory;
        return [];
    }
}
