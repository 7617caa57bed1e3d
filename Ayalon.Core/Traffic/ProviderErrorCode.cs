namespace Ayalon.Core.Traffic;

/// <summary>
/// The one rule for what of a provider's error body may be kept (in an attempt's detail, a row, a log): a code or
/// correlation id only if it looks like one — short, letters, digits, <c>_ . -</c> — so that free text, which may
/// echo the request (and with it a key), never is.
/// </summary>
internal static class ProviderErrorCode
{
    public const int MaxLength = 64;

    public static string? Safe(string? value, Func<string, bool>? isSecret = null)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || (isSecret?.Invoke(value) ?? false)) return null;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')) return null;
        }
        return value;
    }
}
