using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;

namespace OpenSma.Functions.DotnetBootstrap;

/// <summary>
/// A class-library handler named <c>Assembly::Namespace.Class::Method</c>, loaded once (the class is
/// constructed once, as Lambda does) and called with the event deserialized into its first parameter.
/// </summary>
internal sealed class HandlerMethod
{
    private readonly MethodInfo _method;
    private readonly object? _instance;
    private readonly Type? _inputType;
    private readonly Type? _contextType;

    private HandlerMethod(MethodInfo method, object? instance)
    {
        _method = method;
        _instance = instance;
        var parameters = method.GetParameters();
        _inputType = parameters.Length > 0 ? parameters[0].ParameterType : null;
        _contextType = parameters.Length > 1 ? parameters[1].ParameterType : null;
    }

    public static HandlerMethod Load(string taskRoot, string handler)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3)
            throw new HandlerLoadException("Runtime.MalformedHandlerName",
                $"Invalid handler '{handler}': expected Assembly::Namespace.Class::Method.");
        var assemblyPath = Path.Combine(taskRoot, parts[0] + ".dll");
        if (!File.Exists(assemblyPath))
            throw new HandlerLoadException("Runtime.ImportModuleError",
                $"Could not find the specified handler assembly with the file name '{parts[0]}'.");
        var context = new HandlerLoadContext(assemblyPath);
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        var type = assembly.GetType(parts[1])
            ?? throw new HandlerLoadException("Runtime.HandlerNotFound", $"Unable to find type '{parts[1]}' in assembly '{parts[0]}'.");
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == parts[2] && m.GetParameters().Length <= 2)
            .OrderByDescending(m => m.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new HandlerLoadException("Runtime.HandlerNotFound", $"Unable to find method '{parts[2]}' in type '{parts[1]}'.");
        object? instance = null;
        if (!method.IsStatic)
        {
            try
            {
                instance = Activator.CreateInstance(type);
            }
            catch (TargetInvocationException e)
            {
                throw new HandlerLoadException(e.InnerException?.GetType().Name ?? "Runtime.InitError",
                    $"The handler class's constructor threw: {e.InnerException?.Message}", e.InnerException);
            }
        }
        return new HandlerMethod(method, instance);
    }

    public async Task<byte[]> InvokeAsync(byte[] payload, LambdaContextValues context)
    {
        var arguments = new List<object?>();
        if (_inputType is not null)
            arguments.Add(Input(payload));
        if (_contextType is not null)
            arguments.Add(LambdaContextProxy.Create(_contextType, context));
        object? result;
        try
        {
            result = _method.Invoke(_instance, [.. arguments]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        if (result is Task task)
        {
            await task.ConfigureAwait(false);
            var resultProperty = task.GetType().GetProperty("Result");
            result = task.GetType().IsGenericType && resultProperty?.PropertyType.Name != "VoidTaskResult" ? resultProperty?.GetValue(task) : null;
            if (result is null && !task.GetType().IsGenericType)
                return "null"u8.ToArray();
        }
        return result switch
        {
            null => "null"u8.ToArray(),
            Stream stream => await ReadAllAsync(stream).ConfigureAwait(false),
            _ => JsonSerializer.SerializeToUtf8Bytes(result, result.GetType()),
        };
    }

    private object? Input(byte[] payload)
    {
        if (_inputType == typeof(Stream))
            return new MemoryStream(payload, writable: false);
        return JsonSerializer.Deserialize(payload, _inputType!);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Resolves the handler's own dependencies from its folder (and its .deps.json when present).</summary>
    private sealed class HandlerLoadContext(string mainAssembly) : AssemblyLoadContext("handler")
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (Default.Assemblies.Any(a => a.GetName().Name == assemblyName.Name))
                return null;
            var path = _resolver.ResolveAssemblyToPath(assemblyName)
                ?? Path.Combine(Path.GetDirectoryName(mainAssembly)!, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}

internal sealed class HandlerLoadException(string errorType, string message, Exception? inner = null) : Exception(message, inner)
{
    public string ErrorType { get; } = errorType;
}
