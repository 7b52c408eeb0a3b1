using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Core;

/// <summary>What a UAS checks before anything else (RFC 3261 §8.2.2): the URI scheme and Require.</summary>
internal static class SipPrechecks
{
    private static readonly HashSet<string> SupportedExtensions = new(StringComparer.OrdinalIgnoreCase) { "100rel", "replaces", "timer" };

    /// <summary>The response refusing the request (416 or 420), or null when it may proceed.</summary>
    public static SipResponse? Refusal(SipRequest request)
    {
        if (request.Method is SipMethods.Ack or SipMethods.Cancel)
        {
            return null;
        }

        if (!(request.RequestUri.IsSip || request.RequestUri.IsTel))
        {
            return SipResponses.Create(request, 416, toTag: SipRequests.NewToken(10));
        }

        var unsupported = request.OptionTags(SipHeaderNames.Require).Where(t => !SupportedExtensions.Contains(t)).ToList();
        if (unsupported.Count > 0)
        {
            var response = SipResponses.Create(request, 420, toTag: SipRequests.NewToken(10));
            response.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", unsupported));
            return response;
        }

        return null;
    }
}
