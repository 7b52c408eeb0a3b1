// Proxy sessions, voice profile domains and the AWS-only analytics operations through
// @aws-sdk/client-chime-sdk-voice against OpenSMA. Usage: node proxy-analytics.mjs <endpoint>.
import {
  ChimeSDKVoiceClient,
  CreateVoiceConnectorCommand,
  CreatePhoneNumberOrderCommand,
  AssociatePhoneNumbersWithVoiceConnectorCommand,
  PutVoiceConnectorProxyCommand,
  GetVoiceConnectorProxyCommand,
  CreateProxySessionCommand,
  GetProxySessionCommand,
  ListProxySessionsCommand,
  CreateVoiceProfileDomainCommand,
  GetVoiceProfileDomainCommand,
  ListVoiceProfilesCommand,
  StartSpeakerSearchTaskCommand,
  GetSpeakerSearchTaskCommand,
  NotFoundException,
  BadRequestException,
} from "@aws-sdk/client-chime-sdk-voice";

const client = new ChimeSDKVoiceClient({
  endpoint: process.argv[2],
  region: "us-east-1",
  maxAttempts: 1,
  credentials: { accessKeyId: "AKIDOPENSMATEST", secretAccessKey: "opensma-test-secret" },
});
const out = {};
const kind = async (promise) => {
  try {
    await promise;
    return "ok";
  } catch (e) {
    const typed = e instanceof NotFoundException ? "NotFoundException" : e instanceof BadRequestException ? "BadRequestException" : "other";
    return `${typed}:${e.name}`;
  }
};

const vc = (await client.send(new CreateVoiceConnectorCommand({ Name: "js-proxy", RequireEncryption: false }))).VoiceConnector.VoiceConnectorId;
const numbers = ["+14155550160", "+14155550161"];
await client.send(new CreatePhoneNumberOrderCommand({ ProductType: "VoiceConnector", E164PhoneNumbers: numbers }));
await client.send(new AssociatePhoneNumbersWithVoiceConnectorCommand({ VoiceConnectorId: vc, E164PhoneNumbers: numbers }));
out.proxyBefore = await kind(client.send(new GetVoiceConnectorProxyCommand({ VoiceConnectorId: vc })));
await client.send(new PutVoiceConnectorProxyCommand({ VoiceConnectorId: vc, DefaultSessionExpiryMinutes: 30, PhoneNumberPoolCountries: ["US"] }));
const created = await client.send(new CreateProxySessionCommand({
  VoiceConnectorId: vc,
  ParticipantPhoneNumbers: ["+15035550011", "+15035550012"],
  Capabilities: ["Voice"],
  GeoMatchLevel: "Country",
  GeoMatchParams: { Country: "US", AreaCode: "415" },
}));
const session = (await client.send(new GetProxySessionCommand({ VoiceConnectorId: vc, ProxySessionId: created.ProxySession.ProxySessionId }))).ProxySession;
out.sessionStatus = session.Status;
out.createdIsDate = session.CreatedTimestamp instanceof Date;
out.proxyNumbers = session.Participants.map((p) => p.ProxyPhoneNumber);
out.listed = (await client.send(new ListProxySessionsCommand({ VoiceConnectorId: vc }))).ProxySessions.length;
out.missingParticipants = await kind(client.send(new CreateProxySessionCommand({ VoiceConnectorId: vc, Capabilities: ["Voice"] })));

const domain = (await client.send(new CreateVoiceProfileDomainCommand({
  Name: "js-domain",
  ServerSideEncryptionConfiguration: { KmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abcd" },
  ClientRequestToken: "js-token-1",
}))).VoiceProfileDomain;
const fetched = (await client.send(new GetVoiceProfileDomainCommand({ VoiceProfileDomainId: domain.VoiceProfileDomainId }))).VoiceProfileDomain;
out.domainName = fetched.Name;
out.kms = fetched.ServerSideEncryptionConfiguration.KmsKeyArn;
out.profiles = (await client.send(new ListVoiceProfilesCommand({ VoiceProfileDomainId: domain.VoiceProfileDomainId }))).VoiceProfiles.length;
out.speakerSearch = await kind(client.send(new StartSpeakerSearchTaskCommand({ VoiceConnectorId: vc, TransactionId: "t-1", VoiceProfileDomainId: domain.VoiceProfileDomainId })));
out.getTask = await kind(client.send(new GetSpeakerSearchTaskCommand({ VoiceConnectorId: vc, SpeakerSearchTaskId: "task-1" })));
console.log(JSON.stringify(out));
