using System.Buffers;
using System.Globalization;
using OpenSma.Engine.Legs;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Transactions;

public enum RecordingTrack
{
    Incoming,
    Outgoing,
    Both,
}

/// <summary>
/// StartCallRecording on one leg (spec §7.9, §11.2): taps the leg's incoming and/or outgoing audio,
/// pauses with a tone then silence (the file keeps its length), resumes with a tone, and writes the
/// WAV (stereo for BOTH: incoming left, outgoing right) when stopped or when the leg ends.
/// </summary>
internal sealed class CallRecording
{
    public const string DefaultPrefix = "Amazon-Chime-SMA-Call-Recordings";
    private static readonly PcmAudio Tone = ToneGenerator.Beep(TimeSpan.FromMilliseconds(250), 1400);

    private readonly Lock _gate = new();
    private readonly RecordingTrack _track;
    private readonly IObjectStore _store;
    private readonly Runtime.ActivityTracker _activity;
    private readonly ArrayBufferWriter<short> _incoming = new();
    private readonly ArrayBufferWriter<short> _outgoing = new();
    private readonly IDisposable? _incomingTap;
    private readonly IDisposable? _outgoingTap;
    private readonly string _transactionId;
    private readonly string _callId;
    private bool _paused;
    private int _toneLeftIncoming;
    private int _toneLeftOutgoing;
    private Task<ObjectWriteResult>? _finish;

    public CallRecording(ICallLeg leg, string transactionId, RecordingTrack track, string bucket, string key, IObjectStore store, Runtime.ActivityTracker activity)
    {
        _track = track;
        _store = store;
        _activity = activity;
        _transactionId = transactionId;
        _callId = leg.CallId;
        Bucket = bucket;
        Key = key;
        if (track != RecordingTrack.Outgoing)
        {
            _incomingTap = leg.TapIncoming(new Tap(this, incoming: true));
        }

        if (track != RecordingTrack.Incoming)
        {
            _outgoingTap = leg.TapOutgoing(new Tap(this, incoming: false));
        }
    }

    public string Bucket { get; }

    public string Key { get; }

    /// <summary>The key of spec §11.2: prefix/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-mmm_transaction_call.wav (leg start time).</summary>
    public static string KeyFor(string? prefix, DateTimeOffset legStart, string transactionId, string callId)
    {
        var t = legStart.UtcDateTime;
        var folder = string.IsNullOrEmpty(prefix) ? DefaultPrefix : prefix.TrimEnd('/');
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{folder}/{t:yyyy}/{t:MM}/{t:dd}/{t:yyyy-MM-dd-HH-mm-ss-fff}_{transactionId}_{callId}.wav");
    }

    public void Pause()
    {
        lock (_gate)
        {
            _paused = true;
            StartTone();
        }
    }

    public void Resume()
    {
        lock (_gate)
        {
            _paused = false;
            StartTone();
        }
    }

    /// <summary>Stops the taps and writes the file once; later calls return the same result.</summary>
    public Task<ObjectWriteResult> FinishAsync()
    {
        lock (_gate)
        {
            if (_finish is not null)
            {
                return _finish;
            }

            _incomingTap?.Dispose();
            _outgoingTap?.Dispose();
            _finish = WriteAsync();
            return _finish;
        }
    }

    private Task<ObjectWriteResult> WriteAsync()
    {
        if (_track == RecordingTrack.Both)
        {
            var samples = Math.Max(_incoming.WrittenCount, _outgoing.WrittenCount);
            return Audio.RecordingObject.PutStereoAsync(_store, _activity, Bucket, Key, _transactionId, _callId, Pad(_incoming, samples), Pad(_outgoing, samples));
        }

        var track = _track == RecordingTrack.Incoming ? _incoming : _outgoing;
        return Audio.RecordingObject.PutMonoAsync(_store, _activity, Bucket, Key, _transactionId, _callId, track.WrittenSpan);
    }

    private static ReadOnlySpan<short> Pad(ArrayBufferWriter<short> track, int length)
    {
        if (track.WrittenCount < length)
        {
            track.GetSpan(length - track.WrittenCount)[..(length - track.WrittenCount)].Clear();
            track.Advance(length - track.WrittenCount);
        }

        return track.WrittenSpan;
    }

    private void StartTone()
    {
        _toneLeftIncoming = Tone.Length;
        _toneLeftOutgoing = Tone.Length;
    }

    private void Write(bool incoming, ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            if (_finish is not null)
            {
                return;
            }

            var target = incoming ? _incoming : _outgoing;
            ref var toneLeft = ref incoming ? ref _toneLeftIncoming : ref _toneLeftOutgoing;
            var span = target.GetSpan(frame.Length)[..frame.Length];
            if (_paused)
            {
                span.Clear();
            }
            else
            {
                frame.CopyTo(span);
            }

            // The pause/resume tone replaces what the frame carried while it lasts.
            if (toneLeft > 0)
            {
                var start = Tone.Length - toneLeft;
                var n = Math.Min(toneLeft, span.Length);
                Tone.Samples.Span.Slice(start, n).CopyTo(span);
                toneLeft -= n;
            }

            target.Advance(frame.Length);
        }
    }

    private sealed class Tap(CallRecording recording, bool incoming) : IAudioTap
    {
        public void OnFrame(ReadOnlySpan<short> frame) => recording.Write(incoming, frame);
    }
}
