namespace OpenSma.Media.Sdp;

/// <summary>The o= line. The version increases whenever the description changes (RFC 3264 section 8).</summary>
public sealed record SdpOrigin(string UserName, ulong SessionId, ulong SessionVersion, string AddressType, string Address)
{
    public override string ToString() => $"{UserName} {SessionId} {SessionVersion} IN {AddressType} {Address}";
}
