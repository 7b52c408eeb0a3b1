"""Proxy sessions, voice profile domains and the AWS-only voice analytics / E911 operations
through boto3 against OpenSMA (strict SigV4).

Usage: python3 proxy_analytics.py <endpoint>. Prints one JSON object.
"""
import json
import sys

import boto3
from botocore.config import Config

KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def main() -> None:
    client = boto3.client(
        "chime-sdk-voice",
        endpoint_url=sys.argv[1],
        region_name="us-east-1",
        aws_access_key_id="AKIDOPENSMATEST",
        aws_secret_access_key="opensma-test-secret",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    out = {}

    def error(call):
        try:
            call()
            return "ok"
        except client.exceptions.ClientError as e:
            return e.response["Error"]["Code"]

    vc = client.create_voice_connector(Name="proxy", RequireEncryption=False)["VoiceConnector"]["VoiceConnectorId"]
    numbers = ["+12065550150", "+12065550151"]
    client.create_phone_number_order(ProductType="VoiceConnector", E164PhoneNumbers=numbers)
    client.associate_phone_numbers_with_voice_connector(VoiceConnectorId=vc, E164PhoneNumbers=numbers)
    out["proxy"] = client.put_voice_connector_proxy(
        VoiceConnectorId=vc, DefaultSessionExpiryMinutes=60, PhoneNumberPoolCountries=["US"], FallBackPhoneNumber="+12065550199"
    )["Proxy"]
    session = client.create_proxy_session(
        VoiceConnectorId=vc, ParticipantPhoneNumbers=["+15035550001", "+15035550002"], Capabilities=["Voice"], Name="ride"
    )["ProxySession"]
    out["sessionStatus"] = session["Status"]
    out["proxyNumbers"] = [p["ProxyPhoneNumber"] for p in session["Participants"]]
    out["createdIsDatetime"] = hasattr(session["CreatedTimestamp"], "isoformat")
    updated = client.update_proxy_session(VoiceConnectorId=vc, ProxySessionId=session["ProxySessionId"], Capabilities=["Voice", "SMS"])
    out["capabilities"] = updated["ProxySession"]["Capabilities"]
    out["listed"] = len(client.list_proxy_sessions(VoiceConnectorId=vc, Status="Open")["ProxySessions"])
    client.delete_proxy_session(VoiceConnectorId=vc, ProxySessionId=session["ProxySessionId"])
    out["sessionAfterDelete"] = error(lambda: client.get_proxy_session(VoiceConnectorId=vc, ProxySessionId=session["ProxySessionId"]))
    out["badSession"] = error(lambda: client.create_proxy_session(
        VoiceConnectorId=vc, ParticipantPhoneNumbers=["+15035550001", "+15035550002"], Capabilities=["Fax"]))
    client.delete_voice_connector_proxy(VoiceConnectorId=vc)
    out["proxyAfterDelete"] = error(lambda: client.get_voice_connector_proxy(VoiceConnectorId=vc))

    domain = client.create_voice_profile_domain(
        Name="callers", ServerSideEncryptionConfiguration={"KmsKeyArn": KMS}, Tags=[{"Key": "team", "Value": "voice"}]
    )["VoiceProfileDomain"]
    out["domainArn"] = domain["VoiceProfileDomainArn"]
    out["domainDescription"] = client.update_voice_profile_domain(
        VoiceProfileDomainId=domain["VoiceProfileDomainId"], Description="known callers")["VoiceProfileDomain"]["Description"]
    out["domains"] = len(client.list_voice_profile_domains()["VoiceProfileDomains"])
    out["profiles"] = len(client.list_voice_profiles(VoiceProfileDomainId=domain["VoiceProfileDomainId"])["VoiceProfiles"])
    out["speakerSearch"] = error(lambda: client.start_speaker_search_task(
        VoiceConnectorId=vc, TransactionId="t-1", VoiceProfileDomainId=domain["VoiceProfileDomainId"]))
    out["voiceTone"] = error(lambda: client.start_voice_tone_analysis_task(VoiceConnectorId=vc, TransactionId="t-1", LanguageCode="en-US"))
    out["getTask"] = error(lambda: client.get_voice_tone_analysis_task(VoiceConnectorId=vc, VoiceToneAnalysisTaskId="x", IsCaller=True))
    out["createProfile"] = error(lambda: client.create_voice_profile(SpeakerSearchTaskId="task-1"))
    out["e911"] = error(lambda: client.validate_e911_address(
        AwsAccountId="123456789012", StreetNumber="410", StreetInfo="Terry Ave N", City="Seattle", State="WA", Country="US", PostalCode="98109"))
    client.delete_voice_profile_domain(VoiceProfileDomainId=domain["VoiceProfileDomainId"])
    out["domainAfterDelete"] = error(lambda: client.get_voice_profile_domain(VoiceProfileDomainId=domain["VoiceProfileDomainId"]))
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
