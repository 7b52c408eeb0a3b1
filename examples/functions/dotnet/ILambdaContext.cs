namespace OpenSma.Examples.DotnetHandler;

/// <summary>
/// The members of Amazon.Lambda.Core's ILambdaContext this handler uses. A handler compiled against
/// Amazon.Lambda.Core works the same; this look-alike keeps the example free of packages.
/// </summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }

    string FunctionName { get; }

    TimeSpan RemainingTime { get; }
}
