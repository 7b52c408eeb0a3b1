"""Full control-plane lifecycle through boto3 against OpenSMA.

Usage: python3 lifecycle.py <endpoint> [<access-key> <secret-key>]. Prints one JSON object.
"""
import json
import sys

import boto3
from botocore.config import Config


def main() -> None:
    endpoint = sys.argv[1]
    key = sys.argv[2] if len(sys.argv) > 2 else "AKIDOPENSMATEST"
    secret = sys.argv[3] if len(sys.argv) > 3 else "opensma-test-secret"
    client = boto3.client(
        "chime-sdk-voice",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    out = {}

    search = client.search_available_phone_numbers(AreaCode="212", Country="US", PhoneNumberType="Local", MaxResults=2)
    out["searched"] = search["E164PhoneNumbers"]
    order = client.create_phone_number_order(ProductType="SipMediaApplicationDialIn", E164PhoneNumbers=search["E164PhoneNumbers"])
    out["orderStatus"] = client.get_phone_number_order(PhoneNumberOrderId=order["PhoneNumberOrder"]["PhoneNumberOrderId"])["PhoneNumberOrder"]["Status"]
    out["listed"] = [n["E164PhoneNumber"] for n in client.list_phone_numbers(ProductType="SipMediaApplicationDialIn")["PhoneNumbers"]]
    number = client.get_phone_number(PhoneNumberId=search["E164PhoneNumbers"][0])["PhoneNumber"]
    out["numberStatus"] = number["Status"]
    out["createdIsDatetime"] = type(number["CreatedTimestamp"]).__name__ == "datetime"
    client.update_phone_number(PhoneNumberId=search["E164PhoneNumbers"][1], CallingName="Front Desk")

    sma = client.create_sip_media_application(
        AwsRegion="us-east-1",
        Name="py-sma",
        Endpoints=[{"LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:py-handler"}],
    )["SipMediaApplication"]
    sma_id = sma["SipMediaApplicationId"]
    out["smaId"] = sma_id
    client.update_sip_media_application(SipMediaApplicationId=sma_id, Name="py-sma-renamed")
    out["smaName"] = client.get_sip_media_application(SipMediaApplicationId=sma_id)["SipMediaApplication"]["Name"]
    client.put_sip_media_application_logging_configuration(
        SipMediaApplicationId=sma_id,
        SipMediaApplicationLoggingConfiguration={"EnableSipMediaApplicationMessageLogs": True},
    )
    out["logs"] = client.get_sip_media_application_logging_configuration(SipMediaApplicationId=sma_id)[
        "SipMediaApplicationLoggingConfiguration"]["EnableSipMediaApplicationMessageLogs"]

    rule = client.create_sip_rule(
        Name="py-rule",
        TriggerType="ToPhoneNumber",
        TriggerValue=search["E164PhoneNumbers"][0],
        TargetApplications=[{"SipMediaApplicationId": sma_id, "Priority": 1, "AwsRegion": "us-east-1"}],
    )["SipRule"]
    rule_id = rule["SipRuleId"]
    client.update_sip_rule(SipRuleId=rule_id, Name="py-rule", Disabled=True)
    out["ruleDisabled"] = client.get_sip_rule(SipRuleId=rule_id)["SipRule"]["Disabled"]
    out["rulesForSma"] = len(client.list_sip_rules(SipMediaApplicationId=sma_id)["SipRules"])

    try:
        client.get_sip_rule(SipRuleId="00000000-0000-4000-8000-000000000000")
        out["notFound"] = "no error"
    except client.exceptions.NotFoundException as e:
        out["notFound"] = e.response["Error"]["Code"]
    try:
        client.create_sip_media_application(AwsRegion="us-east-1", Name="bad/name", Endpoints=[{"LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}])
        out["badRequest"] = "no error"
    except client.exceptions.BadRequestException as e:
        out["badRequest"] = e.response["Error"]["Code"] + ":" + e.response["Error"]["Message"]

    call = client.create_sip_media_application_call(
        SipMediaApplicationId=sma_id,
        FromPhoneNumber=search["E164PhoneNumbers"][0],
        ToPhoneNumber="+12065550198",
        SipHeaders={"X-Client": "boto3"},
        ArgumentsMap={"CallerName": "Bob"},
    )
    out["transactionId"] = call["SipMediaApplicationCall"]["TransactionId"]
    update = client.update_sip_media_application_call(
        SipMediaApplicationId=sma_id, TransactionId=out["transactionId"], Arguments={"action": "transfer"})
    out["updatedTransactionId"] = update["SipMediaApplicationCall"]["TransactionId"]

    client.delete_sip_rule(SipRuleId=rule_id)
    client.delete_sip_media_application(SipMediaApplicationId=sma_id)
    client.delete_phone_number(PhoneNumberId=search["E164PhoneNumbers"][1])
    out["restored"] = client.restore_phone_number(PhoneNumberId=search["E164PhoneNumbers"][1])["PhoneNumber"]["Status"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
