using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenSma.Aws;
using OpenSma.Aws.Signing;
using OpenSma.Engine.Speech;
using OpenSma.Media.Audio;

namespace OpenSma.Speech.Polly;

/// <summary>
/// Amazon Polly SynthesizeSpeech over HTTPS with SigV4, asking for 16-bit PCM at 8 kHz, the
/// engine's own format, so nothing is resampled. Polly validates voice, language, engine and SSML
/// itself; its errors map to the Speak error types (spec §7.13).
/// </summary>
public sealed class PollySynthesizer(HttpClient http, PollyOptions options, TimeProvider time) : ISpeechSynthesizer
{
    private const string Service = "polly";

    public async ValueTask<SpeechResult> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var credentials = options.Credentials ?? options.FallbackCredentials();
        if (credentials is null)
        {
            return SpeechResult.Fail(SpeechFailure.AccessDenied, "No AWS credentials for Amazon Polly (set Speech:Polly credentials or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new SynthesizeSpeechBody(
                request.Engine == SpeechEngine.Neural ? "neural" : "standard",
                request.LanguageCode,
                "pcm",
                "8000",
                request.Text,
                request.TextType == SpeechTextType.Ssml ? "ssml" : "text",
                request.VoiceId),
            PollyJsonContext.Default.SynthesizeSpeechBody);
        var uri = new Uri(options.ResolveEndpoint(), "/v1/speech");
        using var message = Sign(uri, body, credentials);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token);
            var content = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            return response.IsSuccessStatusCode ? SpeechResult.Success(ToAudio(content)) : Failure(response, content);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SpeechResult.Fail(SpeechFailure.SystemError, $"Amazon Polly did not answer within {options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            return SpeechResult.Fail(SpeechFailure.SystemError, $"Amazon Polly could not be reached at {uri.GetLeftPart(UriPartial.Authority)}: {ex.Message}");
        }
    }

    private HttpRequestMessage Sign(Uri uri, byte[] body, AwsCredentials credentials)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        SigV4RequestSigner.Sign(message, body, credentials, options.Region, Service, time.GetUtcNow());
        return message;
    }

    // Polly's pcm is signed 16-bit little-endian mono at the requested rate.
    private static PcmAudio ToAudio(byte[] pcm)
    {
        var samples = new short[pcm.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(i * 2, 2));
        }

        return new PcmAudio(samples);
    }

    private static SpeechResult Failure(HttpResponseMessage response, byte[] content)
    {
        PollyErrorBody? error = null;
        try
        {
            error = JsonSerializer.Deserialize(content, PollyJsonContext.Default.PollyErrorBody);
        }
        catch (JsonException)
        {
            // Not a JSON error body (a proxy's HTML page): the status code decides.
        }

        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : error?.Type;
        type = type?.Split(':')[0];
        if (type?.LastIndexOf('#') is int hash and >= 0)
        {
            type = type[(hash + 1)..];
        }

        var text = error?.Message ?? error?.LowerMessage ?? response.ReasonPhrase ?? "no message";
        var detail = $"Amazon Polly: {type ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {text}";
        var failure = type switch
        {
            "ThrottlingException" => SpeechFailure.Throttled,
            "AccessDeniedException" or "UnrecognizedClientException" or "InvalidSignatureException"
                or "IncompleteSignatureException" or "MissingAuthenticationTokenException" or "ExpiredTokenException" => SpeechFailure.AccessDenied,
            "InvalidSsmlException" or "TextLengthExceededException" or "EngineNotSupportedException" or "LanguageNotSupportedException"
                or "InvalidSampleRateException" or "LexiconNotFoundException" or "ValidationException"
                or "MarksNotSupportedForFormatException" or "SsmlMarksNotSupportedForTextTypeException" => SpeechFailure.InvalidParameter,
            _ => response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => SpeechFailure.Throttled,
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => SpeechFailure.AccessDenied,
                HttpStatusCode.BadRequest => SpeechFailure.InvalidParameter,
                _ => SpeechFailure.SystemError,
            },
        };
        return SpeechResult.Fail(failure, detail);
    }
}
