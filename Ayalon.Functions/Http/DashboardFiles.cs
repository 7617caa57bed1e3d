using System.Collections.Concurrent;
using Ayalon.Core.ReadModels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.StaticFiles;

namespace Ayalon.Functions.Http;

/// <summary>
/// The dashboard's static files (wwwroot beside the app), served by a function so the Functions app and the
/// DevHost serve them identically: <c>/</c> → index.html, ETag + <c>no-cache</c> (revalidate each load, cheap with
/// 304), unknown paths and anything under <c>api/</c> → the JSON 404. Paths that leave wwwroot are refused.
/// </summary>
public sealed class DashboardFiles
{
    private readonly string _root;
    private readonly FileExtensionContentTypeProvider _types = new();
    private readonly ConcurrentDictionary<string, (DateTime Written, ApiBody Body)> _cache = new(StringComparer.Ordinal);

    public DashboardFiles(string? root = null)
    {
        _root = Path.GetFullPath(root ?? Path.Combine(AppContext.BaseDirectory, "wwwroot"));
    }

    public IActionResult Serve(HttpRequest request, string? path)
    {
        path = (path ?? "").Trim('/');
        if (path.Length == 0) path = "index.html";
        if (path.StartsWith("api/", StringComparison.OrdinalIgnoreCase) || path.Equals("api", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("..", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
            return NotFound(request);
        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return NotFound(request);
        if (Directory.Exists(full)) full = Path.Combine(full, "index.html");
        if (!File.Exists(full)) return NotFound(request);

        var written = File.GetLastWriteTimeUtc(full);
        if (!_cache.TryGetValue(full, out var entry) || entry.Written != written)
        {
            var type = _types.TryGetContentType(full, out var t) ? t : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "application/json" or "image/svg+xml")
                type += "; charset=utf-8";
            entry = (written, new ApiBody(File.ReadAllBytes(full), type));
            _cache[full] = entry;
        }
        return ApiResults.Revalidated(request, entry.Body);
    }

    private static IActionResult NotFound(HttpRequest request) =>
        ApiResults.Error(request.HttpContext, StatusCodes.Status404NotFound, ApiError.NotFound, "no such page or endpoint: " + ApiQuery.Show(request.Path.Value ?? ""));
}
