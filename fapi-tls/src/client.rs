//! The blocking TLS 1.3 client: configuration, handshake, and reads and writes whose errors
//! say what happened.

use crate::error::Error;
use crate::guard::Guarded;
use crate::identity::ClientIdentity;
use crate::trust::{self, ServerTrust};
use crate::verifier::{ClientAuth, Provider, ServerVerifier};
use embedded_io::{ErrorKind, ErrorType, Read, Write};
use embedded_tls::TlsError;
use embedded_tls::blocking::TlsConnection;
use embedded_tls::{Aes128GcmSha256, CryptoRngCore, MaxFragmentLength, TlsConfig, TlsContext};

/// What a connection needs besides its socket, buffers, randomness and time.
#[derive(Clone, Debug)]
pub struct Config<'a> {
    server_name: &'a str,
    trust: ServerTrust<'a>,
    identity: Option<&'a ClientIdentity<'a>>,
    alpn: Option<&'a [&'a [u8]]>,
    max_fragment_length: Option<MaxFragmentLength>,
}

impl<'a> Config<'a> {
    /// A configuration for the server `server_name` (a DNS host name, sent as SNI and, with
    /// [`ServerTrust::Ca`], matched against the certificate's `subjectAltName`), authenticated
    /// by `trust`. There is no way to skip the server's authentication.
    ///
    /// # Errors
    /// [`Error::ServerNameInvalid`] if `server_name` is not a DNS host name (IP addresses
    /// included).
    pub fn new(server_name: &'a str, trust: ServerTrust<'a>) -> Result<Self, Error> {
        trust::check_server_name(server_name)?;
        Ok(Self {
            server_name,
            trust,
            identity: None,
            alpn: None,
            max_fragment_length: None,
        })
    }

    /// Presents `identity` when the server asks for a client certificate (mTLS client
    /// authentication, RFC 8705 §2).
    #[must_use]
    pub fn with_client_identity(mut self, identity: &'a ClientIdentity<'a>) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Offers these ALPN protocol names (e.g. `b"http/1.1"`).
    #[must_use]
    pub fn with_alpn(mut self, protocols: &'a [&'a [u8]]) -> Self {
        self.alpn = Some(protocols);
        self
    }

    /// Asks the server for smaller records (RFC 6066 §4), so that a smaller read buffer
    /// suffices — if the server agrees.
    #[must_use]
    pub fn with_max_fragment_length(mut self, len: MaxFragmentLength) -> Self {
        self.max_fragment_length = Some(len);
        self
    }

    /// The server name.
    pub fn server_name(&self) -> &'a str {
        self.server_name
    }
}

/// Read buffer size that holds any TLS record (2^14 + 256 bytes of ciphertext, and the
/// 5-byte header, rounded up as embedded-tls recommends).
pub const RECORD_BUF_LEN: usize = 16_640;

/// An open TLS 1.3 connection whose server was authenticated by fapi's checks.
///
/// Reads and writes work through the inherent methods or the `embedded_io` traits. A read
/// returns `Ok(0)` once the server has sent `close_notify`.
pub struct Client<'a, S: Read + Write> {
    conn: TlsConnection<'a, Guarded<S>, Aes128GcmSha256>,
    client_auth: ClientAuth,
    received: bool,
}

impl<S: Read + Write> core::fmt::Debug for Client<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("client_auth", &self.client_auth)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl<'a, S: Read + Write> Client<'a, S> {
    /// Runs the handshake over `socket` (pass `&mut socket` to keep it) and returns the open
    /// connection once the server has been authenticated.
    ///
    /// `read_buf` holds one whole incoming record: [`RECORD_BUF_LEN`] always suffices.
    /// `write_buf` holds outgoing records (at least the ClientHello and the client
    /// Certificate, so a few hundred bytes more than the client certificate; 2–4 KiB is
    /// typical). `rng` is the caller's cryptographic random source (key share, client random;
    /// the CertificateVerify signature is RFC 6979 deterministic). `now` is the current Unix
    /// time in seconds: certificate validity is checked against it and nothing else.
    ///
    /// # Errors
    /// Any server-authentication error (3020–3059) with the exact check that failed (the
    /// connection is then dropped without an alert); [`Error::HandshakeAlert`] if the server
    /// aborted;
    /// [`Error::BufferTooSmall`], [`Error::Protocol`] or [`Error::Io`]. On error the
    /// connection state is dropped, and `socket` with it.
    pub fn connect<R: CryptoRngCore>(
        socket: S,
        read_buf: &'a mut [u8],
        write_buf: &'a mut [u8],
        config: &Config<'_>,
        rng: &mut R,
        now: u64,
    ) -> Result<Self, Error> {
        let mut tls_config = TlsConfig::new().with_server_name(config.server_name);
        if let Some(alpn) = config.alpn {
            tls_config = tls_config.with_alpn(alpn);
        }
        if let Some(mfl) = config.max_fragment_length {
            tls_config = tls_config.with_max_fragment_length(mfl);
        }
        let verifier = ServerVerifier::new(config.trust, config.server_name, now);
        let mut provider = Provider::new(rng, verifier, config.identity);
        let mut conn = TlsConnection::new(Guarded::new(socket), read_buf, write_buf);
        let opened = conn.open(TlsContext::new(&tls_config, &mut provider));
        if let Some(e) = provider.verifier.error() {
            return Err(e);
        }
        opened.map_err(map_error)?;
        if !provider.verifier.authenticated() {
            // embedded-tls completed a handshake without Certificate/CertificateVerify.
            return Err(Error::ServerNotAuthenticated);
        }
        Ok(Self {
            conn,
            client_auth: provider.client_auth,
            received: false,
        })
    }

