using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Benchmarks;

internal static class Seed
{
    public static async Task<string> RunAsync(IResourceStore store, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var sma = new SipMediaApplication(Guid.NewGuid().ToString(), "123456789012", "us-east-1", "bench-sma",
            "arn:aws:lambda:us-east-1:123456789012:function:bench", now, now);
        await store.InsertAsync(sma, CancellationToken.None);
        for (var i = 0; i < 25; i++)
        {
            var rule = new SipRule(Guid.NewGuid().ToString(), "rule-" + i, false, "ToPhoneNumber", $"+1206555{i:0000}",
                [new SipRuleTarget(sma.Id, 1, "us-east-1")], now, now);
            await store.InsertAsync(rule, CancellationToken.None);
        }

        return sma.Id;
    }
}
