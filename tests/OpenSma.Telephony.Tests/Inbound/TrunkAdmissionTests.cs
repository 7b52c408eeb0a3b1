using System.Net;
using OpenSma.Telephony.Inbound;

namespace OpenSma.Telephony.Tests.Inbound;

public sealed class TrunkAdmissionTests
{
    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("192.0.2.7", true)]
    [InlineData("192.0.2.8", false)]
    [InlineData("127.0.0.1", false)]
    public void InAny_CidrsAndSingleAddresses_MatchOnlyTheirHosts(string address, bool expected) =>
        Assert.Equal(expected, TrunkAdmission.InAny(["10.0.0.0/8", "192.0.2.7"], IPAddress.Parse(address)));

    [Fact]
    public void InAny_UnknownSource_IsNotAllowed() => Assert.False(TrunkAdmission.InAny(["0.0.0.0/0"], null));
}
