using System.Net.Sockets;

namespace Ayalon.Core.Traffic;

/// <summary>
/// The short codes a <see cref="ProviderAttempt.ErrorDetail"/> carries for a failed exchange, decided from exception
/// types and their structured error fields — never from message text, which may quote a URL and so a credential.
/// Shared by every provider client and the HERE token client.
/// </summary>
public static class ErrorDetails
{
    public const string Timeout = "timeout";
    public const string ConnectionRefused = "connection_refused";

    public static string ForNetwork(HttpRequestException ex)
    {
        if (ex.InnerException is SocketException se) return ForSocket(se);
        if (ex.InnerException is IOException { InnerException: SocketException ise }) return ForSocket(ise);
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "name_resolution_error",
            HttpRequestError.ConnectionError => "connection_error",
            HttpRequestError.SecureConnectionError => "secure_connection_error",
            HttpRequestError.ResponseEnded => "response_ended",
            HttpRequestError.InvalidResponse => "invalid_response",
            HttpRequestError.ProxyTunnelError => "proxy_tunnel_error",
            HttpRequestError.HttpProtocolError => "http_protocol_error",
            HttpRequestError.ConfigurationLimitExceeded => "configuration_limit_exceeded",
            HttpRequestError.ExtendedConnectNotSupported => "extended_connect_not_supported",
            HttpRequestError.VersionNegotiationError => "version_negotiation_error",
            HttpRequestError.UserAuthenticationError => "user_authentication_error",
            _ => "http_request_error",
        };
    }

    public static string ForIo(IOException ex) => ex.InnerException is SocketException se ? ForSocket(se) : "io_error";

    public static string ForSocket(SocketException se) => se.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => ConnectionRefused,
        SocketError.ConnectionReset => "connection_reset",
        SocketError.TimedOut => "connect_timeout",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "name_resolution_error",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
        _ => "socket_error",
    };

    /// <summary>
    /// A provider's own error code, kept only if it looks like a code (short, letters, digits, <c>_-.</c>) and holds
    /// none of the secrets in play; else null (the caller falls back to <c>http_&lt;status&gt;</c>).
    /// </summary>
    public static string? SafeProviderCode(string? code, Func<string, bool>? containsSecret = null) =>
        ProviderErrorCode.Safe(code, containsSecret);
}
