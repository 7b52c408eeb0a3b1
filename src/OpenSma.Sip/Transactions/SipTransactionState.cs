namespace OpenSma.Sip.Transactions;

/// <summary>States of the four machines of RFC 3261 §17 plus Accepted from RFC 6026.</summary>
public enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Accepted,
    Confirmed,
    Terminated,
}
