namespace OpenSma.Telephony.Tests;

public sealed class PhoneNumberTextTests
{
    [Theory]
    [InlineData("+15550100", "+15550100")]
    [InlineData("15550100", "+15550100")]
    [InlineData("+1 555 0100", "+15550100")]
    [InlineData(" +1 (555) 010-0.100 ", "+15550100100")]
    [InlineData("tel:+15550100", "+15550100")]
    [InlineData("TEL:+1-555-0100", "+15550100")]
    [InlineData("tel:+15550100;phone-context=example.com", "+15550100")]
    [InlineData("sip:+15550100@127.0.0.1", "+15550100")]
    [InlineData("sip:+15550100;user=phone@pbx.example.com:5060;transport=tcp", "+15550100")]
    [InlineData("sips:15550100@pbx.example.com", "+15550100")]
    [InlineData("<sip:+15550100@pbx.example.com>", "+15550100")]
    [InlineData("sip:%2B15550100@pbx.example.com", "+15550100")]
    public void ToE164_NumbersUrisAndSeparators_ReadAsOneNumber(string text, string expected) =>
        Assert.Equal(expected, PhoneNumberText.ToE164(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("+1")]
    [InlineData("+0155501000")]
    [InlineData("+1234567890123456")]
    [InlineData("alice")]
    [InlineData("+1555x0100")]
    [InlineData("sip:alice@pbx.example.com")]
    [InlineData("sip:pbx.example.com")]
    [InlineData("sip:+15550100:secret@pbx.example.com")]
    [InlineData("tel:")]
    [InlineData("mailto:+15550100")]
    [InlineData("%zz15550100")]
    public void ToE164_AnythingElse_IsNotANumber(string? text) =>
        Assert.Null(PhoneNumberText.ToE164(text));

    [Theory]
    [InlineData("+15551230000", "+15551230000")]
    [InlineData("15551230000", "+15551230000")]
    [InlineData("+1 (555) 123-0000", "+15551230000")]
    [InlineData("+15551230000;npdi", "+15551230000")]
    [InlineData("alice", null)]
    [InlineData("", null)]
    [InlineData("+0123", null)]
    public void FromUser_UserParts_ReadAsNumbersOrNull(string user, string? expected) =>
        Assert.Equal(expected, PhoneNumberText.FromUser(user));

    [Fact]
    public void FromUser_IsHowTheInboundRouterReadsUserParts()
    {
        Assert.Equal("+15551230000", PhoneNumberText.FromUser("+15551230000;npdi"));
        Assert.Null(PhoneNumberText.FromUser("tel:+15551230000"));
    }
}
