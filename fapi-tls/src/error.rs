//! The one error type of fapi-tls and its stable numeric codes.
//!
//! Codes live in the band 3000–3999, apart from fapi-core's bands (100–1399, and 2000–2999 for
//! its client side), so a host can log both in one namespace. Sub-bands: 3000–3019 the
//! configuration (refused before any byte is sent), 3020–3059 the server's authentication,
//! 3060–3099 the connection after the handshake and the transport. A code's meaning never
//! changes once released; codes are never reused.

/// Every way fapi-tls refuses a configuration, a server or a connection.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Error {
    // --- configuration: refused before the handshake (3000–3019) ---
    /// The client private key is not a P-256 key (RSA, P-384, Ed25519, …). embedded-tls can
    /// only carry CertificateVerify signatures of at most 104 bytes without `alloc`, and would
    /// panic on longer ones; fapi-tls refuses such keys up front.
    ClientKeyUnsupported = 3000,
    /// The client private key is not a PKCS#8 or SEC 1 DER P-256 key, or its scalar is invalid.
    ClientKeyMalformed = 3001,
    /// The client certificate is not the DER of one X.509 v3 certificate.
    ClientCertMalformed = 3002,
    /// The client certificate's public key is not the public key of the client private key.
    ClientCertKeyMismatch = 3003,
    /// The pinned CA certificate is not the DER of one X.509 v3 certificate.
    CaCertMalformed = 3004,
    /// The pinned CA certificate is not a CA: `basicConstraints` without `cA` TRUE, or a
    /// `keyUsage` without `keyCertSign`.
    CaNotCa = 3005,
    /// The pinned CA certificate's key is not a P-256 key (the only issuer key verified).
    CaKeyUnsupported = 3006,
    /// The server name is not a DNS host name (letters, digits, `-` and `.`, at most 253
    /// bytes, labels of 1–63 bytes, not all-numeric at the end: IP addresses are refused).
    ServerNameInvalid = 3007,
    /// A record buffer is too small for the handshake or for a record the server sent.
    BufferTooSmall = 3008,

    // --- the server's authentication (3020–3059) ---
    /// A certificate the server sent is not an X.509 v3 certificate in the DER this crate
    /// parses, or the server sent no certificate.
    ServerCertMalformed = 3020,
    /// The chain does not lead to the pinned CA: an issuer name that does not match, a
    /// signature that does not verify, or a chain longer than [`crate::MAX_CHAIN_LEN`].
    ServerCertUntrusted = 3021,
    /// `now` is after a certificate's `notAfter` (leaf, intermediate or pinned CA).
    ServerCertExpired = 3022,
    /// `now` is before a certificate's `notBefore`.
    ServerCertNotYetValid = 3023,
    /// No `subjectAltName` `dNSName` of the server certificate matches the server name (the
    /// subject common name is never used).
    ServerNameMismatch = 3024,
    /// The server certificate has an `extendedKeyUsage` without `id-kp-serverAuth`.
    ServerCertNotServerAuth = 3025,
    /// The server certificate is refused for its key: a `keyUsage` without
    /// `digitalSignature`, or `basicConstraints` `cA` TRUE on the leaf.
    ServerCertKeyUsage = 3026,
    /// A certificate that issued another in the chain is not a CA: `basicConstraints` absent
    /// or `cA` FALSE, a `keyUsage` without `keyCertSign`, or its `pathLenConstraint` exceeded.
    IssuerNotCa = 3027,
    /// A signature or key in the chain uses an algorithm this crate does not verify (only
    /// ECDSA P-256 with SHA-256 is verified; RSA, P-384 and Ed25519 are refused).
    ServerCertUnsupportedAlgorithm = 3028,
    /// A certificate in the chain has an unknown extension marked critical.
    ServerCertUnknownCritical = 3029,
    /// Pinned-key mode: the SHA-256 of the server certificate's `SubjectPublicKeyInfo` is not
    /// the pinned value.
    ServerKeyPinMismatch = 3030,
    /// The server's CertificateVerify signature does not verify over the handshake
    /// transcript, or uses a scheme other than `ecdsa_secp256r1_sha256`.
    ServerSignatureInvalid = 3031,
    /// The handshake ended without the server proving its identity (no Certificate, no
    /// CertificateVerify, or them out of order). embedded-tls accepts this silently.
    ServerNotAuthenticated = 3032,
    /// The server aborted the handshake with an alert.
    HandshakeAlert = 3033,

    // --- the connection after the handshake, and the transport (3060–3099) ---
    /// The server refused the client certificate: its first record after the handshake was a
    /// fatal alert, after a handshake in which the client presented a certificate. (A TLS 1.3
    /// server checks the client certificate after the client's last handshake message, so
    /// embedded-tls sees this only as an alert on the first read.)
    ClientCertRefused = 3060,
    /// The server asked for a client certificate, none was configured, and the server then
    /// closed the connection with an alert on the first read.
    ClientCertRequired = 3061,
    /// The server sent a fatal alert after the handshake.
    PeerAlert = 3062,
    /// The server sent a record that is not valid TLS 1.3 (bad length, bad MAC, unexpected
    /// type, undecodable message). Includes encrypted records too short to hold a content
    /// type, which embedded-tls 0.19 would `unwrap()` on.
    Protocol = 3063,
    /// The transport failed (read, write, flush, or the peer closed TCP).
    Io = 3064,
    /// The operation needs an open connection.
    NotConnected = 3065,
}

