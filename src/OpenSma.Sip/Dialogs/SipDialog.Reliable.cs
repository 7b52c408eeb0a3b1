using System.Globalization;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// Reliable provisional responses as a UAS (RFC 3262): a 1xx with <c>Require: 100rel</c> and
/// <c>RSeq</c>, retransmitted from T1 doubling until the caller PRACKs it. Only one is in flight
/// at a time (§3); a 2xx waits while an unacknowledged one carried a session description.
/// </summary>
public sealed partial class SipDialog
{
    // Provisionals waiting for the one in flight; made on the first one that has to wait (most calls never need it).
    private Queue<ReliableProvisional>? _reliableQueue;
    private ReliableProvisional? _reliableInFlight;
    private TransactionTimer? _reliableTimer;
    private long _nextRSeq;
    private (ReadOnlyMemory<byte> Body, string? ContentType)? _heldAnswer;

    // Offer/answer in the early dialog (RFC 3262 §5, RFC 6337 §2): the RSeq of the reliable
    // provisional whose body was our offer and whose PRACK must bring the answer, and whether an
    // offer/answer exchange has completed, after which a body in a PRACK is a new offer.
    private long? _offerAwaitingPrackAnswer;
    private bool _earlySessionAgreed;

    // A PRACK whose new offer the application has yet to answer: the 2xx to the INVITE waits for
    // that answer, and then carries it (RFC 6337 §3.1.1: the 2xx repeats our last description).
    private ServerTransaction? _prackOfferAtApplication;

    /// <summary>True when the caller's INVITE lists 100rel in Supported or Require: reliable provisionals are possible.</summary>
    public bool PeerSupportsReliableProvisionals =>
        InitialInvite.HasOptionTag(SipHeaderNames.Supported, "100rel") || PeerRequiresReliableProvisionals;

    /// <summary>True when the caller's INVITE has <c>Require: 100rel</c>: every provisional but 100 is then sent reliably.</summary>
    public bool PeerRequiresReliableProvisionals => InitialInvite.HasOptionTag(SipHeaderNames.Require, "100rel");

