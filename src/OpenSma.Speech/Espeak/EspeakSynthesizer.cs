using OpenSma.Engine.Speech;
using OpenSma.Media.Audio;
using OpenSma.Speech.Ssml;
using OpenSma.Speech.Voices;

namespace OpenSma.Speech.Espeak;

/// <summary>
/// Text-to-speech on espeak-ng. Each Polly voice maps to an espeak-ng voice of its language and
/// gender; SSML is parsed here (<see cref="SsmlParser"/>) and each stretch of one rate and volume
/// is one espeak-ng run, with pauses inserted as exact silence between runs.
/// </summary>
public sealed class EspeakSynthesizer : ISpeechSynthesizer
{
    private readonly EspeakOptions _options;
    private readonly EspeakProcess _process;

    public EspeakSynthesizer(EspeakOptions? options = null)
    {
        _options = options ?? new EspeakOptions();
        _process = new EspeakProcess(_options);
    }

    public async ValueTask<SpeechResult> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (voice, _, voiceError) = VoiceSelection.Select(request);
        if (voiceError is not null)
        {
            return SpeechResult.Fail(SpeechFailure.InvalidParameter, voiceError);
        }

        SpeechScript script;
        if (request.TextType == SpeechTextType.Ssml)
        {
            var parsed = SsmlParser.Parse(request.Text);
            if (parsed.Error is not null)
            {
                return SpeechResult.Fail(SpeechFailure.InvalidParameter, "Invalid SSML request: " + parsed.Error);
            }

            script = parsed.Script!;
        }
        else
        {
            script = SpeechScript.FromPlainText(request.Text);
        }

        return await RenderAsync(script, voice!, cancellationToken);
    }

    private async Task<SpeechResult> RenderAsync(SpeechScript script, string voice, CancellationToken cancellationToken)
    {
        var pieces = new List<PcmAudio>();
        var run = new List<SpokenText>();
        foreach (var part in script.Parts)
        {
            if (part is SpokenText text && (run.Count == 0 || run[0].Prosody == text.Prosody))
            {
                run.Add(text);
                continue;
            }

            if (await FlushAsync(run, voice, pieces, cancellationToken) is { } error)
            {
                return error;
            }

            if (part is SpokenText next)
            {
                run.Add(next);
            }
            else if (part is ScriptPause pause)
            {
                pieces.Add(PcmAudio.Silence(pause.Duration));
            }
        }

        return await FlushAsync(run, voice, pieces, cancellationToken) ?? SpeechResult.Success(PcmAudio.Concat([.. pieces]));
    }

    private async Task<SpeechResult?> FlushAsync(List<SpokenText> run, string voice, List<PcmAudio> pieces, CancellationToken cancellationToken)
    {
        if (run.Count == 0)
        {
            return null;
        }

        var prosody = run[0].Prosody;
        var wordsPerMinute = Math.Clamp(_options.WordsPerMinute * prosody.RatePercent / 100, 80, 450);
        var output = await _process.RunAsync(voice, wordsPerMinute, EspeakMarkup.Write(run), cancellationToken);
        run.Clear();
        if (output.Error is not null)
        {
            return SpeechResult.Fail(SpeechFailure.SystemError, output.Error);
        }

        var decoded = EspeakWav.Decode(output.Wav!);
        if (decoded.Audio is null)
        {
            return SpeechResult.Fail(SpeechFailure.SystemError, "espeak-ng output could not be decoded: " + decoded.Error);
        }

        pieces.Add(Gain.Apply(decoded.Audio, prosody.VolumeDecibels));
        return null;
    }
}
