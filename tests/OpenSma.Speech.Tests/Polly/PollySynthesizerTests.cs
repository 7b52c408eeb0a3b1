using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Aws;
using OpenSma.Engine.Speech;
using OpenSma.Speech.Polly;

namespace OpenSma.Speech.Tests.Polly;

public sealed class PollySynthesizerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 24, 6, 30, 15, TimeSpan.Zero));

    private static PollySynthesizer Synthesizer(PollyStub stub, HttpClient http, string secret = Secret, string? token = null) =>
        new(http, new PollyOptions { Region = "eu-west-1", Endpoint = stub.Endpoint, Credentials = new AwsCredentials("AKIDEXAMPLE", secret, token) }, Clock);

    private static SpeechRequest Request(string text = "Hello", SpeechTextType type = SpeechTextType.Text) =>
        new(text, type, SpeechEngine.Neural, "en-US", "Joanna");

    [Fact]
    public async Task Synthesize_SignedRequest_StubAcceptsSignature_PcmBecomesAudio()
    {
        await using var stub = new PollyStub(Secret);
        var pcm = new byte[3200];
        for (var i = 0; i < 1600; i++)
        {
            BitConverter.TryWriteBytes(pcm.AsSpan(i * 2, 2), (short)(i % 2 == 0 ? 1000 : -1000));
        }

        stub.Answer = _ => (200, new() { ["Content-Type"] = "audio/pcm" }, pcm);
        using var http = new HttpClient();
        var result = await Synthesizer(stub, http, token: "session-token").SynthesizeAsync(Request("<speak>Hi</speak>", SpeechTextType.Ssml), default);

        Assert.True(result.IsSuccess, result.Message);
        Assert.Equal(1600, result.Audio!.Length);
        Assert.Equal(1000, result.Audio.Samples.Span[0]);
        Assert.Equal(-1000, result.Audio.Samples.Span[1]);

        var received = Assert.Single(stub.Requests);
        Assert.True(received.SignatureValid, received.SignatureProblem);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/v1/speech", received.Path);
        Assert.Equal("20261124T063015Z", received.Headers["x-amz-date"]);
        Assert.Equal("session-token", received.Headers["x-amz-security-token"]);
        Assert.Contains("Credential=AKIDEXAMPLE/20261124/eu-west-1/polly/aws4_request", received.Headers["authorization"], StringComparison.Ordinal);
        Assert.Contains("x-amz-security-token", received.Headers["authorization"], StringComparison.Ordinal);

        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal("pcm", body.RootElement.GetProperty("OutputFormat").GetString());
        Assert.Equal("8000", body.RootElement.GetProperty("SampleRate").GetString());
        Assert.Equal("neural", body.RootElement.GetProperty("Engine").GetString());
        Assert.Equal("ssml", body.RootElement.GetProperty("TextType").GetString());
        Assert.Equal("Joanna", body.RootElement.GetProperty("VoiceId").GetString());
        Assert.Equal("en-US", body.RootElement.GetProperty("LanguageCode").GetString());
        Assert.Equal("<speak>Hi</speak>", body.RootElement.GetProperty("Text").GetString());
    }

    [Fact]
    public async Task Synthesize_WrongSecret_StubRejectsSignature_AccessDenied()
    {
        await using var stub = new PollyStub(Secret);
        using var http = new HttpClient();
        var result = await Synthesizer(stub, http, secret: "not-the-secret").SynthesizeAsync(Request(), default);

        Assert.False(Assert.Single(stub.Requests).SignatureValid);
        Assert.Equal(SpeechFailure.AccessDenied, result.Failure);
        Assert.Contains("InvalidSignatureException", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "InvalidSsmlException", SpeechFailure.InvalidParameter)]
    [InlineData(400, "ValidationException", SpeechFailure.InvalidParameter)]
    [InlineData(400, "ThrottlingException", SpeechFailure.Throttled)]
    [InlineData(429, null, SpeechFailure.Throttled)]
    [InlineData(403, "AccessDeniedException", SpeechFailure.AccessDenied)]
    [InlineData(500, "ServiceFailureException", SpeechFailure.SystemError)]
    public async Task Synthesize_PollyError_MappedToSpeechFailure(int status, string? errorType, SpeechFailure expected)
    {
        await using var stub = new PollyStub(Secret);
        stub.Answer = _ =>
        {
            var headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
            if (errorType is not null)
            {
                headers["x-amzn-ErrorType"] = errorType + ":http://internal.amazon.com/coral/com.amazonaws.tts/";
            }

            return (status, headers, Encoding.UTF8.GetBytes("{\"message\":\"details from Polly\"}"));
        };
        using var http = new HttpClient();
        var result = await Synthesizer(stub, http).SynthesizeAsync(Request(), default);

        Assert.Equal(expected, result.Failure);
        Assert.Contains("details from Polly", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synthesize_NoCredentialsAnywhere_AccessDeniedWithoutARequest()
    {
        await using var stub = new PollyStub(Secret);
        using var http = new HttpClient();
        var synthesizer = new PollySynthesizer(http, new PollyOptions { Endpoint = stub.Endpoint, FallbackCredentials = () => null }, Clock);
        var result = await synthesizer.SynthesizeAsync(Request(), default);
        Assert.Equal(SpeechFailure.AccessDenied, result.Failure);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task Synthesize_EndpointDown_SystemErrorNamingIt()
    {
        int port;
        await using (var stub = new PollyStub(Secret))
        {
            port = stub.Port;
        }

        using var http = new HttpClient();
        var synthesizer = new PollySynthesizer(
            http, new PollyOptions { Endpoint = new Uri($"http://127.0.0.1:{port}"), Credentials = new AwsCredentials("AKIDEXAMPLE", Secret) }, Clock);
        var result = await synthesizer.SynthesizeAsync(Request(), default);
        Assert.Equal(SpeechFailure.SystemError, result.Failure);
        Assert.Contains($"127.0.0.1:{port}", result.Message, StringComparison.Ordinal);
    }
}
