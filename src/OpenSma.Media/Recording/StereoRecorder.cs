using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Mixing;
using OpenSma.Media.Playback;

namespace OpenSma.Media.Recording;

/// <summary>
/// Call recording with one party per channel: attach <see cref="Left"/> and <see cref="Right"/> to
/// the audio of each side (the two legs' inbound audio for a bridged call, or one leg's inbound and
/// outbound). Both channels advance together on the media clock, so they stay aligned.
/// </summary>
public sealed class StereoRecorder : IMediaClockListener
{
    private readonly FrameBuffer _left = new();
    private readonly FrameBuffer _right = new();
    private readonly SampleAccumulator _leftSamples = new();
    private readonly SampleAccumulator _rightSamples = new();
    private readonly short[] _frame = new short[PcmAudio.SamplesPerFrame];
    private readonly long _maxSamples;
    private readonly Lock _gate = new();
    private bool _finished;

    public StereoRecorder(TimeSpan maxDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxDuration, TimeSpan.Zero);
        _maxSamples = PcmAudio.SamplesFor(maxDuration);
    }

    public IAudioSink Left => _left;

    public IAudioSink Right => _right;

    public bool IsFull
    {
        get
        {
            lock (_gate)
            {
                return _finished;
            }
        }
    }

    public void OnTick(long tick)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            var room = (int)Math.Min(_frame.Length, _maxSamples - _leftSamples.Length);
            _left.ReadFrame(_frame);
            _leftSamples.Append(_frame.AsSpan(0, room));
            _right.ReadFrame(_frame);
            _rightSamples.Append(_frame.AsSpan(0, room));
            _finished = _leftSamples.Length >= _maxSamples;
        }
    }

    /// <summary>Ends the recording and returns it as a 16-bit stereo WAV file.</summary>
    public byte[] StopAndWriteWav()
    {
        lock (_gate)
        {
            _finished = true;
            return WavWriter.WriteStereo(_leftSamples.ToArray(), _rightSamples.ToArray());
        }
    }
}
