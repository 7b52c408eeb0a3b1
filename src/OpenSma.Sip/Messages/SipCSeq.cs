using System.Globalization;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>The CSeq header: a sequence number below 2^31 and a method (RFC 3261 §8.1.1.5).</summary>
public readonly record struct SipCSeq(long Number, string Method)
{
    public const long MaxNumber = int.MaxValue;

    public static bool TryParse(string text, out SipCSeq value)
    {
        value = default;
        var s = SipGrammar.Trim(text);
        var ws = s.IndexOfAny(' ', '\t');
        if (ws <= 0)
        {
            return false;
        }

        var method = SipGrammar.Trim(s[ws..]);
        if (!SipGrammar.TryParseBoundedInt(s[..ws], MaxNumber, out var number) || !SipGrammar.IsToken(method))
        {
            return false;
        }

        value = new SipCSeq(number, method.ToString());
        return true;
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;
}
