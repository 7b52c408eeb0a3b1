using OpenSma.Speech.Ssml;

namespace OpenSma.Speech.Tests.Ssml;

public sealed class SsmlParserTests
{
    private static IReadOnlyList<ScriptPart> Parts(string ssml)
    {
        var result = SsmlParser.Parse(ssml);
        Assert.True(result.Error is null, result.Error);
        return result.Script!.Parts;
    }

    private static string Error(string ssml)
    {
        var result = SsmlParser.Parse(ssml);
        Assert.Null(result.Script);
        return result.Error!;
    }

    [Fact]
    public void Parse_PlainSpeak_OneTextPartWithCollapsedWhiteSpace()
    {
        var part = Assert.Single(Parts("<speak>  Please\n   hold.  </speak>"));
        Assert.Equal(new SpokenText("Please hold.", SayAs.Text, Prosody.Normal), part);
    }

    [Theory]
    [InlineData("<break time=\"500ms\"/>", 500)]
    [InlineData("<break time=\"2s\"/>", 2000)]
    [InlineData("<break time=\"1.5s\"/>", 1500)]
    [InlineData("<break strength=\"x-strong\"/>", 1000)]
    [InlineData("<break strength=\"none\"/>", 0)]
    [InlineData("<break/>", 400)]
    [InlineData("<break time=\"10s\"/>", 10000)]
    public void Parse_Break_PauseOfThatLengthBetweenTheWords(string element, int milliseconds)
    {
        var parts = Parts($"<speak>One {element} two</speak>");
        if (milliseconds == 0)
        {
            Assert.Equal(["One", "two"], parts.OfType<SpokenText>().Select(t => t.Text));
            Assert.Empty(parts.OfType<ScriptPause>());
            return;
        }

        Assert.Equal(3, parts.Count);
        Assert.Equal("One", Assert.IsType<SpokenText>(parts[0]).Text);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Assert.IsType<ScriptPause>(parts[1]).Duration);
        Assert.Equal("two", Assert.IsType<SpokenText>(parts[2]).Text);
    }

    [Theory]
    [InlineData("<break time=\"11s\"/>", "time=\"11s\"")]
    [InlineData("<break time=\"fast\"/>", "time=\"fast\"")]
    [InlineData("<break strength=\"huge\"/>", "strength=\"huge\"")]
    [InlineData("<break>x</break>", "<break> must be empty")]
    public void Parse_BadBreak_ErrorNamesTheValue(string element, string expected)
    {
        Assert.Contains(expected, Error($"<speak>One {element} two</speak>"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("telephone", "Telephone")]
    [InlineData("digits", "Digits")]
    [InlineData("characters", "Characters")]
    [InlineData("spell-out", "Characters")]
    [InlineData("cardinal", "Text")]
    public void Parse_SayAs_MarksTheTextWithItsReading(string interpretAs, string mode)
    {
        var expected = Enum.Parse<SayAs>(mode);
        var parts = Parts($"<speak>Call <say-as interpret-as=\"{interpretAs}\"> 206-555-0100 </say-as> now</speak>");
        if (expected == SayAs.Text)
        {
            // Read as written: it joins the text around it.
            Assert.Equal("Call 206-555-0100 now", Assert.IsType<SpokenText>(Assert.Single(parts)).Text);
            return;
        }

        Assert.Equal(3, parts.Count);
        var marked = Assert.IsType<SpokenText>(parts[1]);
        Assert.Equal(expected, marked.Mode);
        Assert.Equal("206-555-0100", marked.Text);
    }

    [Fact]
    public void Parse_SayAsWithoutInterpretAsOrUnknownValue_IsAnError()
    {
        Assert.Contains("interpret-as", Error("<speak><say-as>12</say-as></speak>"), StringComparison.Ordinal);
        Assert.Contains("interpret-as=\"roman\"", Error("<speak><say-as interpret-as=\"roman\">XII</say-as></speak>"), StringComparison.Ordinal);
        Assert.Contains("only contain text", Error("<speak><say-as interpret-as=\"digits\">1<break/>2</say-as></speak>"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rate=\"slow\"", 80, 0)]
    [InlineData("rate=\"x-fast\"", 160, 0)]
    [InlineData("rate=\"150%\"", 150, 0)]
    [InlineData("rate=\"20%\"", 20, 0)]
    [InlineData("volume=\"loud\"", 100, 5)]
    [InlineData("volume=\"-6dB\"", 100, -6)]
    [InlineData("volume=\"+3.5dB\"", 100, 3.5)]
    [InlineData("rate=\"fast\" volume=\"x-soft\"", 125, -10)]
    public void Parse_Prosody_SetsRateAndVolumeOfItsTextOnly(string attributes, int rate, double volume)
    {
        var parts = Parts($"<speak>Before <prosody {attributes}>inside</prosody> after</speak>");
        Assert.Equal(3, parts.Count);
        Assert.Equal(Prosody.Normal, Assert.IsType<SpokenText>(parts[0]).Prosody);
        Assert.Equal(new Prosody(rate, volume), Assert.IsType<SpokenText>(parts[1]).Prosody);
        Assert.Equal(Prosody.Normal, Assert.IsType<SpokenText>(parts[2]).Prosody);
    }

    [Fact]
    public void Parse_ProsodySilent_VolumeIsNegativeInfinity()
    {
        var part = Assert.Single(Parts("<speak><prosody volume=\"silent\">hush</prosody></speak>"));
        Assert.True(double.IsNegativeInfinity(Assert.IsType<SpokenText>(part).Prosody.VolumeDecibels));
    }

    [Theory]
    [InlineData("rate=\"201%\"")]
    [InlineData("rate=\"10%\"")]
    [InlineData("rate=\"quick\"")]
    [InlineData("volume=\"+50dB\"")]
    [InlineData("volume=\"6dB\"")]
    [InlineData("volume=\"very loud\"")]
    public void Parse_BadProsodyValue_IsAnError(string attributes)
    {
        Assert.Contains("<prosody", Error($"<speak><prosody {attributes}>x</prosody></speak>"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SentencesAndParagraphs_PausesOnlyBetweenThem()
    {
        var parts = Parts("<speak><p><s>First sentence</s><s>Second sentence</s></p><p>New paragraph</p></speak>");
        Assert.Equal(5, parts.Count);
        Assert.Equal("First sentence", Assert.IsType<SpokenText>(parts[0]).Text);
        Assert.Equal(TimeSpan.FromMilliseconds(700), Assert.IsType<ScriptPause>(parts[1]).Duration);
        Assert.Equal("Second sentence", Assert.IsType<SpokenText>(parts[2]).Text);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), Assert.IsType<ScriptPause>(parts[3]).Duration);
        Assert.Equal("New paragraph", Assert.IsType<SpokenText>(parts[4]).Text);
    }

    [Fact]
    public void Parse_OtherPollyElements_ReadForTheirText()
    {
        var parts = Parts("<speak><emphasis>Really</emphasis> <sub alias=\"World Wide Web\">WWW</sub><mark name=\"m\"/> <amazon:effect name=\"whispered\">quiet</amazon:effect></speak>");
        Assert.Equal("Really World Wide Web quiet", Assert.IsType<SpokenText>(Assert.Single(parts)).Text);
    }

    [Theory]
    [InlineData("Hello", "not well-formed")]
    [InlineData("<speak>Hello", "not well-formed")]
    [InlineData("<speak>a < b</speak>", "not well-formed")]
    [InlineData("<voice>Hi</voice>", "root element must be <speak>")]
    [InlineData("<speak><audio src=\"x.mp3\"/></speak>", "<audio> is not a supported SSML element")]
    [InlineData("<speak><speak>x</speak></speak>", "only be the root")]
    [InlineData("<!DOCTYPE speak [<!ENTITY x \"y\">]><speak>&x;</speak>", "not well-formed")]
    public void Parse_InvalidSsml_ErrorSaysWhy(string ssml, string expected)
    {
        Assert.Contains(expected, Error(ssml), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EscapedCharacters_AreText()
    {
        var part = Assert.IsType<SpokenText>(Assert.Single(Parts("<speak>Tom &amp; Jerry &lt;3</speak>")));
        Assert.Equal("Tom & Jerry <3", part.Text);
    }
}
