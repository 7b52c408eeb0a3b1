"""Voice connector lifecycle through boto3 against OpenSMA.

Usage: python3 voice_connectors.py <endpoint>. Prints one JSON object.
"""
import json
import sys

import boto3
from botocore.config import Config


def code(call):
    try:
        call()
        return "ok"
    except client.exceptions.ClientError as e:  # noqa: F821 - bound in main
        return e.response["Error"]["Code"]


def main() -> None:
    global client
    client = boto3.client(
        "chime-sdk-voice",
        endpoint_url=sys.argv[1],
        region_name="us-east-1",
        aws_access_key_id="AKIDOPENSMATEST",
        aws_secret_access_key="opensma-test-secret",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    out = {}
    vc = client.create_voice_connector(Name="carrier-a", AwsRegion="us-west-2", RequireEncryption=False,
                                       Tags=[{"Key": "env", "Value": "test"}])["VoiceConnector"]
    vc_id = vc["VoiceConnectorId"]
    out["outboundHost"] = vc["OutboundHostName"]
    out["arn"] = vc["VoiceConnectorArn"]
    out["renamed"] = client.update_voice_connector(VoiceConnectorId=vc_id, Name="carrier-b", RequireEncryption=True)["VoiceConnector"]["Name"]
    out["listed"] = [v["VoiceConnectorId"] for v in client.list_voice_connectors()["VoiceConnectors"]]

    client.put_voice_connector_termination(VoiceConnectorId=vc_id, Termination={
        "CpsLimit": 2, "DefaultPhoneNumber": "+12065550100", "CallingRegions": ["US"], "CidrAllowedList": ["203.0.113.0/24"], "Disabled": False})
    out["termination"] = client.get_voice_connector_termination(VoiceConnectorId=vc_id)["Termination"]
    out["health"] = "Timestamp" in client.get_voice_connector_termination_health(VoiceConnectorId=vc_id)["TerminationHealth"]
    client.put_voice_connector_termination_credentials(VoiceConnectorId=vc_id, Credentials=[
        {"Username": "pbx1", "Password": "s3cret"}, {"Username": "pbx2", "Password": "s3cret2"}])
    client.delete_voice_connector_termination_credentials(VoiceConnectorId=vc_id, Usernames=["pbx1"])
    out["usernames"] = client.list_voice_connector_termination_credentials(VoiceConnectorId=vc_id)["Usernames"]
    out["badCidr"] = code(lambda: client.put_voice_connector_termination(VoiceConnectorId=vc_id, Termination={"CidrAllowedList": ["nonsense"]}))

    client.put_voice_connector_origination(VoiceConnectorId=vc_id, Origination={
        "Routes": [{"Host": "pbx.example.com", "Port": 5060, "Protocol": "UDP", "Priority": 1, "Weight": 10}], "Disabled": False})
    out["originationHost"] = client.get_voice_connector_origination(VoiceConnectorId=vc_id)["Origination"]["Routes"][0]["Host"]
    client.delete_voice_connector_origination(VoiceConnectorId=vc_id)
    out["originationAfterDelete"] = code(lambda: client.get_voice_connector_origination(VoiceConnectorId=vc_id))

    client.put_voice_connector_logging_configuration(VoiceConnectorId=vc_id, LoggingConfiguration={"EnableSIPLogs": True})
    out["sipLogs"] = client.get_voice_connector_logging_configuration(VoiceConnectorId=vc_id)["LoggingConfiguration"]["EnableSIPLogs"]
    client.put_voice_connector_streaming_configuration(VoiceConnectorId=vc_id, StreamingConfiguration={
        "DataRetentionInHours": 24, "Disabled": False, "StreamingNotificationTargets": [{"NotificationTarget": "SQS"}]})
    out["retention"] = client.get_voice_connector_streaming_configuration(VoiceConnectorId=vc_id)["StreamingConfiguration"]["DataRetentionInHours"]
    client.put_voice_connector_emergency_calling_configuration(VoiceConnectorId=vc_id, EmergencyCallingConfiguration={
        "DNIS": [{"EmergencyPhoneNumber": "+12065550911", "CallingCountry": "US"}]})
    out["dnis"] = client.get_voice_connector_emergency_calling_configuration(VoiceConnectorId=vc_id)["EmergencyCallingConfiguration"]["DNIS"][0]["EmergencyPhoneNumber"]
    client.put_voice_connector_external_systems_configuration(VoiceConnectorId=vc_id, SessionBorderControllerTypes=["RIBBON_SBC"])
    out["sbc"] = client.get_voice_connector_external_systems_configuration(VoiceConnectorId=vc_id)["ExternalSystemsConfiguration"]["SessionBorderControllerTypes"]

    client.delete_voice_connector_streaming_configuration(VoiceConnectorId=vc_id)
    client.delete_voice_connector_emergency_calling_configuration(VoiceConnectorId=vc_id)
    client.delete_voice_connector_external_systems_configuration(VoiceConnectorId=vc_id)
    out["configsAfterDelete"] = [
        code(lambda: client.get_voice_connector_streaming_configuration(VoiceConnectorId=vc_id)),
        code(lambda: client.get_voice_connector_emergency_calling_configuration(VoiceConnectorId=vc_id)),
        code(lambda: client.get_voice_connector_external_systems_configuration(VoiceConnectorId=vc_id)),
    ]
    client.delete_voice_connector_termination(VoiceConnectorId=vc_id)
    out["terminationAfterDelete"] = code(lambda: client.get_voice_connector_termination(VoiceConnectorId=vc_id))

    numbers = client.search_available_phone_numbers(AreaCode="206", MaxResults=2)["E164PhoneNumbers"]
    client.create_phone_number_order(ProductType="VoiceConnector", E164PhoneNumbers=numbers)
    out["associateErrors"] = client.associate_phone_numbers_with_voice_connector(VoiceConnectorId=vc_id, E164PhoneNumbers=[numbers[0], "+19995550000"])["PhoneNumberErrors"]
    out["vcNumbers"] = [n["E164PhoneNumber"] for n in client.list_phone_numbers(FilterName="VoiceConnectorId", FilterValue=vc_id)["PhoneNumbers"]]
    out["deleteWithNumbers"] = code(lambda: client.delete_voice_connector(VoiceConnectorId=vc_id))
    client.disassociate_phone_numbers_from_voice_connector(VoiceConnectorId=vc_id, E164PhoneNumbers=[numbers[0]])

    group = client.create_voice_connector_group(Name="failover", VoiceConnectorItems=[{"VoiceConnectorId": vc_id, "Priority": 1}])["VoiceConnectorGroup"]
    group_id = group["VoiceConnectorGroupId"]
    out["groupAssociate"] = client.associate_phone_numbers_with_voice_connector_group(VoiceConnectorGroupId=group_id, E164PhoneNumbers=[numbers[1]])["PhoneNumberErrors"]
    out["groupNumberStatus"] = client.get_phone_number(PhoneNumberId=numbers[1])["PhoneNumber"]["Status"]
    out["deleteInGroup"] = code(lambda: client.delete_voice_connector(VoiceConnectorId=vc_id))
    client.disassociate_phone_numbers_from_voice_connector_group(VoiceConnectorGroupId=group_id, E164PhoneNumbers=[numbers[1]])
    client.update_voice_connector_group(VoiceConnectorGroupId=group_id, Name="failover-2", VoiceConnectorItems=[])
    out["groupName"] = client.get_voice_connector_group(VoiceConnectorGroupId=group_id)["VoiceConnectorGroup"]["Name"]
    out["groups"] = len(client.list_voice_connector_groups()["VoiceConnectorGroups"])
    client.delete_voice_connector_group(VoiceConnectorGroupId=group_id)

    out["regions"] = client.list_available_voice_connector_regions()["VoiceConnectorRegions"]
    client.update_global_settings(VoiceConnector={"CdrBucket": "cdr-bucket"})
    out["cdrBucket"] = client.get_global_settings()["VoiceConnector"]["CdrBucket"]
    out["tags"] = client.list_tags_for_resource(ResourceARN=vc["VoiceConnectorArn"])["Tags"]
    client.delete_voice_connector(VoiceConnectorId=vc_id)
    out["afterDelete"] = code(lambda: client.get_voice_connector(VoiceConnectorId=vc_id))
    out["missingName"] = code(lambda: client.update_voice_connector(VoiceConnectorId=vc_id, Name="bad/name", RequireEncryption=True))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
