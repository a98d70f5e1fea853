//! The client-certificate fixtures of the RFC 8705 binding cases: the RFC 7517 Appendix B
//! certificate, its thumbprints, a variant with another thumbprint, and the textual forms a
//! proxy forwards (PEM, nginx's escaped PEM, the RFC 9440 `Client-Cert` field).

use sha2::{Digest, Sha256};

use crate::{b64u, b64u_decode};

/// The self-signed certificate of RFC 7517 Appendix B (`x5c[0]` of the example JWK with kid
/// `1b94c`, CN=Brian Campbell), standard base64 of its DER.
///
/// Provenance: /work/shared/vectors/rfc/rfc8705_x5t_s256.json, vector
/// `derived-rfc7517-b-certificate-x5t-s256` (`certificate_der_base64`); its self-signature was
/// checked there with pyca/cryptography, which proves the DER bytes are intact.
pub const RFC7517_B_CERT_B64: &str = "MIIDQjCCAiqgAwIBAgIGATz/FuLiMA0GCSqGSIb3DQEBBQUAMGIxCzAJBgNVBAYTAlVTMQswCQYDVQQIEwJDTzEPMA0GA1UEBxMGRGVudmVyMRwwGgYDVQQKExNQaW5nIElkZW50aXR5IENvcnAuMRcwFQYDVQQDEw5CcmlhbiBDYW1wYmVsbDAeFw0xMzAyMjEyMzI5MTVaFw0xODA4MTQyMjI5MTVaMGIxCzAJBgNVBAYTAlVTMQswCQYDVQQIEwJDTzEPMA0GA1UEBxMGRGVudmVyMRwwGgYDVQQKExNQaW5nIElkZW50aXR5IENvcnAuMRcwFQYDVQQDEw5CcmlhbiBDYW1wYmVsbDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAL64zn8/QnHYMeZ0LncoXaEde1fiLm1jHjmQsF/449IYALM9if6amFtPDy2yvz3YlRij66s5gyLCyO7ANuVRJx1NbgizcAblIgjtdf/u3WG7K+IiZhtELto/A7Fck9Ws6SQvzRvOE8uSirYbgmj6He4iO8NCyvaK0jIQRMMGQwsU1quGmFgHIXPLfnpnfajr1rVTAwtgV5LEZ4Iel+W1GC8ugMhyr4/p1MtcIM42EA8BzE6ZQqC7VPqPvEjZ2dbZkaBhPbiZAS3YeYBRDWm1p1OZtWamT3cEvqqPpnjL1XyW+oyVVkaZdklLQp2Btgt9qr21m42f4wTw+Xrp6rCKNb0CAwEAATANBgkqhkiG9w0BAQUFAAOCAQEAh8zGlfSlcI0o3rYDPBB07aXNswb4ECNIKG0CETTUxmXl9KUL+9gGlqCz5iWLOgWsnrcKcY0vXPG9J1r9AqBNTqNgHq2G03X09266X5CpOe1zFo+Owb1zxtp3PehFdfQJ610CDLEaS9V9Rqp17hCyybEpOGVwe8fnk+fbEL2Bo3UPGrpsHzUoaGpDftmWssZkhpBJKVMJyf/RuP2SmmaIzmnw9JiSlYhzo4tpzd5rFXhjRbg4zW9C+2qok+2+qDM1iJ684gPHMIY8aLWrdgQTxkumGmTqgawR+N5MDtdPTEQ0XfIBc2cJEUyMTY5MPvACWpkA6SdS4xSvdXK3IVfOWA==";
/// Its `x5t#S256` (same vector file, `expected["x5t#S256"]`; computed there with two
/// implementations, published in no RFC). A decision test also recomputes it.
pub const RFC7517_B_X5T_S256: &str = "pJm2BBpkB8y7tCqrWM0X37WOmQTO8zQw-VpxVgBb21I";
/// Its SHA-1 `x5t` (20 bytes: the wrong hash for RFC 8705).
pub const RFC7517_B_X5T_SHA1: &str = "4pNenEBLv0JpLIdugWxQkOsZcK0";

/// Standard base64 (with padding) to bytes, through the base64url decoder.
pub fn std_b64_decode(s: &str) -> Vec<u8> {
    b64u_decode(
        s.trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_")
            .as_str(),
    )
}
/// Bytes to standard base64 with padding.
pub fn std_b64_encode(bytes: &[u8]) -> String {
    let mut s = b64u(bytes).replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}
/// The DER of the RFC 7517 Appendix B certificate.
pub fn cert_der() -> Vec<u8> {
    std_b64_decode(RFC7517_B_CERT_B64)
}
/// PEM (RFC 7468): 64-character lines, LF line ends.
pub fn pem_of(der: &[u8]) -> String {
    let b = std_b64_encode(der);
    let mut s = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(line).expect("ascii"));
        s.push('\n');
    }
    s.push_str("-----END CERTIFICATE-----\n");
    s
}
/// nginx `$ssl_client_escaped_cert`: the PEM with every byte outside `A-Za-z0-9-._~`
/// percent-escaped (newline `%0A`, space `%20`, `+` `%2B`, `/` `%2F`, `=` `%3D`).
pub fn escaped_pem_of(der: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    for b in pem_of(der).bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s
}
/// RFC 9440 `Client-Cert`: an RFC 8941 byte sequence `:BASE64:`.
pub fn client_cert_header_of(der: &[u8]) -> String {
    format!(":{}:", std_b64_encode(der))
}
/// The certificate's `x5t#S256` (SHA-256 of its DER).
pub fn cert_x5t() -> [u8; 32] {
    Sha256::digest(cert_der()).into()
}
/// The certificate with one byte changed inside its signature (near the end): still a
/// well-formed DER `SEQUENCE`, another thumbprint.
pub fn other_cert_der() -> Vec<u8> {
    let mut d = cert_der();
    let i = d.len() - 10;
    d[i] ^= 0x01;
    d
}
