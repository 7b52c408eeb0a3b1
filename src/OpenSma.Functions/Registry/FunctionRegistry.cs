using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using OpenSma.Functions.Runtimes;

namespace OpenSma.Functions.Registry;

/// <summary>
/// The set of local functions by name. Zip packages are extracted into the work directory;
/// code directories are used in place (and watched for hot reload).
/// </summary>
public sealed class FunctionRegistry
{
    private readonly ConcurrentDictionary<string, RegisteredFunction> _functions = new(StringComparer.Ordinal);
    private readonly string _region;
    private readonly string _accountId;
    private readonly string _workDirectory;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _writeLock = new();
    private long _revision;

    public FunctionRegistry(string region, string accountId, string workDirectory, TimeProvider timeProvider)
    {
        _region = region;
        _accountId = accountId;
        _workDirectory = workDirectory;
        _timeProvider = timeProvider;
    }

    public string ArnFor(string name) => LambdaArn.Format(_region, _accountId, name);

    /// <summary>Adds or replaces a function. <paramref name="zipBytes"/> overrides the definition's code location.</summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid.</exception>
    public RegisteredFunction Put(FunctionDefinition definition, ReadOnlyMemory<byte>? zipBytes = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Validate(definition, zipBytes.HasValue);
        lock (_writeLock)
        {
            var (root, watch, sha, size) = PrepareCode(definition, zipBytes);
            var entry = new RegisteredFunction(
                definition, ArnFor(definition.Name), root, watch, sha, size, _timeProvider.GetUtcNow(), ++_revision);
            _functions[definition.Name] = entry;
            return entry;
        }
    }

    /// <summary>Replaces the configuration and keeps the code (UpdateFunctionConfiguration).</summary>
    public RegisteredFunction? UpdateConfiguration(string name, Func<FunctionDefinition, FunctionDefinition> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_writeLock)
        {
            if (!_functions.TryGetValue(name, out var current))
                return null;
            var definition = change(current.Definition) with { Name = current.Name };
            Validate(definition, zipGiven: true);
            var entry = current with { Definition = definition, LastModified = _timeProvider.GetUtcNow(), Revision = ++_revision };
            _functions[name] = entry;
            return entry;
        }
    }

    /// <summary>Looks a function up by name, full ARN or partial ARN.</summary>
    public bool TryGet(string nameOrArn, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisteredFunction? function)
    {
        function = null;
        return LambdaArn.TryParse(nameOrArn, out var arn) && _functions.TryGetValue(arn.FunctionName, out function);
    }

    public IReadOnlyList<RegisteredFunction> List() => [.. _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    public bool Remove(string nameOrArn) =>
        LambdaArn.TryParse(nameOrArn, out var arn) && _functions.TryRemove(arn.FunctionName, out _);

    /// <summary>Checks a definition as <see cref="Put"/> would, without registering it (for tools that write configuration files).</summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid or its code is missing.</exception>
    public static void Check(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Validate(definition, zipGiven: false);
        if (definition.CodeDirectory is { } dir && !Directory.Exists(dir))
            throw new FunctionConfigurationException($"Code directory '{Path.GetFullPath(dir)}' does not exist.");
        if (definition.ZipFile is { } zip && !File.Exists(zip))
            throw new FunctionConfigurationException($"Zip file '{Path.GetFullPath(zip)}' does not exist.");
    }

    private static void Validate(FunctionDefinition d, bool zipGiven)
    {
        if (!LambdaArn.IsValidName(d.Name))
            throw new FunctionConfigurationException($"Function name '{d.Name}' must be 1-64 letters, digits, hyphens or underscores.");
        if (!RuntimeCatalog.IsKnown(d.Runtime))
            throw new FunctionConfigurationException($"Runtime '{d.Runtime}' is not supported. Supported: {string.Join(", ", RuntimeCatalog.Names)}.");
        if (!zipGiven && (d.CodeDirectory is null) == (d.ZipFile is null))
            throw new FunctionConfigurationException($"Function '{d.Name}' needs exactly one of CodeDirectory and ZipFile.");
        if (d.Timeout is < 1 or > 900)
            throw new FunctionConfigurationException("Timeout must be between 1 and 900 seconds.");
        if (d.MemorySize is < 128 or > 10240)
            throw new FunctionConfigurationException("MemorySize must be between 128 and 10240 MB.");
        if (d.ReservedConcurrency is < 0)
            throw new FunctionConfigurationException("ReservedConcurrency must not be negative.");
        if (string.IsNullOrWhiteSpace(d.Handler))
            throw new FunctionConfigurationException("Handler is required.");
    }

    private (string Root, bool Watch, string Sha, long Size) PrepareCode(FunctionDefinition d, ReadOnlyMemory<byte>? zipBytes)
    {
        if (zipBytes is { } bytes)
            return ExtractZip(d.Name, bytes);
        if (d.ZipFile is { } zipPath)
        {
            if (!File.Exists(zipPath))
                throw new FunctionConfigurationException($"Zip file '{zipPath}' does not exist.");
            return ExtractZip(d.Name, File.ReadAllBytes(zipPath));
        }
        var dir = Path.GetFullPath(d.CodeDirectory!);
        if (!Directory.Exists(dir))
            throw new FunctionConfigurationException($"Code directory '{dir}' does not exist.");
        var fingerprint = CodeFingerprint.Compute(dir);
        return (dir, true, fingerprint.Hash, fingerprint.Size);
    }

    private (string Root, bool Watch, string Sha, long Size) ExtractZip(string name, ReadOnlyMemory<byte> bytes)
    {
        var sha = Convert.ToBase64String(SHA256.HashData(bytes.Span));
        var target = Path.Combine(_workDirectory, "code", $"{name}-{Convert.ToHexString(SHA256.HashData(bytes.Span))[..16]}");
        try
        {
            if (!Directory.Exists(target))
            {
                var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
                using (var stream = new MemoryStream(bytes.ToArray(), writable: false))
                    ZipFile.ExtractToDirectory(stream, staging, overwriteFiles: true);
                Directory.Move(staging, target);
            }
        }
        catch (InvalidDataException e)
        {
            throw new FunctionConfigurationException($"Could not unzip the code package: {e.Message}", e);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Another registration extracted the same package first; its copy is identical.
        }
        return (target, false, sha, bytes.Length);
    }
}