impl Error {
    /// The stable numeric code (3000–3999).
    pub fn code(self) -> u16 {
        self as u16
    }

    /// A short constant description (no secrets, no input bytes).
    pub fn as_str(self) -> &'static str {
        match self {
            Error::ClientKeyUnsupported => "client key is not P-256",
            Error::ClientKeyMalformed => "client key is malformed",
            Error::ClientCertMalformed => "client certificate is malformed",
            Error::ClientCertKeyMismatch => "client certificate does not match the client key",
            Error::CaCertMalformed => "pinned CA certificate is malformed",
            Error::CaNotCa => "pinned CA certificate is not a CA",
            Error::CaKeyUnsupported => "pinned CA key is not P-256",
            Error::ServerNameInvalid => "server name is not a DNS host name",
            Error::BufferTooSmall => "record buffer too small",
            Error::ServerCertMalformed => "server certificate is malformed",
            Error::ServerCertUntrusted => "server certificate chain does not lead to the pinned CA",
            Error::ServerCertExpired => "certificate expired",
            Error::ServerCertNotYetValid => "certificate not yet valid",
            Error::ServerNameMismatch => "server certificate does not name the server",
            Error::ServerCertNotServerAuth => "server certificate not for serverAuth",
            Error::ServerCertKeyUsage => "server certificate key usage refused",
            Error::IssuerNotCa => "issuer in the chain is not a CA",
            Error::ServerCertUnsupportedAlgorithm => "unsupported algorithm in the chain",
            Error::ServerCertUnknownCritical => "unknown critical extension",
            Error::ServerKeyPinMismatch => "server public key does not match the pin",
            Error::ServerSignatureInvalid => "server CertificateVerify signature invalid",
            Error::ServerNotAuthenticated => "server did not authenticate",
            Error::HandshakeAlert => "server aborted the handshake",
            Error::ClientCertRefused => "server refused the client certificate",
            Error::ClientCertRequired => "server requires a client certificate",
            Error::PeerAlert => "server sent a fatal alert",
            Error::Protocol => "TLS protocol error",
            Error::Io => "transport error",
            Error::NotConnected => "connection not open",
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "fapi-tls {}: {}", self.code(), self.as_str())
    }
}

impl core::error::Error for Error {}

impl embedded_io::Error for Error {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            Error::Io => embedded_io::ErrorKind::Other,
            Error::BufferTooSmall => embedded_io::ErrorKind::OutOfMemory,
            Error::NotConnected => embedded_io::ErrorKind::NotConnected,
            _ => embedded_io::ErrorKind::InvalidData,
        }
    }
}
