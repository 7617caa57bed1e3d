using System.Security.Cryptography;
using System.Text.Json;

namespace Ayalon.Core.ReadModels;

/// <summary>
/// A response body serialized once: its bytes, content type and strong ETag (a hash of the bytes). Read models build
/// and share these; the HTTP edge (Ayalon.Functions/Http/ApiResults) writes them.
/// </summary>
public sealed class ApiBody
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string CsvContentType = "text/csv; charset=utf-8";

    /// <summary>max-age of documents that do not follow the collection cycle (the corridor, the OpenAPI description).</summary>
    public const int DocumentMaxAgeSeconds = 300;

    public ApiBody(byte[] bytes, string contentType, string? contentDisposition = null)
    {
        Bytes = bytes;
        ContentType = contentType;
        ContentDisposition = contentDisposition;
        ETag = "\"" + Convert.ToBase64String(SHA256.HashData(bytes).AsSpan(0, 15)).Replace('+', '-').Replace('/', '_') + "\"";
    }

    public byte[] Bytes { get; }
    public string ContentType { get; }
    public string? ContentDisposition { get; }
    public string ETag { get; }

    public static ApiBody Json<T>(T value) => new(JsonSerializer.SerializeToUtf8Bytes(value, AyalonJson.Options), JsonContentType);
}
