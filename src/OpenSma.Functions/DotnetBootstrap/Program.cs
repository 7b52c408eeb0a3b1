using OpenSma.Functions.DotnetBootstrap;

return await BootstrapLoop.RunAsync().ConfigureAwait(false);
