using System.Collections;
using System.Net;
using System.Text.Json;
using Ayalon.Tests.Generated.AyalonClient;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace Ayalon.Tests.Api;

/// <summary>
/// The Kiota-generated client (Generated/AyalonClient) wired as an integrator would wire it — anonymous, Kiota's
/// default middleware — pointed at a running host. The transport records each response body as it came off the
/// wire, so a test can hold what the client made of a response against exactly what the server sent.
/// </summary>
public sealed class GeneratedClient : IDisposable
{
    private readonly RecordingHandler _recorder = new();
    private readonly HttpClient _http;

    public GeneratedClient(Uri baseAddress)
    {
        _http = KiotaClientFactory.Create(_recorder);
        Adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: _http)
        {
            BaseUrl = baseAddress.ToString().TrimEnd('/'),
        };
        Client = new AyalonClient(Adapter);
    }

    public AyalonClient Client { get; }

    public IRequestAdapter Adapter { get; }

    public HttpStatusCode LastStatus => _recorder.LastStatus;

    /// <summary>The body of the last response, as sent.</summary>
    public string LastBody => _recorder.LastBody;

    /// <summary>A request option that makes Kiota's middleware hand back the response headers.</summary>
    public static HeadersInspectionHandlerOption InspectHeaders() => new() { InspectResponseHeaders = true };

    /// <summary>
    /// The model holds everything the server sent: serialised again by Kiota it gives the same JSON (same fields,
    /// values, instants), and no model whose schema names its fields had to park an unknown one in AdditionalData.
    /// A field the server added without the document (and so the client) knowing fails here, and so does an enum
    /// value the document does not list (Kiota reads it as null).
    /// </summary>
    public async Task AssertHoldsLastBodyAsync(IParsable model, string what)
    {
        AssertNoUnknownFields(model, what);
        var again = await KiotaJsonSerializer.SerializeAsStringAsync(model, serializeOnlyChangedValues: false);
        using var served = JsonDocument.Parse(LastBody);
        using var read = JsonDocument.Parse(again);
        AssertSameJson(served.RootElement, read.RootElement, what);
    }

    private static void AssertNoUnknownFields(object model, string where)
    {
        if (model is IParsable parsable && model is IAdditionalDataHolder holder && parsable.GetFieldDeserializers().Count > 0)
        {
            Assert.True(holder.AdditionalData.Count == 0,
                $"{where}: served fields the client does not know: {string.Join(", ", holder.AdditionalData.Keys)}");
        }
        foreach (var property in model.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == nameof(IAdditionalDataHolder.AdditionalData)) continue;
            if (property.DeclaringType == typeof(Exception) || property.DeclaringType?.Namespace?.StartsWith("Microsoft.Kiota", StringComparison.Ordinal) == true) continue;
            switch (property.GetValue(model))
            {
                case IParsable child:
                    AssertNoUnknownFields(child, where + "." + property.Name);
                    break;
                case IEnumerable items and not string:
                    foreach (var item in items.OfType<IParsable>()) AssertNoUnknownFields(item, where + "." + property.Name + "[]");
                    break;
            }
        }
    }

    /// <summary>Same JSON, where an absent field equals null and date-times are compared as instants.</summary>
    private static void AssertSameJson(JsonElement served, JsonElement read, string where)
    {
        if (served.ValueKind == JsonValueKind.Null)
        {
            Assert.True(read.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined, $"{where}: served null, client has {read}");
            return;
        }
        Assert.True(read.ValueKind == served.ValueKind, $"{where}: served {served.ValueKind} {served}, client has {read.ValueKind} {read}");
        switch (served.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var field in served.EnumerateObject())
                {
                    AssertSameJson(field.Value, read.TryGetProperty(field.Name, out var value) ? value : default, where + "." + field.Name);
                }
                var invented = read.EnumerateObject().Select(f => f.Name).Where(n => !served.TryGetProperty(n, out _)).ToList();
                Assert.True(invented.Count == 0, $"{where}: the client added {string.Join(", ", invented)}");
                break;
            case JsonValueKind.Array:
                Assert.True(served.GetArrayLength() == read.GetArrayLength(), $"{where}: {served.GetArrayLength()} items served, {read.GetArrayLength()} read");
                foreach (var (s, r, i) in served.EnumerateArray().Zip(read.EnumerateArray(), Enumerable.Range(0, int.MaxValue)))
                {
                    AssertSameJson(s, r, $"{where}[{i}]");
                }
                break;
            case JsonValueKind.Number:
                Assert.True(served.GetDouble() == read.GetDouble(), $"{where}: served {served}, client has {read}");
                break;
            case JsonValueKind.String when served.GetString() != read.GetString():
                // Kiota writes DateTimeOffset as ...T06:40:02.3180000+00:00 where the API writes ...T06:40:02.318Z.
                Assert.True(DateTimeOffset.TryParse(served.GetString(), out var s1) && DateTimeOffset.TryParse(read.GetString(), out var r1) && s1 == r1,
                    $"{where}: served \"{served.GetString()}\", client has \"{read.GetString()}\"");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.Equal(served.GetBoolean(), read.GetBoolean());
                break;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        public HttpStatusCode LastStatus { get; private set; }
        public string LastBody { get; private set; } = "";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            LastStatus = response.StatusCode;
            LastBody = await response.Content.ReadAsStringAsync(cancellationToken);
            return response;
        }
    }
}
