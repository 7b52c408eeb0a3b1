namespace OpenSma.ControlPlane.S3;

/// <summary>What a verified SigV4 header leaves for checking a signed aws-chunked body: each
/// chunk's signature chains from the previous one, starting at the header's (the seed).</summary>
internal sealed record S3Signing(byte[] SigningKey, string AmzDate, string Scope, string SeedSignature);
