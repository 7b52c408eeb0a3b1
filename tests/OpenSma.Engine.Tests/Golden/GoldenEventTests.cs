using OpenSma.Engine.Tests.Support;

namespace OpenSma.Engine.Tests.Golden;

/// <summary>
/// Every event type and every action's success and failure shape, captured from a real call and
/// compared field for field with Golden/&lt;name&gt;.json (property order ignored). To regenerate
/// after an intended change: OPENSMA_UPDATE_GOLDEN=1 dotnet test tests/OpenSma.Engine.Tests
/// --filter "FullyQualifiedName~Golden" (see <see cref="GoldenJson"/>).
/// </summary>
public sealed class GoldenEventTests
{
    public static TheoryData<string> Names => [.. GoldenScenarios.All.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Event_RealCall_MatchesGoldenFile(string name)
    {
        await using var h = new EngineHarness();
        var captured = await GoldenScenarios.All[name](h);
        var normalized = GoldenJson.Normalize(captured, GoldenJson.CollectIds(h.Handler.Events));
        GoldenJson.AssertMatches(name, normalized);
    }

    [Fact]
    public void GoldenFiles_EachFileHasAScenario_AndEachScenarioAFile()
    {
        var files = Directory.GetFiles(GoldenJson.OutputDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        Assert.Equal(GoldenScenarios.All.Keys.Order(), files);
    }
}
