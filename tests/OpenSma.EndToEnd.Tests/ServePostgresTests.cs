using System.Text.Json;
using OpenSma.EndToEnd.Tests.Telephony.Support;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests;

/// <summary>
/// The real <c>opensma serve</c> with its resource store in PostgreSQL (the <c>Store</c> section of
/// opensma.json): what the AWS CLI creates survives a restart in a fresh working directory, so it
/// can only have come back from the database, and a SIP call is routed by the restored rule.
/// </summary>
public sealed class ServePostgresTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Serve_PostgresStore_ResourcesSurviveRestartAndRouteACall()
    {
        const string number = "+12065550142";
        var database = await postgres.CreateDatabaseAsync();
        var config = new { Store = new { Provider = "postgresql", ConnectionString = database } };
        using var handler = new HandlerServer(e => HandlerServer.Type(e) == "NEW_INBOUND_CALL"
            ? HandlerServer.Actions("""{"Type":"Pause","Parameters":{"DurationInMilliseconds":20000}}""")
            : null);
        var firstWork = Directory.CreateTempSubdirectory("opensma-pg-serve-1-").FullName;
        var secondWork = Directory.CreateTempSubdirectory("opensma-pg-serve-2-").FullName;
        try
        {
            string smaId, ruleId;
            await using (var serve = await ServeProcess.StartAsync(firstWork, config))
            {
                var sma = await serve.AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "pg-e2e", "--endpoints", $"LambdaArn={handler.Url}");
                smaId = Id(sma, "SipMediaApplication", "SipMediaApplicationId");
                var order = await serve.AwsAsync("create-phone-number-order", "--product-type", "SipMediaApplicationDialIn", "--e164-phone-numbers", number);
                Assert.Equal("Successful", order.GetProperty("PhoneNumberOrder").GetProperty("Status").GetString());
                var rule = await serve.AwsAsync(
                    "create-sip-rule", "--name", "pg-e2e-rule", "--trigger-type", "ToPhoneNumber", "--trigger-value", number,
                    "--target-applications", $"SipMediaApplicationId={smaId},Priority=1,AwsRegion=us-east-1");
                ruleId = Id(rule, "SipRule", "SipRuleId");
            }

            // A new process in a new directory: no SQLite file or cache can hold what it finds.
            await using var restarted = await ServeProcess.StartAsync(secondWork, config);
            Assert.False(File.Exists(Path.Combine(restarted.DataDirectory, "opensma.db")), "serve opened SQLite although the store is PostgreSQL");
            var smaAfter = await restarted.AwsAsync("get-sip-media-application", "--sip-media-application-id", smaId);
            var ruleAfter = await restarted.AwsAsync("get-sip-rule", "--sip-rule-id", ruleId);
            var numberAfter = await restarted.AwsAsync("get-phone-number", "--phone-number-id", number);
            var listed = await restarted.AwsAsync("list-sip-media-applications");

            Assert.Equal("pg-e2e", smaAfter.GetProperty("SipMediaApplication").GetProperty("Name").GetString());
            Assert.Equal(handler.Url, smaAfter.GetProperty("SipMediaApplication").GetProperty("Endpoints")[0].GetProperty("LambdaArn").GetString());
            Assert.Equal(number, ruleAfter.GetProperty("SipRule").GetProperty("TriggerValue").GetString());
            Assert.Equal(smaId, ruleAfter.GetProperty("SipRule").GetProperty("TargetApplications")[0].GetProperty("SipMediaApplicationId").GetString());
            var phone = numberAfter.GetProperty("PhoneNumber");
            Assert.Equal("Assigned", phone.GetProperty("Status").GetString());
            Assert.Contains(phone.GetProperty("Associations").EnumerateArray(), a => a.GetProperty("Value").GetString() == ruleId);
            Assert.Equal([smaId], listed.GetProperty("SipMediaApplications").EnumerateArray().Select(s => s.GetProperty("SipMediaApplicationId").GetString()));

            // An inbound call to the number goes through the restored rule to the restored SMA's handler.
            await using var sipp = await SippPeer.StartAsync(secondWork, "uac-hangup-mid-prompt.xml", $"127.0.0.1:{restarted.SipPort}", ["-s", number], Patience);
            var (exit, log) = await sipp.WaitAsync(Patience + TimeSpan.FromSeconds(30));
            Assert.True(exit == 0, $"sipp exit {exit}:\n{log}\n{restarted.Output}");
            await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
            output.WriteLine(string.Join('\n', handler.Ladder));
            Assert.Equal(["NEW_INBOUND_CALL", "HANGUP"], handler.Ladder);
            var details = handler.Events[0].GetProperty("CallDetails");
            Assert.Equal(smaId, details.GetProperty("SipMediaApplicationId").GetString());
            Assert.Equal(number, details.GetProperty("Participants")[0].GetProperty("To").GetString());
        }
        finally
        {
            foreach (var work in new[] { firstWork, secondWork })
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static string Id(JsonElement response, string shape, string member) =>
        response.GetProperty(shape).GetProperty(member).GetString()!;
}
