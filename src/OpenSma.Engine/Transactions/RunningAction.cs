using OpenSma.Engine.Actions;

namespace OpenSma.Engine.Transactions;

/// <summary>The action in progress and the means to stop it.</summary>
/// <param name="cts">A fresh source, or one recycled from an action that ended without being cancelled.</param>
internal sealed class RunningAction(IActionExecutor executor, ActionContext context, CancellationTokenSource cts)
{
    private readonly CancellationTokenSource _cts = cts;

    public IActionExecutor Executor { get; } = executor;

    public ActionContext Context { get; } = context;

    public CancellationToken Token => _cts.Token;

    /// <summary>Its leg ended under it: no success or failure event follows (spec §5.6 [rec]).</summary>
    public bool Abandoned { get; private set; }

    public void Cancel() => _cts.Cancel();

    /// <summary>
    /// Hands the source on for the next action once this one has finished uncancelled and nobody
    /// can cancel it any more; null when it was cancelled (a cancelled source cannot be reset).
    /// </summary>
    public CancellationTokenSource? TakeForReuse() => _cts.TryReset() ? _cts : null;

    public void Abandon()
    {
        Abandoned = true;
        _cts.Cancel();
    }
}
