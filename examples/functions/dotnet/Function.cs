namespace OpenSma.Examples.DotnetHandler;

/// <summary>Reads the caller's number back to them, then hangs up.</summary>
public sealed class Function
{
    private int _invocations;

    public async Task<SmaResponse> HandleAsync(SmaEvent smaEvent, ILambdaContext context)
    {
        ArgumentNullException.ThrowIfNull(smaEvent);
        ArgumentNullException.ThrowIfNull(context);
        // Instance state survives between invocations of a warm sandbox, as in Lambda.
        _invocations++;
        await Task.Yield();
        Console.WriteLine($"{smaEvent.InvocationEventType} in {context.FunctionName} ({context.AwsRequestId}), warm invocation {_invocations}");
        var legA = smaEvent.CallDetails.Participants.First(p => p.ParticipantTag == "LEG-A");
        var attributes = new Dictionary<string, string>(smaEvent.CallDetails.TransactionAttributes ?? [])
        {
            ["handler"] = "dotnet",
        };
        IReadOnlyList<SmaAction> actions = smaEvent.InvocationEventType switch
        {
            "NEW_INBOUND_CALL" =>
            [
                new SmaAction("Speak", new() { ["CallId"] = legA.CallId, ["Text"] = $"You are calling from {legA.From}.", ["Engine"] = "neural" }),
                new SmaAction("Hangup", new() { ["CallId"] = legA.CallId, ["SipResponseCode"] = "0" }),
            ],
            _ => [],
        };
        return new SmaResponse(smaEvent.SchemaVersion, actions, attributes);
    }
}
