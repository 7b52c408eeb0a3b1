using System.Buffers;
using System.Text;
using CsCheck;
using OpenSma.Sip.Parsing;
using Xunit.Abstractions;

namespace OpenSma.Sip.Tests.Parsing;

/// <summary>
/// Property test: the parser meets over a million generated and mutated messages without an
/// exception, without a hang, and whatever it accepts serializes and parses again.
/// </summary>
public sealed class SipMessageParserFuzzTests
{
    private const int Iterations = 1_000_000;
    private static readonly byte[] Interesting = "\r\n:;,=\"<>%@ \t\\/?&[]0z\0\xff"u8.ToArray();
    private readonly ITestOutputHelper _output;

    public SipMessageParserFuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static byte[][] Seeds()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "rfc4475");
        var seeds = Directory.GetFiles(folder, "*.dat").Select(File.ReadAllBytes).ToList();
        seeds.Add(Encoding.UTF8.GetBytes(SipMessageParserTests.Invite));
        seeds.Add(Encoding.UTF8.GetBytes("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bKx;rport=5;received=1.2.3.4\r\nFrom: <sip:a@b>;tag=1\r\nTo: \"x\\\"y\" <sips:c@[::1]:5061;transport=tls>;tag=2\r\nCall-ID: z\r\nCSeq: 7 INVITE\r\nContact: <sip:q@r>;expires=60, tel:+1555;p=1\r\nContent-Length: 2\r\n\r\nok"));
        return [.. seeds];
    }

    /// <summary>One mutation of a seed: flip, insert, delete, duplicate a slice, or truncate.</summary>
    private static byte[] Mutate(byte[] seed, int kind, int at, int length, byte value)
    {
        if (seed.Length == 0)
        {
            return [value];
        }

        at %= seed.Length;
        length = Math.Min(length, seed.Length - at);
        var list = new List<byte>(seed);
        switch (kind)
        {
            case 0:
                list[at] = value;
                break;
            case 1:
                list[at] = Interesting[value % Interesting.Length];
                break;
            case 2:
                list.InsertRange(at, Enumerable.Repeat(Interesting[value % Interesting.Length], 1 + (length % 4)));
                break;
            case 3:
                list.RemoveRange(at, length);
                break;
            case 4:
                list.InsertRange(at, seed.AsSpan(at, length).ToArray());
                break;
            default:
                list.RemoveRange(at, list.Count - at);
                break;
        }

        return [.. list];
    }

    private static Gen<byte[]> Messages()
    {
        var seeds = Seeds();
        var mutated = Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 5], Gen.Int[0, 4000], Gen.Int[1, 64], Gen.Byte, Gen.Int[1, 3])
            .Select(t =>
            {
                var bytes = seeds[t.Item1];
                for (var i = 0; i < t.Item6; i++)
                {
                    bytes = Mutate(bytes, (t.Item2 + i) % 6, t.Item3 * (i + 1), t.Item4, (byte)(t.Item5 + i));
                }

                return bytes;
            });
        var random = Gen.Byte.Array[0, 300];
        return Gen.Frequency((9, mutated), (1, random));
    }

    [Fact]
    public async Task Parse_MillionMutatedMessages_NeverThrowsOrHangs()
    {
        long parsed = 0;
        long accepted = 0;
        var parser = new SipMessageParser();
        var run = Task.Run(() => Messages().Sample(
            bytes =>
            {
                var datagram = parser.ParseDatagram(bytes);
                Assert.False(datagram.Error?.StartsWith("Unparseable", StringComparison.Ordinal) ?? false, datagram.Error);
                var stream = parser.ParseStream(new ReadOnlySequence<byte>(bytes));
                Assert.False(stream.Error?.StartsWith("Unparseable", StringComparison.Ordinal) ?? false, stream.Error);
                Assert.InRange(stream.Consumed, 0, bytes.Length);
                if (datagram.IsComplete)
                {
                    // Whatever we accept must serialize and read back as a message too.
                    var again = parser.ParseDatagram(SipMessageWriter.ToBytes(datagram.Message!));
                    Assert.NotNull(again.Message);
                    Interlocked.Increment(ref accepted);
                }

                Interlocked.Increment(ref parsed);
            },
            iter: Iterations));

        await run.WaitAsync(TimeSpan.FromMinutes(3));
        _output.WriteLine($"Fuzzed {parsed:N0} messages ({accepted:N0} accepted and round-tripped) without an exception.");
        Console.WriteLine($"SIP parser fuzz: {parsed:N0} messages, {accepted:N0} accepted, no exception.");
        Assert.True(parsed >= Iterations, $"only {parsed} messages ran");
        Assert.True(accepted > 0, "the generator should also produce valid messages");
    }
}
