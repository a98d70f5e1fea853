//! fapi-tls against a real TLS 1.3 server that requires client certificates:
//! `openssl s_server -tls1_3 -Verify 1 -verify_return_error` on loopback, with a CA, server and client
//! certificates made by the `openssl` CLI at test time. Each case asserts one exact result.

use fapi_tls::embedded_io::{self, ErrorKind};
use fapi_tls::rand_core::{CryptoRng, RngCore};
use fapi_tls::{
    Client, ClientAuth, ClientIdentity, Config, Error, RECORD_BUF_LEN, ServerTrust, TrustAnchor,
    spki_sha256,
};
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SERVER_NAME: &str = "server.test";

// ---------------------------------------------------------------- PKI made with openssl

/// Runs `openssl args…` in `dir` and fails the test if it fails.
fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[derive(Copy, Clone)]
enum KeyAlg {
    P256,
    Rsa2048,
}

/// Extensions of a CA certificate.
const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\n\
    keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";
/// Extensions of a good server certificate for `server.test`.
const SERVER_EXT: &str = "basicConstraints=critical,CA:FALSE\n\
    keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n\
    subjectAltName=DNS:server.test\n";
/// Extensions of a client certificate.
const CLIENT_EXT: &str = "basicConstraints=critical,CA:FALSE\n\
    keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n";

struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// Makes key `name.key` (+ `.key.der`, PKCS#8) and certificate `name.pem` (+ `.der`)
    /// with the extensions `ext` (an `-extfile`), issued by `issuer` or self-signed.
    fn issue(&self, name: &str, alg: KeyAlg, subj: &str, issuer: Option<&str>, ext: &str) {
        self.issue_with_digest(name, alg, subj, issuer, ext, "-sha256");
    }

    /// As [`Pki::issue`], signing with `digest` (e.g. `-sha384`).
    fn issue_with_digest(
        &self,
        name: &str,
        alg: KeyAlg,
        subj: &str,
        issuer: Option<&str>,
        ext: &str,
        digest: &str,
    ) {
        let d = &self.dir;
        let key = format!("{name}.key");
        match alg {
            KeyAlg::P256 => openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    &key,
                ],
            ),
            KeyAlg::Rsa2048 => openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                    "-out",
                    &key,
                ],
            ),
        };
        let csr = format!("{name}.csr");
        openssl(
            d,
            &["req", "-new", "-key", &key, "-subj", subj, "-out", &csr],
        );
        let extfile = format!("{name}.ext");
        fs::write(d.join(&extfile), ext).unwrap();
        let pem = format!("{name}.pem");
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-days",
            "365",
            digest,
            "-extfile",
            &extfile,
            "-out",
            &pem,
            "-set_serial",
        ];
        let serial = format!(
            "0x{:x}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        args.push(&serial);
        let (ca_pem, ca_key);
        match issuer {
            Some(i) => {
                ca_pem = format!("{i}.pem");
                ca_key = format!("{i}.key");
                args.extend(["-CA", &ca_pem, "-CAkey", &ca_key]);
            }
            None => args.extend(["-signkey", &key]),
        }
        openssl(d, &args);
        openssl(
            d,
            &[
                "x509",
                "-in",
                &pem,
                "-outform",
                "DER",
                "-out",
                &format!("{name}.der"),
            ],
        );
        openssl(
            d,
            &[
                "pkey",
                "-in",
                &key,
                "-outform",
                "DER",
                "-out",
                &format!("{name}.key.der"),
            ],
        );
    }

    fn read(&self, file: &str) -> Vec<u8> {
        fs::read(self.dir.join(file)).unwrap()
    }

    fn path(&self, file: &str) -> String {
        self.dir.join(file).to_str().unwrap().to_owned()
    }
}

