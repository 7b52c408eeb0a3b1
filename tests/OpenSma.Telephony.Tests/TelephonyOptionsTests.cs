namespace OpenSma.Telephony.Tests;

public sealed class TelephonyOptionsTests
{
    [Fact]
    public void Defaults_RtpRange_IsEvenStartAndAboveWellKnownPorts()
    {
        var options = new TelephonyOptions();
        Assert.Equal(0, options.RtpPortMin % 2);
        Assert.True(options.RtpPortMin > 1024 && options.RtpPortMax > options.RtpPortMin);
    }
}
