namespace OpenSma.Media.Audio;

/// <summary>Outcome of decoding an audio file: exactly one of <see cref="Audio"/> and <see cref="Error"/> is set.</summary>
public sealed record WavDecodeResult(PcmAudio? Audio, string? Error)
{
    public static WavDecodeResult Success(PcmAudio audio) => new(audio, null);

    public static WavDecodeResult Failure(string error) => new(null, error);

    public bool IsSuccess => Audio is not null;
}
