using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Spec §7.10 and §12: CallAndBridge parameter errors and SIP header rules.</summary>
public sealed class CallAndBridgeValidationTests
{
    private const string Pstn = "[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+14155550123\"}]";

    private static string Bridge(string parameters) => A.Action("CallAndBridge", "{" + parameters + "}");

    private static string WithCaller(string rest) => Bridge($"\"CallerIdNumber\":\"{EngineHarness.Caller}\"," + rest);

    [Theory]
    [InlineData("\"Endpoints\":[]")]
    [InlineData("\"Endpoints\":null")]
    [InlineData("\"CallTimeoutSeconds\":10")]
    [InlineData("\"Endpoints\":[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+14155550123\"},{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+14155550124\"}]")]
    public async Task CallAndBridge_NotExactlyOneEndpoint_FailsWithInvalidNumberOfEndpoints(string endpoints)
    {
        var e = await ReportAsync(WithCaller(endpoints));
        AssertFailed(e, ActionError.InvalidActionParameter, "Invalid number of endpoints provided.");
    }

    [Theory]
    [InlineData("{\"BridgeEndpointType\":\"SIP\",\"Uri\":\"+14155550123\"}")]
    [InlineData("{\"BridgeEndpointType\":\"SIPMediaApp\",\"Uri\":\"+14155550123\"}")]
    [InlineData("{\"Uri\":\"+14155550123\"}")]
    [InlineData("{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"14155550123\"}")]
    [InlineData("{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+0155550123\"}")]
    [InlineData("{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+1234567890123456\"}")]
    [InlineData("{\"BridgeEndpointType\":\"PSTN\"}")]
    [InlineData("{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"+14155550123\",\"Arn\":\"arn:aws:chime:us-east-1:111122223333:vc/abcdefghijklmnop\"}")]
    [InlineData("{\"BridgeEndpointType\":\"AWS\",\"Uri\":\"5550\"}")]
    [InlineData("{\"BridgeEndpointType\":\"AWS\",\"Uri\":\"1234567890123456789012345678901234567\",\"Arn\":\"arn:aws:chime:us-east-1:111122223333:vc/abcdefghijklmnop\"}")]
    [InlineData("{\"BridgeEndpointType\":\"AWS\",\"Uri\":\"55 50\",\"Arn\":\"arn:aws:chime:us-east-1:111122223333:vc/abcdefghijklmnop\"}")]
    public async Task CallAndBridge_BadEndpoint_FailsWithEndpointInvalid(string endpoint)
    {
        var e = await ReportAsync(WithCaller($"\"Endpoints\":[{endpoint}]"));
        AssertFailed(e, ActionError.InvalidActionParameter, "Endpoint parameter is invalid.");
    }

    [Fact]
    public async Task CallAndBridge_AwsEndpointWith36CharacterUri_Bridges()
    {
        var e = await ReportAsync(WithCaller(
            "\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Uri\":\"123456789012345678901234567890abcdef\",\"Arn\":\"arn:aws:chime:us-east-1:111122223333:vc/abcdefghijklmnop\"}]"));
        AssertSucceeded(e);
    }

