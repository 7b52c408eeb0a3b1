using OpenSma.Engine.Actions;

namespace OpenSma.Engine.Transactions;

/// <summary>The action in progress and the means to stop it.</summary>
internal sealed class RunningAction(IActionExecutor executor, ActionContext context)
{
    private readonly CancellationTokenSource _cts = new();

    public IActionExecutor Executor { get; } = executor;

    public ActionContext Context { get; } = context;

    public CancellationToken Token => _cts.Token;

    /// <summary>Its leg ended under it: no success or failure event follows (spec §5.6 [rec]).</summary>
    public bool Abandoned { get; private set; }

    public void Cancel() => _cts.Cancel();

    public void Abandon()
    {
        Abandoned = true;
        _cts.Cancel();
    }
}
