using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using OpenSma.Engine.Control;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// The live transactions of this node by TransactionId (the node-local call directory), and the
/// active-call counts the concurrency quotas are checked against:
/// <list type="bullet">
/// <item>per account and Region (the AWS quota, <see cref="EngineOptions.MaxActiveCalls"/>): one per
/// transaction plus one per CallAndBridge LEG-B from its dialing until it ends (spec §7.10, §9.4);</item>
/// <item>per SMA (<see cref="EngineOptions.MaxActiveCallsPerSipMediaApplication"/>, an extra
/// node-local limit): one per transaction.</item>
/// </list>
/// A transaction's slots are taken before it is listed and freed when it is removed. A LEG-B slot is
/// a <see cref="BridgeLease"/> that stops counting as soon as its leg has ended, its transaction is
/// no longer listed, or it is released, so no end path can leak it.
/// </summary>
internal sealed class TransactionRegistry(int? maxActiveCallsPerApplication = null, int? maxActiveCalls = null)
{
    private readonly ConcurrentDictionary<string, CallTransaction> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Account, string Region), AccountCalls> _accounts = new();

    public int Count => _live.Count;

    public int? MaxActiveCallsPerApplication { get; } = maxActiveCallsPerApplication;

    /// <summary>The account/Region limit (legs, a bridged call counts two).</summary>
    public int? MaxActiveCalls { get; } = maxActiveCalls;

    public void Add(CallTransaction transaction) => _live[transaction.TransactionId] = transaction;

    /// <summary>Removes an ended transaction and frees its slots (once); its LEG-B leases stop counting with it.</summary>
    public void Remove(CallTransaction transaction)
    {
        if (_live.TryRemove(new(transaction.TransactionId, transaction)))
        {
            Release(transaction.Application.SipMediaApplicationId);
            ReleaseAccount(transaction.Application);
        }
    }

    public bool TryGet(string transactionId, [NotNullWhen(true)] out CallTransaction? transaction) =>
        _live.TryGetValue(transactionId, out transaction);

    public IReadOnlyCollection<CallTransaction> Snapshot() => _live.Values.ToArray();

    /// <summary>Transactions running under the SMA (what the per-SMA limit counts).</summary>
    public int ActiveCalls(string sipMediaApplicationId) =>
        _active.TryGetValue(sipMediaApplicationId, out var box) ? Volatile.Read(ref box.Value) : 0;

    /// <summary>Active calls of an account in a Region as the AWS quota counts them (a bridged call counts two).</summary>
    public int ActiveCalls(string awsAccountId, string awsRegion)
    {
        if (!_accounts.TryGetValue(AccountKey(awsAccountId, awsRegion), out var account))
        {
            return 0;
        }

        lock (account.Gate)
        {
            return CountLocked(account);
        }
    }

    /// <summary>Whether a new call under the SMA would be taken now (both limits); racing calls are still checked by <see cref="TryAcquire"/>.</summary>
    public bool HasCapacity(SipMediaApplicationRef application) =>
        (MaxActiveCallsPerApplication is not { } max || ActiveCalls(application.SipMediaApplicationId) < max)
        && (MaxActiveCalls is not { } accountMax || ActiveCalls(application.AwsAccountId, application.AwsRegion) < accountMax);

    /// <summary>
    /// Takes a call slot under the SMA and one under its account and Region; false (nothing taken)
    /// when either is at its limit, with <paramref name="refusal"/> saying which.
    /// </summary>
    public bool TryAcquire(SipMediaApplicationRef application, [NotNullWhen(false)] out string? refusal)
    {
        if (!TryAcquireApplication(application.SipMediaApplicationId))
        {
            refusal = $"SIP media application {application.SipMediaApplicationId} has reached its limit of {MaxActiveCallsPerApplication} active calls.";
            return false;
        }

        if (!TryAcquireAccount(application))
        {
            Release(application.SipMediaApplicationId);
            refusal = $"Account {application.AwsAccountId} has reached its limit of {MaxActiveCalls} active calls in {application.AwsRegion}.";
            return false;
        }

        refusal = null;
        return true;
    }

    /// <summary>Moves a live call's slots from one SMA to another (SIP-rule failover, before any LEG-B exists).</summary>
    public bool TryMove(SipMediaApplicationRef from, SipMediaApplicationRef to)
    {
        // Within one account and Region the call keeps its account slot: only the SMA slot moves.
        var sameAccount = from.AwsAccountId == to.AwsAccountId && from.AwsRegion == to.AwsRegion;
        if (!TryAcquireApplication(to.SipMediaApplicationId))
        {
            return false;
        }

        if (!sameAccount && !TryAcquireAccount(to))
        {
            Release(to.SipMediaApplicationId);
            return false;
        }

        Release(from.SipMediaApplicationId);
        if (!sameAccount)
        {
            ReleaseAccount(from);
        }

        return true;
    }

    /// <summary>
    /// Takes the account/Region slot a CallAndBridge LEG-B needs before it is dialed; null when the
    /// account is at its limit. The lease counts until its leg ends (<see cref="BridgeLease.Attach"/>),
    /// the transaction is removed, or <see cref="BridgeLease.Release"/>.
    /// </summary>
    public BridgeLease? TryAcquireBridge(CallTransaction transaction)
    {
        var account = Account(transaction.Application);
        lock (account.Gate)
        {
            if (MaxActiveCalls is { } max)
            {
                if (CountLocked(account) >= max)
                {
                    return null;
                }
            }
            else if (account.Bridges.Count >= (2 * account.LiveAtLastSweep) + 16)
            {
                // No limit to check against: sweep now and then so ended leases do not pile up.
                CountLocked(account);
            }

            var lease = new BridgeLease(this, transaction);
            account.Bridges.Add(lease);
            return lease;
        }
    }

    private bool IsListed(CallTransaction transaction) =>
        _live.TryGetValue(transaction.TransactionId, out var listed) && ReferenceEquals(listed, transaction);

    private static (string Account, string Region) AccountKey(string awsAccountId, string awsRegion) => (awsAccountId, awsRegion);

    private AccountCalls Account(SipMediaApplicationRef application) =>
        _accounts.GetOrAdd(AccountKey(application.AwsAccountId, application.AwsRegion), static _ => new AccountCalls());

    /// <summary>Under the account's gate: drops leases that no longer count, then counts.</summary>
    private static int CountLocked(AccountCalls account)
    {
        if (account.Bridges.Count > 0)
        {
            account.Bridges.RemoveAll(static lease => !lease.Counts);
        }

        account.LiveAtLastSweep = account.Bridges.Count;
        return account.Transactions + account.Bridges.Count;
    }

    private bool TryAcquireAccount(SipMediaApplicationRef application)
    {
        var account = Account(application);
        lock (account.Gate)
        {
            if (MaxActiveCalls is { } max && CountLocked(account) >= max)
            {
                return false;
            }

            account.Transactions++;
            return true;
        }
    }

    private void ReleaseAccount(SipMediaApplicationRef application)
    {
        if (_accounts.TryGetValue(AccountKey(application.AwsAccountId, application.AwsRegion), out var account))
        {
            lock (account.Gate)
            {
                account.Transactions--;
            }
        }
    }

    private bool TryAcquireApplication(string sipMediaApplicationId)
    {
        var box = _active.GetOrAdd(sipMediaApplicationId, static _ => new StrongBox<int>());
        if (MaxActiveCallsPerApplication is not { } max)
        {
            Interlocked.Increment(ref box.Value);
            return true;
        }

        while (true)
        {
            var current = Volatile.Read(ref box.Value);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref box.Value, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    private void Release(string sipMediaApplicationId)
    {
        if (_active.TryGetValue(sipMediaApplicationId, out var box))
        {
            Interlocked.Decrement(ref box.Value);
        }
    }

    private sealed class AccountCalls
    {
        public readonly Lock Gate = new();
        public readonly List<BridgeLease> Bridges = [];
        public int Transactions;
        public int LiveAtLastSweep;
    }

    /// <summary>The account/Region slot of one CallAndBridge LEG-B.</summary>
    internal sealed class BridgeLease(TransactionRegistry registry, CallTransaction transaction)
    {
        private LegSlot? _slot;
        private int _released;

        /// <summary>Counts while not released, its leg (once attached) has not ended, and its transaction is listed.</summary>
        public bool Counts =>
            Volatile.Read(ref _released) == 0
            && Volatile.Read(ref _slot) is not { Ended: true }
            && registry.IsListed(transaction);

        /// <summary>Ties the lease to LEG-B's slot: it stops counting when the leg ends, however it ends.</summary>
        public void Attach(LegSlot slot) => Volatile.Write(ref _slot, slot);

        /// <summary>Frees the slot now (the leg was never created).</summary>
        public void Release() => Volatile.Write(ref _released, 1);
    }
}
