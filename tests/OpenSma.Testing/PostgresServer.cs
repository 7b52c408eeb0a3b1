using Npgsql;

namespace OpenSma.Testing;

/// <summary>
/// A throw-away PostgreSQL server (the Debian postgresql package; scripts/install-deps installs
/// it): initdb into a temp directory and pg_ctl start on a free loopback port, no fsync. initdb
/// refuses to run as root, so as root the tools run as the postgres user. Stopped immediately and
/// removed on dispose. Use it as an xunit class or collection fixture.
/// </summary>
public class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opensma-pg-" + Guid.NewGuid().ToString("N"));
    private string _bin = "";

    public int Port { get; private set; }

    /// <summary>The server's own <c>postgres</c> database, unpooled, for administration.</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=opensma;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (scripts/install-deps installs the Debian postgresql package).");
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _directory]);
        }

        Port = FreePorts.Tcp();
        var data = Path.Combine(_directory, "data");
        await PostgresToolAsync("initdb", ["-D", data, "-A", "trust", "-U", "opensma", "--no-sync", "-E", "UTF8"]);
        await PostgresToolAsync("pg_ctl", [
            "-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ]);
    }

    /// <summary>A new empty database for one test; its Npgsql connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=opensma;Database={name}";
    }

    public async Task DisposeAsync()
    {
        try
        {
            await PostgresToolAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private Task PostgresToolAsync(string tool, string[] arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, string[] arguments)
    {
        var (exit, stdout, stderr) = await ExternalProcess.RunAsync(file, arguments, Patience);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({exit}): {stderr}{stdout}");
        }
    }
}