/// The test PKI, made once per test binary.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fapi-tls-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let p = Pki { dir };
        use KeyAlg::*;
        p.issue("ca", P256, "/CN=fapi-tls test CA", None, CA_EXT);
        // Same name, other key: chains to it fail on the signature.
        p.issue("other_ca", P256, "/CN=fapi-tls test CA", None, CA_EXT);
        p.issue("server", P256, "/CN=server.test", Some("ca"), SERVER_EXT);
        p.issue(
            "server_no_server_auth",
            P256,
            "/CN=server.test",
            Some("ca"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=clientAuth\nsubjectAltName=DNS:server.test\n",
        );
        // An intermediate that is a CA, and a server certificate under it.
        p.issue(
            "int",
            P256,
            "/CN=fapi-tls test intermediate",
            Some("ca"),
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n",
        );
        p.issue(
            "server_via_int",
            P256,
            "/CN=server.test",
            Some("int"),
            SERVER_EXT,
        );
        // An "intermediate" without CA:TRUE (a leaf holder issuing certificates).
        p.issue(
            "not_ca_int",
            P256,
            "/CN=fapi-tls not a CA",
            Some("ca"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\n",
        );
        p.issue(
            "server_via_not_ca",
            P256,
            "/CN=server.test",
            Some("not_ca_int"),
            SERVER_EXT,
        );
        // A server certificate signed with ecdsa-with-SHA384 (not verified by fapi-tls).
        p.issue_with_digest(
            "server_sha384",
            P256,
            "/CN=server.test",
            Some("ca"),
            SERVER_EXT,
            "-sha384",
        );
        // keyUsage without digitalSignature; an unknown critical extension; a wildcard name.
        p.issue(
            "server_key_agreement",
            P256,
            "/CN=server.test",
            Some("ca"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyAgreement\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=DNS:server.test\n",
        );
        p.issue(
            "server_unknown_critical",
            P256,
            "/CN=server.test",
            Some("ca"),
            &format!("{SERVER_EXT}1.3.6.1.4.1.55555.1=critical,ASN1:NULL\n"),
        );
        p.issue(
            "server_wildcard",
            P256,
            "/CN=wildcard",
            Some("ca"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=DNS:*.example.test\n",
        );
        // An RSA CA, and an RSA server key.
        p.issue("rsa_ca", Rsa2048, "/CN=fapi-tls RSA CA", None, CA_EXT);
        p.issue(
            "server_rsa",
            Rsa2048,
            "/CN=server.test",
            Some("ca"),
            SERVER_EXT,
        );
        // A self-signed "CA" without CA:TRUE, to pin.
        p.issue(
            "not_ca_root",
            P256,
            "/CN=fapi-tls not a CA root",
            None,
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign,digitalSignature\n",
        );
        p.issue(
            "client",
            P256,
            "/CN=fapi-tls client",
            Some("ca"),
            CLIENT_EXT,
        );
        p.issue(
            "client_other_ca",
            P256,
            "/CN=fapi-tls client",
            Some("other_ca"),
            CLIENT_EXT,
        );
        p.issue(
            "client_rsa",
            Rsa2048,
            "/CN=fapi-tls RSA client",
            Some("ca"),
            CLIENT_EXT,
        );
        p
    })
}

// ---------------------------------------------------------------- openssl s_server

/// A running `openssl s_server -tls1_3` on a free loopback port; killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Serves `cert` (+ `chain`) and, when `require_client_cert`, demands a client
    /// certificate issued by `ca.pem` (`-Verify 1 -verify_return_error`). `-www` answers `GET /` with a status page.
    fn start(cert: &str, chain: Option<&str>, require_client_cert: bool) -> Server {
        let p = pki();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = p.dir.join(format!("s_server-{port}.log"));
        let mut args = vec![
            "s_server".to_owned(),
            "-tls1_3".into(),
            "-www".into(),
            "-naccept".into(),
            "1".into(),
            "-accept".into(),
            format!("127.0.0.1:{port}"),
            "-cert".into(),
            p.path(&format!("{cert}.pem")),
            "-key".into(),
            p.path(&format!("{cert}.key")),
        ];
        if let Some(c) = chain {
            args.extend(["-cert_chain".into(), p.path(&format!("{c}.pem"))]);
        }
        if require_client_cert {
            // Without -verify_return_error, s_server logs a client certificate it cannot
            // verify ("Verify return code: 21") and carries on with the connection.
            args.extend(["-Verify".into(), "1".into(), "-verify_return_error".into()]);
            args.extend(["-CAfile".into(), p.path("ca.pem")]);
        }
        let child = Command::new("openssl")
            .args(&args)
            .stdin(Stdio::piped()) // kept open: s_server stops on stdin EOF
            .stdout(fs::File::create(&log).unwrap())
            .stderr(fs::File::create(log.with_extension("err")).unwrap())
            .spawn()
            .expect("start openssl s_server");
        let t0 = Instant::now();
        while !fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("ACCEPT")
        {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, port, log }
    }
}

