using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenSma.Sip.Resolution;

/// <summary>
/// A small stub resolver for the records System.Net cannot look up (NAPTR, SRV): one recursive
/// query per name and type over UDP to the configured name servers (from /etc/resolv.conf by
/// default), TCP when the answer is truncated, answers cached for their TTL on the
/// <see cref="TimeProvider"/>. Addresses come from the system resolver. A server that does not answer in time is
/// skipped; when none answers the lookup yields no records.
/// </summary>
internal sealed class UdpDnsResolver : ISipDnsResolver
{
    private static readonly TimeSpan NegativeTtl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxTtl = TimeSpan.FromHours(1);

    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<(string Name, ushort Type), (long Expires, object Records)> _cache = new();

    public UdpDnsResolver(IReadOnlyList<IPEndPoint>? servers = null, TimeProvider? time = null, TimeSpan? timeout = null)
    {
        _servers = servers is { Count: > 0 } ? servers : SystemServers();
        _time = time ?? TimeProvider.System;
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
    }

    public IReadOnlyList<IPEndPoint> Servers => _servers;

    /// <summary>The nameserver lines of /etc/resolv.conf; the local resolver when there are none.</summary>
    internal static IReadOnlyList<IPEndPoint> SystemServers(string path = "/etc/resolv.conf")
    {
        var servers = new List<IPEndPoint>();
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts is ["nameserver", var address, ..] && IPAddress.TryParse(address.Split('%')[0], out var ip))
                {
                    servers.Add(new IPEndPoint(ip, 53));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return servers.Count > 0 ? servers : [new IPEndPoint(IPAddress.Loopback, 53)];
    }

    public async Task<IReadOnlyList<SipNaptrRecord>> ResolveNaptrAsync(string domain, CancellationToken cancellationToken = default) =>
        await LookupAsync(domain, DnsMessage.TypeNaptr, static (m, a) => DnsMessage.ReadNaptr(m, a), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<SipSrvRecord>> ResolveSrvAsync(string name, CancellationToken cancellationToken = default) =>
        await LookupAsync(name, DnsMessage.TypeSrv, static (m, a) => DnsMessage.ReadSrv(m, a), cancellationToken).ConfigureAwait(false);

    /// <summary>A and AAAA through the system resolver (getaddrinfo), so /etc/hosts applies as for any program.</summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return [.. addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)];
        }
        catch (SocketException)
        {
            return [];
        }
    }

    private delegate T? RecordReader<T>(ReadOnlySpan<byte> message, DnsMessage.Answer answer);

    private async Task<List<T>> LookupAsync<T>(string name, ushort type, RecordReader<T> read, CancellationToken cancellationToken)
        where T : class
    {
        var key = (name.TrimEnd('.').ToLowerInvariant(), type);
        if (_cache.TryGetValue(key, out var cached) && _time.GetTimestamp() < cached.Expires)
        {
            return (List<T>)cached.Records;
        }

        if (await QueryAsync(key.Item1, type, cancellationToken).ConfigureAwait(false) is not { } message)
        {
            // Nobody answered: no records, and nothing cached so the next call asks again.
            return [];
        }

        var response = DnsMessage.Parse(message);
        var records = new List<T>();
        var ttl = MaxTtl;
        foreach (var answer in response.Answers)
        {
            if (answer.Type == type && read(message, answer) is { } record)
            {
                records.Add(record);
                ttl = TimeSpan.FromSeconds(Math.Min(ttl.TotalSeconds, answer.Ttl));
            }
        }

        var keep = records.Count == 0 ? NegativeTtl : ttl;
        _cache[key] = (_time.GetTimestamp() + (long)(keep.TotalSeconds * _time.TimestampFrequency), records);
        return records;
    }

    /// <summary>Asks each server in turn; returns the first valid answer (NOERROR or NXDOMAIN), or null.</summary>
    private async Task<byte[]?> QueryAsync(string name, ushort type, CancellationToken cancellationToken)
    {
        foreach (var server in _servers)
        {
            var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
            var query = DnsMessage.Query(id, name, type);
            try
            {
                var answer = await AskUdpAsync(server, query, id, cancellationToken).ConfigureAwait(false);
                if (answer is not null && DnsMessage.Parse(answer) is { Valid: true } response && response.ResponseCode is 0 or 3)
                {
                    return response.Truncated ? await AskTcpAsync(server, query, cancellationToken).ConfigureAwait(false) ?? answer : answer;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // This server failed or timed out: try the next one.
            }
        }

        return null;
    }

    private async Task<byte[]?> AskUdpAsync(IPEndPoint server, byte[] query, ushort id, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
        await socket.SendAsync(query, linked.Token).ConfigureAwait(false);
        var buffer = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, linked.Token).ConfigureAwait(false);
            if (read >= 2 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
            {
                return buffer[..read];
            }
        }
    }

    private async Task<byte[]?> AskTcpAsync(IPEndPoint server, byte[] query, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, linked.Token).ConfigureAwait(false);
        var length = new byte[2];
        if (!await ReadExactlyAsync(socket, length, linked.Token).ConfigureAwait(false))
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        return await ReadExactlyAsync(socket, message, linked.Token).ConfigureAwait(false) ? message : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> into, CancellationToken cancellationToken)
    {
        while (!into.IsEmpty)
        {
            var read = await socket.ReceiveAsync(into, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            into = into[read..];
        }

        return true;
    }

    public override string ToString() => "DNS via " + string.Join(", ", _servers.Select(s => s.ToString())) + " (timeout " + _timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s)";
}
