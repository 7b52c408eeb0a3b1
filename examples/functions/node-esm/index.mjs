// An ES module, async SMA handler: a one-digit menu that keeps its state in
// TransactionAttributes between invocations.
export const handler = async (event, context) => {
  const legA = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  const attributes = event.CallDetails.TransactionAttributes ?? {};
  console.info(`${event.InvocationEventType} (remaining ${context.getRemainingTimeInMillis()} ms)`);

  switch (event.InvocationEventType) {
    case 'NEW_INBOUND_CALL':
      return {
        SchemaVersion: '1.0',
        Actions: [{
          Type: 'SpeakAndGetDigits',
          Parameters: {
            CallId: legA.CallId,
            InputDigitsRegex: '^[12]$',
            SpeechParameters: { Text: 'Press 1 for sales or 2 for support.', Engine: 'neural', LanguageCode: 'en-US' },
            FailureSpeechParameters: { Text: 'Sorry, try again.', Engine: 'neural', LanguageCode: 'en-US' },
            MinNumberOfDigits: 1,
            MaxNumberOfDigits: 1,
            Repeat: 3,
            RepeatDurationInMilliseconds: 3000,
          },
        }],
        TransactionAttributes: { ...attributes, menu: 'main' },
      };
    case 'ACTION_SUCCESSFUL': {
      if (event.ActionData?.Type !== 'SpeakAndGetDigits') {
        return { SchemaVersion: '1.0', Actions: [] };
      }
      const choice = event.ActionData.ReceivedDigits === '1' ? 'sales' : 'support';
      return {
        SchemaVersion: '1.0',
        Actions: [
          { Type: 'Speak', Parameters: { CallId: legA.CallId, Text: `Connecting you to ${choice}.`, Engine: 'neural' } },
          { Type: 'Hangup', Parameters: { CallId: legA.CallId, SipResponseCode: '0' } },
        ],
        TransactionAttributes: { ...attributes, menu: choice },
      };
    }
    case 'HANGUP':
      return { SchemaVersion: '1.0', Actions: [] };
    default:
      return { SchemaVersion: '1.0', Actions: [] };
  }
};
