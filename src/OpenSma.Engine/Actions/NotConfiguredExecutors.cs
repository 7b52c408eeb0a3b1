using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

// Actions whose media backends (Lex, meetings) are not part of this
// engine yet. They validate their parameters exactly as the service does and then fail with the
// documented error type and a message naming the missing backend. They never report success.

internal static class Backend
{
    public static ActionError NotConfigured(string backend) =>
        new(ActionError.SystemException, $"System error while running action. No {backend} backend is configured.");
}

internal sealed class StartBotConversationExecutor : IActionExecutor
{
    public string Type => ActionTypes.StartBotConversation;

    public ActionTraits Traits => ActionTraits.Reporting;

    public ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.StartBotConversationParameters);
        if (p is null || (p.ParticipantTag is not (null or "LEG-A")) || context.ResolveTarget(p, LegSelection.Optional) is not null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.InvalidLeg);
        }

        if (p.BotAliasArn is not { } arn || !System.Text.RegularExpressions.Regex.IsMatch(
                arn, "^arn:aws:lex:[a-z0-9-]+:[0-9]{12}:bot-alias/[A-Za-z0-9]+/[A-Za-z0-9]+$", System.Text.RegularExpressions.RegexOptions.None, Validation.RegexTimeout))
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("The BotAliasArn parameter is invalid."));
        }

        if (context.Target!.BridgedWith is not null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("Invalid action on the call."));
        }

        return ValueTask.FromResult<ActionError?>(Backend.NotConfigured("Amazon Lex"));
    }
}

internal sealed class JoinChimeMeetingExecutor : IActionExecutor
{
    public string Type => ActionTypes.JoinChimeMeeting;

    public ActionTraits Traits => ActionTraits.Reporting;

    public ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        context.WriteCombinedError = true;
        var p = context.Request.Bind(ActionParametersJsonContext.Default.JoinChimeMeetingParameters);
        if (p is null || (p.ParticipantTag is not (null or "LEG-A")) || context.ResolveTarget(p, LegSelection.Optional) is not null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.InvalidLeg);
        }

        if (p.JoinToken is null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("JoinToken parameter value is invalid."));
        }

        if (context.Target!.BridgedWith is not null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("Invalid action on the call."));
        }

        return ValueTask.FromResult<ActionError?>(Backend.NotConfigured("Amazon Chime SDK meetings"));
    }
}

internal sealed class ModifyChimeMeetingAttendeesExecutor : IActionExecutor
{
    public const int MaxAttendees = 100;

    public string Type => ActionTypes.ModifyChimeMeetingAttendees;

    public ActionTraits Traits => ActionTraits.Reporting;

    public ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.ModifyChimeMeetingAttendeesParameters);
        if (p is null || p.Operation is not ("Mute" or "Unmute"))
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("Invalid Operation parameter."));
        }

        if (p.MeetingId is null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("Invalid MeetingId parameter."));
        }

        if (p.AttendeeList is not { Count: > 0 and <= MaxAttendees })
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("Invalid AttendeeList parameter."));
        }

        if (context.ResolveTarget(p, LegSelection.Optional) is { } legError)
        {
            return ValueTask.FromResult<ActionError?>(legError);
        }

        // No leg can have joined a meeting while no meeting backend exists.
        return ValueTask.FromResult<ActionError?>(ActionError.Invalid("Call is not connected to Chime Meeting."));
    }
}
