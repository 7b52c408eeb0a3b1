using System.Text;
using System.Text.RegularExpressions;
using OpenSma.Engine.Contracts;
using OpenSma.Media.Audio;

namespace OpenSma.Engine.Actions;

/// <summary>
/// The digit-collection rules PlayAudioAndGetDigits and SpeakAndGetDigits share (spec §7.5):
/// validation with the documented messages, defaults, and the attempt loop with barge-in.
/// </summary>
internal sealed class GetDigits
{
    public const int MaxDigitsLimit = 128;

    private GetDigits(Regex? regex, int min, int max, IReadOnlyList<string> terminators, TimeSpan inBetween, int repeat, TimeSpan repeatDuration)
    {
        Regex = regex;
        Min = min;
        Max = max;
        Terminators = terminators;
        InBetween = inBetween;
        Repeat = repeat;
        RepeatDuration = repeatDuration;
    }

    public Regex? Regex { get; }

    public int Min { get; }

    public int Max { get; }

    public IReadOnlyList<string> Terminators { get; }

    public TimeSpan InBetween { get; }

    public int Repeat { get; }

    public TimeSpan RepeatDuration { get; }

    public static (GetDigits? Settings, ActionError? Error) Read(GetDigitsParameters p, ActionContext context)
    {
        Regex? regex = null;
        if (p.InputDigitsRegex is not null && (regex = Validation.TryRegex(p.InputDigitsRegex)) is null)
        {
            return (null, ActionError.Invalid("The InputDigitsRegex parameter is invalid."));
        }

        if (p.MinNumberOfDigits.IsInvalid || p.MinNumberOfDigits.GetValueOrDefault(0) is < 0 or > MaxDigitsLimit)
        {
            return (null, ActionError.Invalid("The MinNumberOfDigits parameter is invalid."));
        }

        var min = (int)p.MinNumberOfDigits.GetValueOrDefault(0);
        if (p.MaxNumberOfDigits.IsInvalid || p.MaxNumberOfDigits.GetValueOrDefault(MaxDigitsLimit) is < 1 or > MaxDigitsLimit
            || p.MaxNumberOfDigits.GetValueOrDefault(MaxDigitsLimit) < min)
        {
            return (null, ActionError.Invalid("The MaxNumberOfDigits parameter is invalid."));
        }

        if (!p.RepeatDurationInMilliseconds.HasValue || p.RepeatDurationInMilliseconds.Value <= 0)
        {
            return (null, ActionError.Invalid("The RepeatDurationInMilliseconds parameter is invalid."));
        }

        if (p.InBetweenDigitsDurationInMilliseconds.IsInvalid
            || (p.InBetweenDigitsDurationInMilliseconds.HasValue && p.InBetweenDigitsDurationInMilliseconds.Value <= 0))
        {
            return (null, ActionError.Invalid("The InBetweenDigitsDurationInMilliseconds parameter is invalid."));
        }

        if (p.Repeat.IsInvalid || (p.Repeat.HasValue && p.Repeat.Value < 1))
        {
            return (null, ActionError.Invalid("The Repeat parameter is invalid."));
        }

        if (!Validation.AreDigitKeys(p.TerminatorDigits))
        {
            return (null, ActionError.Invalid("The TerminatorDigits parameter is invalid."));
        }

        var max = (int)p.MaxNumberOfDigits.GetValueOrDefault(MaxDigitsLimit);
        var repeatDuration = p.RepeatDurationInMilliseconds.Value;
        var inBetween = p.InBetweenDigitsDurationInMilliseconds.GetValueOrDefault(repeatDuration);
        var repeat = (int)p.Repeat.GetValueOrDefault(1);
        var terminators = p.TerminatorDigits ?? ["#"];

        context.Default("MinNumberOfDigits", min, p.MinNumberOfDigits.HasValue);
        context.Default("MaxNumberOfDigits", max, p.MaxNumberOfDigits.HasValue);
        context.Default("InBetweenDigitsDurationInMilliseconds", inBetween, p.InBetweenDigitsDurationInMilliseconds.HasValue);
        context.Default("Repeat", repeat, p.Repeat.HasValue);
        if (p.TerminatorDigits is null)
        {
            context.Resolve("TerminatorDigits", new System.Text.Json.Nodes.JsonArray("#"));
        }

        return (new GetDigits(regex, min, max, terminators, TimeSpan.FromMilliseconds(inBetween), repeat, TimeSpan.FromMilliseconds(repeatDuration)), null);
    }

    /// <summary>
    /// Runs the attempts: prompt (a first digit stops it and counts: type-ahead), collection, and
    /// the failure prompt between failed attempts. Returns the digits without the terminator, or
    /// null when every attempt failed.
    /// </summary>
    public async Task<string?> RunAsync(ActionContext context, PcmAudio prompt, PcmAudio failurePrompt, CancellationToken cancellationToken)
    {
        var slot = context.Target!;
        var collector = new DigitCollector();
        using var subscription = slot.AddDigitSink(collector);
        for (var attempt = 1; attempt <= Repeat; attempt++)
        {
            collector.Clear();
            using (var bargeIn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                collector.FirstDigit = bargeIn.Cancel;
                try
                {
                    await slot.Leg.PlayAsync(prompt, 1, bargeIn.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                finally
                {
                    collector.FirstDigit = null;
                }
            }

            var digits = await CollectAsync(collector, context.Time, cancellationToken);
            if (digits is not null && IsValid(digits))
            {
                return digits;
            }

            if (attempt < Repeat)
            {
                await slot.Leg.PlayAsync(failurePrompt, 1, cancellationToken);
            }
        }

        return null;
    }

    private async Task<string?> CollectAsync(DigitCollector collector, TimeProvider time, CancellationToken cancellationToken)
    {
        var digits = new StringBuilder();
        while (true)
        {
            var timeout = digits.Length == 0 ? RepeatDuration : InBetween;
            var next = await collector.NextAsync(timeout, time, cancellationToken);
            if (next is not { } digit)
            {
                return digits.Length == 0 && Min > 0 ? null : digits.ToString();
            }

            if (Validation.Contains(Terminators, digit))
            {
                return digits.ToString();
            }

            digits.Append(digit);
            if (digits.Length >= Max)
            {
                return digits.ToString();
            }
        }
    }

    private bool IsValid(string digits) =>
        digits.Length >= Min && (Regex is null || Validation.IsMatch(Regex, digits));
}
