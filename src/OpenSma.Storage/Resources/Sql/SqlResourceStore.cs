using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>
/// The one query layer for every SQL engine. Writes are single conditional statements
/// (insert-if-absent, update-if-version), so they need no explicit transaction and can never
/// lose an update that raced with another; the exception is a quota insert, which counts and
/// inserts in one exclusive transaction (<see cref="ISqlDialect.BeginExclusiveAsync"/>). Every document write bumps its kind's
/// <see cref="IResourceChangeSignal.ChangeVersion"/> once it has returned from the database. With
/// PostgreSQL a write that changed a row is also announced to the other processes on the database,
/// and theirs bump this store's versions as they arrive (<see cref="PostgresChangeFeed"/>).
/// </summary>
internal sealed class SqlResourceStore : IResourceStore, IResourceChangeSignal, IResourceChangeFeedSource, IDisposable
{
    private readonly ISqlDialect _dialect;
    private readonly ResourceChangeCounters _changes = new();

    private SqlResourceStore(ISqlDialect dialect)
    {
        _dialect = dialect;
    }

    public string DialectName => _dialect.Name;

    /// <summary>The PostgreSQL change feed; null for SQLite.</summary>
    public IResourceChangeFeed? ChangeFeed => _dialect.ChangeFeed;

    public static async Task<SqlResourceStore> OpenAsync(ISqlDialect dialect, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var store = new SqlResourceStore(dialect);
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await dialect.PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
            await SchemaMigrator.MigrateAsync(connection, dialect, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The dialect's connection pool is of no use to anyone now.
            store.Dispose();
            throw;
        }

        dialect.ChangeFeed?.Start(store._changes);
        return store;
    }

