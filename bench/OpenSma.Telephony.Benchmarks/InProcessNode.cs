using System.Net;
using OpenSma.Engine;
using OpenSma.Engine.Invocation;
using OpenSma.Media.Audio;
using OpenSma.Sip;
using OpenSma.Storage.Objects;
using OpenSma.Storage.Resources;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// The same telephony composition as <c>opensma serve</c> (SIP endpoint, <see cref="SipTelephony"/>,
/// <see cref="CallEngine"/> calling an HTTP handler, SQLite store, bucket folder) inside this
/// process, so the soak can force full collections and read every count the layers keep.
/// </summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private readonly string _root;
    private readonly HttpHandlerResolver _http;

    private InProcessNode(string root, IResourceStore store, SipEndpoint sip, SipTelephony telephony, CallEngine engine, HttpHandlerResolver http)
    {
        _root = root;
        Store = store;
        Sip = sip;
        Telephony = telephony;
        Engine = engine;
        _http = http;
    }

    public IResourceStore Store { get; }

    public SipEndpoint Sip { get; }

    public SipTelephony Telephony { get; }

    public CallEngine Engine { get; }

    public int SipPort => Sip.Transports[0].LocalEndPoint.Port;

    public static async Task<InProcessNode> StartAsync(string handlerUrl, params string[] numbers)
    {
        var time = TimeProvider.System;
        var root = Directory.CreateTempSubdirectory("opensma-soak-").FullName;
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(root), time, CancellationToken.None);
        var objects = new FolderObjectStore(Path.Combine(root, "buckets"));
        objects.CreateBucket("prompts");
        await objects.PutAsync("prompts", "prompt.wav", WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 700).Samples.Span), ObjectMetadata.Wav(), CancellationToken.None);
        await objects.PutAsync("prompts", "long.wav", WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(60), 500).Samples.Span), ObjectMetadata.Wav(), CancellationToken.None);
        var sip = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, ServeUnderTest.FreePort())], TcpEndPoints = [] }, time);
        // Timed sends with serve's default lead, so the soak also shows that sockets held back for
        // queued sends are all closed in the end.
        var telephony = new SipTelephony(sip, store, new TelephonyOptions { RtpBindAddress = "127.0.0.1", AdvertisedAddress = "127.0.0.1", MediaSendLead = TimeSpan.FromMilliseconds(100) }, time);
        var http = new HttpHandlerResolver();
        var engine = new CallEngine(new EngineOptions(), time, new HeadCachingObjectStore(objects, HeadCachingObjectStore.DefaultFreshness), telephony.LegFactory, [http]);
        telephony.Attach(engine);
        var now = DateTimeOffset.UtcNow;
        foreach (var number in numbers)
        {
            var id = "sma-" + number.TrimStart('+');
            await store.InsertAsync(new SipMediaApplication(id, "111122223333", "us-east-1", id, handlerUrl, now, now), CancellationToken.None);
            await store.InsertAsync(new SipRule("rule-" + number.TrimStart('+'), "rule " + number, false, "ToPhoneNumber", number, [new SipRuleTarget(id, 1, "us-east-1")], now, now), CancellationToken.None);
        }

        await sip.StartAsync();
        return new InProcessNode(root, store, sip, telephony, engine, http);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var t in Engine.Transactions)
        {
            t.Abort("soak over");
        }

        await Sip.StopAsync();
        Telephony.Dispose();
        _http.Dispose();
        (Store as IDisposable)?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
