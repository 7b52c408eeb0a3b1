namespace OpenSma.ControlPlane.Tests.S3;

/// <summary>boto3 against OpenSMA's S3 endpoint with strict SigV4: each script asserts and prints OK.</summary>
public sealed class Boto3S3Tests : IAsyncLifetime
{
    private const string Preamble = """
        import os, sys, urllib.request, urllib.error, boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError
        s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        v2 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], config=Config(signature_version="s3", s3={"addressing_style": "path"}))
        def code(fn):
            try:
                fn()
            except ClientError as e:
                return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
            raise AssertionError("no error")

        """;

    private S3TestServer _server = null!;

    public async Task InitializeAsync() => _server = await S3TestServer.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task PutGetRangeAndChecksums_RoundTrip()
    {
        await RunAsync("""
            s3.create_bucket(Bucket="rec-bucket")
            body = bytes(range(256)) * 40
            put = s3.put_object(Bucket="rec-bucket", Key="calls/one.wav", Body=body, ContentType="audio/wav",
                                Metadata={"transaction-id": "tx-1"}, ChecksumAlgorithm="CRC32")
            assert put["ETag"].strip('"') and "ChecksumCRC32" in put, put
            for algorithm in ["CRC32C", "SHA256", "SHA1", "CRC64NVME"]:
                try:
                    s3.put_object(Bucket="rec-bucket", Key="alg/" + algorithm, Body=b"x" * 1000, ChecksumAlgorithm=algorithm)
                except Exception as e:
                    if "crt" not in str(e).lower(): raise
            got = s3.get_object(Bucket="rec-bucket", Key="calls/one.wav")
            assert got["Body"].read() == body
            assert got["ContentType"] == "audio/wav" and got["Metadata"] == {"transaction-id": "tx-1"}, got
            assert got["ETag"] == put["ETag"]
            part = s3.get_object(Bucket="rec-bucket", Key="calls/one.wav", Range="bytes=-10")
            assert part["ResponseMetadata"]["HTTPStatusCode"] == 206 and part["Body"].read() == body[-10:]
            assert part["ContentRange"] == "bytes 10230-10239/10240", part["ContentRange"]
            assert code(lambda: s3.get_object(Bucket="rec-bucket", Key="calls/one.wav", Range="bytes=20000-")) == ("InvalidRange", 416)
            assert code(lambda: s3.head_object(Bucket="rec-bucket", Key="nope")) == ("404", 404)
            assert code(lambda: s3.get_object(Bucket="nope-bucket", Key="k")) == ("NoSuchBucket", 404)
            assert code(lambda: s3.create_bucket(Bucket="rec-bucket"))[1] == 409
            assert code(lambda: s3.create_bucket(Bucket="Bad_Bucket"))[0] in ("InvalidBucketName",)
            s3.delete_object(Bucket="rec-bucket", Key="calls/one.wav")
            assert code(lambda: s3.get_object(Bucket="rec-bucket", Key="calls/one.wav")) == ("NoSuchKey", 404)
            print("OK")
            """);
    }

    [Fact]
    public async Task ListObjectsV2_DelimiterAndPaging_MatchS3Semantics()
    {
        await RunAsync("""
            s3.create_bucket(Bucket="list-bucket")
            keys = ["a.wav", "b+c d.wav", "dir1/x", "dir1/y", "dir2/z", "e.wav", "zz/deep/k"]
            for k in keys:
                s3.put_object(Bucket="list-bucket", Key=k, Body=k.encode())
            flat = s3.list_objects_v2(Bucket="list-bucket")
            assert [o["Key"] for o in flat["Contents"]] == keys and flat["KeyCount"] == 7, flat
            top = s3.list_objects_v2(Bucket="list-bucket", Delimiter="/")
            assert [o["Key"] for o in top["Contents"]] == ["a.wav", "b+c d.wav", "e.wav"], top
            assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dir1/", "dir2/", "zz/"], top
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket="list-bucket", Delimiter="/", PaginationConfig={"PageSize": 2})
            seen, count = [], 0
            for page in pages:
                count += 1
                assert page["KeyCount"] <= 2
                seen += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            assert count == 3 and sorted(seen) == sorted(["a.wav", "b+c d.wav", "e.wav", "dir1/", "dir2/", "zz/"]), (count, seen)
            sub = s3.list_objects_v2(Bucket="list-bucket", Prefix="dir1/", StartAfter="dir1/x")
            assert [o["Key"] for o in sub["Contents"]] == ["dir1/y"], sub
            buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
            assert "list-bucket" in buckets
            assert code(lambda: s3.list_objects_v2(Bucket="no-such-bucket")) == ("NoSuchBucket", 404)
            print("OK")
            """);
    }

    [Fact]
    public async Task PresignedUrl_GetsTheObject_TamperedOrSigV2IsRejected()
    {
        await RunAsync("""
            s3.create_bucket(Bucket="share-bucket")
            s3.put_object(Bucket="share-bucket", Key="greeting.wav", Body=b"RIFF-data")
            url = s3.generate_presigned_url("get_object", Params={"Bucket": "share-bucket", "Key": "greeting.wav"}, ExpiresIn=300)
            assert urllib.request.urlopen(url).read() == b"RIFF-data"
            try:
                urllib.request.urlopen(url.replace("greeting", "greetinh"))
                raise AssertionError("tampered URL accepted")
            except urllib.error.HTTPError as e:
                assert e.code == 403 and b"SignatureDoesNotMatch" in e.read()
            old = v2.generate_presigned_url("get_object", Params={"Bucket": "share-bucket", "Key": "greeting.wav"}, ExpiresIn=300)
            try:
                urllib.request.urlopen(old)
                raise AssertionError("SigV2 URL accepted")
            except urllib.error.HTTPError as e:
                assert e.code == 400 and b"Signature Version 2" in e.read()
            print("OK")
            """);
    }

    private async Task RunAsync(string script)
    {
        var result = await _server.PythonAsync(Preamble + script);
        Assert.True(result.Exit == 0 && result.Stdout.Contains("OK", StringComparison.Ordinal), $"boto3 script failed ({result.Exit}):\n{result.Stderr}\n{result.Stdout}");
    }
}
