using System.Globalization;
using System.Net;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Telephony.Phone;

/// <summary>
/// One non-INVITE client transaction (RFC 3261 §17.1.2) for a REGISTER over a <see cref="PhoneTransport"/>:
/// over UDP the request is resent after T1, doubling up to T2 (T2 once a provisional came); without
/// a final response within 64*T1 (Timer F) it fails as a timeout. Timers run on the phone's clock.
/// </summary>
internal static class RegisterExchange
{
    private static readonly TimeSpan T1 = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan T2 = TimeSpan.FromSeconds(4);

    /// <summary>Sends <paramref name="request"/> (without Via; one is added) and returns its final response, or null on timeout.</summary>
    public static async Task<SipResponse?> SendAsync(PhoneTransport transport, SipRequest request, IPEndPoint registrar, string viaHost, TimeProvider time, CancellationToken cancellationToken)
    {
        var branch = SipRequests.NewBranch();
        var port = transport.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);
        request.Headers.AddFirst(SipHeaderNames.Via, $"SIP/2.0/{transport.Protocol} {viaHost}:{port};branch={branch};rport");
        var bytes = SipMessageWriter.ToBytes(request);
        var final = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var provisional = 0;
        using var expectation = transport.Expect(branch, response =>
        {
            if (response.IsFinal)
            {
                final.TrySetResult(response);
            }
            else
            {
                Volatile.Write(ref provisional, 1);
            }
        });
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = time.GetTimestamp();
        var timerF = 64 * T1;
        var interval = T1;
        transport.Send(bytes, registrar);
        try
        {
            while (true)
            {
                var left = timerF - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    return null;
                }

                var wait = transport.IsReliable ? left : (interval < left ? interval : left);
                var tick = Task.Delay(wait, time, done.Token);
                if (await Task.WhenAny(final.Task, tick).ConfigureAwait(false) == final.Task)
                {
                    return await final.Task.ConfigureAwait(false);
                }

                await tick.ConfigureAwait(false);
                if (!transport.IsReliable && time.GetElapsedTime(started) < timerF)
                {
                    transport.Send(bytes, registrar);
                    interval = Volatile.Read(ref provisional) == 1 ? T2 : (interval * 2 < T2 ? interval * 2 : T2);
                }
            }
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
        }
    }
}
