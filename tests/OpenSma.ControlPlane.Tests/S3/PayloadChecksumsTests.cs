using System.Text;
using OpenSma.ControlPlane.S3;

namespace OpenSma.ControlPlane.Tests.S3;

public sealed class PayloadChecksumsTests
{
    private static readonly byte[] Check = Encoding.ASCII.GetBytes("123456789");

    [Fact]
    public void Crc_CheckString_MatchesTheCatalogueValues()
    {
        Assert.Equal(0xCBF43926u, PayloadChecksums.Crc32Ieee(Check));
        Assert.Equal(0xE3069283u, PayloadChecksums.Crc32Castagnoli(Check));
        Assert.Equal(0xAE8B14860A799888ul, PayloadChecksums.Crc64(Check));
    }

    [Fact]
    public void Compute_WireForm_IsBase64OfBigEndianValue()
    {
        Assert.Equal(Convert.ToBase64String([0xCB, 0xF4, 0x39, 0x26]), PayloadChecksums.Compute("crc32", Check));
        Assert.Equal(Convert.ToBase64String([0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88]), PayloadChecksums.Compute("crc64nvme", Check));
        Assert.Null(PayloadChecksums.Compute("md4", Check));
    }
}