    /// <summary>
    /// Sends a provisional response reliably (RFC 3262), typically 183 with early-media SDP.
    /// Completes true when the caller acknowledged it with PRACK; false when the caller does not
    /// support 100rel (the response was then sent unreliably), when the call ended first, or when
    /// no PRACK came within 64*T1 (the INVITE is then rejected with 500, as §3 advises).
    /// When the INVITE had no offer, the first reliable provisional with a body carries ours and
    /// the caller's PRACK carries the answer: it arrives as <see cref="SipEarlyAnswerReceived"/>.
    /// </summary>
    public Task<bool> RingReliablyAsync(int statusCode = 183, ReadOnlyMemory<byte> body = default, string? contentType = null, CancellationToken cancellationToken = default)
    {
        if (statusCode is < 101 or > 199)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "A reliable provisional status is 101 to 199.");
        }

        lock (_ua.Core.Gate)
        {
            if (State != SipDialogState.Early || IsAnswered || _heldAnswer is not null)
            {
                return Task.FromResult(false);
            }

            if (!PeerSupportsReliableProvisionals)
            {
                RespondToInvite(statusCode, body, contentType);
                return Task.FromResult(false);
            }

            return QueueReliable(statusCode, body, contentType).Acknowledged.Task;
        }
    }

    private ReliableProvisional QueueReliable(int statusCode, ReadOnlyMemory<byte> body, string? contentType)
    {
        var provisional = new ReliableProvisional(statusCode, body, contentType);
        (_reliableQueue ??= new()).Enqueue(provisional);
        SendNextReliable();
        return provisional;
    }

    private void SendNextReliable()
    {
        if (_reliableInFlight is not null || _reliableQueue is null || !_reliableQueue.TryDequeue(out var next))
        {
            return;
        }

        if (_nextRSeq == 0)
        {
            // §3: the first RSeq is random in 1 .. 2^31 - 1; this leaves room to count upwards.
            _nextRSeq = Random.Shared.Next(1, int.MaxValue / 2);
        }

        next.RSeq = _nextRSeq++;
        if (!next.Body.IsEmpty && !_earlySessionAgreed && _offerAwaitingPrackAnswer is null)
        {
            if (InitialInvite.Body.IsEmpty)
            {
                // §5: with no offer in the INVITE, the first reliable provisional with a body carries ours.
                _offerAwaitingPrackAnswer = next.RSeq;
            }
            else
            {
                _earlySessionAgreed = true;
            }
        }
        else if (!next.Body.IsEmpty && _earlySessionAgreed && _offerAwaitingPrackAnswer is null
            && !SipSessionVersion.SameVersion(next.Body.Span, _localBody.Span))
        {
            // §5: once an exchange has completed, a reliable provisional whose session description
            // differs from the last one we sent (a new o= version) is a new offer; its PRACK answers.
            _offerAwaitingPrackAnswer = next.RSeq;
        }

        RememberLocalBody(next.Body, next.ContentType);

        next.Interval = _ua.Core.Transactions.Timers.T1;
        next.Started = _ua.Core.Time.GetTimestamp();
        _reliableInFlight = next;
        _reliableTimer ??= new TransactionTimer(_ua.Core.Time, _ua.Core.Gate);
        SendReliable(next);
        _reliableTimer.Start(next.Interval, RetransmitReliable);
    }

    private void SendReliable(ReliableProvisional provisional)
    {
        var rseq = new SipHeader(SipHeaderNames.RSeq, provisional.RSeq.ToString(CultureInfo.InvariantCulture));
        RespondToInvite(provisional.StatusCode, provisional.Body, provisional.ContentType, extraHeaders: [new SipHeader(SipHeaderNames.Require, "100rel"), rseq]);
    }

    private void RetransmitReliable()
    {
        if (_reliableInFlight is not { } provisional || IsAnswered || State != SipDialogState.Early)
        {
            return;
        }

        // §3: retransmit from T1, doubling, for 64*T1 in all; then give up on the INVITE.
        var remaining = _ua.Core.Transactions.Timers.TransactionTimeout - _ua.Core.Time.GetElapsedTime(provisional.Started);
        if (remaining <= TimeSpan.Zero)
        {
            _reliableInFlight = null;
            provisional.Acknowledged.TrySetResult(false);
            RespondToInvite(500, default, null, "Reliable Provisional Response Not Acknowledged");
            Terminate(SipEndReason.Rejected, 500);
            return;
        }

        SendReliable(provisional);
        provisional.Interval *= 2;
        remaining = _ua.Core.Transactions.Timers.TransactionTimeout - _ua.Core.Time.GetElapsedTime(provisional.Started);
        _reliableTimer!.Start(provisional.Interval < remaining ? provisional.Interval : remaining, RetransmitReliable);
    }

    /// <summary>A PRACK (RFC 3262 §3): matches the provisional in flight by RAck, else 481.</summary>
    private void OnPrack(SipRequest prack, ServerTransaction tx)
    {
        if (_reliableInFlight is not { } provisional || !RAckMatches(prack, provisional.RSeq))
        {
            tx.Respond(SipResponses.Create(prack, 481, "No Matching Reliable Provisional Response"));
            return;
        }

        _reliableInFlight = null;
        _reliableTimer?.Stop();
        AnswerPrack(prack, tx, provisional);
        provisional.Acknowledged.TrySetResult(true);
        if (State != SipDialogState.Early || IsAnswered)
        {
            return;
        }

        SendNextReliable();
        ReleaseHeldAnswer();
    }

    /// <summary>Sends the 2xx <see cref="AnswerAsync"/> had to hold, once nothing it must wait for is left.</summary>
    private void ReleaseHeldAnswer()
    {
        if (_reliableInFlight is null && _prackOfferAtApplication is null && _heldAnswer is { } held
            && State == SipDialogState.Early && !IsAnswered)
        {
            _heldAnswer = null;
            SendAnswer(held.Body, held.ContentType);
        }
    }

    /// <summary>
    /// The application answered a PRACK that carried a new offer: a 2xx with a body makes that
    /// answer the session description a held 2xx to the INVITE carries; then the 2xx may go.
    /// </summary>
    private void OnPrackOfferAnswered(ServerTransaction tx, int statusCode, ReadOnlyMemory<byte> body, string? contentType)
    {
        if (!ReferenceEquals(tx, _prackOfferAtApplication) || statusCode < 200)
        {
            return;
        }

        _prackOfferAtApplication = null;
        if (statusCode < 300 && !body.IsEmpty && _heldAnswer is not null)
        {
            _heldAnswer = (body, contentType);
        }

        ReleaseHeldAnswer();
    }

    /// <summary>
    /// The body of a PRACK per RFC 3262 §5: the answer to the offer in the provisional it
    /// acknowledges (the INVITE's missing offer, or a new offer once an exchange has completed: we
    /// answer 200 and report <see cref="SipEarlyAnswerReceived"/>), or, once an
    /// offer/answer exchange has completed, a new offer that only the application can answer
    /// (<see cref="SipDialogRequestReceived"/>: 200 with an answer, or 488).
    /// </summary>
    private void AnswerPrack(SipRequest prack, ServerTransaction tx, ReliableProvisional provisional)
    {
        if (_offerAwaitingPrackAnswer == provisional.RSeq)
        {
            _offerAwaitingPrackAnswer = null;
            if (prack.Body.IsEmpty)
            {
                // §5 says the PRACK MUST carry the answer. Acknowledge anyway (refusing would
                // only make the caller retransmit) and leave the offer open for the application.
                RespondInDialog(tx, 200, default, null, null);
                return;
            }

            _earlySessionAgreed = true;
            RespondInDialog(tx, 200, default, null, null);
            Emit(new SipEarlyAnswerReceived(prack));
            return;
        }

        if (prack.Body.IsEmpty)
        {
            RespondInDialog(tx, 200, default, null, null);
            return;
        }

        if (_offerAwaitingPrackAnswer is not null || !_earlySessionAgreed)
        {
            // An offer while ours awaits its answer, or before any exchange (the first offer
            // belongs to the INVITE or to our reliable provisional): RFC 6337 §3.1 forbids both.
            tx.Respond(SipResponses.Create(prack, 491));
            return;
        }

        _prackOfferAtApplication = tx;
        Emit(new SipDialogRequestReceived(new SipIncomingRequest(this, tx)));
    }

    private bool RAckMatches(SipRequest prack, long rseq)
    {
        // RAck: response-num CSeq-num Method (RFC 3262 §7.2).
        var parts = prack.Headers.Get(SipHeaderNames.RAck)?.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts is [var r, var c, var m]
            && long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var rack) && rack == rseq
            && long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var cseq) && cseq == InitialInvite.CSeq!.Value.Number
            && m == SipMethods.Invite;
    }

    /// <summary>
    /// §3: a 2xx must wait while an unacknowledged reliable provisional carried a session
    /// description; it also waits for our answer to an offer in a PRACK, which it then repeats.
    /// </summary>
    private bool MustHoldAnswer() =>
        (_reliableInFlight is { Body.IsEmpty: false }) || _reliableQueue?.Any(p => !p.Body.IsEmpty) == true || _prackOfferAtApplication is not null;

    private void StopReliable()
    {
        _reliableTimer?.Dispose();
        _reliableInFlight?.Acknowledged.TrySetResult(false);
        _reliableInFlight = null;
        while (_reliableQueue?.TryDequeue(out var queued) == true)
        {
            queued.Acknowledged.TrySetResult(false);
        }

        _reliableQueue = null;
    }

    private sealed class ReliableProvisional(int statusCode, ReadOnlyMemory<byte> body, string? contentType)
    {
        public int StatusCode { get; } = statusCode;

        public ReadOnlyMemory<byte> Body { get; } = body;

        public string? ContentType { get; } = contentType;

        public TaskCompletionSource<bool> Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long RSeq { get; set; }

        public TimeSpan Interval { get; set; }

        public long Started { get; set; }
    }
}
