using System.Globalization;
using System.Text;
using OpenSma.ControlPlane.Auth;
using OpenSma.ControlPlane.S3;

namespace OpenSma.ControlPlane.Tests.S3;

/// <summary>The signed-chunk example of the S3 API reference ("Signature calculations for the
/// Authorization header: transferring payload in multiple chunks"): 66,560 bytes of 'a' in chunks
/// of 65,536 and 1,024 bytes, with the published chunk signatures.</summary>
public sealed class AwsChunkedDecoderTests
{
    private const string Seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    private const string Chunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    private const string Chunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    private const string Final = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    private static S3Signing Signing()
    {
        var authorization = new SigV4Authorization("AKIAIOSFODNN7EXAMPLE", "20130524", "us-east-1", "s3", ["host"], Seed);
        var key = SigV4Canonicalizer.SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", authorization);
        return new S3Signing(key, "20130524T000000Z", authorization.Scope, Seed);
    }

    private static byte[] Body(string first, string second, string final)
    {
        var body = new MemoryStream();
        void Chunk(int size, string signature)
        {
            body.Write(Encoding.ASCII.GetBytes(size.ToString("x", CultureInfo.InvariantCulture) + ";chunk-signature=" + signature + "\r\n"));
            body.Write(Enumerable.Repeat((byte)'a', size).ToArray());
            body.Write("\r\n"u8);
        }

        Chunk(65536, first);
        Chunk(1024, second);
        Chunk(0, final);
        return body.ToArray();
    }

    [Fact]
    public void Decode_PublishedSignedExample_ReturnsThePayload()
    {
        var decoded = AwsChunkedDecoder.Decode(Body(Chunk1, Chunk2, Final), Signing());
        Assert.Equal(66560, decoded.Content.Length);
        Assert.All(decoded.Content, b => Assert.Equal((byte)'a', b));
    }

    [Fact]
    public void Decode_TamperedChunkSignature_IsSignatureDoesNotMatch()
    {
        var ex = Assert.Throws<S3ErrorException>(() => AwsChunkedDecoder.Decode(Body(Chunk1, Chunk1, Final), Signing()));
        Assert.Equal("SignatureDoesNotMatch", ex.Error.Code);
    }

    [Fact]
    public void Decode_UnsignedWithTrailer_ReturnsPayloadAndTrailer()
    {
        var body = Encoding.ASCII.GetBytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
        var decoded = AwsChunkedDecoder.Decode(body, signing: null);
        Assert.Equal("hello world", Encoding.ASCII.GetString(decoded.Content));
        Assert.Equal("DUoRhQ==", decoded.Trailers["x-amz-checksum-crc32"]);
        Assert.Equal("DUoRhQ==", PayloadChecksums.Compute("crc32", decoded.Content));
    }

    [Theory]
    [InlineData("zz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("9\r\nhello\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    public void Decode_MalformedFraming_IsIncompleteBody(string text)
    {
        var ex = Assert.Throws<S3ErrorException>(() => AwsChunkedDecoder.Decode(Encoding.ASCII.GetBytes(text), signing: null));
        Assert.Equal("IncompleteBody", ex.Error.Code);
    }
}
