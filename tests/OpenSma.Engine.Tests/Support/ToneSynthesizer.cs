using OpenSma.Engine.Speech;
using OpenSma.Media.Audio;

namespace OpenSma.Engine.Tests.Support;

/// <summary>
/// A deterministic speech backend for executor tests: a 440 Hz tone of 50 ms per character, so
/// what a leg heard tells which text was spoken and for how long. Voice "Nobody" is rejected, and
/// a voice named after a <see cref="SpeechFailure"/> fails with it. The real backends are tested
/// in OpenSma.Speech.Tests, including a whole call on espeak-ng.
/// </summary>
internal sealed class ToneSynthesizer : ISpeechSynthesizer
{
    public static readonly TimeSpan PerCharacter = TimeSpan.FromMilliseconds(50);

    private readonly List<SpeechRequest> _requests = [];

    public IReadOnlyList<SpeechRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static TimeSpan LengthOf(string text) => PerCharacter * text.Length;

    public ValueTask<SpeechResult> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        if (request.VoiceId == "Nobody")
        {
            return ValueTask.FromResult(SpeechResult.Fail(SpeechFailure.InvalidParameter, "The VoiceId parameter is invalid."));
        }

        if (Enum.TryParse<SpeechFailure>(request.VoiceId, out var failure))
        {
            return ValueTask.FromResult(SpeechResult.Fail(failure, failure + " from the backend"));
        }

        return ValueTask.FromResult(SpeechResult.Success(ToneGenerator.Beep(LengthOf(request.Text), 440)));
    }
}