impl Server {
    /// Waits for s_server to end (it serves one connection) and returns what it printed on
    /// stderr: its TLS errors, including the alerts it received.
    fn stderr_after_exit(mut self) -> String {
        let t0 = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "s_server did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        fs::read_to_string(self.log.with_extension("err")).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- client side glue

/// A blocking std socket as an embedded-io transport.
struct Tcp(TcpStream);

fn kind(e: std::io::Error) -> ErrorKind {
    match e.kind() {
        std::io::ErrorKind::ConnectionReset => ErrorKind::ConnectionReset,
        std::io::ErrorKind::ConnectionAborted => ErrorKind::ConnectionAborted,
        std::io::ErrorKind::BrokenPipe => ErrorKind::BrokenPipe,
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ErrorKind::TimedOut,
        _ => ErrorKind::Other,
    }
}

impl embedded_io::ErrorType for Tcp {
    type Error = ErrorKind;
}
impl embedded_io::Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.0.read(buf).map_err(kind)
    }
}
impl embedded_io::Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.0.write(buf).map_err(kind)
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        self.0.flush().map_err(kind)
    }
}

/// The operating system's randomness, as the host would supply it.
struct OsRng(fs::File);
impl OsRng {
    fn new() -> Self {
        OsRng(fs::File::open("/dev/urandom").unwrap())
    }
}
impl RngCore for OsRng {
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
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.read_exact(dest).unwrap();
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), fapi_tls::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for OsRng {}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// What one connection did.
#[derive(Debug)]
struct Outcome {
    client_auth: ClientAuth,
    response: String,
}

/// Connects to `server`, sends `GET /`, reads the response to the end.
fn exchange(server: &Server, config: &Config<'_>, now: u64) -> Result<Outcome, Error> {
    let sock = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut read_buf = vec![0u8; RECORD_BUF_LEN];
    let mut write_buf = vec![0u8; 4096];
    let mut rng = OsRng::new();
    let mut tls = Client::connect(
        Tcp(sock),
        &mut read_buf,
        &mut write_buf,
        config,
        &mut rng,
        now,
    )?;
    let client_auth = tls.client_auth();
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let mut response = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        match tls.read(&mut buf)? {
            0 => break,
            n => response.extend_from_slice(&buf[..n]),
        }
    }
    Ok(Outcome {
        client_auth,
        response: String::from_utf8_lossy(&response).into_owned(),
    })
}

fn ca_trust(p: &'static Pki, file: &str) -> ServerTrust<'static> {
    let der: &'static [u8] = Box::leak(p.read(file).into_boxed_slice());
    ServerTrust::Ca(TrustAnchor::from_der(der).unwrap())
}

fn identity(p: &'static Pki, name: &str) -> &'static ClientIdentity<'static> {
    let cert: &'static [u8] = Box::leak(p.read(&format!("{name}.der")).into_boxed_slice());
    let key = p.read(&format!("{name}.key.der"));
    Box::leak(Box::new(ClientIdentity::from_der(cert, &key).unwrap()))
}

fn config(trust: ServerTrust<'static>, name: &'static str) -> Config<'static> {
    Config::new(name, trust)
        .unwrap()
        .with_client_identity(identity(pki(), "client"))
}

// ---------------------------------------------------------------- the cases

#[test]
fn handshake_and_http_exchange_with_the_right_ca_and_name() {
    let p = pki();
    let server = Server::start("server", None, true);
    let out = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now()).unwrap();
    assert_eq!(out.client_auth, ClientAuth::CertificateSent);
    assert!(
        out.response.starts_with("HTTP/1.0 200 ok"),
        "{}",
        out.response
    );
    // s_server -www reports the client certificate it verified.
    assert!(out.response.contains("fapi-tls client"), "{}", out.response);
}

#[test]
fn chain_through_an_intermediate_ca() {
    let p = pki();
    let server = Server::start("server_via_int", Some("int"), true);
    let out = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now()).unwrap();
    assert!(
        out.response.starts_with("HTTP/1.0 200 ok"),
        "{}",
        out.response
    );
}

#[test]
fn wrong_ca_refused() {
    let p = pki();
    let server = Server::start("server", None, true);
    let r = exchange(
        &server,
        &config(ca_trust(p, "other_ca.der"), SERVER_NAME),
        now(),
    );
    assert_eq!(r.unwrap_err(), Error::ServerCertUntrusted);
    // No malformed alert reaches the server (embedded-tls would send its abort alert as a
    // plaintext record with version 0x0301, which OpenSSL calls "wrong version number").
    assert!(!server.stderr_after_exit().contains("wrong version number"));
}

#[test]
fn wrong_server_name_refused() {
    let p = pki();
    let server = Server::start("server", None, true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), "other.test"), now());
    assert_eq!(r.unwrap_err(), Error::ServerNameMismatch);
}

