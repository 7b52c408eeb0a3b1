using OpenSma.Media.Audio;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Mixing;

/// <summary>
/// Mixes N parties: each party hears the sum of every other unmuted party (never itself). Mixing
/// is pulled by the legs' clock ticks: the first party to read a frame that it has already
/// consumed starts a new round, which reads one frame from every party's jitter buffer, so one
/// round happens per tick however many parties there are. Sums saturate at 16 bits.
/// </summary>
public sealed class ConferenceMixer
{
    private readonly Lock _gate = new();
    private readonly List<Party> _parties = [];
    private readonly int[] _sum = new int[PcmAudio.SamplesPerFrame];

    public int PartyCount
    {
        get
        {
            lock (_gate)
            {
                return _parties.Count;
            }
        }
    }

    /// <summary>Connects a leg: its received audio joins the mix and it hears the others.</summary>
    public Party Join(RtpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var party = new Party(this, session);
        lock (_gate)
        {
            _parties.Add(party);
        }

        party.Connect();
        return party;
    }

    private void Leave(Party party)
    {
        lock (_gate)
        {
            _parties.Remove(party);
        }
    }

    private void Read(Party reader, Span<short> frame)
    {
        lock (_gate)
        {
            if (reader.Consumed)
            {
                MixRound();
            }

            reader.Output.CopyTo(frame);
            reader.Consumed = true;
        }
    }

    private void MixRound()
    {
        var sum = _sum.AsSpan();
        sum.Clear();
        foreach (var party in _parties)
        {
            party.Input.ReadFrame(party.Frame);
            if (party.Muted)
            {
                continue;
            }

            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += party.Frame[i];
            }
        }

        foreach (var party in _parties)
        {
            var own = party.Muted ? null : party.Frame;
            for (var i = 0; i < sum.Length; i++)
            {
                var value = sum[i] - (own is null ? 0 : own[i]);
                party.Output[i] = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
            }

            party.Consumed = false;
        }
    }

    /// <summary>One leg in the conference; dispose to leave.</summary>
    public sealed class Party : IAudioSource, IDisposable
    {
        private readonly ConferenceMixer _mixer;
        private readonly RtpSession _session;
        private IDisposable? _sink;

        internal Party(ConferenceMixer mixer, RtpSession session)
        {
            _mixer = mixer;
            _session = session;
        }

        /// <summary>A muted party still hears everyone; nobody hears it.</summary>
        public bool Muted { get; set; }

        internal FrameBuffer Input { get; } = new();

        internal short[] Frame { get; } = new short[PcmAudio.SamplesPerFrame];

        internal short[] Output { get; } = new short[PcmAudio.SamplesPerFrame];

        internal bool Consumed { get; set; } = true;

        public void ReadFrame(Span<short> frame) => _mixer.Read(this, frame);

        public void Dispose()
        {
            _sink?.Dispose();
            _sink = null;
            if (ReferenceEquals(_session.OutboundSource, this))
            {
                _session.OutboundSource = null;
            }

            _mixer.Leave(this);
        }

        internal void Connect()
        {
            _sink = _session.AddInboundSink(Input);
            _session.OutboundSource = this;
        }
    }
}
