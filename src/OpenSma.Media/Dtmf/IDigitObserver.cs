namespace OpenSma.Media.Dtmf;

/// <summary>Hears each digit a <see cref="DigitStream"/> publishes, besides its reader. Must not block.</summary>
public interface IDigitObserver
{
    void OnDigit(DtmfDigit digit);
}
