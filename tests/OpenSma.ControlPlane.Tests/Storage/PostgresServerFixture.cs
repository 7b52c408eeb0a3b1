// The namespace is the one this fixture had when it was a file linked from the Storage tests, so
// tests that name it (and import that namespace) keep compiling.
namespace OpenSma.Storage.Tests.Resources;

/// <summary>The old name of the shared throw-away PostgreSQL server, <see cref="OpenSma.Testing.PostgresServer"/>.</summary>
public sealed class PostgresServerFixture : OpenSma.Testing.PostgresServer;
