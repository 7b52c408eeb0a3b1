using System.Globalization;
using OpenSma.Media.Audio;
using OpenSma.Telephony.Benchmarks;

// dotnet OpenSma.Telephony.Benchmarks.dll load [--rate 50] [--calls 500] [--concurrent 200] [--hold 20] [--serve-realtime N] [--phones-realtime N]
//   --serve-realtime: serve's Telephony:MediaRealTimePriority (serve's default 10; 0 = normal scheduling)
//   --phones-realtime: SCHED_FIFO priority for the phones' own media threads (default 0: normal). Not
//   needed since the phones use kernel receive times and 1 MiB socket buffers, and harmful on 2 cores:
//   real-time phones take the CPU from serve's garbage collector and stretch its pauses
//   (docs/performance.md, "Timed sends and smaller calls")
// dotnet OpenSma.Telephony.Benchmarks.dll soak [--calls 10000] [--wave 1000] [--rate 100]
// dotnet OpenSma.Telephony.Benchmarks.dll clock [--streams 1000] [--seconds 10] [--slots 10] [--clocks 1] [--inline-completions]
if (args.Length == 0 || args[0] is not ("load" or "soak" or "clock"))
{
    Console.Error.WriteLine("usage: load [--rate R] [--calls N] [--concurrent C] [--hold SECONDS] | soak [--calls N] [--wave W] [--rate R] | clock [--streams N] [--seconds S] [--slots K] [--clocks C] [--inline-completions]");
    return 2;
}

if (args.Contains("--inline-completions") || args[0] == "load")
{
    // Socket completions on the epoll thread (what serve does): the phones then stamp a packet's
    // arrival without waiting for a thread-pool thread. Set before the first socket exists.
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

if (args[0] == "clock")
{
    Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
    return await ClockLoad.RunAsync(Arg("--streams", 1000), Arg("--seconds", 10), Arg("--slots", 10), Arg("--clocks", 1));
}

if (args[0] == "soak")
{
    Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
    return await Soak.RunAsync(Arg("--calls", 10000), Arg("--wave", 1000), Arg("--rate", 100));
}

if (Arg("--serve-realtime", -1) is >= 0 and var servePriority)
{
    Environment.SetEnvironmentVariable("OPENSMA_Telephony__MediaRealTimePriority", servePriority.ToString(CultureInfo.InvariantCulture));
}

if (Arg("--phones-realtime", 0) is > 0 and var phonesPriority && !OpenSma.Media.MediaThreads.TryEnable(phonesPriority, out var refused))
{
    Console.WriteLine($"# phones keep normal scheduling: {refused}");
}

var rate = Arg("--rate", 50);
var calls = Arg("--calls", 500);
var concurrent = Arg("--concurrent", 200);
var hold = Arg("--hold", 20);
Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");

// 1. Reference ceiling: sipp's built-in uac against sipp's built-in uas, no OpenSMA, same rate and count.
var reference = await SippLoad.ReferenceAsync(rate, calls);
Console.WriteLine($"reference  sipp uac -> sipp uas            : {reference.Rate:F1} calls/s over the whole run, {reference.SustainedRate:F1} calls/s completed while placing, {reference.Ok} ok, {reference.Failed} failed");

var data = Directory.CreateTempSubdirectory("opensma-telbench-").FullName;
await using var serve = await ServeUnderTest.StartAsync(data);
using var handler = new BenchHandler();
var bucket = Path.Combine(data, "buckets", "prompts");
Directory.CreateDirectory(bucket);
await File.WriteAllBytesAsync(Path.Combine(bucket, "prompt.wav"), WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 700).Samples.Span));
await File.WriteAllBytesAsync(Path.Combine(bucket, "long.wav"), WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(60), 500).Samples.Span));
await serve.CreateSmaAsync(handler.Url, BenchHandler.DigitsNumber);
await serve.CreateSmaAsync(handler.Url, BenchHandler.MediaNumber);
var portsAtStart = serve.MediaPorts();
var (rssAtStart, _) = serve.Memory();

// 2. Call rate: sipp places calls with RTP and one RFC 4733 digit; the SMA plays a prompt, collects the digit, hangs up.
var cpu0 = serve.CpuTime();
var load = await SippLoad.IntoServeAsync(serve.SipPort, BenchHandler.DigitsNumber, rate, calls);
var cpu = (serve.CpuTime() - cpu0).TotalSeconds / load.Elapsed.TotalSeconds;
Console.WriteLine($"opensma    sipp uac -> serve (digit flow)  : {load.Rate:F1} calls/s over the whole run, {load.SustainedRate:F1} calls/s completed while placing (offered {rate}), peak {load.PeakConcurrent} calls up; {load.Ok} ok, {load.Failed} failed, {handler.DigitsCollected} digits collected, {handler.ActionFailures} action failures; serve CPU {cpu:F2} cores");

// 3. Concurrency with media: scripted SIP phones hold calls hearing a prompt; RTP statistics from each phone.
var media = await PhoneLoad.RunAsync(serve, concurrent, rate, TimeSpan.FromSeconds(hold));
Console.WriteLine($"opensma    {concurrent} phones x {hold} s (media)    : {media.Answered} answered, {media.Failed} failed, peak {media.PeakLive} live; jitter ({(OpenSma.Media.Rtp.MediaSocketEngine.IsSupported ? "kernel receive timestamps" : "processing times")}) p50 {media.JitterP50:F2} ms p99 {media.JitterP99:F2} ms; lost {media.Lost} of {media.Received + media.Lost} packets; serve CPU {media.Cpu:F2} cores; +{media.RssPerCallKb:F0} KB RSS per live call");
Console.WriteLine($"           machine {media.MachineBusy * 100:F0} % busy over {Environment.ProcessorCount} cores during the media stage; the phones (this process) used {media.BenchCores:F2} cores");
foreach (var line in await serve.SendTimingMetricsAsync())
{
    Console.WriteLine($"           serve's own send timing (since start, both stages): {line}");
}


// 4. After everything: ports and memory back?
await Task.Delay(TimeSpan.FromSeconds(10));
var (rssAfter, peak) = serve.Memory();
Console.WriteLine($"after      media ports held {serve.MediaPorts()} (at start {portsAtStart}); RSS {rssAfter:F0} MB (at start {rssAtStart:F0} MB, peak {peak:F0} MB); {handler.Events} handler events");
return 0;
