using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Tests.Dtmf;

public sealed class DigitStreamTests
{
    private static List<DtmfDigit> Drain(DigitStream stream)
    {
        var result = new List<DtmfDigit>();
        while (stream.Reader.TryRead(out var digit))
        {
            result.Add(digit);
        }

        return result;
    }

    [Fact]
    public void Sources_AreMergedInArrivalOrder()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);

        stream.OnInBand('1');
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(stream.OnSipInfo('2'));
        time.Advance(TimeSpan.FromSeconds(1));
        stream.OnTelephoneEvent('3');

        var digits = Drain(stream);
        Assert.Equal("123", new string([.. digits.Select(d => d.Digit)]));
        Assert.Equal([DtmfSource.InBand, DtmfSource.SipInfo, DtmfSource.Rfc4733], digits.Select(d => d.Source));
        Assert.Equal(time.GetUtcNow(), digits[2].ReceivedAt);
    }

    [Fact]
    public void OnInBand_AfterRfc4733Seen_IsIgnored()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);
        stream.OnTelephoneEvent('4');
        time.Advance(TimeSpan.FromSeconds(2));

        stream.OnInBand('5');

        Assert.True(stream.InBandSuppressed);
        Assert.Equal("4", new string([.. Drain(stream).Select(d => d.Digit)]));
    }

    [Fact]
    public void SamePressFromInfoAndRfc4733_CountedOnce()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);

        stream.OnTelephoneEvent('7');
        time.Advance(TimeSpan.FromMilliseconds(50));
        stream.OnSipInfo('7');
        time.Advance(TimeSpan.FromSeconds(1));
        stream.OnSipInfo('7');

        Assert.Equal(2, Drain(stream).Count);
    }

    [Fact]
    public void RepeatedDigitFromOneSource_AllCounted()
    {
        var stream = new DigitStream(new FakeTimeProvider());

        stream.OnTelephoneEvent('1');
        stream.OnTelephoneEvent('1');

        Assert.Equal(2, Drain(stream).Count);
    }

    [Fact]
    public void OnSipInfo_NotADigit_Rejected()
    {
        var stream = new DigitStream(new FakeTimeProvider());

        Assert.False(stream.OnSipInfo('x'));
        Assert.True(stream.OnSipInfo('a'));
        Assert.Equal('A', Drain(stream).Single().Digit);
    }
}