    /// Whether the server asked for the client certificate, and whether it was sent.
    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth
    }

    /// Buffers `data` for sending (records are sent when the write buffer fills, or on
    /// [`Client::flush`]); returns how many bytes were taken.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::BufferTooSmall`], [`Error::NotConnected`].
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.conn.write(data).map_err(map_error)
    }

    /// Buffers and sends all of `data`, then flushes.
    ///
    /// # Errors
    /// As [`Client::write`].
    pub fn write_all(&mut self, mut data: &[u8]) -> Result<(), Error> {
        while !data.is_empty() {
            let n = self.write(data)?;
            if n == 0 {
                return Err(Error::Io);
            }
            data = data.get(n..).unwrap_or_default();
        }
        self.flush()
    }

    /// Sends any buffered data as a record.
    ///
    /// # Errors
    /// As [`Client::write`].
    pub fn flush(&mut self) -> Result<(), Error> {
        self.conn.flush().map_err(map_error)
    }

    /// Reads decrypted application data into `buf`; `Ok(0)` after the server's
    /// `close_notify`.
    ///
    /// # Errors
    /// On the first read after the handshake, a fatal alert from the server becomes
    /// [`Error::ClientCertRefused`] if the client presented a certificate,
    /// [`Error::ClientCertRequired`] if the server asked for one and none was configured, and
    /// [`Error::PeerAlert`] otherwise (and on later reads). Also [`Error::Protocol`],
    /// [`Error::Io`], [`Error::BufferTooSmall`].
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        match self.conn.read(buf) {
            Ok(n) => {
                self.received = true;
                Ok(n)
            }
            Err(TlsError::ConnectionClosed) => Ok(0),
            // embedded-tls reports every alert but close_notify as InternalError.
            Err(TlsError::InternalError) if !self.received => Err(match self.client_auth {
                ClientAuth::CertificateSent => Error::ClientCertRefused,
                ClientAuth::RequestedNoneSent => Error::ClientCertRequired,
                ClientAuth::NotRequested => Error::PeerAlert,
            }),
            Err(TlsError::InternalError) => Err(Error::PeerAlert),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Sends `close_notify` and closes the connection, dropping the socket.
    ///
    /// # Errors
    /// [`Error::Io`] if the alert could not be sent.
    pub fn close(self) -> Result<(), Error> {
        self.conn.close().map(drop).map_err(|(_, e)| map_error(e))
    }
}

/// Maps an embedded-tls error that fapi's verifier did not explain.
fn map_error(e: TlsError) -> Error {
    match e {
        TlsError::Io(ErrorKind::InvalidData) => Error::Protocol, // refused by the record guard
        TlsError::Io(_) | TlsError::ConnectionClosed => Error::Io,
        TlsError::InsufficientSpace | TlsError::OutOfMemory => Error::BufferTooSmall,
        TlsError::HandshakeAborted(..) => Error::HandshakeAlert,
        TlsError::MissingHandshake => Error::NotConnected,
        TlsError::InternalError => Error::PeerAlert,
        _ => Error::Protocol,
    }
}

impl<S: Read + Write> ErrorType for Client<'_, S> {
    type Error = Error;
}

impl<S: Read + Write> Read for Client<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        Client::read(self, buf)
    }
}

impl<S: Read + Write> Write for Client<'_, S> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        Client::write(self, buf)
    }

    fn flush(&mut self) -> Result<(), Error> {
        Client::flush(self)
    }
}
