namespace Ayalon.Tests.Api;

/// <summary>
/// The document a running host serves at /api/openapi.json, saved byte for byte to a temporary folder, so the tools
/// an integrator would point at the API (linters, Kiota) read exactly what the app serves.
/// </summary>
public sealed class ServedDescription : IDisposable
{
    private ServedDescription(string folder) => Folder = folder;

    public string Folder { get; }

    public string File => Path.Combine(Folder, "openapi.json");

    public static async Task<ServedDescription> SaveAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/openapi.json");
        response.EnsureSuccessStatusCode();
        var served = new ServedDescription(Directory.CreateTempSubdirectory("ayalon-openapi-").FullName);
        await System.IO.File.WriteAllBytesAsync(served.File, await response.Content.ReadAsByteArrayAsync());
        return served;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
