using OpenSma.ControlPlane.Proxy;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Proxy;

public sealed class ProxyNumberSelectorTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly string[] Pool = ["+12065550100", "+12065550101", "+12065550102"];

    private static ProxySession Session(string status, params (string Number, string Proxy)[] participants) => new(
        Guid.NewGuid().ToString(), "vc", null, status, null, ["Voice"],
        participants.Select(p => new ProxyParticipant(p.Number, p.Proxy)).ToList(), null, null, null, At, At, null, null);

    [Fact]
    public void Choose_NumberInUseByParticipantInOpenSession_IsSkipped()
    {
        var sessions = new[] { Session("Open", ("+1500", "+12065550100"), ("+1600", "+12065550100")) };

        var chosen = ProxyNumberSelector.Choose("+1500", "+1700", Pool, sessions, "PreferSticky");

        Assert.Equal("+12065550101", chosen);
    }

    [Fact]
    public void Choose_PreferSticky_ReusesTheNumberOfAnEarlierSessionWithTheSameParticipant()
    {
        var sessions = new[] { Session("Closed", ("+1500", "+12065550102"), ("+1600", "+12065550101")) };

        var sticky = ProxyNumberSelector.Choose("+1500", "+1600", Pool, sessions, "PreferSticky");
        var avoid = ProxyNumberSelector.Choose("+1500", "+1600", Pool, sessions, "AvoidSticky");

        Assert.Equal("+12065550102", sticky);
        Assert.Equal("+12065550100", avoid);
    }

    [Fact]
    public void Choose_SpreadsLoad_LeastUsedNumberFirst()
    {
        var sessions = new[]
        {
            Session("Open", ("+1801", "+12065550100"), ("+1802", "+12065550100")),
            Session("Open", ("+1803", "+12065550101"), ("+1804", "+12065550102")),
        };

        var chosen = ProxyNumberSelector.Choose("+1500", "+1600", Pool, sessions, "PreferSticky");

        Assert.Equal("+12065550101", chosen);
    }

    [Fact]
    public void Choose_EveryNumberBusyOrAParticipantsOwn_ReturnsNull()
    {
        var sessions = new[]
        {
            Session("Open", ("+1500", "+12065550100"), ("+1601", "+12065550100")),
            Session("InProgress", ("+1500", "+12065550101"), ("+1602", "+12065550100")),
        };

        var chosen = ProxyNumberSelector.Choose("+1500", "+12065550102", Pool, sessions, "PreferSticky");

        Assert.Null(chosen);
    }
}
