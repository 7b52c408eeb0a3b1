using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Tests.Registry;

public sealed class LambdaArnTests
{
    [Theory]
    [InlineData("arn:aws:lambda:us-east-1:111122223333:function:ivr", "ivr", "us-east-1", "111122223333", null)]
    [InlineData("arn:aws:lambda:eu-west-2:111122223333:function:ivr:live", "ivr", "eu-west-2", "111122223333", "live")]
    [InlineData("arn:aws:lambda:us-west-2:111122223333:function:ivr:7", "ivr", "us-west-2", "111122223333", "7")]
    [InlineData("111122223333:function:my-fn", "my-fn", null, "111122223333", null)]
    [InlineData("my_fn", "my_fn", null, null, null)]
    [InlineData("my_fn:$LATEST", "my_fn", null, null, "$LATEST")]
    public void TryParse_ValidReference_SplitsItsParts(string value, string name, string? region, string? account, string? qualifier)
    {
        Assert.True(LambdaArn.TryParse(value, out var arn));
        Assert.Equal(new LambdaArn(name, region, account, qualifier), arn);
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://example.com/handler")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("arn:aws:lambda:us-east-1:111122223333:layer:x")]
    [InlineData("arn:aws:lambda:us-east-1:111122223333:function:bad name")]
    [InlineData("arn:aws:lambda:us-east-1:111122223333:function:a:b:c")]
    public void TryParse_NotAFunctionReference_ReturnsFalse(string value)
    {
        Assert.False(LambdaArn.TryParse(value, out _));
    }

    [Fact]
    public void IsFunctionArn_BareNameOrUrl_IsFalse()
    {
        Assert.True(LambdaArn.IsFunctionArn("arn:aws:lambda:us-east-1:111122223333:function:ivr:prod"));
        Assert.False(LambdaArn.IsFunctionArn("ivr"));
        Assert.False(LambdaArn.IsFunctionArn("https://example.com/"));
    }
}
