using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>
/// Carries document writes between processes that share one PostgreSQL database, so each one's
/// <see cref="IResourceChangeSignal"/> also counts the others' writes (and the caches over it drop
/// what they hold at once). A write that changed a row is announced with
/// <c>pg_notify('opensma_resource_changes', '&lt;instance&gt;:&lt;kind&gt;')</c> on the connection that
/// made it; a background connection of every store LISTENs on the channel and bumps the kind named
/// by every notification from another instance. PostgreSQL delivers notifications only to sessions
/// listening when they are sent, so whenever the listening connection is (re)established every kind
/// is bumped once (anything may have been missed while it was down). It reconnects after a failure,
/// waiting 1 s, doubling up to 30 s. While it is down, readers fall back on their freshness bound.
/// </summary>
internal sealed class PostgresChangeFeed : IResourceChangeFeed, IDisposable
{
    /// <summary>The notification channel every OpenSMA store on the database shares.</summary>
    public const string Channel = "opensma_resource_changes";

    /// <summary>The listening connection's application_name (pg_stat_activity).</summary>
    public const string ApplicationName = "opensma-change-feed";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private readonly string _listenConnectionString;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private ResourceChangeCounters? _counters;
    private Task? _loop;
    private TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connects;
    private long _received;
    private string? _lastError;
    private int _disposed;
    private bool _up;

    public PostgresChangeFeed(string connectionString)
    {
        // Its own unpooled connection: a pooled one would be reset (UNLISTEN) when returned. The
        // keepalive makes a dead server or network show up as a failed wait, so it reconnects.
        _listenConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = ApplicationName,
        }.ConnectionString;
    }

    public bool IsListening => Volatile.Read(ref _up);

    public long Connects => Interlocked.Read(ref _connects);

    public long NotificationsReceived => Interlocked.Read(ref _received);

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Starts listening for other instances' writes, bumping <paramref name="counters"/>.</summary>
    public void Start(ResourceChangeCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        lock (_gate)
        {
            if (_loop is not null)
            {
                return;
            }

            _counters = counters;
            _loop = Task.Run(() => ListenAsync(_stop.Token));
        }
    }

    /// <summary>Completes once the listening connection is up (again, after a failure).</summary>
    public Task WhenListeningAsync(CancellationToken cancellationToken) => Volatile.Read(ref _listening).Task.WaitAsync(cancellationToken);

    /// <summary>Announces a write of <paramref name="kind"/> on the connection that made it. Never throws: a lost announcement is covered by the readers' freshness bound.</summary>
    public async ValueTask AnnounceAsync(DbConnection connection, string kind)
    {
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT pg_notify(@channel, @payload)";
            var channel = command.CreateParameter();
            channel.ParameterName = "channel";
            channel.Value = Channel;
            command.Parameters.Add(channel);
            var payload = command.CreateParameter();
            payload.ParameterName = "payload";
            payload.Value = _instance + ":" + kind;
            command.Parameters.Add(payload);
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
        {
            Volatile.Write(ref _lastError, "announcing a write: " + ex.Message);
        }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var retry = FirstRetry;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_listenConnectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stop).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand("LISTEN " + Channel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }

                // Whatever was written while nobody here listened is unknown: treat every kind as changed.
                _counters!.BumpAll();
                Interlocked.Increment(ref _connects);
                Volatile.Write(ref _lastError, null);
                Volatile.Write(ref _up, true);
                retry = FirstRetry;
                Volatile.Read(ref _listening).TrySetResult();
                while (!stop.IsCancellationRequested)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                Volatile.Write(ref _up, false);
                return;
            }
            catch (Exception ex)
            {
                // Whatever broke the connection (server gone, network, a refused login), the loop lives on.
                Volatile.Write(ref _up, false);
                Volatile.Write(ref _lastError, ex.Message);
                // Not listening now: readers rely on their freshness bound until the connection is back.
                lock (_gate)
                {
                    if (_listening.Task.IsCompleted)
                    {
                        _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                try
                {
                    await Task.Delay(retry, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel != Channel)
        {
            return;
        }

        var colon = e.Payload.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == e.Payload.Length - 1)
        {
            return;
        }

        Interlocked.Increment(ref _received);
        // Our own writes were counted when they returned.
        if (colon != _instance.Length || string.CompareOrdinal(e.Payload, 0, _instance, 0, colon) != 0)
        {
            _counters!.Bump(e.Payload[(colon + 1)..]);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Channel}: listening {IsListening}, connects {Connects}, received {NotificationsReceived}");
}
