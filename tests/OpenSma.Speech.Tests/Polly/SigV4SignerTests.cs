using OpenSma.Speech.Polly;

namespace OpenSma.Speech.Tests.Polly;

public sealed class SigV4SignerTests
{
    // The worked example of the AWS documentation ("Examples of the complete Signature Version 4
    // signing process"): IAM ListUsers signed on 2015-08-30 12:36:00 UTC.
    private static readonly AwsCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    [Fact]
    public void SigningKey_AwsExample_MatchesTheDocumentedKey()
    {
        var key = SigV4Signer.SigningKey(Example.SecretAccessKey, "20150830", "us-east-1", "iam");
        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9", SigV4Signer.Hex(key));
    }

    [Fact]
    public void Authorization_AwsExample_MatchesTheDocumentedSignature()
    {
        var authorization = SigV4Signer.Authorization(
            "GET",
            new Uri("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
            [
                new("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                new("Host", "iam.amazonaws.com"),
                new("X-Amz-Date", "20150830T123600Z"),
            ],
            [],
            Example,
            "us-east-1",
            "iam",
            new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            authorization);
    }
}
