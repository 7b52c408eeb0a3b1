using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

// Speak and SpeakAndGetDigits: validation now; they fail with SystemException until a speech
// backend is configured.

internal static class SpeechParameters
{
    public const int MaxTextLength = 1000;

    public static ActionError? Check(string? text, string? engine, string? textType)
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
            SpeechParameters.Check(p.Text, p.Engine, p.TextType) ?? Backend.NotConfigured("text-to-speech"));
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
        var error = SpeechParameters.Check(speech?.Text, speech?.Engine, speech?.TextType)
            ?? (p.FailureSpeechParameters?.Text is null ? ActionError.Missing("Text is a required parameter.") : null)
            ?? GetDigits.Read(p, context).Error;
        return Task.FromResult<ActionError?>(error ?? Backend.NotConfigured("text-to-speech"));
    }
}
