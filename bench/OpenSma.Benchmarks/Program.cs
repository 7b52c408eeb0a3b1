using BenchmarkDotNet.Running;
using OpenSma.Benchmarks;

// dotnet run -c Release --project bench/OpenSma.Benchmarks -- roundtrip [ITERATIONS] [--by-type]   (--by-type: sampled allocations per type)
// dotnet run -c Release --project bench/OpenSma.Benchmarks -- --filter '*'      (BenchmarkDotNet micro-benchmarks)
if (args.Length > 0 && args[0] == "roundtrip")
{
    return await RoundTripHarness.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(RoundTripHarness).Assembly).Run(args);
return 0;
