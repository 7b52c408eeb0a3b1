using System.Reflection;

namespace OpenSma.Functions.DotnetBootstrap;

internal sealed record LambdaContextValues(
    string AwsRequestId,
    string FunctionName,
    string FunctionVersion,
    string InvokedFunctionArn,
    int MemoryLimitInMB,
    string LogGroupName,
    string LogStreamName,
    long DeadlineUnixMilliseconds);

/// <summary>
/// Implements whatever context interface the handler declares (Amazon.Lambda.Core's ILambdaContext
/// or a look-alike) by member name, so handlers need no OpenSMA package.
/// </summary>
public class LambdaContextProxy : DispatchProxy
{
    private LambdaContextValues? _values;

    internal static object? Create(Type contextType, LambdaContextValues values)
    {
        if (!contextType.IsInterface)
            return null;
        var create = typeof(DispatchProxy).GetMethod(nameof(DispatchProxy.Create), 2, [])!
            .MakeGenericMethod(contextType, typeof(LambdaContextProxy));
        var proxy = (LambdaContextProxy)create.Invoke(null, null)!;
        proxy._values = values;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var v = _values!;
        return targetMethod?.Name switch
        {
            "get_AwsRequestId" => v.AwsRequestId,
            "get_FunctionName" => v.FunctionName,
            "get_FunctionVersion" => v.FunctionVersion,
            "get_InvokedFunctionArn" => v.InvokedFunctionArn,
            "get_MemoryLimitInMB" => v.MemoryLimitInMB,
            "get_LogGroupName" => v.LogGroupName,
            "get_LogStreamName" => v.LogStreamName,
            "get_RemainingTime" => TimeSpan.FromMilliseconds(Math.Max(0, v.DeadlineUnixMilliseconds - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())),
            _ => targetMethod?.ReturnType is { IsValueType: true } t && t != typeof(void) ? Activator.CreateInstance(t) : null,
        };
    }
}
