using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Mixing;
using OpenSma.Media.Playback;

namespace OpenSma.Media.Recording;

/// <summary>
/// Records one direction of a leg (for RecordAudio, the caller). Received audio goes through a
/// jitter buffer and is taken once per media clock tick, so the recording follows real time:
/// a peer that stops sending (silence suppression, lost packets) records as silence, and
/// silence detection and the maximum duration work even when no packets arrive.
/// </summary>
public sealed class AudioRecorder : IMediaClockListener
{
    private readonly RecordingOptions _options;
    private readonly FrameBuffer _input = new();
    private readonly SampleAccumulator _samples = new();
    private readonly SilenceDetector? _silence;
    private readonly short[] _frame = new short[PcmAudio.SamplesPerFrame];
    private readonly long _maxSamples;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<RecordingResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _finished;

    public AudioRecorder(RecordingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxDuration, TimeSpan.Zero);
        _options = options;
        _maxSamples = PcmAudio.SamplesFor(options.MaxDuration);
        if (options.SilenceDuration is { } silence)
        {
            _silence = new SilenceDetector(options.SilenceThreshold, silence);
        }
    }

    /// <summary>Attach to the leg: <c>session.AddInboundSink(recorder.Input)</c>.</summary>
    public IAudioSink Input => _input;

    public Task<RecordingResult> Completion => _completion.Task;

    public TimeSpan Recorded
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromTicks(_samples.Length * TimeSpan.TicksPerSecond / PcmAudio.SampleRate);
            }
        }
    }

    public void OnTick(long tick)
    {
        RecordingResult? result = null;
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _input.ReadFrame(_frame);
            var room = (int)Math.Min(_frame.Length, _maxSamples - _samples.Length);
            _samples.Append(_frame.AsSpan(0, room));
            if (_samples.Length >= _maxSamples)
            {
                result = Finish(RecordingStopReason.MaxDuration);
            }
            else if (_silence is not null && _silence.Process(_frame))
            {
                result = Finish(RecordingStopReason.Silence);
            }
        }

        if (result is not null)
        {
            _completion.TrySetResult(result);
        }
    }

    /// <summary>Ends the recording now; returns what was recorded (also available from <see cref="Completion"/>).</summary>
    public Task<RecordingResult> Stop()
    {
        RecordingResult? result = null;
        lock (_gate)
        {
            if (!_finished)
            {
                result = Finish(RecordingStopReason.Stopped);
            }
        }

        if (result is not null)
        {
            _completion.TrySetResult(result);
        }

        return _completion.Task;
    }

    private RecordingResult Finish(RecordingStopReason reason)
    {
        _finished = true;
        return new RecordingResult(new PcmAudio(_samples.ToArray()), reason);
    }
}
