using System.Globalization;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Registrar;

/// <summary>
/// A location service fed by REGISTER (RFC 3261 §10.3). Softphones register a user or a number;
/// bindings expire on <see cref="TimeProvider"/> time and expired ones are never returned.
/// </summary>
public sealed class SipRegistrar
{
    private readonly Dictionary<string, List<SipBinding>> _bindings = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public SipRegistrar(TimeProvider? time = null, SipRegistrarOptions? options = null)
    {
        _time = time ?? TimeProvider.System;
        Options = options ?? new SipRegistrarOptions();
    }

    public SipRegistrarOptions Options { get; }

    /// <summary>Live contacts for a user or number (a leading '+' is ignored when matching).</summary>
    public IReadOnlyList<SipBinding> Lookup(string userOrNumber)
    {
        ArgumentNullException.ThrowIfNull(userOrNumber);
        lock (_lock)
        {
            var key = Normalize(userOrNumber);
            if (!_bindings.TryGetValue(key, out var list))
            {
                return [];
            }

            Purge(key, list);
            return [.. list];
        }
    }

    /// <summary>
    /// Adds the source address of every unexpired binding registered over <paramref name="protocol"/>:
    /// a softphone registered over TCP or TLS is reached on the connection it registered from, so
    /// that connection must stay open while the binding lives.
    /// </summary>
    public void CollectSources(string protocol, ISet<System.Net.IPEndPoint> into)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(into);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var list in _bindings.Values)
            {
                foreach (var binding in list)
                {
                    if (binding.ExpiresAt > now && string.Equals(binding.Transport, protocol, StringComparison.OrdinalIgnoreCase))
                    {
                        var source = binding.Source;
                        into.Add(source.Address.IsIPv4MappedToIPv6 ? new System.Net.IPEndPoint(source.Address.MapToIPv4(), source.Port) : source);
                    }
                }
            }
        }
    }

    /// <summary>Unexpired bindings over all users (a count for metrics; expired ones are not purged here).</summary>
    public int BindingCount
    {
        get
        {
            var now = _time.GetUtcNow();
            var count = 0;
            lock (_lock)
            {
                foreach (var list in _bindings.Values)
                {
                    foreach (var binding in list)
                    {
                        if (binding.ExpiresAt > now)
                        {
                            count++;
                        }
                    }
                }
            }

            return count;
        }
    }

    /// <summary>Every user with at least one live binding.</summary>
    public IReadOnlyList<string> Users()
    {
        lock (_lock)
        {
            foreach (var (key, list) in _bindings.ToList())
            {
                Purge(key, list);
            }

            return [.. _bindings.Keys];
        }
    }

    /// <summary>Applies a REGISTER and returns the response to send (200 with the current bindings, 400, 423 or 500).</summary>
    public SipResponse Register(SipRequest register, SipRemote source, string toTag)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(source);
        var to = register.To!;
        if (!(to.Uri.IsSip || to.Uri.IsTel) || string.IsNullOrEmpty(to.Uri.User))
        {
            // RFC 4475 unksm2: an address of record must be a SIP or tel URI with a user.
            return SipResponses.Create(register, 400, "Invalid Address Of Record", toTag);
        }

        var key = Normalize(to.Uri.User);
        var contacts = register.Headers.GetValues(SipHeaderNames.Contact) ?? [];
        var headerExpires = register.Expires;
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_bindings.TryGetValue(key, out var existingList))
            {
                Purge(key, existingList);
            }

            if (!_bindings.TryGetValue(key, out var list))
            {
                list = [];
                _bindings[key] = list;
            }

            if (contacts is ["*"])
            {
                if (headerExpires != 0)
                {
                    return SipResponses.Create(register, 400, "Wildcard Needs Expires 0", toTag);
                }

                list.Clear();
                _bindings.Remove(key);
                return Ok(register, [], now, toTag);
            }

            var changes = new List<(SipUri Contact, int Expires)>();
            foreach (var text in contacts)
            {
                if (!SipNameAddress.TryParse(text, out var contact))
                {
                    return SipResponses.Create(register, 400, "Bad Contact", toTag);
                }

                var expires = contact.Parameters.Get("expires") is { } p && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var e)
                    ? e
                    : headerExpires ?? Options.DefaultExpiresSeconds;
                if (expires > 0 && expires < Options.MinExpiresSeconds)
                {
                    var brief = SipResponses.Create(register, 423, toTag: toTag);
                    brief.Headers.Add(SipHeaderNames.MinExpires, Options.MinExpiresSeconds.ToString(CultureInfo.InvariantCulture));
                    return brief;
                }

                changes.Add((contact.Uri, Math.Min(expires, Options.MaxExpiresSeconds)));
            }

            var callId = register.CallId!;
            var cseq = register.CSeq!.Value.Number;
            foreach (var (contact, expires) in changes)
            {
                var existing = list.FindIndex(b => SameContact(b.Contact, contact));
                if (existing >= 0 && list[existing].CallId == callId && list[existing].CSeq >= cseq)
                {
                    return SipResponses.Create(register, 500, "Stale REGISTER", toTag);
                }

                if (existing >= 0)
                {
                    list.RemoveAt(existing);
                }

                if (expires > 0)
                {
                    list.Add(new SipBinding(key, contact, now.AddSeconds(expires), callId, cseq, source.Transport.Protocol, source.EndPoint));
                }
            }

            if (list.Count == 0)
            {
                _bindings.Remove(key);
            }

            return Ok(register, list, now, toTag);
        }
    }

    private static SipResponse Ok(SipRequest register, List<SipBinding> list, DateTimeOffset now, string toTag)
    {
        var ok = SipResponses.Create(register, 200, toTag: toTag);
        foreach (var b in list)
        {
            var seconds = Math.Max(0, (int)Math.Ceiling((b.ExpiresAt - now).TotalSeconds));
            ok.Headers.Add(SipHeaderNames.Contact, $"<{b.Contact}>;expires={seconds.ToString(CultureInfo.InvariantCulture)}");
        }

        ok.Headers.Add(SipHeaderNames.Date, now.ToString("r", CultureInfo.InvariantCulture));
        return ok;
    }

    private void Purge(string key, List<SipBinding> list)
    {
        var now = _time.GetUtcNow();
        list.RemoveAll(b => b.ExpiresAt <= now);
        if (list.Count == 0)
        {
            _bindings.Remove(key);
        }
    }

    private static bool SameContact(SipUri a, SipUri b) => string.Equals(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string user) => user.StartsWith('+') ? user[1..] : user;
}
