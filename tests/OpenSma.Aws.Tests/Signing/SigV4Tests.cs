using OpenSma.Aws.Signing;

namespace OpenSma.Aws.Tests.Signing;

public sealed class SigV4Tests
{
    // The worked example of the AWS General Reference: IAM ListUsers signed on 2015-08-30 12:36:00 UTC.
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void SigningKey_AwsExample_MatchesTheDocumentedKey()
    {
        var key = SigV4.SigningKey(ExampleSecret, "20150830", "us-east-1", "iam");

        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9", SigV4.Hex(key));
    }

    [Fact]
    public void Signature_AwsExample_MatchesThePublishedValues()
    {
        KeyValuePair<string, string>[] headers =
        [
            new("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
            new("host", "iam.amazonaws.com"),
            new("x-amz-date", "20150830T123600Z"),
        ];
        var canonical = SigV4.CanonicalRequest("GET", "/", SigV4.CanonicalQuery("?Version=2010-05-08&Action=ListUsers"), headers, SigV4.EmptyPayloadHash);
        var toSign = SigV4.StringToSign("20150830T123600Z", SigV4.Scope("20150830", "us-east-1", "iam"), canonical);

        Assert.EndsWith("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", toSign, StringComparison.Ordinal);
        Assert.Equal(
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            SigV4.Signature(SigV4.SigningKey(ExampleSecret, "20150830", "us-east-1", "iam"), toSign));
    }

    [Theory]
    [InlineData("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations",
        "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A1%253Afunction%253Af/invocations")]
    [InlineData("/a b/~x", "/a%20b/~x")]
    [InlineData("", "/")]
    public void CanonicalUri_EscapedPath_IsEncodedOnceMore(string path, string expected)
    {
        Assert.Equal(expected, SigV4.CanonicalUri(path));
    }

    [Theory]
    [InlineData("/bucket/a%20b/c%2Bd", "/bucket/a%20b/c%2Bd")]
    [InlineData("/bucket/key with space", "/bucket/key%20with%20space")]
    public void CanonicalS3Uri_EscapedPath_IsEncodedOnce(string path, string expected)
    {
        Assert.Equal(expected, SigV4.CanonicalS3Uri(path));
    }

    [Fact]
    public void CanonicalQuery_UnsortedEscapedPairs_AreSortedAndEncodedTheAwsWay()
    {
        var query = SigV4.CanonicalQuery("?b=a%20b&arn=arn%3Aaws%3Achime&a=x+y&X-Amz-Signature=abc", excluded: "X-Amz-Signature");

        Assert.Equal("a=x%2By&arn=arn%3Aaws%3Achime&b=a%20b", query);
    }

    [Theory]
    [InlineData("  a   b\t\tc  ", "a b c")]
    [InlineData("plain", "plain")]
    public void CanonicalHeaderValue_Whitespace_IsTrimmedAndFolded(string value, string expected)
    {
        Assert.Equal(expected, SigV4.CanonicalHeaderValue(value));
    }
}
