// The legacy @aws-sdk/client-chime (3.699.0, the last line that still has the SMA call commands;
// its model has SipHeaders but no ArgumentsMap).
// Usage: node legacy-chime.mjs <endpoint> <smaId>. Prints one JSON object.
import { ChimeClient, CreateSipMediaApplicationCallCommand, UpdateSipMediaApplicationCallCommand } from "@aws-sdk/client-chime";

const [endpoint, smaId] = process.argv.slice(2);
const client = new ChimeClient({
  endpoint,
  region: "us-east-1",
  maxAttempts: 1,
  credentials: { accessKeyId: "AKIDOPENSMATEST", secretAccessKey: "opensma-test-secret" },
});
const call = await client.send(new CreateSipMediaApplicationCallCommand({
  SipMediaApplicationId: smaId,
  FromPhoneNumber: "+12065550100",
  ToPhoneNumber: "+12065550142",
  SipHeaders: { "X-Source": "legacy" },
}));
const update = await client.send(new UpdateSipMediaApplicationCallCommand({
  SipMediaApplicationId: smaId,
  TransactionId: call.SipMediaApplicationCall.TransactionId,
  Arguments: { step: "two" },
}));
let notFound;
try {
  await client.send(new UpdateSipMediaApplicationCallCommand({ SipMediaApplicationId: smaId, TransactionId: "00000000-0000-4000-8000-000000000000", Arguments: {} }));
  notFound = "no error";
} catch (e) {
  notFound = e.name;
}
console.log(JSON.stringify({ transactionId: call.SipMediaApplicationCall.TransactionId, updated: update.SipMediaApplicationCall.TransactionId, notFound }));