#[test]
fn pinned_key_accepts_the_right_key_and_refuses_another() {
    let p = pki();
    // The pin, cross-checked with openssl: SHA-256 of the DER SubjectPublicKeyInfo.
    let pin = spki_sha256(&p.read("server.der")).unwrap();
    let spki = openssl(
        &p.dir,
        &["pkey", "-in", "server.key", "-pubout", "-outform", "DER"],
    );
    let from_openssl = openssl_sha256(&p.dir, &spki);
    assert_eq!(pin.to_vec(), from_openssl);

    let server = Server::start("server", None, true);
    let out = exchange(
        &server,
        &config(ServerTrust::PublicKeySha256(pin), SERVER_NAME),
        now(),
    );
    assert!(out.unwrap().response.starts_with("HTTP/1.0 200 ok"));

    let other = spki_sha256(&p.read("other_ca.der")).unwrap();
    let server = Server::start("server", None, true);
    let r = exchange(
        &server,
        &config(ServerTrust::PublicKeySha256(other), SERVER_NAME),
        now(),
    );
    assert_eq!(r.unwrap_err(), Error::ServerKeyPinMismatch);
}

#[test]
fn server_cert_without_server_auth_eku_refused() {
    let p = pki();
    let server = Server::start("server_no_server_auth", None, true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now());
    assert_eq!(r.unwrap_err(), Error::ServerCertNotServerAuth);
}

#[test]
fn issuer_without_ca_true_refused() {
    let p = pki();
    let server = Server::start("server_via_not_ca", Some("not_ca_int"), true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now());
    assert_eq!(r.unwrap_err(), Error::IssuerNotCa);
}

#[test]
fn pinned_ca_without_ca_true_refused_at_configuration() {
    let p = pki();
    assert_eq!(
        TrustAnchor::from_der(&p.read("not_ca_root.der")).unwrap_err(),
        Error::CaNotCa
    );
    // A leaf certificate is no trust anchor either.
    assert_eq!(
        TrustAnchor::from_der(&p.read("server.der")).unwrap_err(),
        Error::CaNotCa
    );
}

#[test]
fn expired_server_cert_refused() {
    let p = pki();
    let server = Server::start("server", None, true);
    // The server certificate is valid for 365 days: 400 days on it has expired.
    let later = now() + 400 * 86_400;
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), later);
    assert_eq!(r.unwrap_err(), Error::ServerCertExpired);
    assert!(!server.stderr_after_exit().contains("wrong version number"));
    let server = Server::start("server", None, true);
    let r = exchange(
        &server,
        &config(ca_trust(p, "ca.der"), SERVER_NAME),
        now() - 86_400,
    );
    assert_eq!(r.unwrap_err(), Error::ServerCertNotYetValid);
}

#[test]
fn client_cert_not_trusted_by_the_server_is_refused_on_first_read() {
    let p = pki();
    let server = Server::start("server", None, true);
    let cfg = Config::new(SERVER_NAME, ca_trust(p, "ca.der"))
        .unwrap()
        .with_client_identity(identity(p, "client_other_ca"));
    let r = exchange(&server, &cfg, now());
    assert_eq!(r.unwrap_err(), Error::ClientCertRefused);
}

#[test]
fn no_client_cert_when_the_server_requires_one() {
    let p = pki();
    let server = Server::start("server", None, true);
    let cfg = Config::new(SERVER_NAME, ca_trust(p, "ca.der")).unwrap();
    let r = exchange(&server, &cfg, now());
    assert_eq!(r.unwrap_err(), Error::ClientCertRequired);
}

#[test]
fn server_that_does_not_ask_for_a_client_cert() {
    let p = pki();
    let server = Server::start("server", None, false);
    let out = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now()).unwrap();
    assert_eq!(out.client_auth, ClientAuth::NotRequested);
    assert!(out.response.starts_with("HTTP/1.0 200 ok"));
}

