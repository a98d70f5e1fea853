//! Two embedded-tls 0.19 traps shown against a hand-made hostile TLS 1.3 "server" that does an
//! honest key exchange (as anyone on the path can) but never proves an identity:
//!
//! 1. an encrypted record whose plaintext is empty (only the AES-GCM tag) makes embedded-tls
//!    `unwrap()` on `None` — a panic any on-path attacker can trigger before authentication;
//!    fapi-tls refuses the record ([`Error::Protocol`]);
//! 2. a handshake of EncryptedExtensions + Finished, without Certificate and CertificateVerify,
//!    completes in embedded-tls even with its `rustpki` verifier supplied; fapi-tls refuses it
//!    ([`Error::ServerNotAuthenticated`]).
//!
//! Each trap is first shown on embedded-tls alone, then closed by fapi-tls.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use embedded_tls::blocking::{
    Aes128GcmSha256, CryptoProvider, NoClock, TlsConfig, TlsConnection, TlsContext, TlsVerifier,
};
use embedded_tls::pki::CertVerifier;
use fapi_tls::embedded_io::{self, ErrorKind};
use fapi_tls::rand_core::{CryptoRng, CryptoRngCore, RngCore};
use fapi_tls::{Client, Config, Error, RECORD_BUF_LEN, ServerTrust};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use p256::ecdh::diffie_hellman;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

// ------------------------------------------------------------------ the hostile server

#[derive(Copy, Clone)]
enum Attack {
    /// After ServerHello, one encrypted record holding an empty TLSInnerPlaintext.
    EmptyRecord,
    /// After ServerHello, EncryptedExtensions + Finished: no Certificate, no CertificateVerify.
    NoCertificate,
}

fn read_record(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut h = [0u8; 5];
    s.read_exact(&mut h).unwrap();
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([h[3], h[4]]))];
    s.read_exact(&mut body).unwrap();
    (h[0], body)
}

fn expand_label(secret: &[u8], label: &str, context: &[u8], len: usize) -> Vec<u8> {
    let full = format!("tls13 {label}");
    let mut info = (len as u16).to_be_bytes().to_vec();
    info.push(full.len() as u8);
    info.extend_from_slice(full.as_bytes());
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    let mut out = vec![0u8; len];
    Hkdf::<Sha256>::from_prk(secret)
        .unwrap()
        .expand(&info, &mut out)
        .unwrap();
    out
}

/// The client's legacy_session_id and P-256 key share from a ClientHello message.
fn parse_client_hello(ch: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut i = 4 + 2 + 32; // handshake header, legacy_version, random
    let sid = ch[i + 1..i + 1 + usize::from(ch[i])].to_vec();
    i += 1 + sid.len();
    i += 2 + usize::from(u16::from_be_bytes([ch[i], ch[i + 1]])); // cipher suites
    i += 1 + usize::from(ch[i]); // compression methods
    let end = i + 2 + usize::from(u16::from_be_bytes([ch[i], ch[i + 1]]));
    i += 2;
    while i < end {
        let typ = u16::from_be_bytes([ch[i], ch[i + 1]]);
        let len = usize::from(u16::from_be_bytes([ch[i + 2], ch[i + 3]]));
        let data = &ch[i + 4..i + 4 + len];
        if typ == 0x0033 {
            let mut j = 2;
            while j < data.len() {
                let group = u16::from_be_bytes([data[j], data[j + 1]]);
                let klen = usize::from(u16::from_be_bytes([data[j + 2], data[j + 3]]));
                if group == 0x0017 {
                    return (sid, data[j + 4..j + 4 + klen].to_vec());
                }
                j += 4 + klen;
            }
        }
        i += 4 + len;
    }
    panic!("no secp256r1 key share");
}

fn start(attack: Attack) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let (typ, ch) = read_record(&mut s);
        assert_eq!(typ, 22);
        let (sid, client_share) = parse_client_hello(&ch);

        // ServerHello with our own (fixed) P-256 share: an honest, unauthenticated ECDHE.
        let server_key = SecretKey::from_slice(&[0x42; 32]).unwrap();
        let point = server_key.public_key().to_encoded_point(false);
        let point = point.as_bytes();
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.push(sid.len() as u8);
        body.extend_from_slice(&sid);
        body.extend_from_slice(&[0x13, 0x01, 0]);
        let mut exts = vec![0, 0x2b, 0, 2, 3, 4, 0, 0x33, 0, 69, 0, 0x17, 0, 65];
        exts.extend_from_slice(point);
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut sh = vec![2, 0];
        sh.extend_from_slice(&(body.len() as u16).to_be_bytes());
        sh.extend_from_slice(&body);
        let mut rec = vec![22, 3, 3];
        rec.extend_from_slice(&(sh.len() as u16).to_be_bytes());
        rec.extend_from_slice(&sh);
        s.write_all(&rec).unwrap();

        // The handshake key schedule (RFC 8446 §7.1).
        let client_pub = PublicKey::from_sec1_bytes(&client_share).unwrap();
        let shared = diffie_hellman(server_key.to_nonzero_scalar(), client_pub.as_affine());
        let (early, _) = Hkdf::<Sha256>::extract(Some(&[0u8; 32]), &[0u8; 32]);
        let derived = expand_label(&early, "derived", &Sha256::digest(b""), 32);
        let (hs, _) = Hkdf::<Sha256>::extract(Some(&derived), shared.raw_secret_bytes());
        let th = Sha256::new().chain_update(&ch).chain_update(&sh).finalize();
        let s_hs = expand_label(&hs, "s hs traffic", &th, 32);
        let key = expand_label(&s_hs, "key", &[], 16);
        let iv = expand_label(&s_hs, "iv", &[], 12);

        // One encrypted record (sequence number 0).
        let plaintext = match attack {
            Attack::EmptyRecord => Vec::new(),
            Attack::NoCertificate => {
                let ee = [8, 0, 0, 2, 0, 0];
                let th = Sha256::new()
                    .chain_update(&ch)
                    .chain_update(&sh)
                    .chain_update(ee);
                let finished_key = expand_label(&s_hs, "finished", &[], 32);
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&finished_key).unwrap();
                mac.update(&th.finalize());
                let mut p = ee.to_vec();
                p.extend_from_slice(&[20, 0, 0, 32]);
                p.extend_from_slice(&mac.finalize().into_bytes());
                p.push(22); // inner content type: handshake
                p
            }
        };
        let header = [23, 3, 3, 0, (plaintext.len() + 16) as u8];
        let cipher = Aes128Gcm::new_from_slice(&key).unwrap();
        let mut ct = plaintext.clone();
        let tag = cipher
            .encrypt_in_place_detached(Nonce::from_slice(&iv), &header, &mut ct)
            .unwrap();
        ct.extend_from_slice(&tag);
        s.write_all(&header).unwrap();
        s.write_all(&ct).unwrap();
        // Take whatever the client sends until it closes.
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    (port, handle)
}

