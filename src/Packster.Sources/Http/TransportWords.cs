using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Packster.Sources.Http;

/// <summary>
/// A transport failure said by packster itself. The body reads throw it with the words the user sees (a read timeout,
/// a source too slow, an answer shorter than announced); <see cref="TransportWords.Of"/> passes its message on as it is.
/// </summary>
internal sealed class TransportFailure(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Why a request or a body read failed, in packster's words: what the socket, HTTP or TLS layer reports as an error
/// kind, never .NET's sentence (<c>The response ended prematurely, with at least 89 additional bytes expected.
/// (ResponseEnded)</c>, <c>Cannot determine the frame size or a corrupted frame was received.</c>).
/// </summary>
internal static class TransportWords
{
    public static string Of(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var chain = new List<Exception>();
        for (var e = failure; e is not null; e = e.InnerException) chain.Add(e);
        if (chain.OfType<TransportFailure>().FirstOrDefault() is { } own) return own.Message;
        if (chain.OfType<AuthenticationException>().FirstOrDefault() is { } tls) return Tls(tls);
        // The socket's error is the most precise: a refused connection is an HttpRequestException around it.
        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket) return Socket(socket.SocketErrorCode);
        foreach (var e in chain)
        {
            var kind = e switch
            {
                HttpIOException io => io.HttpRequestError,
                HttpRequestException request => request.HttpRequestError,
                _ => HttpRequestError.Unknown,
            };
            if (kind != HttpRequestError.Unknown) return Request(kind);
        }
        if (chain.Any(e => e is TimeoutException or OperationCanceledException)) return "no answer in time";
        return "the connection failed";
    }

    /// <summary>Why a TLS handshake failed; the hint about a private CA is the caller's.</summary>
    public static string Tls(AuthenticationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = e.Message;
        bool Says(string words) => text.Contains(words, StringComparison.OrdinalIgnoreCase);
        if (Says("frame")) return "the server did not answer in TLS (is it a plain http server?)";
        if (Says("RemoteCertificateNameMismatch")) return "the server's certificate is for another host name";
        if (Says("NotTimeValid")) return "the server's certificate has expired or is not valid yet";
        if (Says("UntrustedRoot") || Says("PartialChain") || Says("certificate chain") || Says("ValidationCallback"))
            return "the server's certificate is not signed by a trusted certificate authority";
        if (Says("RemoteCertificateNotAvailable")) return "the server sent no certificate";
        return "the handshake failed";
    }

    private static string Socket(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "the connection was refused (nothing listens at that address and port)",
        SocketError.ConnectionReset => "the server reset the connection",
        SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.Disconnecting => "the connection was closed",
        SocketError.TimedOut => "the connection timed out",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown => "the host cannot be reached from this network",
        SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported => "the address cannot be used from this machine",
        _ => "the connection failed",
    };

    private static string Request(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "the host name does not resolve",
        HttpRequestError.ConnectionError => "the connection failed",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.HttpProtocolError => "the server broke the HTTP protocol",
        HttpRequestError.ResponseEnded => "the server closed the connection before the answer was complete",
        HttpRequestError.InvalidResponse => "the answer is not valid HTTP",
        HttpRequestError.ConfigurationLimitExceeded => "the answer's headers are larger than allowed",
        HttpRequestError.VersionNegotiationError => "the server speaks no HTTP version packster uses",
        HttpRequestError.ProxyTunnelError => "the proxy did not open a tunnel to the server",
        HttpRequestError.UserAuthenticationError => "the proxy refused the credentials",
        HttpRequestError.ExtendedConnectNotSupported => "the server does not support the request",
        _ => "the connection failed",
    };
}
