namespace OpenSma.Media.Sdp;

/// <summary>SDP direction attributes (RFC 3264 section 5.1), from the point of view of the side that wrote them.</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public static class MediaDirectionExtensions
{
    public static bool Sends(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.SendOnly;

    public static bool Receives(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    /// <summary>The direction the other side must answer with (sendonly answers recvonly, ...).</summary>
    public static MediaDirection Reverse(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        _ => direction,
    };

    public static string ToAttribute(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };
}
