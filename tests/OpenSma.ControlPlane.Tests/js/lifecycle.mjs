// Full control-plane lifecycle through @aws-sdk/client-chime-sdk-voice against OpenSMA.
// Usage: node lifecycle.mjs <endpoint>. Prints one JSON object with what the test asserts on.
import {
  ChimeSDKVoiceClient,
  SearchAvailablePhoneNumbersCommand,
  CreatePhoneNumberOrderCommand,
  GetPhoneNumberOrderCommand,
  ListPhoneNumbersCommand,
  GetPhoneNumberCommand,
  CreateSipMediaApplicationCommand,
  UpdateSipMediaApplicationCommand,
  GetSipMediaApplicationCommand,
  ListSipMediaApplicationsCommand,
  CreateSipRuleCommand,
  UpdateSipRuleCommand,
  GetSipRuleCommand,
  DeleteSipRuleCommand,
  DeleteSipMediaApplicationCommand,
  CreateSipMediaApplicationCallCommand,
  UpdateSipMediaApplicationCallCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  BadRequestException,
} from "@aws-sdk/client-chime-sdk-voice";

const endpoint = process.argv[2];
const client = new ChimeSDKVoiceClient({
  endpoint,
  region: "us-east-1",
  maxAttempts: 1,
  credentials: { accessKeyId: "AKIDOPENSMATEST", secretAccessKey: "opensma-test-secret" },
});
const out = {};

const search = await client.send(new SearchAvailablePhoneNumbersCommand({ AreaCode: "425", Country: "US", PhoneNumberType: "Local", MaxResults: 2 }));
out.searched = search.E164PhoneNumbers;
const order = await client.send(new CreatePhoneNumberOrderCommand({ ProductType: "SipMediaApplicationDialIn", E164PhoneNumbers: search.E164PhoneNumbers }));
const fetchedOrder = await client.send(new GetPhoneNumberOrderCommand({ PhoneNumberOrderId: order.PhoneNumberOrder.PhoneNumberOrderId }));
out.orderStatus = fetchedOrder.PhoneNumberOrder.Status;
out.orderCreatedIsDate = fetchedOrder.PhoneNumberOrder.CreatedTimestamp instanceof Date;
const numbers = await client.send(new ListPhoneNumbersCommand({ ProductType: "SipMediaApplicationDialIn" }));
out.listed = numbers.PhoneNumbers.map((n) => n.E164PhoneNumber);
const number = await client.send(new GetPhoneNumberCommand({ PhoneNumberId: search.E164PhoneNumbers[0] }));
out.numberStatus = number.PhoneNumber.Status;

const sma = await client.send(new CreateSipMediaApplicationCommand({
  AwsRegion: "us-east-1",
  Name: "js-sma",
  Endpoints: [{ LambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:js-handler" }],
  Tags: [{ Key: "client", Value: "js" }],
}));
const smaId = sma.SipMediaApplication.SipMediaApplicationId;
out.smaId = smaId;
await client.send(new TagResourceCommand({ ResourceARN: sma.SipMediaApplication.SipMediaApplicationArn, Tags: [{ Key: "team", Value: "voice" }] }));
const tags = await client.send(new ListTagsForResourceCommand({ ResourceARN: sma.SipMediaApplication.SipMediaApplicationArn }));
out.tags = tags.Tags.map((t) => `${t.Key}=${t.Value}`).sort();
await client.send(new UpdateSipMediaApplicationCommand({ SipMediaApplicationId: smaId, Name: "js-sma-renamed" }));
out.smaName = (await client.send(new GetSipMediaApplicationCommand({ SipMediaApplicationId: smaId }))).SipMediaApplication.Name;
out.smaCount = (await client.send(new ListSipMediaApplicationsCommand({ MaxResults: 10 }))).SipMediaApplications.length;

const rule = await client.send(new CreateSipRuleCommand({
  Name: "js-rule",
  TriggerType: "ToPhoneNumber",
  TriggerValue: search.E164PhoneNumbers[0],
  TargetApplications: [{ SipMediaApplicationId: smaId, Priority: 1, AwsRegion: "us-east-1" }],
}));
const ruleId = rule.SipRule.SipRuleId;
await client.send(new UpdateSipRuleCommand({ SipRuleId: ruleId, Name: "js-rule", Disabled: true }));
out.ruleDisabled = (await client.send(new GetSipRuleCommand({ SipRuleId: ruleId }))).SipRule.Disabled;

try {
  await client.send(new GetSipMediaApplicationCommand({ SipMediaApplicationId: "00000000-0000-4000-8000-000000000000" }));
  out.notFound = "no error";
} catch (e) {
  out.notFound = e instanceof NotFoundException ? `${e.name}:${e.Code}` : `wrong:${e.name}`;
}
try {
  await client.send(new CreateSipMediaApplicationCallCommand({ SipMediaApplicationId: smaId, FromPhoneNumber: "+12065550100" }));
  out.badRequest = "no error";
} catch (e) {
  out.badRequest = e instanceof BadRequestException ? `${e.name}:${e.message}` : `wrong:${e.name}`;
}

const call = await client.send(new CreateSipMediaApplicationCallCommand({
  SipMediaApplicationId: smaId,
  FromPhoneNumber: search.E164PhoneNumbers[0],
  ToPhoneNumber: "+12065550199",
  SipHeaders: { "X-Client": "js" },
  ArgumentsMap: { CallerName: "Alice" },
}));
out.transactionId = call.SipMediaApplicationCall.TransactionId;
const update = await client.send(new UpdateSipMediaApplicationCallCommand({
  SipMediaApplicationId: smaId,
  TransactionId: out.transactionId,
  Arguments: { action: "hangup" },
}));
out.updatedTransactionId = update.SipMediaApplicationCall.TransactionId;

await client.send(new DeleteSipRuleCommand({ SipRuleId: ruleId }));
await client.send(new DeleteSipMediaApplicationCommand({ SipMediaApplicationId: smaId }));
try {
  await client.send(new GetSipRuleCommand({ SipRuleId: ruleId }));
  out.deleted = "still there";
} catch (e) {
  out.deleted = e.name;
}

console.log(JSON.stringify(out));
