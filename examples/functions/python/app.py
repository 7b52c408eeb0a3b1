"""A Python SMA handler: counts the invocations of a call in TransactionAttributes and
speaks the count, then hangs up on the third event."""
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    details = event["CallDetails"]
    leg_a = next(p for p in details["Participants"] if p["ParticipantTag"] == "LEG-A")
    attributes = dict(details.get("TransactionAttributes") or {})
    count = int(attributes.get("count", "0")) + 1
    attributes["count"] = str(count)
    logger.info("%s #%d in %s (%s)", event["InvocationEventType"], count, context.function_name,
                os.environ.get("AWS_REGION"))
    print("remaining ms:", context.get_remaining_time_in_millis())

    if event["InvocationEventType"] == "HANGUP":
        actions = []
    elif count >= 3:
        actions = [{"Type": "Hangup", "Parameters": {"CallId": leg_a["CallId"], "SipResponseCode": "0"}}]
    else:
        actions = [{
            "Type": "Speak",
            "Parameters": {"CallId": leg_a["CallId"], "Text": "This is event %d." % count, "Engine": "standard"},
        }]
    return {"SchemaVersion": "1.0", "Actions": actions, "TransactionAttributes": attributes}
