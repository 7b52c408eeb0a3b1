namespace OpenSma.Engine.Runtime;

/// <summary>
/// A wait, in transaction code, for a completion source with a timeout on the engine's clock.
/// <see cref="Task.WaitAsync(TimeSpan, TimeProvider, CancellationToken)"/> would do the same, but on
/// a source that runs its continuations asynchronously (as sources completed on the mailbox must,
/// so that the waiter does not run inside the code that completed it) it resumes through a
/// thread-pool hop that <see cref="ActivityTracker"/> cannot see: on virtual time the clock could
/// move on in between. Here whatever completes the source (the mailbox, the clock's timer, the
/// token) posts the waiting code straight back to the mailbox.
/// </summary>
internal static class MailboxWait
{
    /// <returns>The source's result, or false when <paramref name="timeout"/> passes first.</returns>
    public static async Task<bool> ResultOrFalseAsync(TaskCompletionSource<bool> source, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = time.CreateTimer(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(false), source, timeout, Timeout.InfiniteTimeSpan);
        using var cancelled = cancellationToken.Register(() => source.TrySetCanceled(cancellationToken));
        return await source.Task;
    }
}
