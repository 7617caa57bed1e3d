namespace Ayalon.Functions.Http;

/// <summary>
/// Bad client input, found while parsing a request. Becomes a 400 <c>invalid_input</c> whose message names the
/// parameter and what was wrong; the message is ours, built from the rule, never from an exception.
/// </summary>
public sealed class ApiInputException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}
