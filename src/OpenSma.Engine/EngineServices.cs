using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using OpenSma.Engine.Actions;
using OpenSma.Engine.Audio;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Transactions;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine;

/// <summary>What every transaction of one engine shares.</summary>
internal sealed class EngineServices
{
    private readonly IReadOnlyList<IHandlerEndpointResolver> _resolvers;

    public EngineServices(
        EngineOptions options,
        TimeProvider time,
        IObjectStore objects,
        ICallLegFactory legFactory,
        IReadOnlyList<IHandlerEndpointResolver> resolvers,
        ILogger logger,
        ActivityTracker? activity)
    {
        Activity = activity ?? new ActivityTracker();
        Options = options;
        Time = time;
        Objects = objects;
        LegFactory = legFactory;
        _resolvers = resolvers;
        Logger = logger;
        Audio = new AudioSourceLoader(objects, new Media.Audio.PromptCache(options.PromptCacheBytes), Activity);
        Actions = new ActionRegistry(ActionCatalog.CreateAll());
        Registry = new TransactionRegistry(options.MaxActiveCallsPerSipMediaApplication, options.MaxActiveCalls);
    }

    public EngineOptions Options { get; }

    public TimeProvider Time { get; }

    public IObjectStore Objects { get; }

    public ICallLegFactory LegFactory { get; }

    public ILogger Logger { get; }

    public AudioSourceLoader Audio { get; }

    public ActionRegistry Actions { get; }

    public ActivityTracker Activity { get; }

    public TransactionRegistry Registry { get; }

    public bool TryResolveInvoker(string endpoint, [NotNullWhen(true)] out IHandlerInvoker? invoker)
    {
        // Indexed, not foreach: an interface-typed list would box its enumerator on every event.
        for (var i = 0; i < _resolvers.Count; i++)
        {
            if (_resolvers[i].TryResolve(endpoint, out invoker))
            {
                return true;
            }
        }

        invoker = null;
        return false;
    }
}
