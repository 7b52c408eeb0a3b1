using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

// Actions whose media backends (speech, noise suppression, Lex, meetings) are not part of this
// engine yet. They validate their parameters exactly as the service does and then fail with the
// documented error type and a message naming the missing backend. They never report success.

internal static class Backend
{
    public static ActionError NotConfigured(string backend) =>
        new(ActionError.SystemException, $"System error while running action. No {backend} backend is configured.");

    public const int MaxTextLength = 1000;

    public static ActionError? CheckSpeech(string? text, string? engine, string? textType)
    {
        if (text is null)
        {
            return ActionError.Missing("Text is a required parameter.");
        }

        if (text.Length > MaxTextLength)
        {
            return ActionError.Missing("Text is limited to 1,000 characters");
        }

        if (engine is not (null or "standard" or "neural"))
        {
            return ActionError.Invalid("The Engine parameter is invalid.");
        }

        return textType is not (null or "text" or "ssml") ? ActionError.Invalid("The TextType parameter is invalid.") : null;
    }
}

internal sealed class SpeakExecutor : IActionExecutor
{
    public string Type => ActionTypes.Speak;

    public ActionTraits Traits => ActionTraits.Interruptible;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.SpeakParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is not null)
        {
            return Task.FromResult<ActionError?>(ActionError.InvalidLeg);
        }

        return Task.FromResult<ActionError?>(
            Backend.CheckSpeech(p.Text, p.Engine, p.TextType) ?? Backend.NotConfigured("text-to-speech"));
    }
}

internal sealed class SpeakAndGetDigitsExecutor : IActionExecutor
{
    public string Type => ActionTypes.SpeakAndGetDigits;

    public ActionTraits Traits => ActionTraits.Reporting;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.SpeakAndGetDigitsParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is not null)
        {
            return Task.FromResult<ActionError?>(ActionError.InvalidLeg);
        }

        var speech = p.SpeechParameters;
        var error = Backend.CheckSpeech(speech?.Text, speech?.Engine, speech?.TextType)
            ?? (p.FailureSpeechParameters?.Text is null ? ActionError.Missing("Text is a required parameter.") : null)
            ?? GetDigits.Read(p, context).Error;
        return Task.FromResult<ActionError?>(error ?? Backend.NotConfigured("text-to-speech"));
    }
}

internal sealed class VoiceFocusExecutor : IActionExecutor
{
    public string Type => ActionTypes.VoiceFocus;

    public ActionTraits Traits => ActionTraits.None;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.VoiceFocusParameters);
        if (p is null || !p.Enable.HasValue)
        {
            return Task.FromResult<ActionError?>(ActionError.Missing("Missing required action parameter."));
        }

        if (context.ResolveTarget(p, LegSelection.CallIdRequired) is { } legError)
        {
            return Task.FromResult<ActionError?>(legError);
        }

        return Task.FromResult<ActionError?>(Backend.NotConfigured("noise-suppression (VoiceFocus)"));
    }
}

internal sealed class StartBotConversationExecutor : IActionExecutor
{
    public string Type => ActionTypes.StartBotConversation;

    public ActionTraits Traits => ActionTraits.Reporting;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.StartBotConversationParameters);
        if (p is null || (p.ParticipantTag is not (null or "LEG-A")) || context.ResolveTarget(p, LegSelection.Optional) is not null)
        {
            return Task.FromResult<ActionError?>(ActionError.InvalidLeg);
        }

        if (p.BotAliasArn is not { } arn || !System.Text.RegularExpressions.Regex.IsMatch(
                arn, "^arn:aws:lex:[a-z0-9-]+:[0-9]{12}:bot-alias/[A-Za-z0-9]+/[A-Za-z0-9]+$", System.Text.RegularExpressions.RegexOptions.None, Validation.RegexTimeout))
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("The BotAliasArn parameter is invalid."));
        }

        if (context.Target!.BridgedWith is not null)
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("Invalid action on the call."));
        }

        return Task.FromResult<ActionError?>(Backend.NotConfigured("Amazon Lex"));
    }
}

internal sealed class JoinChimeMeetingExecutor : IActionExecutor
{
    public string Type => ActionTypes.JoinChimeMeeting;

    public ActionTraits Traits => ActionTraits.Reporting;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        context.WriteCombinedError = true;
        var p = context.Request.Bind(ActionParametersJsonContext.Default.JoinChimeMeetingParameters);
        if (p is null || (p.ParticipantTag is not (null or "LEG-A")) || context.ResolveTarget(p, LegSelection.Optional) is not null)
        {
            return Task.FromResult<ActionError?>(ActionError.InvalidLeg);
        }

        if (p.JoinToken is null)
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("JoinToken parameter value is invalid."));
        }

        if (context.Target!.BridgedWith is not null)
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("Invalid action on the call."));
        }

        return Task.FromResult<ActionError?>(Backend.NotConfigured("Amazon Chime SDK meetings"));
    }
}

internal sealed class ModifyChimeMeetingAttendeesExecutor : IActionExecutor
{
    public const int MaxAttendees = 100;

    public string Type => ActionTypes.ModifyChimeMeetingAttendees;

    public ActionTraits Traits => ActionTraits.Reporting;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.ModifyChimeMeetingAttendeesParameters);
        if (p is null || p.Operation is not ("Mute" or "Unmute"))
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("Invalid Operation parameter."));
        }

        if (p.MeetingId is null)
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("Invalid MeetingId parameter."));
        }

        if (p.AttendeeList is not { Count: > 0 and <= MaxAttendees })
        {
            return Task.FromResult<ActionError?>(ActionError.Invalid("Invalid AttendeeList parameter."));
        }

        if (context.ResolveTarget(p, LegSelection.Optional) is { } legError)
        {
            return Task.FromResult<ActionError?>(legError);
        }

        // No leg can have joined a meeting while no meeting backend exists.
        return Task.FromResult<ActionError?>(ActionError.Invalid("Call is not connected to Chime Meeting."));
    }
}