#[test]
fn rsa_client_key_refused_before_any_connection() {
    let p = pki();
    let cert = p.read("client_rsa.der");
    // PKCS#8 (what genpkey writes) and PKCS#1 ("traditional") both.
    let pkcs8 = p.read("client_rsa.key.der");
    assert_eq!(
        ClientIdentity::from_der(&cert, &pkcs8).unwrap_err(),
        Error::ClientKeyUnsupported
    );
    let pkcs1 = openssl(
        &p.dir,
        &[
            "rsa",
            "-in",
            "client_rsa.key",
            "-outform",
            "DER",
            "-traditional",
        ],
    );
    assert_eq!(
        ClientIdentity::from_der(&cert, &pkcs1).unwrap_err(),
        Error::ClientKeyUnsupported
    );
    // A P-256 key with the RSA certificate: the certificate is not this key's.
    let p256 = p.read("client.key.der");
    assert_eq!(
        ClientIdentity::from_der(&cert, &p256).unwrap_err(),
        Error::ClientCertKeyMismatch
    );
}

#[test]
fn client_identity_forms_and_x5t_s256() {
    let p = pki();
    let cert = p.read("client.der");
    // SEC 1 form of the same key.
    let sec1 = openssl(&p.dir, &["ec", "-in", "client.key", "-outform", "DER"]);
    let a = ClientIdentity::from_der(&cert, &p.read("client.key.der")).unwrap();
    let b = ClientIdentity::from_der(&cert, &sec1).unwrap();
    assert_eq!(a.x5t_s256(), b.x5t_s256());
    // x5t#S256 is the SHA-256 of the certificate DER, as openssl computes it.
    assert_eq!(a.x5t_s256().to_vec(), openssl_sha256(&p.dir, &cert));
    let mut out = [0u8; 43];
    let b64 = a.x5t_s256_b64url(&mut out).to_owned();
    assert_eq!(b64.len(), 43);
    assert!(
        b64.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
    // The other client's key does not fit this certificate.
    let other = p.read("client_other_ca.key.der");
    assert_eq!(
        ClientIdentity::from_der(&cert, &other).unwrap_err(),
        Error::ClientCertKeyMismatch
    );
    assert_eq!(
        ClientIdentity::from_der(&cert, b"\x30\x00").unwrap_err(),
        Error::ClientKeyMalformed
    );
}

#[test]
fn server_names_that_are_not_dns_host_names_refused() {
    let p = pki();
    for bad in [
        "127.0.0.1",
        "",
        "server..test",
        "server_test",
        "-server.test",
    ] {
        assert_eq!(
            Config::new(bad, ca_trust(p, "ca.der")).unwrap_err(),
            Error::ServerNameInvalid
        );
    }
}

/// `openssl dgst -sha256 -binary` of `data`.
fn openssl_sha256(dir: &Path, data: &[u8]) -> Vec<u8> {
    let f = dir.join(format!(
        "dgst-{}.bin",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    fs::write(&f, data).unwrap();
    openssl(dir, &["dgst", "-sha256", "-binary", f.to_str().unwrap()])
}

#[test]
fn chain_signature_with_sha384_refused_as_unsupported() {
    let p = pki();
    let server = Server::start("server_sha384", None, true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now());
    assert_eq!(r.unwrap_err(), Error::ServerCertUnsupportedAlgorithm);
}

#[test]
fn leaf_key_usage_without_digital_signature_refused() {
    let p = pki();
    let server = Server::start("server_key_agreement", None, true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now());
    assert_eq!(r.unwrap_err(), Error::ServerCertKeyUsage);
}

#[test]
fn unknown_critical_extension_refused() {
    let p = pki();
    let server = Server::start("server_unknown_critical", None, true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now());
    assert_eq!(r.unwrap_err(), Error::ServerCertUnknownCritical);
}

#[test]
fn wildcard_name_matches_one_label_only() {
    let p = pki();
    let server = Server::start("server_wildcard", None, true);
    let out = exchange(
        &server,
        &config(ca_trust(p, "ca.der"), "api.example.test"),
        now(),
    );
    assert!(out.unwrap().response.starts_with("HTTP/1.0 200 ok"));
    let server = Server::start("server_wildcard", None, true);
    let r = exchange(
        &server,
        &config(ca_trust(p, "ca.der"), "a.api.example.test"),
        now(),
    );
    assert_eq!(r.unwrap_err(), Error::ServerNameMismatch);
}

#[test]
fn rsa_ca_and_rsa_server_key_refused() {
    let p = pki();
    assert_eq!(
        TrustAnchor::from_der(&p.read("rsa_ca.der")).unwrap_err(),
        Error::CaKeyUnsupported
    );
    // embedded-tls offers no RSA signature scheme without alloc, so s_server aborts.
    let server = Server::start("server_rsa", None, true);
    let r = exchange(&server, &config(ca_trust(p, "ca.der"), SERVER_NAME), now());
    assert_eq!(r.unwrap_err(), Error::HandshakeAlert);
}
