// A CommonJS, callback-style SMA handler: greets the caller, then hangs up.
// It answers through the callback after an asynchronous step, the way many Chime samples do.
'use strict';

function callIdOf(event) {
  const legA = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  return legA ? legA.CallId : undefined;
}

exports.handler = (event, context, callback) => {
  console.log('event', event.InvocationEventType, 'sequence', event.Sequence, 'function', context.functionName);
  const callId = callIdOf(event);
  let actions;
  switch (event.InvocationEventType) {
    case 'NEW_INBOUND_CALL':
      actions = [
        { Type: 'Pause', Parameters: { CallId: callId, DurationInMilliseconds: '500' } },
        {
          Type: 'PlayAudio',
          Parameters: {
            CallId: callId,
            AudioSource: { Type: 'S3', BucketName: 'opensma-prompts', Key: 'welcome.wav' },
          },
        },
      ];
      break;
    case 'ACTION_SUCCESSFUL':
      actions = [{ Type: 'Hangup', Parameters: { CallId: callId, SipResponseCode: '0' } }];
      break;
    default:
      actions = [];
  }
  // Answer on a later tick, as a handler that looked something up would.
  setTimeout(() => callback(null, { SchemaVersion: '1.0', Actions: actions }), 10);
};
