using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Tests.Hosting;

public sealed class FunctionsOptionsTests
{
    private const string Json = """
        { "Functions": {
            "Region": "eu-west-2", "AccountId": "123456789012", "ServiceBaseUrl": "http://127.0.0.1:9000",
            "HotReload": false, "InitTimeout": "00:00:05",
            "Functions": [
              { "Name": "ivr", "Runtime": "nodejs20.x", "Handler": "index.handler", "CodeDirectory": "/srv/ivr",
                "Timeout": 8, "MemorySize": 256, "ReservedConcurrency": 2, "Environment": { "GREETING": "hi", "MODE": "test" } },
              { "Name": "py", "Runtime": "python3.12", "Handler": "app.handler", "ZipFile": "/srv/py.zip" }
            ] } }
        """;

    private static IConfiguration Section() =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build().GetSection("Functions");

    [Theory]
    [InlineData("{}", true)]                       // not set: the host's default (serve: on)
    [InlineData("{ \"Durable\": false }", false)] // an explicit setting wins
    [InlineData("{ \"Durable\": true }", true)]
    public void Bind_Durable_IsNullWhenNotSet_SoAHostDefaultAppliesOnlyThen(string json, bool expected)
    {
        var options = new FunctionsOptions();
        FunctionsOptions.Bind(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build(), options);
        Assert.Equal(json == "{}" ? null : expected, options.Durable);

        options.Durable ??= true; // what opensma serve does

        Assert.Equal(expected, options.Durable);
    }

    [Fact]
    public void Bind_ConfigurationSection_ReadsOptionsAndEachFunctionOnce()
    {
        var options = new FunctionsOptions();

        FunctionsOptions.Bind(Section(), options);

        Assert.Equal("eu-west-2", options.Region);
        Assert.Equal("123456789012", options.AccountId);
        Assert.Equal(new Uri("http://127.0.0.1:9000"), options.ServiceBaseUrl);
        Assert.False(options.HotReload);
        Assert.Equal(TimeSpan.FromSeconds(5), options.InitTimeout);
        Assert.Equal(2, options.Functions.Count);
        var ivr = options.Functions[0];
        Assert.Equal(("ivr", "nodejs20.x", "index.handler", "/srv/ivr", 8, 256, (int?)2), (ivr.Name, ivr.Runtime, ivr.Handler, ivr.CodeDirectory, ivr.Timeout, ivr.MemorySize, ivr.ReservedConcurrency));
        Assert.Equal("hi", ivr.Environment["GREETING"]);
        Assert.Equal("test", ivr.Environment["MODE"]);
        var py = options.Functions[1];
        Assert.Equal(("py", "/srv/py.zip", 3, (int?)null), (py.Name, py.ZipFile, py.Timeout, py.ReservedConcurrency));
    }

    [Fact]
    public async Task AddOpenSmaFunctions_RegistersHostAndEngineResolver()
    {
        using var work = new TestSupport.TempDirectory();
        var services = new ServiceCollection();
        services.AddOpenSmaFunctions(o => o.WorkDirectory = work.Path);
        await using var provider = services.BuildServiceProvider();

        var host = provider.GetRequiredService<FunctionHost>();
        var resolver = provider.GetRequiredService<IHandlerEndpointResolver>();

        Assert.Same(host, provider.GetRequiredService<FunctionHost>());
        Assert.True(resolver.TryResolve(LambdaArn.Format("us-east-1", "000000000000", "any"), out _));
    }
}
