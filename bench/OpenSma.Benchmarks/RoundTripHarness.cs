using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Virtual;
using OpenSma.Storage.Objects;

namespace OpenSma.Benchmarks;

/// <summary>
/// Engine overhead of one event→action round trip with an in-process handler: the handler always
/// answers <c>[Pause 100 ms]</c>; each iteration moves virtual time 100 ms and waits until the
/// engine is idle again. In between, the engine fires the Pause timer, completes the action,
/// builds and serializes ACTION_SUCCESSFUL, calls the handler, parses its reply, validates and
/// starts the next Pause. Measured: wall time per round trip (median, p99) and bytes allocated
/// per round trip across all threads. The reference in the same run is a bare hop through the
/// same thread-pool machinery: post to a channel, read it on another thread, signal back.
/// </summary>
internal static class RoundTripHarness
{
    private static readonly byte[] Reply = Encoding.UTF8.GetBytes("{\"SchemaVersion\":\"1.0\",\"Actions\":[{\"Type\":\"Pause\",\"Parameters\":{\"DurationInMilliseconds\":100}}]}");

    public static async Task<int> RunAsync(string[] args)
    {
        var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50_000;
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var activity = new ActivityTracker();
        using var network = new VirtualNetwork(time) { RetainLegs = false };
        var handlers = new DelegateHandlerResolver();
        handlers.Register("bench", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(Reply));
        var store = new FolderObjectStore(Path.Combine(Path.GetTempPath(), "opensma-bench"));
        var engine = new CallEngine(new EngineOptions { MaxInvocationsPerCall = int.MaxValue }, time, store, network, [handlers], activity: activity);
        var sma = new SipMediaApplicationRef("bench", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("bench"));
        var leg = network.CreateInbound("+15550000001", "+15550000002", new VirtualParty());
        var transaction = engine.StartInboundCall(sma, leg, null);
        await activity.WhenIdleAsync();

        // Warm up: JIT, tiered compilation, pools.
        for (var i = 0; i < 5_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await activity.WhenIdleAsync();
        }

        using var sampler = args.Contains("--by-type") ? new AllocationSampler() : null;
        sampler?.Start();
        var samples = new double[iterations];
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            time.Advance(TimeSpan.FromMilliseconds(100));
            await activity.WhenIdleAsync();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        total.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        sampler?.Stop();
        var sequenceGrowth = transaction.Sequence;
        transaction.Abort("benchmark over");
        var hop = await MeasureHopAsync(iterations);

        Array.Sort(samples);
        Console.WriteLine($"round trips            {iterations:N0} (sequence reached {sequenceGrowth:N0})");
        Console.WriteLine($"median                 {samples[iterations / 2]:0.0} us");
        Console.WriteLine($"p99                    {samples[(int)(iterations * 0.99)]:0.0} us");
        Console.WriteLine($"round trips/s          {iterations / total.Elapsed.TotalSeconds:N0}");
        Console.WriteLine($"allocated/round trip   {allocated / (double)iterations:N0} B");
        Console.WriteLine($"gen0 collections       {GC.CollectionCount(0) - gen0}");
        foreach (var (type, share) in sampler?.TopTypes(25) ?? [])
        {
            Console.WriteLine($"  {share,6:P1}  {type}");
        }

        Console.WriteLine($"reference: bare hop    median {hop.Median:0.0} us, p99 {hop.P99:0.0} us (post to a channel, read on the pool, signal back)");
        return 0;
    }

    private static async Task<(double Median, double P99)> MeasureHopAsync(int iterations)
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<TaskCompletionSource>(new() { SingleReader = true });
        var reader = Task.Run(async () =>
        {
            await foreach (var item in channel.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                item.TrySetResult();
            }
        });
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            channel.Writer.TryWrite(tcs);
            await tcs.Task.ConfigureAwait(false);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        channel.Writer.Complete();
        await reader.ConfigureAwait(false);
        Array.Sort(samples);
        return (samples[iterations / 2], samples[(int)(iterations * 0.99)]);
    }
}
