namespace OpenSma.Host.Cli;

/// <summary>
/// One <c>opensma serve</c> per data directory: the SQLite store, the bucket folders and the saved
/// functions there each assume a single writer. Held (an exclusive advisory lock on
/// <c>DATA/serve.lock</c>, which the kernel drops when the process ends, however it ends) from the
/// moment serve is built until it is disposed; a second serve on the same directory stops at start
/// with the directory named instead of sharing it.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "serve.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <exception cref="InvalidOperationException">Another serve (in this process or another) holds the directory.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            // FileShare.None is an exclusive flock on Unix, refused while any other open file holds it.
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The data directory {Path.GetFullPath(dataDirectory)} is in use by another opensma serve (it holds {FileName}); stop that one or give this one its own --data-dir.", ex);
        }
    }

    public void Dispose() => _file.Dispose();
}
