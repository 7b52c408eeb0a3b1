using System.Text;
using BenchmarkDotNet.Attributes;
using OpenSma.Engine.Contracts;

namespace OpenSma.Benchmarks;

/// <summary>Parsing a typical reply and serializing a typical event, the two JSON halves of a round trip.</summary>
[MemoryDiagnoser]
public class ContractBenchmarks
{
    private static readonly byte[] ReplyJson = Encoding.UTF8.GetBytes(
        "{\"SchemaVersion\":\"1.0\",\"Actions\":[{\"Type\":\"Pause\",\"Parameters\":{\"DurationInMilliseconds\":\"500\"}},{\"Type\":\"PlayAudio\",\"Parameters\":{\"Repeat\":1,\"AudioSource\":{\"Type\":\"S3\",\"BucketName\":\"prompts\",\"Key\":\"menu.wav\"}}}],\"TransactionAttributes\":{\"state\":\"menu\"}}");

    private static readonly InvocationEvent Event = new()
    {
        Sequence = 2,
        InvocationEventType = EventTypes.ActionSuccessful,
        ActionData = new ActionData { Type = ActionTypes.Pause, Resolved = [new("DurationInMilliseconds", 500), new("CallId", "c0ffee00-0000-4000-8000-000000000004")] },
        CallDetails = new CallDetails
        {
            TransactionId = "9f1c2e4a-0000-4000-8000-000000000001",
            AwsAccountId = "111122223333",
            AwsRegion = "us-east-1",
            SipMediaApplicationId = "2b6e9d3f-0000-4000-8000-000000000003",
            Participants =
            [
                new Participant
                {
                    CallId = "c0ffee00-0000-4000-8000-000000000004", ParticipantTag = "LEG-A", To = "+12025550100", From = "+13135550199",
                    Direction = "Inbound", StartTimeInMilliseconds = "1700000000000", Status = "Connected",
                },
            ],
        },
    };

    [Benchmark]
    public ResponseParseResult ParseReply() => ResponseParser.Parse(ReplyJson);

    [Benchmark]
    public byte[] SerializeEvent() => InvocationEventSerializer.ToUtf8(Event);
}
