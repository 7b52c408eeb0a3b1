using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace OpenSma.Storage.Resources;

/// <summary>
/// Mutual exclusion between every process that shares one PostgreSQL database, for
/// read-decide-write sequences that no single conditional statement can express (for example
/// choosing proxy numbers that no open session of the same participant uses). The lock is a
/// transaction-scoped advisory lock on a connection of its own: it is released when that
/// transaction ends, and PostgreSQL releases it too when the holder's connection or process dies.
/// </summary>
public sealed class PostgresAdvisoryLock : IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresAdvisoryLock(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>
    /// Runs <paramref name="body"/> while holding the lock called <paramref name="name"/>.
    /// The body's writes go through other connections, so the lock must still be held when they
    /// have committed: the lock's transaction is committed after the body, and a commit that fails
    /// means the lock connection died and another process may have run meanwhile. Then
    /// <paramref name="undo"/> takes back what the body did and <see cref="PostgresAdvisoryLockLostException"/> is thrown.
    /// </summary>
    public async Task<T> RunAsync<T>(string name, Func<Task<T>> body, Func<T, Task> undo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(undo);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await AcquireAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        var result = await body().ConfigureAwait(false);
        try
        {
            // Not cancellable: once the body has written, only a completed commit tells whether the lock held.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            await undo(result).ConfigureAwait(false);
            throw new PostgresAdvisoryLockLostException($"The PostgreSQL advisory lock '{name}' was lost before its work was complete; the work was undone.", ex);
        }

        return result;
    }

    /// <summary>
    /// Takes the lock called <paramref name="name"/> for the rest of <paramref name="transaction"/>,
    /// waiting while another transaction holds it. Work done in that same transaction needs no undo:
    /// the lock is released exactly when the work commits or rolls back.
    /// </summary>
    public static async Task AcquireAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var acquire = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
        acquire.Parameters.AddWithValue("key", Key(name));
        await acquire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The lock's 64-bit key: the first eight bytes of the name's SHA-256, so every process derives the same key.</summary>
    public static long Key(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
    }

    public void Dispose() => _dataSource.Dispose();
}

/// <summary>The connection holding an advisory lock failed while the guarded work ran.</summary>
public sealed class PostgresAdvisoryLockLostException : Exception
{
    public PostgresAdvisoryLockLostException()
    {
    }

    public PostgresAdvisoryLockLostException(string message)
        : base(message)
    {
    }

    public PostgresAdvisoryLockLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
