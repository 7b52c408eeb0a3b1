using OpenSma.Media.Audio;

namespace OpenSma.Media.Playback;

/// <summary>
/// A leg's outbound audio: a queue of items, each played <c>repeat</c> times, read one 20 ms
/// frame at a time by the media clock. Consecutive items play back to back with no gap, and
/// an item ending mid-frame is followed within the same frame by the next one. Stop() ends the
/// current and queued items at once: the frame being read completes, the next one is silence.
/// </summary>
public sealed class AudioPlayer : IAudioSource
{
    private readonly Lock _gate = new();
    private Queue<Item>? _queue; // created when a second item is queued: most legs never queue one
    private Item? _current;
    private int _position;
    private int _remainingRepeats;

    public bool IsPlaying
    {
        get
        {
            lock (_gate)
            {
                return _current is not null;
            }
        }
    }

    /// <summary>Items waiting behind the one playing.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queue?.Count ?? 0;
            }
        }
    }

    /// <summary>Queues <paramref name="audio"/>; the task completes when it has been read out in full, or stopped.</summary>
    public Task<PlaybackOutcome> Play(PcmAudio audio, int repeat = 1)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var item = new Item(audio, repeat);
        lock (_gate)
        {
            if (_current is null)
            {
                Start(item);
            }
            else
            {
                (_queue ??= new()).Enqueue(item);
            }
        }

        return item.Completion.Task;
    }

    public void Stop()
    {
        Item? current;
        Item[] queued;
        lock (_gate)
        {
            current = _current;
            _current = null;
            queued = _queue is { Count: > 0 } waiting ? [.. waiting] : [];
            _queue?.Clear();
        }

        current?.Completion.TrySetResult(PlaybackOutcome.Stopped);
        foreach (var item in queued)
        {
            item.Completion.TrySetResult(PlaybackOutcome.Stopped);
        }
    }

    /// <summary>Fills <paramref name="frame"/> with the next samples of playback, silence where nothing plays.</summary>
    public void ReadFrame(Span<short> frame)
    {
        Item? finished = null;
        List<Item>? moreFinished = null;
        lock (_gate)
        {
            var written = 0;
            while (written < frame.Length && _current is { } item)
            {
                var samples = item.Audio.Samples.Span;
                var count = Math.Min(frame.Length - written, samples.Length - _position);
                samples.Slice(_position, count).CopyTo(frame[written..]);
                written += count;
                _position += count;
                if (_position < samples.Length)
                {
                    continue;
                }

                _position = 0;
                if (--_remainingRepeats > 0 && samples.Length > 0)
                {
                    continue;
                }

                if (finished is null)
                {
                    finished = item;
                }
                else
                {
                    (moreFinished ??= []).Add(item);
                }

                _current = null;
                if (_queue is not null && _queue.TryDequeue(out var next))
                {
                    Start(next);
                }
            }

            frame[written..].Clear();
        }

        // Completions run outside the lock; continuations are asynchronous anyway.
        finished?.Completion.TrySetResult(PlaybackOutcome.Completed);
        if (moreFinished is not null)
        {
            foreach (var item in moreFinished)
            {
                item.Completion.TrySetResult(PlaybackOutcome.Completed);
            }
        }
    }

    private void Start(Item item)
    {
        _current = item;
        _position = 0;
        _remainingRepeats = item.Repeat;
    }

    private sealed class Item(PcmAudio audio, int repeat)
    {
        public PcmAudio Audio { get; } = audio;

        public int Repeat { get; } = repeat;

        public TaskCompletionSource<PlaybackOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
