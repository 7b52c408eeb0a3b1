"""Strict SigV4 probe: one GetPhoneNumber (a %2B path) and one CreateSipMediaApplication with a body.

Usage: python3 signature.py <endpoint> <access-key> <secret-key>. Prints the outcome of each call.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main() -> None:
    endpoint, key, secret = sys.argv[1:4]
    client = boto3.client(
        "chime-sdk-voice",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    out = {}
    for name, call in [
        ("getPhoneNumber", lambda: client.get_phone_number(PhoneNumberId="+12065550100")),
        ("listSearch", lambda: client.search_available_phone_numbers(AreaCode="206", MaxResults=1)),
        ("createSma", lambda: client.create_sip_media_application(
            AwsRegion="us-east-1", Name="signed", Endpoints=[{"LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}])),
    ]:
        try:
            call()
            out[name] = "ok"
        except ClientError as e:
            out[name] = e.response["Error"]["Code"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
