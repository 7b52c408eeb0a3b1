using System.Text;
using System.Text.RegularExpressions;
using OpenSma.Speech.Ssml;

namespace OpenSma.Speech.Espeak;

/// <summary>
/// Writes a run of text parts in the SSML dialect espeak-ng reads with <c>-m</c>. Only text and
/// espeak-ng's own say-as forms are used; pauses, rate and volume are applied around the process
/// (<see cref="EspeakSynthesizer"/>), which keeps their timing exact.
/// </summary>
internal static partial class EspeakMarkup
{
    public static string Write(IEnumerable<SpokenText> parts)
    {
        var ssml = new StringBuilder("<speak>");
        foreach (var part in parts)
        {
            ssml.Append(' ');
            switch (part.Mode)
            {
                case SayAs.Characters:
                    ssml.Append("<say-as interpret-as=\"characters\">").Append(Escape(part.Text)).Append("</say-as>");
                    break;
                case SayAs.Digits:
                    AppendDigits(ssml, part.Text);
                    break;
                case SayAs.Telephone:
                    AppendTelephone(ssml, part.Text);
                    break;
                default:
                    ssml.Append(Escape(part.Text));
                    break;
            }
        }

        return ssml.Append(" </speak>").ToString();
    }

    private static void AppendDigits(StringBuilder ssml, string text)
    {
        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        if (digits.Length > 0)
        {
            ssml.Append("<say-as interpret-as=\"tts:digits\">").Append(digits).Append("</say-as>");
        }
    }

    // "+1 (206) 555-0100": each group digit by digit, a comma (a short pause) between groups.
    private static void AppendTelephone(StringBuilder ssml, string text)
    {
        var groups = DigitGroups().Matches(text).Select(m => m.Value).ToList();
        for (var i = 0; i < groups.Count; i++)
        {
            if (i > 0)
            {
                ssml.Append(", ");
            }

            ssml.Append("<say-as interpret-as=\"tts:digits\">").Append(groups[i]).Append("</say-as>");
        }

        if (groups.Count > 0)
        {
            ssml.Append(',');
        }
    }

    [GeneratedRegex(@"\d+", RegexOptions.CultureInvariant)]
    private static partial Regex DigitGroups();

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
}
