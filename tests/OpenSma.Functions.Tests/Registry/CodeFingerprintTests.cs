using OpenSma.Functions.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Registry;

public sealed class CodeFingerprintTests
{
    [Fact]
    public void Quick_NoticesEditsAddedFilesAndDeletions_IgnoresDependencyFolders()
    {
        using var code = new TempDirectory();
        code.Write("index.js", "one");
        code.Write("lib/util.js", "util");
        var original = CodeFingerprint.Quick(code.Path);

        code.Write("node_modules/pkg/index.js", "dependency");
        code.Write("__pycache__/x.pyc", "cache");
        var withDependencies = CodeFingerprint.Quick(code.Path);
        File.SetLastWriteTimeUtc(code.Combine("lib/util.js"), DateTime.UtcNow.AddMinutes(5));
        var touched = CodeFingerprint.Quick(code.Path);
        code.Write("extra.js", "x");
        var added = CodeFingerprint.Quick(code.Path);
        File.Delete(code.Combine("extra.js"));
        var removed = CodeFingerprint.Quick(code.Path);

        Assert.Equal(original, withDependencies);
        Assert.NotEqual(original, touched);
        Assert.NotEqual(touched, added);
        Assert.Equal(touched, removed);
        Assert.Equal(removed, CodeFingerprint.Quick(code.Path));
    }
}
