using Microsoft.Extensions.Time.Testing;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony.Tests.Outbound;

/// <summary>The voice-connector quotas' counters on virtual time (spec §9.4: 1 call/s per connector, 10 at once).</summary>
public sealed class VoiceConnectorQuotasTests
{
    [Fact]
    public void ConcurrentCalls_OverTheLimitAcrossConnectors_Refused_UntilASlotIsGivenBack()
    {
        var quotas = new VoiceConnectorQuotas(null, 2, new FakeTimeProvider());

        var first = quotas.TryAdmit("vc-1", null, out _);
        var second = quotas.TryAdmit("vc-2", null, out _);
        var third = quotas.TryAdmit("vc-3", null, out var refusal);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Equal("voice connectors carry their limit of 2 concurrent calls", refusal);
        Assert.Equal(2, quotas.ActiveCalls);

        first!.Release();
        first.Release();
        Assert.Equal(1, quotas.ActiveCalls);
        Assert.NotNull(quotas.TryAdmit("vc-3", null, out _));
        Assert.Null(quotas.TryAdmit("vc-1", null, out _));
        Assert.Equal(2, quotas.ActiveCalls);
    }

    [Fact]
    public void CallsPerSecond_PerConnector_WindowMovesWithTime()
    {
        var time = new FakeTimeProvider();
        var quotas = new VoiceConnectorQuotas(1, null, time);

        Assert.NotNull(quotas.TryAdmit("vc-1", null, out _));
        Assert.Null(quotas.TryAdmit("vc-1", null, out var refusal));
        Assert.Equal("voice connector vc-1 is at its quota of 1 calls per second", refusal);
        Assert.NotNull(quotas.TryAdmit("vc-2", null, out _));

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(quotas.TryAdmit("vc-1", null, out _));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(quotas.TryAdmit("vc-1", null, out _));
        // Without a concurrent-call quota nothing is held.
        Assert.Equal(0, quotas.ActiveCalls);
    }

    [Fact]
    public void RefusedForRate_TakesNoConcurrentSlot_RefusedForConcurrency_SpendsNoRate()
    {
        var time = new FakeTimeProvider();
        var quotas = new VoiceConnectorQuotas(1, 1, time);

        var held = quotas.TryAdmit("vc-1", null, out _);
        Assert.NotNull(held);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(quotas.TryAdmit("vc-2", null, out var full));
        Assert.Contains("concurrent", full, StringComparison.Ordinal);

        held!.Release();
        // vc-2's refusal above spent none of its rate.
        var next = quotas.TryAdmit("vc-2", null, out _);
        Assert.NotNull(next);
        next!.Release();
        Assert.Null(quotas.TryAdmit("vc-2", null, out var tooFast));
        Assert.Contains("calls per second", tooFast, StringComparison.Ordinal);
        Assert.Equal(0, quotas.ActiveCalls);
    }

    [Fact]
    public void NoQuota_AdmitsEverything_TracksNothing()
    {
        var quotas = new VoiceConnectorQuotas(null, null, new FakeTimeProvider());

        Assert.False(quotas.IsEnabled);
        Assert.All(Enumerable.Range(0, 50), i => Assert.NotNull(quotas.TryAdmit("vc-1", null, out _)));
        Assert.Equal(0, quotas.ActiveCalls);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(null, 0)]
    public void Construct_LimitBelowOne_Throws(int? rate, int? concurrent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceConnectorQuotas(rate, concurrent, new FakeTimeProvider()));
}
