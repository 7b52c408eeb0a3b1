namespace OpenSma.Storage.Resources;

/// <summary>Which database holds the configuration.</summary>
/// <param name="Provider"><c>sqlite</c> (default) or <c>postgresql</c>.</param>
/// <param name="DataDirectory">Where the SQLite file <c>opensma.db</c> lives.</param>
/// <param name="ConnectionString">The Npgsql connection string when <paramref name="Provider"/> is <c>postgresql</c>.</param>
public sealed record ResourceStoreOptions(string Provider, string DataDirectory, string? ConnectionString = null)
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";
    public const string SqliteFileName = "opensma.db";

    public static ResourceStoreOptions ForSqlite(string dataDirectory) => new(Sqlite, dataDirectory);

    public static ResourceStoreOptions ForPostgreSql(string connectionString) => new(PostgreSql, "", connectionString);
}
