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

    public static BootstrapFiles Materialize(string workDirectory)
    {
        var assembly = typeof(BootstrapFiles).Assembly;
        var version = assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
        var root = Path.Combine(workDirectory, "runtime", version);
        Write(assembly, "node/bootstrap.mjs", root);
        Write(assembly, "python/bootstrap.py", root);
        return new BootstrapFiles(root);
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
