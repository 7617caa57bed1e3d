namespace Ayalon.Core.ReadModels;

/// <summary>
/// CSV text as RFC 4180 writes it: a field holding a comma, a double quote, CR or LF is enclosed in double quotes
/// with each inner quote doubled (§2.5–2.7), and every record, the header included, ends with CRLF (§2.1–2.2).
/// Everything else is written as is, so the numbers and timestamps of the history CSV stay unquoted. The only text
/// fields that can need quoting are names from the corridor file (a section id is free text there).
/// </summary>
public static class CsvFormat
{
    /// <summary>RFC 4180's record separator. Spreadsheet programs and CSV readers accept it everywhere.</summary>
    public const string NewLine = "\r\n";

    private static readonly char[] NeedsQuoting = [',', '"', '\r', '\n'];

    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.IndexOfAny(NeedsQuoting) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>One record: the fields quoted as needed, joined by commas, ending with CRLF.</summary>
    public static string Line(params IEnumerable<string?> fields) => string.Join(',', fields.Select(Field)) + NewLine;
}
