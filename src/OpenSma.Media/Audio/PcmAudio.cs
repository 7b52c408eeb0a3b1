namespace OpenSma.Media.Audio;

/// <summary>Immutable 8 kHz mono signed 16-bit PCM, the one internal audio format of the media plane.</summary>
public sealed class PcmAudio
{
    public const int SampleRate = 8000;

    /// <summary>Samples in one 20 ms frame, the packetization interval of every stream.</summary>
    public const int SamplesPerFrame = 160;

    private readonly short[] _samples;

    /// <summary>Takes ownership of <paramref name="samples"/>; callers must not change the array afterwards.</summary>
    public PcmAudio(short[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _samples = samples;
    }

    public static PcmAudio Empty { get; } = new([]);

    public ReadOnlyMemory<short> Samples => _samples;

    public int Length => _samples.Length;

    public TimeSpan Duration => TimeSpan.FromTicks(_samples.Length * (TimeSpan.TicksPerSecond / SampleRate));

    /// <summary>Bytes held by the samples, used for cache accounting.</summary>
    public long SizeInBytes => _samples.Length * (long)sizeof(short);

    public static int SamplesFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return checked((int)(duration.Ticks * SampleRate / TimeSpan.TicksPerSecond));
    }

    public static PcmAudio Silence(TimeSpan duration) => new(new short[SamplesFor(duration)]);

    public static PcmAudio Concat(params PcmAudio[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        long total = 0;
        foreach (var part in parts)
        {
            total += part.Length;
        }

        var samples = new short[checked((int)total)];
        var offset = 0;
        foreach (var part in parts)
        {
            part._samples.CopyTo(samples, offset);
            offset += part.Length;
        }

        return new PcmAudio(samples);
    }
}
