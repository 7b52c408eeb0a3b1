using System.Globalization;
using BenchmarkDotNet.Running;
using OpenSma.Sip.Benchmarks;

// dotnet run -c Release --project bench/OpenSma.Sip.Benchmarks -- parse [BenchmarkDotNet args]
// dotnet run -c Release --project bench/OpenSma.Sip.Benchmarks -- calls [rate] [calls]
// dotnet run -c Release --project bench/OpenSma.Sip.Benchmarks -- callpath [calls]
if (args.Length > 0 && args[0] == "callpath")
{
    return await CallPathRun.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000, args.Contains("--allocations"));
}

if (args.Length > 0 && args[0] == "calls")
{
    var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
    var calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000;
    return await CallRateRun.RunAsync(rate, calls);
}

BenchmarkSwitcher.FromAssembly(typeof(ParseSerializeBenchmarks).Assembly).Run(args.Length > 0 && args[0] == "parse" ? args[1..] : args);
return 0;
