using OpenSma.Functions.Remote;

namespace OpenSma.Functions.Tests.Remote;

public sealed class SigV4SignerTests
{
    /// <summary>The worked example of the AWS General Reference (IAM ListUsers, 2015-08-30).</summary>
    [Fact]
    public void Signature_AwsDocumentationExample_MatchesPublishedValues()
    {
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["host"] = "iam.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
        };
        var canonical = SigV4Signer.CanonicalRequest("GET", "/", SigV4Signer.CanonicalQuery("?Version=2010-05-08&Action=ListUsers"),
            headers, "content-type;host;x-amz-date", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        var toSign = SigV4Signer.StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical);

        Assert.EndsWith("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", toSign, StringComparison.Ordinal);
        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            SigV4Signer.Signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam", toSign));
    }

    [Theory]
    [InlineData("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations",
        "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A1%253Afunction%253Af/invocations")]
    [InlineData("/a b/~x", "/a%20b/~x")]
    [InlineData("", "/")]
    public void CanonicalUri_EscapedPath_IsEncodedOnceMore(string path, string expected)
    {
        Assert.Equal(expected, SigV4Signer.CanonicalUri(path));
    }
}
