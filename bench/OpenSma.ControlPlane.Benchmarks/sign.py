"""Prints wrk -H arguments (one per line) carrying a SigV4 signature for GET <url>, as boto3 signs."""
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

request = AWSRequest(method="GET", url=sys.argv[1])
SigV4Auth(Credentials("AKIDBENCH", "bench-secret"), "chime", "us-east-1").add_auth(request)
for name in ("X-Amz-Date", "Authorization"):
    print(f"{name}: {request.headers[name]}")
