using Ayalon.Core.ReadModels;

namespace Ayalon.Functions.Http;

/// <summary>The OpenAPI 3 document (Http/openapi.json, embedded), served as is at /api/openapi.json.</summary>
public static class OpenApiDocument
{
    public const string ResourceName = "Ayalon.Functions.Http.openapi.json";

    private static readonly Lazy<ApiBody> Lazy = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return new ApiBody(memory.ToArray(), ApiBody.JsonContentType);
    });

    public static ApiBody Body => Lazy.Value;
}