// ------------------------------------------------------------------ client-side glue

struct Tcp(TcpStream);
impl embedded_io::ErrorType for Tcp {
    type Error = ErrorKind;
}
impl embedded_io::Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.0.read(buf).map_err(|_| ErrorKind::Other)
    }
}
impl embedded_io::Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.0.write(buf).map_err(|_| ErrorKind::Other)
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

struct Urandom(std::fs::File);
impl RngCore for Urandom {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, d: &mut [u8]) {
        self.0.read_exact(d).unwrap();
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), fapi_tls::rand_core::Error> {
        self.fill_bytes(d);
        Ok(())
    }
}
impl CryptoRng for Urandom {}
fn rng() -> Urandom {
    Urandom(std::fs::File::open("/dev/urandom").unwrap())
}

fn connect(port: u16) -> Tcp {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    Tcp(s)
}

/// embedded-tls alone, with its own `rustpki` verifier pinned to a CA (any CA: the rogue
/// server never sends a certificate for it to check).
struct RustPki<R> {
    rng: R,
    verifier: CertVerifier<'static, Aes128GcmSha256, NoClock, 4096>,
}
impl<R: CryptoRngCore> CryptoProvider for RustPki<R> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = p256::ecdsa::DerSignature;
    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }
    fn verifier(
        &mut self,
    ) -> Result<&mut impl TlsVerifier<Self::CipherSuite>, embedded_tls::TlsError> {
        Ok(&mut self.verifier)
    }
}

fn embedded_tls_alone(port: u16) -> std::thread::Result<Result<(), embedded_tls::TlsError>> {
    let mut rb = vec![0u8; RECORD_BUF_LEN];
    let mut wb = vec![0u8; 4096];
    let config = TlsConfig::new().with_server_name("server.test");
    let mut provider = RustPki {
        rng: rng(),
        verifier: CertVerifier::new(embedded_tls::blocking::Certificate::X509(&[0x30, 0x00])),
    };
    let mut conn: TlsConnection<'_, Tcp, Aes128GcmSha256> =
        TlsConnection::new(connect(port), &mut rb, &mut wb);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        conn.open(TlsContext::new(&config, &mut provider))
    }))
}

fn fapi_tls(port: u16) -> Result<(), Error> {
    let mut rb = vec![0u8; RECORD_BUF_LEN];
    let mut wb = vec![0u8; 4096];
    let config = Config::new("server.test", ServerTrust::PublicKeySha256([0; 32])).unwrap();
    Client::connect(
        connect(port),
        &mut rb,
        &mut wb,
        &config,
        &mut rng(),
        1_800_000_000,
    )
    .map(drop)
}

// ------------------------------------------------------------------ the cases

#[test]
fn empty_encrypted_record_panics_embedded_tls_and_is_refused_by_fapi_tls() {
    let (port, server) = start(Attack::EmptyRecord);
    // Where it panics: connection.rs:62, `ContentType::of(*app_data.as_slice().last().unwrap())`.
    static WHERE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        if let Some(l) = info.location() {
            *WHERE.lock().unwrap() = format!("{}:{}", l.file(), l.line());
        }
    }));
    let r = embedded_tls_alone(port);
    std::panic::set_hook(previous);
    assert!(r.is_err(), "embedded-tls 0.19 no longer panics: {r:?}");
    let at = WHERE.lock().unwrap().clone();
    assert!(
        at.ends_with("embedded-tls-0.19.0/src/connection.rs:62"),
        "{at}"
    );
    server.join().unwrap();

    let (port, server) = start(Attack::EmptyRecord);
    assert_eq!(fapi_tls(port), Err(Error::Protocol));
    server.join().unwrap();
}

#[test]
fn handshake_without_certificate_passes_embedded_tls_and_is_refused_by_fapi_tls() {
    let (port, server) = start(Attack::NoCertificate);
    let r = embedded_tls_alone(port);
    assert!(
        matches!(r, Ok(Ok(()))),
        "embedded-tls 0.19 now refuses it: {r:?}"
    );
    server.join().unwrap();

    let (port, server) = start(Attack::NoCertificate);
    assert_eq!(fapi_tls(port), Err(Error::ServerNotAuthenticated));
    server.join().unwrap();
}
