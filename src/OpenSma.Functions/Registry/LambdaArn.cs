using System.Diagnostics.CodeAnalysis;

namespace OpenSma.Functions.Registry;

/// <summary>
/// A function reference as Lambda accepts it: <c>arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]</c>,
/// the partial form <c>ACCOUNT:function:NAME</c>, or a bare name (optionally <c>NAME:QUALIFIER</c>).
/// </summary>
public sealed record LambdaArn(string FunctionName, string? Region, string? AccountId, string? Qualifier)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out LambdaArn? arn)
    {
        arn = null;
        if (string.IsNullOrWhiteSpace(value))
            return false;
        var parts = value.Split(':');
        if (parts.Length >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function")
        {
            if (parts.Length > 8 || !IsValidName(parts[6]) || (parts.Length == 8 && !IsValidQualifier(parts[7])))
                return false;
            arn = new LambdaArn(parts[6], Empty(parts[3]), Empty(parts[4]), parts.Length == 8 ? Empty(parts[7]) : null);
            return true;
        }
        if (parts[0] == "arn")
            return false;
        if (parts.Length >= 3 && parts[1] == "function")
        {
            if (parts.Length > 4 || !IsValidName(parts[2]) || (parts.Length == 4 && !IsValidQualifier(parts[3])))
                return false;
            arn = new LambdaArn(parts[2], null, parts[0], parts.Length == 4 ? Empty(parts[3]) : null);
            return true;
        }
        if (parts.Length <= 2 && IsValidName(parts[0]) && (parts.Length == 1 || IsValidQualifier(parts[1])))
        {
            arn = new LambdaArn(parts[0], null, null, parts.Length == 2 ? Empty(parts[1]) : null);
            return true;
        }
        return false;
    }

    /// <summary>True for a full Lambda function ARN (what an SMA endpoint names).</summary>
    public static bool IsFunctionArn(string endpoint) =>
        endpoint.StartsWith("arn:", StringComparison.Ordinal) && TryParse(endpoint, out _);

    public static string Format(string region, string accountId, string functionName) =>
        $"arn:aws:lambda:{region}:{accountId}:function:{functionName}";

    /// <summary>Lambda names: 1-64 of letters, digits, hyphen, underscore.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A version number, an alias name or $LATEST.</summary>
    private static bool IsValidQualifier(string q) =>
        q.Length <= 128 && q.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '$');

    private static string? Empty(string s) => s.Length == 0 ? null : s;
}
