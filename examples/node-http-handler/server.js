// An SMA handler as a plain Node.js HTTP server: OpenSMA POSTs each event as JSON and reads the
// action list from the response, exactly what a Chime Lambda handler returns.
//
//   node server.js                      # listens on 127.0.0.1:3000 (PORT to change)
//   opensma call --handler http://127.0.0.1:3000/ --digits "1@2s" --callee "+14155550123=answer@2s;hangup=3s" --fast
//
// Flow: greeting + menu (PlayAudioAndGetDigits). 1 → bridge to +14155550123. 2 → goodbye and hang up.
// TransactionAttributes carry the caller's choice from one event to the next.
'use strict';
const http = require('node:http');

const BUCKET = process.env.PROMPTS_BUCKET || 'prompts-bucket';
const BRIDGE_TO = process.env.BRIDGE_TO || '+14155550123';
const audio = (key) => ({ Type: 'S3', BucketName: BUCKET, Key: key });

function handle(event) {
  const type = event.InvocationEventType;
  const data = event.ActionData || {};
  const attributes = event.CallDetails.TransactionAttributes || {};
  const legA = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  const legB = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-B');
  const reply = (actions, attrs) => ({ SchemaVersion: '1.0', Actions: actions, TransactionAttributes: attrs ?? attributes });
  const goodbye = (tag) => [
    { Type: 'PlayAudio', Parameters: { ParticipantTag: tag, AudioSource: audio('goodbye.wav') } },
    { Type: 'Hangup', Parameters: { ParticipantTag: tag, SipResponseCode: '0' } },
  ];

  switch (type) {
    case 'NEW_INBOUND_CALL':
      return reply([
        { Type: 'Pause', Parameters: { DurationInMilliseconds: '200' } },
        { Type: 'PlayAudio', Parameters: { AudioSource: audio('welcome.wav') } },
        {
          Type: 'PlayAudioAndGetDigits',
          Parameters: {
            AudioSource: audio('menu.wav'),
            FailureAudioSource: audio('retry.wav'),
            MinNumberOfDigits: 1, MaxNumberOfDigits: 1, InputDigitsRegex: '^[12]$',
            Repeat: 3, RepeatDurationInMilliseconds: 4000,
          },
        },
      ], { state: 'menu', caller: legA.From });

    case 'ACTION_SUCCESSFUL':
      if (data.Type === 'PlayAudioAndGetDigits') {
        const choice = data.ReceivedDigits;
        if (choice === '1') {
          return reply([
            { Type: 'PlayAudio', Parameters: { AudioSource: audio('connecting.wav') } },
            {
              Type: 'CallAndBridge',
              Parameters: {
                CallTimeoutSeconds: 20, CallerIdNumber: legA.From,
                Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: BRIDGE_TO }],
                SipHeaders: { 'X-Choice': choice },
              },
            },
          ], { ...attributes, state: 'bridging', choice });
        }
        return reply(goodbye('LEG-A'), { ...attributes, state: 'goodbye', choice });
      }
      if (data.Type === 'CallAndBridge') {
        return reply([], { ...attributes, state: 'bridged' });
      }
      return reply([]);

    case 'ACTION_FAILED':
      console.log(`action ${data.Type} failed: ${data.ErrorType}: ${data.ErrorMessage}`);
      return reply(legA && legA.Status === 'Connected' ? goodbye('LEG-A') : []);

    case 'HANGUP': {
      // When one side of the bridge leaves, hang up the other (the survivor is never released automatically).
      const gone = data.Parameters.ParticipantTag;
      const other = gone === 'LEG-A' ? legB : legA;
      if (other && other.Status === 'Connected') {
        return reply([{ Type: 'Hangup', Parameters: { ParticipantTag: other.ParticipantTag, SipResponseCode: '0' } }]);
      }
      return reply([]);
    }

    default:
      return reply([]);
  }
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    try {
      const event = JSON.parse(body);
      const response = handle(event);
      console.log(`${event.Sequence} ${event.InvocationEventType} -> ${response.Actions.map((a) => a.Type).join(', ') || '[]'}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(response));
    } catch (err) {
      console.error(err);
      res.writeHead(500);
      res.end();
    }
  });
});

const port = Number(process.env.PORT || 3000);
server.listen(port, '127.0.0.1', () => console.log(`SMA handler listening on http://127.0.0.1:${port}/`));
