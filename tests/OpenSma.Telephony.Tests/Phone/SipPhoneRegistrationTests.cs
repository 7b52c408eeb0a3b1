using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Phone;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Phone;

/// <summary>
/// A <see cref="SipPhone"/> registers with OpenSMA's own registrar over UDP loopback. The refresh
/// timers run on a fake clock; the sockets are real.
/// </summary>
public sealed class SipPhoneRegistrationTests
{
    [Fact]
    public async Task RegisterAsync_DigestRegistrar_BindsThePhonesOwnSocket_RefreshesBeforeExpiry_AndUnregistersOnDispose()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registrar = await StartRegistrarAsync(time, new Dictionary<string, string> { ["alice"] = "wonderland" });
        await using var phoneSip = SipPhone.CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0), time);
        await phoneSip.StartAsync();
        using var clock = new MediaClock(time);
        var phone = new SipPhone(phoneSip, Ports(), clock, time);

        var registration = await phone.RegisterAsync(Options(registrar, "alice", new SipCredentials("alice", "wonderland"), TimeSpan.FromMinutes(10)));

        Assert.True(registration.IsRegistered);
        Assert.Equal(200, registration.LastStatusCode);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(10), registration.ExpiresAt);
        var first = Assert.Single(registrar.Registrar!.Lookup("alice"));
        // Calls will be sent where the REGISTER came from: it must be the socket the phone listens on.
        Assert.Equal(phoneSip.Transports[0].LocalEndPoint.Port, first.Source.Port);
        Assert.Equal(phoneSip.Transports[0].LocalEndPoint.Port, first.Contact.Port);

        // Granted 600 s: the refresh goes out 30 s before the end.
        time.Advance(TimeSpan.FromSeconds(569));
        Assert.Equal(1, registration.Registrations);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => registration.Registrations == 2);
        var refreshed = Assert.Single(registrar.Registrar.Lookup("alice"));
        Assert.True(refreshed.CSeq > first.CSeq);
        Assert.Equal(first.CallId, refreshed.CallId);

        // Past the first binding's end, the refreshed one still stands.
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(registrar.Registrar.Lookup("alice"));
        Assert.True(registration.IsRegistered);

        await phone.DisposeAsync();

        Assert.Empty(registrar.Registrar.Lookup("alice"));
        Assert.False(registration.IsRegistered);
        Assert.Equal(200, registration.LastStatusCode);
    }

    [Fact]
    public async Task RegisterAsync_WrongPassword_IsNotRegisteredAndNothingIsBound()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registrar = await StartRegistrarAsync(time, new Dictionary<string, string> { ["alice"] = "wonderland" });
        await using var phoneSip = SipPhone.CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0), time);
        await phoneSip.StartAsync();
        using var clock = new MediaClock(time);
        await using var phone = new SipPhone(phoneSip, Ports(), clock, time);

        var registration = await phone.RegisterAsync(Options(registrar, "alice", new SipCredentials("alice", "looking-glass"), TimeSpan.FromMinutes(10)));

        Assert.False(registration.IsRegistered);
        Assert.True(registration.LastStatusCode is 401 or 403, $"status {registration.LastStatusCode}");
        Assert.Empty(registrar.Registrar!.Lookup("alice"));
    }

    [Fact]
    public async Task RegisterAsync_AskingLessThanTheRegistrarsMinimum_RetriesWithMinExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registrar = await StartRegistrarAsync(time, users: null);
        await using var phoneSip = SipPhone.CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0), time);
        await phoneSip.StartAsync();
        using var clock = new MediaClock(time);
        await using var phone = new SipPhone(phoneSip, Ports(), clock, time);

        var registration = await phone.RegisterAsync(Options(registrar, "+15550009999", null, TimeSpan.FromSeconds(10)));

        Assert.True(registration.IsRegistered);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(registrar.Registrar!.Options.MinExpiresSeconds), registration.ExpiresAt);
    }

    [Fact]
    public async Task RegisterAsync_WithOpenSma_ThenAnOutboundLegToTheNumberRingsThePhone()
    {
        await using var rig = await Rig.StartAsync();
        await using var phoneSip = SipPhone.CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0));
        var answered = new TaskCompletionSource<SipPhoneReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (min, max) = Rig.NextPorts();
        using var clock = new MediaClock(TimeProvider.System);
        await using var phone = new SipPhone(phoneSip, new RtpPortAllocator(min, max), clock, TimeProvider.System, new SipPhoneOptions { MaxDuration = Rig.Patience });
        phoneSip.IncomingCall = dialog => _ = Task.Run(async () =>
            answered.TrySetResult(await phone.AnswerAsync(dialog, new VirtualParty { RingFor = TimeSpan.Zero })));
        await phoneSip.StartAsync();
        var registration = await phone.RegisterAsync(new SipPhoneRegistrationOptions
        {
            Registrar = SipUri.Sip(null, "127.0.0.1", rig.SipAddress.Port),
            User = "+15550009999",
        });
        Assert.True(registration.IsRegistered);

        var leg = rig.Telephony.LegFactory.CreateOutbound(new OutboundLegRequest(Rig.Number, "+15550009999", null));
        var observer = new LegWatch();
        leg.Attach(observer);
        await leg.DialAsync(CancellationToken.None);

        await observer.Answered.Task.WaitAsync(Rig.Patience);
        await leg.HangupAsync(0, CancellationToken.None);
        var report = await answered.Task.WaitAsync(Rig.Patience);
        Assert.True(report.Answered);
        Assert.Equal(OpenSma.Sip.Dialogs.SipEndReason.RemoteHangUp, report.End?.Reason);
        await rig.AssertAllReleasedAsync();
    }

    private static RtpPortAllocator Ports()
    {
        var (min, max) = Rig.NextPorts();
        return new RtpPortAllocator(min, max);
    }

    private static async Task<SipEndpoint> StartRegistrarAsync(TimeProvider time, IReadOnlyDictionary<string, string>? users)
    {
        var registrar = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [], Users = users }, time);
        await registrar.StartAsync();
        return registrar;
    }

    private static SipPhoneRegistrationOptions Options(SipEndpoint registrar, string user, SipCredentials? credentials, TimeSpan expires) => new()
    {
        Registrar = SipUri.Sip(null, "127.0.0.1", registrar.Transports[0].LocalEndPoint.Port),
        User = user,
        Credentials = credentials,
        Expires = expires,
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Rig.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(20);
        }
    }

    private sealed class LegWatch : ILegObserver
    {
        public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnRinging(ICallLeg leg)
        {
        }

        public void OnAnswered(ICallLeg leg) => Answered.TrySetResult();

        public void OnDigit(ICallLeg leg, char digit)
        {
        }

        public void OnEnded(ICallLeg leg, int sipResponseCode) => Answered.TrySetException(new InvalidOperationException("leg ended " + sipResponseCode));
    }
}
