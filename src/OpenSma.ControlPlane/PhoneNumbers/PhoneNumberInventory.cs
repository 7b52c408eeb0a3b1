using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.PhoneNumbers;

/// <summary>
/// Time-driven parts of the number lifecycle, settled lazily against the injected clock before
/// each phone-number operation: orders complete once their delay has passed, and numbers leave
/// the deletion queue for good once the retention period is over. No timers are needed, and a
/// restart loses nothing because the due times are stored.
/// </summary>
internal sealed class PhoneNumberInventory(IResourceStore store, ControlPlaneOptions options, TimeProvider timeProvider)
{
    public PhoneNumberPools Pools { get; } = new(options.PhoneNumbers.Pools);

    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var orders = await store.ListAllAsync<PhoneNumberOrder>(cancellationToken).ConfigureAwait(false);
        foreach (var order in orders.Where(o => o.Value.Status == "Processing" && o.Value.CompletesAt <= now))
        {
            await CompleteOrderAsync(order.Value, now, cancellationToken).ConfigureAwait(false);
        }

        var numbers = await store.ListAllAsync<PhoneNumber>(cancellationToken).ConfigureAwait(false);
        foreach (var number in numbers)
        {
            if (number.Value.DeletionTimestamp is { } deleted && deleted + options.PhoneNumbers.DeletionRetention <= now)
            {
                await store.DeleteAsync<PhoneNumber>(number.Value.Id, number.Version, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CompleteOrderAsync(PhoneNumberOrder order, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var acquired = new List<OrderedPhoneNumber>();
        foreach (var ordered in order.OrderedPhoneNumbers)
        {
            if (ordered.Status != "Processing")
            {
                acquired.Add(ordered);
                continue;
            }

            var result = await store.MutateAsync<PhoneNumber>(
                ordered.E164PhoneNumber,
                n => n.Status == PhoneNumberLifecycle.AcquireInProgress && n.OrderId == order.Id
                    ? n with { Status = PhoneNumberLifecycle.Unassigned, UpdatedTimestamp = now }
                    : null,
                cancellationToken).ConfigureAwait(false);
            acquired.Add(ordered with { Status = result.IsOk ? "Acquired" : "Failed" });
        }

        await store.MutateAsync<PhoneNumberOrder>(
            order.Id,
            o => o.Status != "Processing" ? null : o with
            {
                OrderedPhoneNumbers = acquired,
                Status = OrderStatus(acquired),
                UpdatedTimestamp = now,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public static string OrderStatus(IReadOnlyCollection<OrderedPhoneNumber> numbers)
    {
        if (numbers.Any(n => n.Status == "Processing"))
        {
            return "Processing";
        }

        var acquired = numbers.Count(n => n.Status == "Acquired");
        return acquired == numbers.Count ? "Successful" : acquired == 0 ? "Failed" : "Partial";
    }
}
