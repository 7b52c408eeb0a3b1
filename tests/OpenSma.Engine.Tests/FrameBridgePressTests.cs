using OpenSma.Engine.Legs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Playback;

namespace OpenSma.Engine.Tests;

/// <summary>
/// FrameBridge relays key presses with their length: every report of a press (start, progress,
/// end) from one leg's <see cref="IBridgeEndpoint.ObserveSignalledPresses"/> goes to the other
/// leg's <see cref="IBridgeEndpoint.OpenPressRelay"/>, which the bridge closes when it ends. A leg
/// that keeps the interface's defaults (the virtual leg) reports digits and gets each digit once,
/// at its press's start.
/// </summary>
public sealed class FrameBridgePressTests
{
    private static DigitPress Report(int serial, char digit, int duration, DigitPressState state, bool start, DtmfSource source = DtmfSource.Rfc4733) =>
        new(serial, digit, source, 10, duration, state, start);

    [Fact]
    public void PressesCrossWithEveryReport_InOrder_BothWays_AndTheRelaysCloseWithTheBridge()
    {
        var a = new PressEndpoint();
        var b = new PressEndpoint();
        var bridge = FrameBridge.Join(a, b);
        Assert.NotNull(bridge);

        a.Press(Report(1, '5', 160, DigitPressState.Held, start: true));
        a.Press(Report(1, '5', 320, DigitPressState.Held, start: false));
        a.Press(Report(1, '5', 16_000, DigitPressState.Ended, start: false));
        b.Press(Report(1, '9', 4_000, DigitPressState.Ended, start: true, DtmfSource.SipInfo));

        Assert.Equal([(160, DigitPressState.Held, true), (320, DigitPressState.Held, false), (16_000, DigitPressState.Ended, false)],
            b.Relayed.Select(r => (r.Duration, r.State, r.IsStart)));
        Assert.Equal([('9', 4_000)], a.Relayed.Select(r => (r.Digit, r.Duration)));
        Assert.Equal((0, 0), (a.RelaysClosed, b.RelaysClosed));

        bridge.Dispose();
        a.Press(Report(2, '1', 160, DigitPressState.Held, start: true));

        Assert.Equal((1, 1), (a.RelaysClosed, b.RelaysClosed));
        Assert.Equal((0, 0), (a.Observers, b.Observers));
        Assert.Equal(3, b.Relayed.Count);
    }

    [Fact]
    public void LegWithTheDefaults_ReportsDigitsAsPressesOfUnknownLength_AndHearsEachPressOnceAtItsStart()
    {
        var digits = new DigitEndpoint();
        var presses = new PressEndpoint();
        using var bridge = FrameBridge.Join(digits, presses);
        Assert.NotNull(bridge);

        digits.Press('7');
        presses.Press(Report(1, '#', 160, DigitPressState.Held, start: true));
        presses.Press(Report(1, '#', 8_000, DigitPressState.Ended, start: false));
        presses.Press(Report(2, '3', 0, DigitPressState.LengthUnknown, start: true, DtmfSource.InBand));

        Assert.Equal([('7', DigitPressState.LengthUnknown, true)], presses.Relayed.Select(r => (r.Digit, r.State, r.IsStart)));
        Assert.Equal(['#'], digits.Relayed);
    }

    /// <summary>An endpoint that reports presses with their length and records what is relayed to it.</summary>
    private sealed class PressEndpoint : IBridgeEndpoint
    {
        private readonly List<IDigitPressObserver> _observers = [];

        public List<DigitPress> Relayed { get; } = [];

        public int RelaysClosed { get; private set; }

        public int Observers => _observers.Count;

        public bool CanBridge => true;

        public FrameBridge? Bridge { get; set; }

        public IAudioSource? BridgeSource { get; set; }

        public void OpenBridgeMedia()
        {
        }

        public IDisposable AddBridgeSink(IAudioSink sink) => new Removal(() => { });

        public IDisposable ObserveSignalledDigits(Action<char> onDigit) =>
            throw new InvalidOperationException("The bridge asks for presses.");

        public void RelayDigit(char digit) =>
            throw new InvalidOperationException("The bridge relays presses.");

        public IDisposable ObserveSignalledPresses(IDigitPressObserver observer)
        {
            _observers.Add(observer);
            return new Removal(() => _observers.Remove(observer));
        }

        public IDigitPressObserver OpenPressRelay() => new Recording(this);

        public void Press(DigitPress press)
        {
            foreach (var observer in _observers.ToArray())
            {
                observer.OnPress(press);
            }
        }

        private sealed class Recording(PressEndpoint owner) : IDigitPressObserver, IDisposable
        {
            public void OnPress(in DigitPress press) => owner.Relayed.Add(press);

            public void Dispose() => owner.RelaysClosed++;
        }
    }

    /// <summary>An endpoint with only the digit members, as the virtual leg has.</summary>
    private sealed class DigitEndpoint : IBridgeEndpoint
    {
        private readonly List<Action<char>> _observers = [];

        public List<char> Relayed { get; } = [];

        public bool CanBridge => true;

        public FrameBridge? Bridge { get; set; }

        public IAudioSource? BridgeSource { get; set; }

        public void OpenBridgeMedia()
        {
        }

        public IDisposable AddBridgeSink(IAudioSink sink) => new Removal(() => { });

        public IDisposable ObserveSignalledDigits(Action<char> onDigit)
        {
            _observers.Add(onDigit);
            return new Removal(() => _observers.Remove(onDigit));
        }

        public void RelayDigit(char digit) => Relayed.Add(digit);

        public void Press(char digit)
        {
            foreach (var observer in _observers.ToArray())
            {
                observer(digit);
            }
        }
    }

    private sealed class Removal(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
