using OpenSma.Engine.Speech;
using OpenSma.Speech.Caching;
using OpenSma.Speech.Espeak;
using OpenSma.Speech.Polly;

namespace OpenSma.Speech;

/// <summary>Builds the configured speech backend, behind the shared cache.</summary>
public static class SpeechBackends
{
    /// <summary>The synthesizer for <see cref="Engine.EngineOptions.Speech"/>; null when the backend is "none".</summary>
    public static ISpeechSynthesizer? Create(SpeechOptions options, HttpClient http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ISpeechSynthesizer? backend = options.Backend switch
        {
            SpeechOptions.EspeakBackend => new EspeakSynthesizer(options.Espeak),
            SpeechOptions.PollyBackend => new PollySynthesizer(http, options.Polly, time),
            _ => null,
        };
        return backend is null ? null : new CachingSpeechSynthesizer(backend, options.CacheBytes);
    }
}
