using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Virtual;

namespace OpenSma.Engine.Tests;

public sealed class VirtualLegTests
{
    [Fact]
    public async Task DialAsync_NetworkDisposedBeforeTheAnswer_TimerFiresWithoutThrowingAndTheLegStaysUnanswered()
    {
        var time = new FakeTimeProvider();
        var network = new VirtualNetwork(time);
        var leg = network.CreateOutbound(new OutboundLegRequest("+12065550100", "+12065550101", null));
        await leg.DialAsync(CancellationToken.None);

        network.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));   // the scripted answer's timer fires now, on a disposed media clock

        Assert.NotEqual(LegState.Connected, leg.State);
    }
}
