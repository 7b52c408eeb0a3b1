using Microsoft.Extensions.Logging;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;

namespace OpenSma.Engine.Transactions;

// SIP-rule failover (spec §1, §9.1): "if the first-priority SMA's function cannot be invoked for a
// new call, the next-priority SMA is tried; all failing -> hang up". "Cannot be invoked" is every
// NEW_INBOUND_CALL invocation that ends without a readable reply once its own retry and budget are
// spent: timeouts, function errors, refusals, throttling, unreachable or unknown endpoints, and the
// replies §9.3 counts as invocation failures (blank, unparseable, wrong or missing SchemaVersion).
// A readable reply - even "Actions list is empty." or one that earns INVALID_LAMBDA_RESPONSE -
// means the function was invoked, so the call stays with that SMA.
public sealed partial class CallTransaction
{
    /// <summary>
    /// Moves the transaction to the next SIP-rule target after NEW_INBOUND_CALL could not be
    /// invoked. False when there is no further target or the caller has gone.
    /// </summary>
    private bool TryFailOver(PendingEvent pending, string failure)
    {
        if (pending.Type != EventTypes.NewInboundCall
            || _ended
            || pending.Invoked is not { Ended: false })
        {
            return false;
        }

        var from = _application;
        for (var next = _targetIndex + 1; next < _targets.Length; next++)
        {
            var to = _targets[next];
            if (!_services.Registry.TryMove(from, to))
            {
                _trace.FailedOver(TransactionId, from, to, $"skipped {to.SipMediaApplicationId}: at its limit of active calls");
                continue;
            }

            _targetIndex = next;
            Volatile.Write(ref _application, to);
            // The next SMA sees a new call: its first event is Sequence 1 again.
            Volatile.Write(ref _sequence, 0);
            Log.FailedOver(_services.Logger, TransactionId, from.SipMediaApplicationId, to.SipMediaApplicationId, failure);
            _trace.FailedOver(TransactionId, from, to, failure);
            return true;
        }

        return false;
    }
}

internal static partial class Log
{
    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Transaction {TransactionId}: SMA {From} cannot be invoked ({Reason}); failing over to SMA {To}")]
    public static partial void FailedOver(ILogger logger, string transactionId, string from, string to, string reason);
}
