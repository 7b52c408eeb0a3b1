using System.Globalization;
using System.Text;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// Call transfer with REFER (RFC 3515): asking the peer to call a target, following its progress
/// through NOTIFY with message/sipfrag bodies, and reporting progress when we were asked.
/// </summary>
public sealed partial class SipDialog
{
    private const string SipFrag = "message/sipfrag;version=2.0";

    /// <summary>Asks the peer to call <paramref name="target"/>; returns the REFER's final response (202 when accepted).</summary>
    public Task<SipResponse> ReferAsync(SipUri target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var referTo = new SipHeader(SipHeaderNames.ReferTo, new SipNameAddress(target).ToString());
        var referredBy = new SipHeader(SipHeaderNames.ReferredBy, new SipNameAddress(LocalParty.Uri).ToString());
        return SendRequestAsync(SipMethods.Refer, headers: [referTo, referredBy], cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Reports the progress of a transfer we accepted: a NOTIFY whose sipfrag carries the status of
    /// our call to the target; a final status (200 and above) ends the implicit subscription.
    /// </summary>
    public Task<SipResponse> NotifyReferAsync(int statusCode, CancellationToken cancellationToken = default)
    {
        var state = statusCode >= 200 ? "terminated;reason=noresource" : "active;expires=60";
        var body = Encoding.ASCII.GetBytes($"SIP/2.0 {statusCode.ToString(CultureInfo.InvariantCulture)} {SipReasonPhrases.For(statusCode)}\r\n");
        return SendRequestAsync(
            SipMethods.Notify,
            body,
            SipFrag,
            [new SipHeader(SipHeaderNames.Event, "refer"), new SipHeader(SipHeaderNames.SubscriptionState, state)],
            cancellationToken);
    }

    /// <summary>
    /// For an INVITE that arrived with Replaces (RFC 3891, attended transfer): the dialog it takes
    /// the place of; find that dialog with <see cref="SipEndpoint.FindDialog(SipReplaces)"/>.
    /// </summary>
    public SipReplaces? Replaces =>
        Role == SipDialogRole.Uas && SipReplaces.TryParse(InitialInvite.Headers.Get(SipHeaderNames.Replaces), out var replaces) ? replaces : null;

    /// <summary>Asks the peer to call <paramref name="target"/> in place of the dialog <paramref name="replacing"/> (attended transfer, RFC 3891 embedded in Refer-To).</summary>
    public Task<SipResponse> ReferAsync(SipUri target, SipReplaces replacing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(replacing);
        var withReplaces = target.With(u => u.Headers.Set(SipHeaderNames.Replaces, replacing.ToString()));
        return ReferAsync(withReplaces, cancellationToken);
    }

    /// <summary>A NOTIFY for our REFER: answered here and reported as <see cref="SipReferProgress"/>.</summary>
    private bool TryHandleReferNotify(SipRequest request, ServerTransaction tx)
    {
        if (request.Method != SipMethods.Notify || request.Headers.Get(SipHeaderNames.Event)?.Trim().StartsWith("refer", StringComparison.OrdinalIgnoreCase) != true)
        {
            return false;
        }

        tx.Respond(SipResponses.Create(request, 200));
        var text = Encoding.UTF8.GetString(request.Body.Span);
        var parts = text.Split(' ', 3);
        if (parts.Length >= 2 && parts[0].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            var final = request.Headers.Get(SipHeaderNames.SubscriptionState)?.Trim().StartsWith("terminated", StringComparison.OrdinalIgnoreCase) == true;
            Emit(new SipReferProgress(code, final));
        }

        return true;
    }
}
