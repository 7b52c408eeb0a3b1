using OpenSma.Engine.Speech;
using OpenSma.Media.Audio;

namespace OpenSma.Speech.Caching;

/// <summary>
/// Keeps synthesized audio by request (text, text type, engine, language and voice), least
/// recently used first out once the byte budget is spent. Concurrent requests for the same speech
/// share one synthesis; failures are not kept, so a fixed backend is tried again.
/// </summary>
public sealed class CachingSpeechSynthesizer(ISpeechSynthesizer inner, long maxBytes) : ISpeechSynthesizer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SpeechRequest, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Dictionary<SpeechRequest, Task<SpeechResult>> _pending = [];
    private long _bytes;

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
                return _entries.Count;
            }
        }
    }

    public async ValueTask<SpeechResult> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Task<SpeechResult> task;
        lock (_gate)
        {
            if (_entries.TryGetValue(request, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return SpeechResult.Success(node.Value.Audio);
            }

            if (!_pending.TryGetValue(request, out task!))
            {
                // Not tied to this caller's token: another call may be waiting for the same speech.
                // On the thread pool, not the first caller's context (that call's transaction may
                // end while others still wait), and never inline here: its end takes this lock, so
                // it cannot take itself out of _pending before it is put there.
                task = Task.Run(() => SynthesizeAndKeepAsync(request));
                _pending[request] = task;
            }
        }

        return await task.WaitAsync(cancellationToken);
    }

    private async Task<SpeechResult> SynthesizeAndKeepAsync(SpeechRequest request)
    {
        SpeechResult result;
        try
        {
            result = await inner.SynthesizeAsync(request, CancellationToken.None);
        }
#pragma warning disable CA1031 // A backend bug must become a failed result for every waiter, not an unobserved exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = SpeechResult.Fail(SpeechFailure.SystemError, ex.Message);
        }

        lock (_gate)
        {
            _pending.Remove(request);
            if (result.Audio is { } audio && audio.SizeInBytes <= maxBytes)
            {
                Add(request, audio);
            }
        }

        return result;
    }

    private void Add(SpeechRequest request, PcmAudio audio)
    {
        if (_entries.ContainsKey(request))
        {
            return;
        }

        _entries[request] = _recency.AddFirst(new Entry(request, audio));
        _bytes += audio.SizeInBytes;
        while (_bytes > maxBytes && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _entries.Remove(oldest.Value.Request);
            _bytes -= oldest.Value.Audio.SizeInBytes;
        }
    }

    private sealed record Entry(SpeechRequest Request, PcmAudio Audio);
}
