using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenSma.Host.Cli;
using OpenSma.Host.Metrics;
using OpenSma.Storage.Resources;
using OpenSma.Testing;

namespace OpenSma.Host.Tests.Metrics;

/// <summary>serve on PostgreSQL reports its LISTEN/NOTIFY feed on /metrics (real server); serve on SQLite has none.</summary>
public sealed class ChangeFeedMetricsTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("opensma-feed-metrics-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ServeOnPostgres_ReportsTheFeed_AndItsReconnect()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Provider"] = "postgresql",
            ["Store:ConnectionString"] = connectionString,
        }).Build();
        await using var app = ServeCommand.Build(Path.Combine(_root, "pg"), "http://127.0.0.1:0", "127.0.0.1", sipPort: 0, configuration);
        var metrics = app.Services.GetRequiredService<ServeMetrics>();
        // Telephony routes from a store that signals writes (its own and, through the feed, other servers').
        Assert.IsAssignableFrom<IResourceChangeSignal>(ServeCommand.RoutingStore(app.Services));

        var up = await EventuallyAsync(metrics, s => s["opensma_store_change_feed_listening"] == 1);
        Assert.Equal(1, up["opensma_store_change_feed_connects_total"]);

        // Another server's write is heard.
        using (var other = (IDisposable)await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForPostgreSql(connectionString), TimeProvider.System, CancellationToken.None))
        {
            var now = DateTimeOffset.UtcNow;
            await ((IResourceStore)other).InsertAsync(new SipMediaApplication("sma-x", "111122223333", "us-east-1", "x", "http://127.0.0.1:1/", now, now), CancellationToken.None);
            await EventuallyAsync(metrics, s => s["opensma_store_change_feed_notifications_total"] >= 1);
        }

        // The listening connection is lost: the gauge drops or the connects count grows, and it comes back.
        await using (var admin = new NpgsqlConnection(server.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'opensma-change-feed' AND datname = @db", admin);
            kill.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(connectionString).Database!);
            await kill.ExecuteNonQueryAsync();
        }

        await EventuallyAsync(metrics, s => s["opensma_store_change_feed_connects_total"] >= 2 && s["opensma_store_change_feed_listening"] == 1);
    }

    [Fact]
    public async Task ServeOnSqlite_HasNoFeedMetrics()
    {
        await using var app = ServeCommand.Build(Path.Combine(_root, "sqlite"), "http://127.0.0.1:0", "127.0.0.1", sipPort: 0);

        var text = app.Services.GetRequiredService<ServeMetrics>().Render();

        // The control plane's read cache, which the router uses as it is.
        Assert.IsType<CachedResourceStore>(ServeCommand.RoutingStore(app.Services));

        Assert.DoesNotContain("opensma_store_change_feed", text, StringComparison.Ordinal);
        Assert.Contains("opensma_call_transactions", text, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, double>> EventuallyAsync(ServeMetrics metrics, Func<Dictionary<string, double>, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var samples = ServeMetricsTests.Samples(metrics.Render());
            if (condition(samples))
            {
                return samples;
            }

            Assert.True(DateTime.UtcNow < deadline, "metrics never showed it:\n" + string.Join('\n', samples.Where(s => s.Key.Contains("change_feed", StringComparison.Ordinal))));
            await Task.Delay(20);
        }
    }
}
