using OpenSma.Engine.Control;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>What every operation needs: the store, the options, the clock and the engine.</summary>
internal sealed class ApiContext(IResourceStore store, ControlPlaneOptions options, TimeProvider timeProvider, ICallControl callControl)
{
    public IResourceStore Store { get; } = store;

    public ControlPlaneOptions Options { get; } = options;

    public TimeProvider Time { get; } = timeProvider;

    public ICallControl CallControl { get; } = callControl;

    public DateTimeOffset Now => Time.GetUtcNow();

    public static string SipMediaApplicationArn(SipMediaApplication sma) =>
        $"arn:aws:chime:{sma.AwsRegion}:{sma.AwsAccountId}:sma/{sma.Id}";

    public static string VoiceConnectorArn(string region, string account, string id) => $"arn:aws:chime:{region}:{account}:vc/{id}";

    public static string VoiceConnectorGroupArn(string region, string account, string id) => $"arn:aws:chime:{region}:{account}:vcg/{id}";

    public string PhoneNumberArn(string id) => $"arn:aws:chime:{Options.AwsRegion}:{Options.AwsAccountId}:phone-number/{id}";

    public static string NewId() => Guid.NewGuid().ToString();
}
