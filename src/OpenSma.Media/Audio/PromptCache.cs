namespace OpenSma.Media.Audio;

/// <summary>
/// Decoded prompts shared by all calls: the first caller for a key loads and decodes it, every
/// concurrent caller awaits that same work, and later callers get the same <see cref="PcmAudio"/>.
/// Entries are evicted least-recently-used once decoded audio exceeds the byte budget; calls
/// still playing an evicted prompt keep their reference. Failures are not cached.
/// </summary>
public sealed class PromptCache
{
    private readonly long _maxBytes;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new();
    private long _bytes;

    public PromptCache(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _maxBytes = maxBytes;
    }

    public long CachedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _lru.Count;
            }
        }
    }

    /// <summary>Decodes and caches under <paramref name="cacheKey"/> (bucket/key plus ETag).</summary>
    /// <param name="load">Returns the file bytes, or null when the object does not exist.</param>
    public ValueTask<WavDecodeResult> GetOrDecodeAsync(
        string cacheKey,
        Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> load,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cacheKey);
        ArgumentNullException.ThrowIfNull(load);
        Entry entry;
        var owner = false;
        lock (_gate)
        {
            if (_entries.TryGetValue(cacheKey, out var existing))
            {
                entry = existing;
                if (entry.Node.List is not null)
                {
                    _lru.Remove(entry.Node);
                    _lru.AddFirst(entry.Node);
                }
            }
            else
            {
                entry = new Entry(cacheKey);
                _entries.Add(cacheKey, entry);
                owner = true;
            }
        }

        if (owner)
        {
            // The shared load must not be cancelled by the first caller's token: others wait on it.
            _ = LoadAsync(entry, load);
        }

        var task = entry.Completion.Task;
        return task.IsCompleted ? new ValueTask<WavDecodeResult>(task) : new ValueTask<WavDecodeResult>(task.WaitAsync(ct));
    }

    private async Task LoadAsync(Entry entry, Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> load)
    {
        WavDecodeResult result;
        try
        {
            var bytes = await load(CancellationToken.None).ConfigureAwait(false);
            result = bytes is { } file
                ? WavReader.Decode(file.Span)
                : WavDecodeResult.Failure($"audio object '{entry.Key}' was not found");
        }
        catch (Exception ex)
        {
            result = WavDecodeResult.Failure($"audio object '{entry.Key}' could not be loaded: {ex.Message}");
        }

        lock (_gate)
        {
            if (result.Audio is { } audio)
            {
                entry.Bytes = audio.SizeInBytes;
                _bytes += entry.Bytes;
                _lru.AddFirst(entry.Node);
                Evict(keep: entry);
            }
            else
            {
                _entries.Remove(entry.Key);
            }
        }

        entry.Completion.SetResult(result);
    }

    private void Evict(Entry keep)
    {
        while (_bytes > _maxBytes && _lru.Last is { } last)
        {
            if (ReferenceEquals(last.Value, keep))
            {
                if (_lru.Count == 1)
                {
                    // A prompt larger than the whole budget is returned but not retained.
                    Remove(last.Value);
                }

                break;
            }

            Remove(last.Value);
        }
    }

    private void Remove(Entry entry)
    {
        _lru.Remove(entry.Node);
        _entries.Remove(entry.Key);
        _bytes -= entry.Bytes;
    }

    private sealed class Entry
    {
        public Entry(string key)
        {
            Key = key;
            Node = new LinkedListNode<Entry>(this);
        }

        public string Key { get; }

        public LinkedListNode<Entry> Node { get; }

        public TaskCompletionSource<WavDecodeResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Bytes { get; set; }
    }
}
