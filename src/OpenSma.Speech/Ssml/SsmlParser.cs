using System.Xml;
using System.Xml.Linq;

namespace OpenSma.Speech.Ssml;

/// <summary>
/// Parses the SSML subset OpenSMA speaks: <c>speak</c>, <c>break</c> (time, strength),
/// <c>say-as</c> (telephone, digits, characters/spell-out), <c>prosody</c> (rate, volume),
/// <c>p</c> and <c>s</c>. Other elements Polly knows (emphasis, lang, sub, w, phoneme, mark,
/// amazon:*) are read for their text; anything else, or malformed XML, is an error with a
/// message that says where.
/// </summary>
internal static class SsmlParser
{
    /// <summary>Polly's extension namespace; handlers write <c>amazon:</c> elements without declaring it.</summary>
    private const string AmazonNamespace = "https://aws.amazon.com/polly/ssml";

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 64 * 1024,
    };

    public static SsmlParseResult Parse(string ssml)
    {
        XElement root;
        try
        {
            var names = new XmlNamespaceManager(new NameTable());
            names.AddNamespace("amazon", AmazonNamespace);
            using var reader = XmlReader.Create(new StringReader(ssml), Settings, new XmlParserContext(null, names, null, XmlSpace.None));
            root = XDocument.Load(reader).Root!;
        }
        catch (XmlException ex)
        {
            return SsmlParseResult.Failure($"the SSML is not well-formed XML: {ex.Message}");
        }

        if (root.Name.LocalName != "speak")
        {
            return SsmlParseResult.Failure($"the SSML root element must be <speak>, not <{Name(root)}>");
        }

        var builder = new ScriptBuilder();
        var error = Walk(root.Nodes(), Prosody.Normal, builder);
        return error is null ? SsmlParseResult.Success(builder.Build()) : SsmlParseResult.Failure(error);
    }

    private static string? Walk(IEnumerable<XNode> nodes, Prosody prosody, ScriptBuilder builder)
    {
        foreach (var node in nodes)
        {
            var error = node switch
            {
                XText text => Text(text.Value, prosody, builder),
                XElement element => Element(element, prosody, builder),
                _ => null,
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Text(string text, Prosody prosody, ScriptBuilder builder)
    {
        builder.AddText(text, SayAs.Text, prosody);
        return null;
    }

    private static string? Element(XElement element, Prosody prosody, ScriptBuilder builder)
    {
        switch (Name(element))
        {
            case "break":
                return Break(element, builder);
            case "say-as":
                return SayAsElement(element, prosody, builder);
            case "prosody":
                return ProsodyElement(element, prosody, builder);
            case "p":
                return Block(element, prosody, builder, SsmlValues.BreakStrength("x-strong")!.Value);
            case "s":
                return Block(element, prosody, builder, SsmlValues.BreakStrength("strong")!.Value);
            case "sub":
                // The alias is what is spoken.
                builder.AddText(" " + ((string?)element.Attribute("alias") ?? element.Value) + " ", SayAs.Text, prosody);
                return null;
            case "mark" or "amazon:breath":
                return null;
            case "emphasis" or "lang" or "w" or "phoneme" or "amazon:effect" or "amazon:domain" or "amazon:auto-breaths":
                return Walk(element.Nodes(), prosody, builder);
            case "speak":
                return "<speak> may only be the root element";
            default:
                return $"<{Name(element)}> is not a supported SSML element";
        }
    }

    private static string? Break(XElement element, ScriptBuilder builder)
    {
        if (element.Nodes().Any())
        {
            return "<break> must be empty";
        }

        TimeSpan duration;
        if ((string?)element.Attribute("time") is { } time)
        {
            if (SsmlValues.BreakTime(time) is not { } parsed)
            {
                return $"<break time=\"{time}\"> is invalid: use milliseconds or seconds (\"500ms\", \"2s\"), at most 10 seconds";
            }

            duration = parsed;
        }
        else if ((string?)element.Attribute("strength") is { } strength)
        {
            if (SsmlValues.BreakStrength(strength) is not { } parsed)
            {
                return $"<break strength=\"{strength}\"> is invalid: use none, x-weak, weak, medium, strong or x-strong";
            }

            duration = parsed;
        }
        else
        {
            duration = SsmlValues.BreakStrength("medium")!.Value;
        }

        builder.AddBreak(duration);
        return null;
    }

    private static string? SayAsElement(XElement element, Prosody prosody, ScriptBuilder builder)
    {
        if (element.Elements().Any())
        {
            return "<say-as> may only contain text";
        }

        var interpretAs = (string?)element.Attribute("interpret-as");
        SayAs mode;
        switch (interpretAs)
        {
            case "telephone":
                mode = SayAs.Telephone;
                break;
            case "digits":
                mode = SayAs.Digits;
                break;
            case "characters" or "spell-out":
                mode = SayAs.Characters;
                break;
            case "cardinal" or "number" or "ordinal" or "date" or "time" or "fraction" or "unit" or "address" or "expletive":
                // Polly values outside the subset: read as written.
                mode = SayAs.Text;
                break;
            case null:
                return "<say-as> needs an interpret-as attribute";
            default:
                return $"<say-as interpret-as=\"{interpretAs}\"> is not supported: use telephone, digits or characters";
        }

        builder.AddText(mode == SayAs.Text ? element.Value : element.Value.Trim(), mode, prosody);
        return null;
    }

    private static string? ProsodyElement(XElement element, Prosody prosody, ScriptBuilder builder)
    {
        var inner = prosody;
        if ((string?)element.Attribute("rate") is { } rate)
        {
            if (SsmlValues.Rate(rate) is not { } percent)
            {
                return $"<prosody rate=\"{rate}\"> is invalid: use x-slow, slow, medium, fast, x-fast or a percentage from 20% to 200%";
            }

            inner = inner with { RatePercent = percent };
        }

        if ((string?)element.Attribute("volume") is { } volume)
        {
            if (SsmlValues.Volume(volume) is not { } decibels)
            {
                return $"<prosody volume=\"{volume}\"> is invalid: use silent, x-soft, soft, medium, loud, x-loud or +ndB/-ndB within 40 dB";
            }

            inner = inner with { VolumeDecibels = decibels };
        }

        return Walk(element.Nodes(), inner, builder);
    }

    private static string? Block(XElement element, Prosody prosody, ScriptBuilder builder, TimeSpan pause)
    {
        builder.AddBoundary(pause);
        var error = Walk(element.Nodes(), prosody, builder);
        builder.AddBoundary(pause);
        return error;
    }

    private static string Name(XElement element) =>
        element.Name.NamespaceName == AmazonNamespace ? "amazon:" + element.Name.LocalName : element.Name.LocalName;
}