    [Fact]
    public async Task CallAndBridge_CallerIdMissing_FailsWithCallerIdNotDefined()
    {
        var e = await ReportAsync(Bridge($"\"Endpoints\":{Pstn}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "Caller ID not defined.");
    }

    [Theory]
    [InlineData("\"15559870000\"")]
    [InlineData("\"+1555abc0000\"")]
    [InlineData("\"+\"")]
    public async Task CallAndBridge_CallerIdNotE164_FailsWithInvalidCallerId(string callerId)
    {
        var e = await ReportAsync(Bridge($"\"CallerIdNumber\":{callerId},\"Endpoints\":{Pstn}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "Invalid caller ID.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("121")]
    [InlineData("-5")]
    [InlineData("\"soon\"")]
    public async Task CallAndBridge_TimeoutOutsideOneTo120_FailsWithMaxCallTimeoutInvalid(string timeout)
    {
        var e = await ReportAsync(WithCaller($"\"CallTimeoutSeconds\":{timeout},\"Endpoints\":{Pstn}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "The MaxCallTimeout parameter is invalid. Timeout must be between 0 and 120 seconds.");
    }

    [Theory]
    [InlineData("X-AMZN-Foo")]
    [InlineData("x-amzn-trace")]
    [InlineData("X-Vine-Id")]
    [InlineData("x-vc-route")]
    [InlineData("X-Canary")]
    [InlineData("x-voice-id")]
    [InlineData("Foo")]
    [InlineData("Contact")]
    public async Task CallAndBridge_ReservedOrNonCustomSipHeader_FailsNamingTheHeader(string header)
    {
        var e = await ReportAsync(WithCaller($"\"Endpoints\":{Pstn},\"SipHeaders\":{{\"X-Ticket\":\"1\",\"{header}\":\"v\"}}"));
        AssertFailed(e, ActionError.InvalidActionParameter, $"Invalid SIP header(s) provided: {header}");
    }

    [Fact]
    public async Task CallAndBridge_SipHeaderValueOver2048Characters_FailsNamingTheHeader()
    {
        var e = await ReportAsync(WithCaller($"\"Endpoints\":{Pstn},\"SipHeaders\":{{\"X-Long\":\"{new string('a', 2049)}\"}}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "Invalid SIP header(s) provided: X-Long");
    }

    [Fact]
    public async Task CallAndBridge_AllowedSipHeaders_AreSentOnLegB()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, WithCaller(
            $"\"Endpoints\":{Pstn},\"SipHeaders\":{{\"x-ticket\":\"7781\",\"User-to-User\":\"6b65793d76616c7565;encoding=hex\",\"Diversion\":\"<sip:+12025550111@pbx.example.com>;reason=unconditional\",\"X-Long\":\"{new string('a', 2048)}\"}}"));
        AssertSucceeded(e);
        var legB = h.Network.Legs.Single(l => l.To == GoldenScenarios.BridgeTarget);
        Assert.Equal("7781", legB.SipHeaders!["x-ticket"]);
        Assert.Equal("6b65793d76616c7565;encoding=hex", legB.SipHeaders["User-to-User"]);
        Assert.True(legB.SipHeaders.ContainsKey("Diversion"));
    }

    [Theory]
    [InlineData("{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\"}")]
    [InlineData("{\"Type\":\"HTTP\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}")]
    [InlineData("{\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}")]
    public async Task CallAndBridge_RingbackToneIncomplete_FailsWithRingtoneInvalid(string ringback)
    {
        var e = await ReportAsync(WithCaller($"\"Endpoints\":{Pstn},\"RingbackTone\":{ringback}"));
        AssertFailed(e, ActionError.InvalidAudioSource, "Ringtone parameter value is invalid.");
    }

    [Fact]
    public async Task CallAndBridge_RingbackToneMissingObject_FailsWithCannotAccess()
    {
        var e = await ReportAsync(WithCaller($"\"Endpoints\":{Pstn},\"RingbackTone\":{{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"nope.wav\"}}"));
        AssertFailed(e, ActionError.InvalidAudioSource, "Cannot access S3 bucket or audio file.");
    }

    [Theory]
    [InlineData("+15550000002", false)]
    [InlineData("+15550000001", true)]
    [InlineData(EngineHarness.Caller, true)]
    public async Task CallAndBridge_CallerIdNotOwnedNorLegAFrom_FailsWithCallerIdNotOwned(string callerId, bool allowed)
    {
        var options = new EngineOptions { IsOwnedNumber = n => n == "+15550000001" };
        var e = await ReportAsync(Bridge($"\"CallerIdNumber\":\"{callerId}\",\"Endpoints\":{Pstn}"), options);
        if (allowed)
        {
            AssertSucceeded(e);
        }
        else
        {
            AssertFailed(
                e,
                ActionError.InvalidActionParameter,
                "Provided caller ID number is invalid. Number must be owned by this AWS account, or be the From number of LEG-A.");
        }
    }

    [Fact]
    public async Task CallAndBridge_NoAnswerWithinTimeout_FailsWithCallNotAnswered()
    {
        await using var h = new EngineHarness();
        h.Network.Register(GoldenScenarios.BridgeTarget, new VirtualParty { Answer = VirtualAnswer.NoAnswer });
        var e = await ReportAsync(h, WithCaller($"\"CallTimeoutSeconds\":5,\"Endpoints\":{Pstn}"));
        AssertFailed(e, ActionError.CallNotAnswered, "Call not answered");
    }
}
