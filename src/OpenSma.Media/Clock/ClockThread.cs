namespace OpenSma.Media.Clock;

/// <summary>
/// The thread that runs a system-time <see cref="MediaClock"/>. It sleeps until an absolute
/// deadline (<see cref="PreciseSleep"/>) and runs the due slots itself: no thread-pool hop between
/// the deadline and the sends, so a busy pool (socket completions, HTTP, SIP) cannot delay a tick.
/// </summary>
internal sealed class ClockThread
{
    private readonly Func<long?> _runDue;
    private readonly Action _onExit;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;

    /// <param name="runDue">Runs what is due and returns the Stopwatch timestamp of the next deadline, or null to stop.</param>
    /// <param name="onExit">Runs on the thread as it ends (to release what only the thread may use).</param>
    public ClockThread(Func<long?> runDue, Action onExit)
    {
        _runDue = runDue;
        _onExit = onExit;
        _thread = new Thread(Run) { IsBackground = true, Name = "OpenSMA media clock", Priority = ThreadPriority.Highest };
    }

    public void Start() => _thread.Start();

    public void Stop() => _stop.Set();

    private void Run()
    {
        MediaThreads.ApplyToCurrentThread(clock: true);
        try
        {
            while (!_stop.IsSet)
            {
                if (_runDue() is not { } deadline)
                {
                    return;
                }

                PreciseSleep.Until(deadline, _stop);
            }
        }
        finally
        {
            _onExit();
            MediaThreads.LeaveCurrentThread();
        }
    }
}
