// An SMA handler that places a call back to the caller with CreateSipMediaApplicationCall.
// The client is built with no options: region, credentials and the endpoint (OpenSMA's own
// Chime SDK Voice API, through AWS_ENDPOINT_URL_CHIME_SDK_VOICE) come from the environment
// the function runs in.
import { ChimeSDKVoiceClient, CreateSipMediaApplicationCallCommand } from '@aws-sdk/client-chime-sdk-voice';

const client = new ChimeSDKVoiceClient({});

export const handler = async (event) => {
  const legA = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  if (event.InvocationEventType !== 'NEW_INBOUND_CALL') {
    return { SchemaVersion: '1.0', Actions: [] };
  }
  const created = await client.send(new CreateSipMediaApplicationCallCommand({
    FromPhoneNumber: legA.To,
    ToPhoneNumber: legA.From,
    SipMediaApplicationId: event.CallDetails.SipMediaApplicationId,
    ArgumentsMap: { reason: 'callback', original: event.CallDetails.TransactionId },
  }));
  const callbackId = created.SipMediaApplicationCall.TransactionId;
  console.log('placed callback', callbackId);
  return {
    SchemaVersion: '1.0',
    Actions: [
      { Type: 'Speak', Parameters: { CallId: legA.CallId, Text: 'We will call you back.', Engine: 'standard' } },
      { Type: 'Hangup', Parameters: { CallId: legA.CallId, SipResponseCode: '0' } },
    ],
    TransactionAttributes: { callback: callbackId },
  };
};
