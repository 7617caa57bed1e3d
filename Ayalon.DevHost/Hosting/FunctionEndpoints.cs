using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace Ayalon.DevHost.Hosting;

/// <summary>An HTTP-triggered function found in the Functions assembly.</summary>
public sealed record HttpFunction(string Name, Type Type, MethodInfo Method, string Route, string[] Methods, AuthorizationLevel AuthLevel);

/// <summary>A timer-triggered function found in the Functions assembly.</summary>
public sealed record TimerFunction(string Name, Type Type, MethodInfo Method, string Schedule);

/// <summary>
/// Finds the function classes by their attributes — the same metadata the Functions host reads — so the DevHost
/// serves exactly the functions that get deployed, with their routes, verbs and auth levels.
/// </summary>
public static class FunctionCatalog
{
    public static Assembly FunctionsAssembly => typeof(Ayalon.Functions.FunctionsHostExtensions).Assembly;

    public static IReadOnlyList<HttpFunction> HttpFunctions() =>
        (from t in FunctionsAssembly.GetTypes()
         from m in t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
         let f = m.GetCustomAttribute<FunctionAttribute>()
         where f is not null
         from p in m.GetParameters()
         let h = p.GetCustomAttribute<HttpTriggerAttribute>()
         where h is not null
         select new HttpFunction(f.Name, t, m, h.Route ?? f.Name, h.Methods ?? ["get", "post"], h.AuthLevel)).ToList();

    public static IReadOnlyList<TimerFunction> TimerFunctions() =>
        (from t in FunctionsAssembly.GetTypes()
         from m in t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
         let f = m.GetCustomAttribute<FunctionAttribute>()
         where f is not null
         from p in m.GetParameters()
         let timer = p.GetCustomAttribute<TimerTriggerAttribute>()
         where timer is not null
         select new TimerFunction(f.Name, t, m, timer.Schedule)).ToList();

    /// <summary>Resolves <c>%Setting:Name%</c> the way the Functions host does, from configuration.</summary>
    public static string ResolveSetting(string expression, IConfiguration configuration)
    {
        if (expression.Length > 2 && expression[0] == '%' && expression[^1] == '%')
        {
            var key = expression[1..^1];
            return configuration[key] ?? configuration[key.Replace("__", ":", StringComparison.Ordinal)]
                ?? throw new InvalidOperationException($"App setting '{key}' used by a trigger is not set.");
        }
        return expression;
    }

    /// <summary>Invokes a function method with the arguments a trigger would bind.</summary>
    public static async Task<object?> InvokeAsync(IServiceProvider services, Type type, MethodInfo method,
        Func<ParameterInfo, object?> bind)
    {
        var instance = ActivatorUtilities.CreateInstance(services, type);
        var args = method.GetParameters().Select(bind).ToArray();
        var result = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
        switch (result)
        {
            case Task task:
                await task.ConfigureAwait(false);
                var resultProperty = task.GetType().GetProperty("Result");
                return resultProperty?.PropertyType.Name == "VoidTaskResult" ? null : resultProperty?.GetValue(task);
            default:
                return result;
        }
    }
}

public static class FunctionEndpointRouteBuilderExtensions
{
    /// <summary>Maps every HTTP function to its route; function-level routes require <c>DevHost:FunctionKey</c>.</summary>
    public static IEndpointRouteBuilder MapAyalonFunctions(this IEndpointRouteBuilder endpoints)
    {
        foreach (var function in FunctionCatalog.HttpFunctions())
        {
            var verbs = function.Methods.Select(m => m.ToUpperInvariant()).ToArray();
            endpoints.MapMethods("/" + function.Route.TrimStart('/'), verbs, context => InvokeAsync(function, context))
                .WithDisplayName(function.Name);
        }
        return endpoints;
    }

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        if (function.AuthLevel is not AuthorizationLevel.Anonymous &&
            !await context.RequestServices.GetRequiredService<FunctionKeyGuard>().CheckAsync(context))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var result = await FunctionCatalog.InvokeAsync(context.RequestServices, function.Type, function.Method, p =>
            p.ParameterType == typeof(HttpRequest) ? context.Request
            : p.ParameterType == typeof(CancellationToken) ? context.RequestAborted
            : p.ParameterType == typeof(HttpContext) ? context
            : throw new InvalidOperationException($"Function {function.Name}: the DevHost cannot bind parameter '{p.Name}' of type {p.ParameterType}."));

        if (result is IActionResult action)
        {
            await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        }
    }
}
