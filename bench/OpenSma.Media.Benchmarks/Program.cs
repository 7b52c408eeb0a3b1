using BenchmarkDotNet.Running;
using OpenSma.Media.Benchmarks;

// "load" runs the concurrent-streams measurement; anything else goes to BenchmarkDotNet
// (for example: --filter '*Codec*').
if (args.Length > 0 && args[0] == "load")
{
    return await StreamLoad.RunAsync(args[1..]);
}

// "legmemory" reports what each live leg keeps on the managed heap.
if (args.Length > 0 && args[0] == "legmemory")
{
    return await LegMemory.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(StreamLoad).Assembly).Run(args);
return 0;