    public async ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QueryFirstOrDefaultAsync<DocumentRow>(new CommandDefinition(
            "SELECT body AS Body, version AS Version, seq AS Seq FROM resources WHERE kind = @Kind AND id = @Id",
            new { T.Kind, Id = id },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : Materialize<T>(row);
    }

    public async ValueTask<Stored<T>?> FindByKeyAsync<T>(string uniqueKey, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QueryFirstOrDefaultAsync<DocumentRow>(new CommandDefinition(
            "SELECT body AS Body, version AS Version, seq AS Seq FROM resources WHERE kind = @Kind AND unique_key = @UniqueKey",
            new { T.Kind, UniqueKey = uniqueKey },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : Materialize<T>(row);
    }

    public async ValueTask<IReadOnlyList<Stored<T>>> ListAsync<T>(long afterSequence, int limit, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<DocumentRow>(new CommandDefinition(
            "SELECT body AS Body, version AS Version, seq AS Seq FROM resources WHERE kind = @Kind AND seq > @After ORDER BY seq LIMIT @Limit",
            new { T.Kind, After = afterSequence, Limit = (long)limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(Materialize<T>).ToList();
    }

    public long ChangeVersion(string kind) => _changes.Version(kind);

    public async ValueTask<WriteResult> InsertAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return await InsertCoreAsync(document, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changes.Bump(T.Kind);
        }
    }

    public async ValueTask<WriteResult> UpdateAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return await UpdateCoreAsync(document, expectedVersion, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changes.Bump(T.Kind);
        }
    }

    public async ValueTask<WriteResult> DeleteAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        try
        {
            return await DeleteCoreAsync<T>(id, expectedVersion, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changes.Bump(T.Kind);
        }
    }

    public async ValueTask<IReadOnlyList<WriteResult>> InsertWithinQuotaAsync<T>(IReadOnlyList<T> documents, int limit, Func<T, bool> counted, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(counted);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        try
        {
            return await InsertWithinQuotaCoreAsync(documents, limit, counted, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changes.Bump(T.Kind);
        }
    }

    public async ValueTask<long> CountInWindowAsync(string key, long window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One statement, so concurrent counters never lose an event; a newer window starts over at 1.
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO rate_windows (rate_key, window_start, event_count) VALUES (@Key, @Window, 1)
            ON CONFLICT (rate_key) DO UPDATE SET
                event_count = CASE WHEN excluded.window_start > rate_windows.window_start THEN 1 ELSE rate_windows.event_count + 1 END,
                window_start = CASE WHEN excluded.window_start > rate_windows.window_start THEN excluded.window_start ELSE rate_windows.window_start END
            RETURNING event_count
            """,
            new { Key = key, Window = window },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async ValueTask<WriteResult> InsertCoreAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await InsertRowAsync(connection, null, document, cancellationToken).ConfigureAwait(false))
            {
                return new WriteResult(WriteStatus.Conflict, 0);
            }

            await AnnounceAsync(connection, T.Kind).ConfigureAwait(false);
            return new WriteResult(WriteStatus.Ok, 1);
        }
        catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
        {
            return new WriteResult(WriteStatus.Conflict, 0);
        }
    }

    /// <summary>
    /// Inserts and counts inside one exclusive transaction per kind (<see cref="ISqlDialect.BeginExclusiveAsync"/>):
    /// no other quota insert of the kind, here or on another server, can count or insert in between.
    /// </summary>
    private async ValueTask<IReadOnlyList<WriteResult>> InsertWithinQuotaCoreAsync<T>(IReadOnlyList<T> documents, int limit, Func<T, bool> counted, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await _dialect.BeginExclusiveAsync(connection, "opensma/quota/" + T.Kind, cancellationToken).ConfigureAwait(false);
        var results = new WriteResult[documents.Count];
        var countedInserts = 0;
        for (var i = 0; i < documents.Count; i++)
        {
            var inserted = await InsertRowAsync(connection, transaction, documents[i], cancellationToken).ConfigureAwait(false);
            results[i] = inserted ? new WriteResult(WriteStatus.Ok, 1) : new WriteResult(WriteStatus.Conflict, 0);
            countedInserts += inserted && counted(documents[i]) ? 1 : 0;
        }

        if (countedInserts > 0)
        {
            var rows = await connection.QueryAsync<DocumentRow>(new CommandDefinition(
                "SELECT body AS Body, version AS Version, seq AS Seq FROM resources WHERE kind = @Kind",
                new { T.Kind },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (rows.Count(row => counted(Materialize<T>(row).Value)) > limit)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return Enumerable.Repeat(new WriteResult(WriteStatus.QuotaExceeded, 0), documents.Count).ToList();
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (results.Any(r => r.IsOk))
        {
            await AnnounceAsync(connection, T.Kind).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>Inserts one document unless its id or unique key is taken; whether it did.</summary>
    private static async Task<bool> InsertRowAsync<T>(DbConnection connection, DbTransaction? transaction, T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentNullException.ThrowIfNull(document);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO resources (kind, id, unique_key, body, version) VALUES (@Kind, @Id, @UniqueKey, @Body, 1) ON CONFLICT DO NOTHING",
            new { T.Kind, document.Id, document.UniqueKey, Body = JsonSerializer.Serialize(document, T.JsonTypeInfo) },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return inserted == 1;
    }

    private async ValueTask<WriteResult> UpdateCoreAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        int updated;
        try
        {
            updated = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE resources SET body = @Body, unique_key = @UniqueKey, version = version + 1 WHERE kind = @Kind AND id = @Id AND version = @Version",
                new { T.Kind, document.Id, document.UniqueKey, Body = JsonSerializer.Serialize(document, T.JsonTypeInfo), Version = expectedVersion },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
        {
            return new WriteResult(WriteStatus.Conflict, 0);
        }

        if (updated == 1)
        {
            await AnnounceAsync(connection, T.Kind).ConfigureAwait(false);
            return new WriteResult(WriteStatus.Ok, expectedVersion + 1);
        }

        return await ExistsAsync(connection, T.Kind, document.Id, cancellationToken).ConfigureAwait(false)
            ? new WriteResult(WriteStatus.VersionConflict, 0)
            : new WriteResult(WriteStatus.NotFound, 0);
    }

    private async ValueTask<WriteResult> DeleteCoreAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            expectedVersion is null
                ? "DELETE FROM resources WHERE kind = @Kind AND id = @Id"
                : "DELETE FROM resources WHERE kind = @Kind AND id = @Id AND version = @Version",
            new { T.Kind, Id = id, Version = expectedVersion ?? 0 },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (deleted == 1)
        {
            await AnnounceAsync(connection, T.Kind).ConfigureAwait(false);
            return new WriteResult(WriteStatus.Ok, 0);
        }

        return expectedVersion is not null && await ExistsAsync(connection, T.Kind, id, cancellationToken).ConfigureAwait(false)
            ? new WriteResult(WriteStatus.VersionConflict, 0)
            : new WriteResult(WriteStatus.NotFound, 0);
    }

    public async ValueTask<IReadOnlyList<ResourceTag>> GetTagsAsync(string resourceArn, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TagRow>(new CommandDefinition(
            "SELECT tag_key AS TagKey, tag_value AS TagValue FROM tags WHERE arn = @Arn ORDER BY tag_key",
            new { Arn = resourceArn },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ResourceTag(r.TagKey, r.TagValue)).ToList();
    }

    public async ValueTask PutTagsAsync(string resourceArn, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var tag in tags)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO tags (arn, tag_key, tag_value) VALUES (@Arn, @Key, @Value) ON CONFLICT (arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
                new { Arn = resourceArn, tag.Key, tag.Value },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveTagsAsync(string resourceArn, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM tags WHERE arn = @Arn AND tag_key = @Key",
                new { Arn = resourceArn, Key = key },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT value FROM settings WHERE name = @Name",
            new { Name = name },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask PutSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO settings (name, value) VALUES (@Name, @Value) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            new { Name = name, Value = value },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public void Dispose() => (_dialect as IDisposable)?.Dispose();

    private async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = _dialect.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Tells the other processes on the database that <paramref name="kind"/> changed (PostgreSQL only).</summary>
    private ValueTask AnnounceAsync(DbConnection connection, string kind) =>
        _dialect.ChangeFeed is { } feed ? feed.AnnounceAsync(connection, kind) : ValueTask.CompletedTask;

    private static async Task<bool> ExistsAsync(DbConnection connection, string kind, string id, CancellationToken cancellationToken)
    {
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM resources WHERE kind = @Kind AND id = @Id",
            new { Kind = kind, Id = id },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return count > 0;
    }

    private static Stored<T> Materialize<T>(DocumentRow row)
        where T : class, IResourceDocument<T>
    {
        var value = JsonSerializer.Deserialize(row.Body, T.JsonTypeInfo)
            ?? throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Stored {T.Kind} row {row.Seq} is empty."));
        return new Stored<T>(value, row.Version, row.Seq);
    }

    private sealed class DocumentRow
    {
        public string Body { get; set; } = "";

        public long Version { get; set; }

        public long Seq { get; set; }
    }

    private sealed class TagRow
    {
        public string TagKey { get; set; } = "";

        public string TagValue { get; set; } = "";
    }
}
