using OpenSma.Media.Audio;

namespace OpenSma.Media.Recording;

/// <summary>Appends samples into one-second chunks (one allocation per second of audio, none per frame).</summary>
internal sealed class SampleAccumulator
{
    private const int ChunkSamples = PcmAudio.SampleRate;
    private readonly List<short[]> _chunks = [];
    private int _usedInLast = ChunkSamples;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<short> samples)
    {
        while (!samples.IsEmpty)
        {
            if (_usedInLast == ChunkSamples)
            {
                _chunks.Add(new short[ChunkSamples]);
                _usedInLast = 0;
            }

            var take = Math.Min(samples.Length, ChunkSamples - _usedInLast);
            samples[..take].CopyTo(_chunks[^1].AsSpan(_usedInLast));
            _usedInLast += take;
            samples = samples[take..];
            Length += take;
        }
    }

    public short[] ToArray()
    {
        var result = new short[Length];
        var offset = 0;
        foreach (var chunk in _chunks)
        {
            var take = (int)Math.Min(chunk.Length, Length - offset);
            chunk.AsSpan(0, take).CopyTo(result.AsSpan(offset));
            offset += take;
        }

        return result;
    }
}
