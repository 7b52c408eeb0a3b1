namespace OpenSma.Engine.Speech;

/// <summary>
/// Turns text or SSML into 8 kHz mono audio for Speak and SpeakAndGetDigits (spec §7.13, §7.14).
/// Backends: espeak-ng and Amazon Polly (OpenSma.Speech). Expected failures (an unknown voice,
/// bad SSML, throttling) come back as a <see cref="SpeechResult"/> error, never as an exception.
/// </summary>
public interface ISpeechSynthesizer
{
    ValueTask<SpeechResult> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken);
}
