using Ayalon.DevHost.Hosting;
using Ayalon.Functions.Http;

namespace Ayalon.Tests.Api;

/// <summary>HTTP lives at the edge: Core builds without ASP.NET Core, and every HTTP function answers through the one handler.</summary>
[Trait("Category", "Unit")]
public class HttpEdgeLayoutTests
{
    [Fact]
    public void Core_references_no_ASP_NET_Core_assembly()
    {
        var core = typeof(Ayalon.Core.AyalonServiceCollectionExtensions).Assembly;
        var aspNet = core.GetReferencedAssemblies().Select(a => a.Name ?? "")
            .Where(n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || n.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(aspNet);
    }

    [Fact]
    public void Every_HTTP_function_takes_the_shared_handler()
    {
        var functions = FunctionCatalog.HttpFunctions();
        Assert.Contains(functions, f => f.Name == "AdminCollect");
        Assert.Contains(functions, f => f.Name == "AdminAudit");
        var without = functions
            .Where(f => !f.Type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(ApiHandler))))
            .Select(f => f.Name)
            .ToList();
        Assert.Empty(without);
    }
}
