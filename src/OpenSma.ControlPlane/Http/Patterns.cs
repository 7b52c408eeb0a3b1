using System.Text.RegularExpressions;

namespace OpenSma.ControlPlane.Http;

/// <summary>The model's string patterns (botocore chime-sdk-voice 2022-08-03), anchored whole.</summary>
internal static partial class Patterns
{
    [GeneratedRegex(@"^[a-zA-Z0-9 _.-]+$")]
    public static partial Regex ResourceName();

    [GeneratedRegex(@"^\+?[1-9]\d{1,14}$")]
    public static partial Regex E164();

    [GeneratedRegex(@"^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$")]
    public static partial Regex Guid();

    [GeneratedRegex(@"^[A-Z]{2}$")]
    public static partial Regex CountryCode();

    [GeneratedRegex(@"^8(00|33|44|55|66|77|88)$")]
    public static partial Regex TollFreePrefix();

    [GeneratedRegex(@"^$|^[a-zA-Z0-9 ]{2,15}$")]
    public static partial Regex CallingName();

    [GeneratedRegex(@"^$|^[a-zA-Z0-9,._\-]+(\s+[a-zA-Z0-9,._\-]+)*$")]
    public static partial Regex PhoneNumberName();

    [GeneratedRegex(@"^arn[/:\-_.a-zA-Z0-9]+$")]
    public static partial Regex Arn();

    [GeneratedRegex(@"^arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$")]
    public static partial Regex LambdaArn();

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$")]
    public static partial Regex AwsRegion();

    [GeneratedRegex(@"^amzn1\.application-oa2-client\.[0-9a-fA-F]{32}$")]
    public static partial Regex AlexaSkillId();

    [GeneratedRegex(@"^$|^[a-zA-Z0-9 ]{0,30}$")]
    public static partial Regex ProxySessionName();

    /// <summary>The model writes ClientRequestId as <c>^[-_a-zA-Z0-9]*${2,64}$</c>; what that accepts
    /// is the character class, and the length bound is checked separately.</summary>
    [GeneratedRegex(@"^[-_a-zA-Z0-9]*$")]
    public static partial Regex ClientRequestId();

    [GeneratedRegex(@"^$|^[0-9]{3}$")]
    public static partial Regex AreaCode();

    [GeneratedRegex(@"^$|^[A-Z]{2}$")]
    public static partial Regex CountryOrEmpty();

    /// <summary>The model's NonEmptyString: at least one non-blank character.</summary>
    public static bool IsNonEmpty(string? value) => !string.IsNullOrWhiteSpace(value);
}
