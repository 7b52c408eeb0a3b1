using System.Reflection;

namespace OpenSma.Functions.Runtimes;

/// <summary>
/// Our runtime interface clients (the Node.js and Python bootstraps), shipped as embedded
/// resources and written once into the work directory, where runtime processes run them from.
/// </summary>
internal sealed class BootstrapFiles
{
    private BootstrapFiles(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string NodeBootstrap => Path.Combine(Directory, "node", "bootstrap.mjs");

    public string PythonBootstrap => Path.Combine(Directory, "python", "bootstrap.py");

    /// <summary>The .NET bootstrap assembly, shipped beside this one.</summary>
    public static string DotnetBootstrap =>
        Path.Combine(Path.GetDirectoryName(typeof(BootstrapFiles).Assembly.Location)!, "OpenSma.Functions.DotnetBootstrap.dll");

    public string DotnetRuntimeConfig => Path.Combine(Directory, "dotnet", "bootstrap.runtimeconfig.json");

    public static BootstrapFiles Materialize(string workDirectory)
    {
        var assembly = typeof(BootstrapFiles).Assembly;
        var version = assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
        var root = Path.Combine(workDirectory, "runtime", version);
        Write(assembly, "node/bootstrap.mjs", root);
        Write(assembly, "python/bootstrap.py", root);
        WriteRuntimeConfig(Path.Combine(root, "dotnet", "bootstrap.runtimeconfig.json"));
        return new BootstrapFiles(root);
    }

    private static void WriteRuntimeConfig(string target)
    {
        if (File.Exists(target))
            return;
        var major = Environment.Version.Major;
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
        var version = major.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(staging,
            "{\"runtimeOptions\":{\"tfm\":\"net" + version + ".0\",\"rollForward\":\"LatestMajor\"," +
            "\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" + version + ".0.0\"}}}");
        File.Move(staging, target, overwrite: true);
    }

    private static void Write(Assembly assembly, string relative, string root)
    {
        var target = Path.Combine(root, relative);
        if (File.Exists(target))
            return;
        var name = "OpenSma.Functions.Runtimes.Bootstrap." + relative.Replace('/', '.');
        using var source = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded bootstrap '{name}' is missing from the build.");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var file = File.Create(staging))
            source.CopyTo(file);
        File.Move(staging, target, overwrite: true);
    }
}
