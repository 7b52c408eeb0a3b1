using System.Text;
using System.Text.Json;
using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Tests.Contracts;

/// <summary>
/// What a parsed reply keeps once its document is gone: each action's parameters as the handler
/// wrote them, and the attributes in their order.
/// </summary>
public sealed class ResponseParserTests
{
    [Fact]
    public void Parse_ActionParameters_KeepTheHandlersTextExactly_UnknownFieldsAndEscapesIncluded()
    {
        const string parameters = """{"DurationInMilliseconds":"1000","X-Unknown":{"a":[1,2.50,"\u00e9\n"]},"CallId":"c-1"}""";
        var result = Parse($$"""{"SchemaVersion":"1.0","Actions":[{"Type":"Pause","Parameters":{{parameters}}},{"Type":"Hangup"}]}""");

        var actions = result.Response!.Actions!;
        Assert.Equal(2, actions.Count);
        Assert.Equal(parameters, actions[0].Parameters.GetRawText());
        Assert.Equal(JsonValueKind.Undefined, actions[1].Parameters.ValueKind);
        Assert.Null(actions[1].Bind(ActionParametersJsonContext.Default.PauseParameters));

        // Each read is a fresh element that owns its memory.
        var first = actions[0].Parameters;
        var second = actions[0].Parameters;
        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal("c-1", first.GetProperty("CallId").GetString());
    }

    [Fact]
    public void Parse_ParametersNotAnObject_KeptAsSent_AndBindReadsNothing()
    {
        var result = Parse("""{"SchemaVersion":"1.0","Actions":[{"Type":"Pause","Parameters":"oops"},{"Type":"Pause","Parameters":[1]}]}""");

        var actions = result.Response!.Actions!;
        Assert.Equal(JsonValueKind.String, actions[0].Parameters.ValueKind);
        Assert.Equal(JsonValueKind.Array, actions[1].Parameters.ValueKind);
        Assert.Null(actions[0].Bind(ActionParametersJsonContext.Default.PauseParameters));
        Assert.Null(actions[1].Bind(ActionParametersJsonContext.Default.PauseParameters));
    }

    [Fact]
    public void Bind_MisshapenParameter_IsReadAsAbsent_FromTheKeptText()
    {
        var result = Parse("""{"SchemaVersion":"1.0","Actions":[{"Type":"PlayAudio","Parameters":{"AudioSource":"prompt.wav","ParticipantTag":"LEG-A"}}]}""");

        var action = result.Response!.Actions![0];
        var bound = action.Bind(ActionParametersJsonContext.Default.PlayAudioParameters);
        Assert.NotNull(bound);
        Assert.Null(bound.AudioSource);
        Assert.Equal("LEG-A", bound.ParticipantTag);
        Assert.True(action.WasMisshapen("AudioSource"));
        Assert.False(action.WasMisshapen("ParticipantTag"));
    }

    [Fact]
    public void Parse_Attributes_KeepTheirOrder_ADuplicateKeyKeepsItsFirstPlaceAndLastValue()
    {
        var result = Parse("""{"SchemaVersion":"1.0","TransactionAttributes":{"b":"1","a":2,"b":"3","c":true}}""");

        var attributes = result.Response!.Attributes!;
        Assert.Equal(AttributesChange.Replace, result.Response.AttributesChange);
        Assert.Equal(["b", "a", "c"], attributes.Select(p => p.Key));
        Assert.Equal(["3", "2", "true"], attributes.Select(p => p.Value));
        Assert.Equal(3, attributes.Count);
        Assert.Equal("2", attributes["a"]);
        Assert.True(attributes.ContainsKey("c"));
        Assert.False(attributes.TryGetValue("B", out _));
        Assert.Throws<KeyNotFoundException>(() => attributes["missing"]);
        Assert.Equal(["b", "a", "c"], attributes.Keys);
        Assert.Equal(["3", "2", "true"], attributes.Values);
    }

    [Theory]
    [InlineData("""{"SchemaVersion":"1.0","Actions":{}}""", "InvalidActionsList", "Error while reading actions list.")]
    [InlineData("""{"SchemaVersion":"1.0","Actions":[{"Type":"Dance"}]}""", "UnsupportedActionType", "Unsupported action Dance specified")]
    [InlineData("""{"SchemaVersion":"1.0","Actions":[{"Type":1}]}""", "InvalidActionsList", "Error while reading actions list.")]
    [InlineData("""{"SchemaVersion":"1.0","TransactionAttributes":[]}""", "InvalidTransactionAttributes", "Transaction Attributes must be a map of string keys to string values.")]
    public void Parse_InvalidReplies_KeepTheirErrors(string json, string errorType, string errorMessage)
    {
        var result = Parse(json);
        Assert.Equal(ResponseVerdict.Invalid, result.Verdict);
        Assert.Equal(errorType, result.ErrorType);
        Assert.Equal(errorMessage, result.ErrorMessage);
    }

    [Theory]
    [InlineData("  ", "Response is blank or empty")]
    [InlineData("null", "Response is blank or empty")]
    [InlineData("[]", "Response must be a JSON object, not Array.")]
    [InlineData("""{"Actions":[]}""", "Response has no SchemaVersion.")]
    [InlineData("""{"SchemaVersion":"2.0"}""", "The schema version in the invocation request does not match the schema version in the response.")]
    public void Parse_UnreadableReplies_KeepTheirMessages(string json, string message)
    {
        var result = Parse(json);
        Assert.Equal(ResponseVerdict.Unreadable, result.Verdict);
        Assert.Equal(message, result.ErrorMessage);
    }

    private static ResponseParseResult Parse(string json) => ResponseParser.Parse(Encoding.UTF8.GetBytes(json));
}
