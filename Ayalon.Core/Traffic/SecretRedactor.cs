using System.Text;
using System.Text.Json;

namespace Ayalon.Core.Traffic;

/// <summary>
/// Removes credentials from anything derived from a provider response before it is stored or logged: providers
/// (and gateways in front of them) may echo the request URL in an error body or header. Covers each secret as sent
/// (URL-escaped), raw, and JSON-escaped. Used by every provider client, with every secret the request carried.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";
    private static readonly byte[] MaskBytes = Encoding.UTF8.GetBytes(Mask);
    private readonly string[] _forms;
    private readonly byte[][] _byteForms;

    public SecretRedactor(IEnumerable<string> secrets)
    {
        _forms = secrets.Where(s => !string.IsNullOrEmpty(s))
            .SelectMany(s => new[] { s, Uri.EscapeDataString(s), JsonEncodedText.Encode(s).ToString() })
            .Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length).ToArray();
        _byteForms = _forms.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public bool Contains(string text) => _forms.Any(f => text.Contains(f, StringComparison.Ordinal));

    public string? Redact(string? text)
    {
        if (text is null) return null;
        foreach (var f in _forms) text = text.Replace(f, Mask, StringComparison.Ordinal);
        return text;
    }

    public byte[] Redact(byte[] body)
    {
        foreach (var form in _byteForms)
        {
            if (body.AsSpan().IndexOf(form) < 0) continue;
            var output = new List<byte>(body.Length);
            var rest = body.AsSpan();
            int at;
            while ((at = rest.IndexOf(form)) >= 0)
            {
                output.AddRange(rest[..at]);
                output.AddRange(MaskBytes);
                rest = rest[(at + form.Length)..];
            }
            output.AddRange(rest);
            body = output.ToArray();
        }
        return body;
    }

    /// <summary>A provider error code kept only if it looks like a code and holds no secret (<see cref="ProviderErrorCode"/>).</summary>
    public string? SafeCode(string? code) => ProviderErrorCode.Safe(code, Contains);
}
