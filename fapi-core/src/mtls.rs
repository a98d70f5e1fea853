//! Certificate-bound access tokens (RFC 8705 §3): the client certificate in every form a
//! gateway receives it, and the constant-time `x5t#S256` check.
//!
//! A TLS-terminating proxy hands the client certificate on as raw DER, as PEM, as nginx's
//! URL-escaped PEM (`$ssl_client_escaped_cert`) or as an RFC 9440 `Client-Cert` field.
//! [`decode_cert`] turns each of them into the same DER bytes, strictly: one certificate,
//! canonical padded base64, and an outer DER `SEQUENCE` whose minimally encoded length covers
//! exactly the whole certificate. [`check_binding`] then compares the token's
//! `cnf["x5t#S256"]` (canonical unpadded base64url of exactly 32 bytes) with the SHA-256 of
//! that DER in constant time.
//!
//! Only decode a certificate from a header when the integrator has said the proxy that sets it
//! is trusted and strips any client-supplied copy: fapi cannot tell a forged header apart.

use crate::b64;
use crate::error::{Error, MtlsError};
use crate::form::hex_val;
use crate::json::JStr;
use crate::sha::Sha256;
use subtle::ConstantTimeEq;

/// Largest client certificate accepted, in DER bytes.
///
/// Real client certificates are 0.5–2 KiB; 8 KiB leaves room for long chains of extensions
/// while keeping every buffer small enough for firmware. It also bounds the DER length field
/// to at most two bytes.
pub const MAX_CERT_DER_LEN: usize = 8192;

/// The PEM pre-encapsulation boundary for a certificate (RFC 7468 §5.1).
const PEM_BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
/// The PEM post-encapsulation boundary for a certificate (RFC 7468 §5.1).
const PEM_END: &[u8] = b"-----END CERTIFICATE-----";

/// The DER tag of a constructed `SEQUENCE`.
const DER_SEQUENCE: u8 = 0x30;

/// The one refusal of [`decode_cert`].
const MALFORMED: Error = Error::Mtls(MtlsError::CertMalformed);

/// How the client certificate reached the gateway.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CertEncoding {
    /// The raw DER bytes of the certificate (e.g. from the TLS library itself).
    Der,
    /// One PEM block (RFC 7468): `-----BEGIN CERTIFICATE-----`, standard base64 *with*
    /// padding wrapped at any line length (LF or CRLF line ends; spaces and tabs are accepted
    /// as separators too, as Apache's `mod_headers` folds newlines into spaces), then
    /// `-----END CERTIFICATE-----`. Whitespace is allowed before and after the block, nothing
    /// else: no explanatory text, no encapsulated headers, no second certificate.
    Pem,
    /// nginx's `$ssl_client_escaped_cert`: the [`CertEncoding::Pem`] form with `%XX`
    /// percent-escapes (newlines as `%0A`, `+` `/` `=` as `%2B` `%2F` `%3D`, …). Escapes are
    /// decoded exactly once; a literal `+` stays a `+` (it is never a space).
    EscapedPem,
    /// The value of the RFC 9440 `Client-Cert` header field: an RFC 8941 byte sequence
    /// `:BASE64:` holding the DER in standard base64 with padding and no whitespace inside
    /// (not base64url). Spaces or tabs around the item are ignored; parameters are refused.
    ClientCertHeader,
}

/// Decodes a client certificate given in `encoding` into its DER bytes, written to the front
/// of `out`.
///
/// Every form of the same certificate gives the same DER. The DER is checked only as far as
/// its outer structure: a single `SEQUENCE` with a definite, minimally encoded length that
/// covers exactly the whole input (the TLS terminator has already validated the certificate;
/// the thumbprint is over these exact bytes).
///
/// Buffers: `out.len() >= min(input.len(), MAX_CERT_DER_LEN)` always suffices (for
/// [`CertEncoding::Der`], exactly `input.len()` bytes are needed). `scratch` holds the
/// base64 text of the PEM forms: `scratch.len() >= input.len()` always suffices; it is unused
/// (and may be empty) for [`CertEncoding::Der`] and [`CertEncoding::ClientCertHeader`].
///
/// # Errors
/// [`MtlsError::CertMalformed`] for: empty input; input that does not match `encoding`;
/// more than one certificate; a bad percent-escape; base64 that is invalid or not canonical
/// (bad characters, missing or misplaced padding, non-zero trailing bits); DER that is not a
/// single minimally encoded `SEQUENCE` spanning the whole input; a certificate longer than
/// [`MAX_CERT_DER_LEN`]; and `scratch` or `out` too small for this input.
pub fn decode_cert<'o>(
    input: &[u8],
    encoding: CertEncoding,
    scratch: &mut [u8],
    out: &'o mut [u8],
) -> Result<&'o [u8], Error> {
    if input.is_empty() {
        return Err(MALFORMED);
    }
    let der = match encoding {
        CertEncoding::Der => {
            let dst = out.get_mut(..input.len()).ok_or(MALFORMED)?;
            dst.copy_from_slice(input);
            &*dst
        }
        CertEncoding::Pem => {
            let (start, end) = pem_body(input)?;
            let body = input.get(start..end).ok_or(MALFORMED)?;
            let mut n = 0usize;
            for &b in body.iter().filter(|&&b| !is_pem_ws(b)) {
                *scratch.get_mut(n).ok_or(MALFORMED)? = b;
                n += 1;
            }
            decode_base64(scratch.get(..n).ok_or(MALFORMED)?, out)?
        }
        CertEncoding::EscapedPem => {
            let len = percent_decode(input, scratch)?;
            let (start, end) = pem_body(scratch.get(..len).ok_or(MALFORMED)?)?;
            // Compact the base64 characters to the front of `scratch`, in place: the write
            // index never passes the read index.
            let mut n = 0usize;
            for r in start..end {
                let b = *scratch.get(r).ok_or(MALFORMED)?;
                if is_pem_ws(b) {
                    continue;
                }
                *scratch.get_mut(n).ok_or(MALFORMED)? = b;
                n += 1;
            }
            decode_base64(scratch.get(..n).ok_or(MALFORMED)?, out)?
        }
        CertEncoding::ClientCertHeader => {
            let item = trim(input, |b| b == b' ' || b == b'\t');
            let inner = item
                .strip_prefix(b":")
                .and_then(|s| s.strip_suffix(b":"))
                .ok_or(MALFORMED)?;
            decode_base64(inner, out)?
        }
    };
    check_der(der)?;
    Ok(der)
}

/// The `x5t#S256` thumbprint of a certificate: SHA-256 of its DER bytes (RFC 8705 §3.1), as
/// raw bytes (its base64url form is what tokens carry).
pub fn x5t_s256(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// Checks a certificate-bound token against the client certificate of the request
/// (RFC 8705 §3).
///
/// `cnf_x5t` is the token's `cnf["x5t#S256"]` string; after JSON unescaping it must be the
/// canonical unpadded base64url encoding of exactly 32 bytes. `der` is the presented client
/// certificate (from [`decode_cert`]). The thumbprint comparison is constant-time.
///
/// # Errors
/// [`MtlsError::CnfX5tMalformed`] if `cnf_x5t` is not canonical unpadded base64url of 32
/// bytes (padded, standard base64, hex, a 20-byte SHA-1 `x5t`, non-zero trailing bits);
/// [`MtlsError::CertMissing`] if `der` is empty; [`MtlsError::CertMismatch`] if the
/// certificate's SHA-256 is not the confirmed thumbprint.
pub fn check_binding(cnf_x5t: &JStr<'_>, der: &[u8]) -> Result<(), Error> {
    const ENCODED: usize = b64::encoded_len(32);
    let malformed = Error::Mtls(MtlsError::CnfX5tMalformed);
    // Unescape into a fixed buffer; any other length is refused without reading further.
    let mut text = [0u8; ENCODED];
    let mut n = 0usize;
    for b in cnf_x5t.bytes() {
        *text.get_mut(n).ok_or(malformed)? = b;
        n += 1;
    }
    if n != ENCODED {
        return Err(malformed);
    }
    let expected: [u8; 32] = b64::decode_exact(&text).map_err(|_| malformed)?;
    if der.is_empty() {
        return Err(Error::Mtls(MtlsError::CertMissing));
    }
    let actual = x5t_s256(der);
    if bool::from(actual.as_slice().ct_eq(expected.as_slice())) {
        Ok(())
    } else {
        Err(Error::Mtls(MtlsError::CertMismatch))
    }
}

/// Whitespace allowed in and around a PEM block (RFC 7468 §3 `W`: SP, HT, CR, LF, VT, FF).
const fn is_pem_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C)
}

/// `s` without leading and trailing bytes for which `ws` holds.
fn trim(s: &[u8], ws: impl Fn(u8) -> bool) -> &[u8] {
    let start = s.iter().position(|&b| !ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !ws(b)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// Locates the body of the single PEM certificate block in `text`: the span strictly between
/// the two boundaries, which must be separated from it by whitespace. Only whitespace may
/// surround the block.
fn pem_body(text: &[u8]) -> Result<(usize, usize), Error> {
    let start = text.iter().position(|&b| !is_pem_ws(b)).ok_or(MALFORMED)?;
    let end = text
        .iter()
        .rposition(|&b| !is_pem_ws(b))
        .map(|i| i + 1)
        .ok_or(MALFORMED)?;
    let block = text.get(start..end).ok_or(MALFORMED)?;
    if block.len() < PEM_BEGIN.len() + PEM_END.len()
        || !block.starts_with(PEM_BEGIN)
        || !block.ends_with(PEM_END)
    {
        return Err(MALFORMED);
    }
    let body_start = start + PEM_BEGIN.len();
    let body_end = end - PEM_END.len();
    // A line break (or, when folded, a space) must follow BEGIN and precede END.
    let after_begin = text.get(body_start).copied();
    let before_end = body_end.checked_sub(1).and_then(|i| text.get(i)).copied();
    if body_start >= body_end
        || !after_begin.is_some_and(is_pem_ws)
        || !before_end.is_some_and(is_pem_ws)
    {
        return Err(MALFORMED);
    }
    Ok((body_start, body_end))
}

/// Decodes `%XX` escapes (either hex case) of `input` into `dst` and returns the decoded
/// length. Every other byte, `+` included, is copied unchanged.
fn percent_decode(input: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let mut n = 0usize;
    let mut bytes = input.iter().copied();
    while let Some(b) = bytes.next() {
        let v = if b == b'%' {
            let hi = bytes.next().and_then(hex_val).ok_or(MALFORMED)?;
            let lo = bytes.next().and_then(hex_val).ok_or(MALFORMED)?;
            (hi << 4) | lo
        } else {
            b
        };
        *dst.get_mut(n).ok_or(MALFORMED)? = v;
        n += 1;
    }
    Ok(n)
}

/// Strict standard padded base64 (RFC 4648 §4) of `src` into the front of `out`, bounded by
/// [`MAX_CERT_DER_LEN`].
fn decode_base64<'o>(src: &[u8], out: &'o mut [u8]) -> Result<&'o [u8], Error> {
    // Padded base64 is a whole number of 4-character groups; this bounds the decoded size
    // before any byte is written.
    if !src.len().is_multiple_of(4) || src.len() / 4 * 3 > MAX_CERT_DER_LEN + 2 {
        return Err(MALFORMED);
    }
    let cap = out.len().min(MAX_CERT_DER_LEN);
    let dst = out.get_mut(..cap).ok_or(MALFORMED)?;
    b64::decode_padded_standard(src, dst).map_err(|_| MALFORMED)
}

/// Checks that `der` is exactly one DER `SEQUENCE`: tag 0x30, a definite length in the
/// shortest form, and contents ending exactly at the end of `der`.
fn check_der(der: &[u8]) -> Result<(), Error> {
    if der.is_empty() || der.len() > MAX_CERT_DER_LEN {
        return Err(MALFORMED);
    }
    let mut it = der.iter().copied();
    if it.next() != Some(DER_SEQUENCE) {
        return Err(MALFORMED);
    }
    let first = it.next().ok_or(MALFORMED)?;
    let (header, len) = match first {
        0x00..=0x7F => (2usize, usize::from(first)),
        // One length byte: only for lengths that do not fit the short form.
        0x81 => {
            let l = it.next().ok_or(MALFORMED)?;
            if l < 0x80 {
                return Err(MALFORMED);
            }
            (3, usize::from(l))
        }
        // Two length bytes: the first must be non-zero. Longer forms (and 0x80, the
        // indefinite length) cannot encode a minimal length ≤ MAX_CERT_DER_LEN.
        0x82 => {
            let hi = it.next().ok_or(MALFORMED)?;
            let lo = it.next().ok_or(MALFORMED)?;
            if hi == 0 {
                return Err(MALFORMED);
            }
            (4, usize::from(u16::from_be_bytes([hi, lo])))
        }
        _ => return Err(MALFORMED),
    };
    if header.checked_add(len) == Some(der.len()) {
        Ok(())
    } else {
        Err(MALFORMED)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::json::{JsonLimits, parse_object};
    use base64ct::{Base64, Encoding};
    use std::string::String;
    use std::vec::Vec;

    /// The self-signed certificate of RFC 7517 Appendix B (x5c[0] of the example RSA JWK with
    /// kid "1b94c", CN=Brian Campbell, O=Ping Identity Corp.), standard base64 of its DER.
    /// Source: RFC 7517, Appendix B (IETF Trust Legal Provisions), via
    /// /work/shared/vectors/rfc/rfc8705_x5t_s256.json. Its self-signature verifies.
    const RFC7517_B_CERT_B64: &str = "MIIDQjCCAiqgAwIBAgIGATz/FuLiMA0GCSqGSIb3DQEBBQUAMGIxCzAJBgNVBAYTAlVTMQswCQYDVQQIEwJDTzEPMA0GA1UEBxMGRGVudmVyMRwwGgYDVQQKExNQaW5nIElkZW50aXR5IENvcnAuMRcwFQYDVQQDEw5CcmlhbiBDYW1wYmVsbDAeFw0xMzAyMjEyMzI5MTVaFw0xODA4MTQyMjI5MTVaMGIxCzAJBgNVBAYTAlVTMQswCQYDVQQIEwJDTzEPMA0GA1UEBxMGRGVudmVyMRwwGgYDVQQKExNQaW5nIElkZW50aXR5IENvcnAuMRcwFQYDVQQDEw5CcmlhbiBDYW1wYmVsbDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAL64zn8/QnHYMeZ0LncoXaEde1fiLm1jHjmQsF/449IYALM9if6amFtPDy2yvz3YlRij66s5gyLCyO7ANuVRJx1NbgizcAblIgjtdf/u3WG7K+IiZhtELto/A7Fck9Ws6SQvzRvOE8uSirYbgmj6He4iO8NCyvaK0jIQRMMGQwsU1quGmFgHIXPLfnpnfajr1rVTAwtgV5LEZ4Iel+W1GC8ugMhyr4/p1MtcIM42EA8BzE6ZQqC7VPqPvEjZ2dbZkaBhPbiZAS3YeYBRDWm1p1OZtWamT3cEvqqPpnjL1XyW+oyVVkaZdklLQp2Btgt9qr21m42f4wTw+Xrp6rCKNb0CAwEAATANBgkqhkiG9w0BAQUFAAOCAQEAh8zGlfSlcI0o3rYDPBB07aXNswb4ECNIKG0CETTUxmXl9KUL+9gGlqCz5iWLOgWsnrcKcY0vXPG9J1r9AqBNTqNgHq2G03X09266X5CpOe1zFo+Owb1zxtp3PehFdfQJ610CDLEaS9V9Rqp17hCyybEpOGVwe8fnk+fbEL2Bo3UPGrpsHzUoaGpDftmWssZkhpBJKVMJyf/RuP2SmmaIzmnw9JiSlYhzo4tpzd5rFXhjRbg4zW9C+2qok+2+qDM1iJ684gPHMIY8aLWrdgQTxkumGmTqgawR+N5MDtdPTEQ0XfIBc2cJEUyMTY5MPvACWpkA6SdS4xSvdXK3IVfOWA==";

    /// base64url(SHA-256(DER)) of that certificate (computed; see the vector file).
    const RFC7517_B_X5T_S256: &str = "pJm2BBpkB8y7tCqrWM0X37WOmQTO8zQw-VpxVgBb21I";

    /// `cnf["x5t#S256"]` of RFC 8705 §3.1: not canonical (non-zero trailing bits).
    const RFC8705_EXAMPLE_X5T: &str = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";

    const REFUSED: Result<(), Error> = Err(super::MALFORMED);

    fn cert_der() -> Vec<u8> {
        let mut buf = [0u8; 1024];
        Base64::decode(RFC7517_B_CERT_B64, &mut buf)
            .unwrap()
            .to_vec()
    }

    fn decode(input: &[u8], enc: CertEncoding) -> Result<Vec<u8>, Error> {
        let mut scratch = std::vec![0u8; input.len()];
        let mut out = std::vec![0u8; MAX_CERT_DER_LEN];
        decode_cert(input, enc, &mut scratch, &mut out).map(<[u8]>::to_vec)
    }

    fn refused(input: &[u8], enc: CertEncoding) -> Result<(), Error> {
        decode(input, enc).map(|_| ())
    }

    /// PEM with base64 lines of `width` characters, joined by `eol`.
    fn pem(width: usize, eol: &str) -> String {
        let mut s = String::from("-----BEGIN CERTIFICATE-----");
        s.push_str(eol);
        for chunk in RFC7517_B_CERT_B64.as_bytes().chunks(width) {
            s.push_str(core::str::from_utf8(chunk).unwrap());
            s.push_str(eol);
        }
        s.push_str("-----END CERTIFICATE-----");
        s.push_str(eol);
        s
    }

    /// Percent-escapes like nginx's `$ssl_client_escaped_cert`.
    fn nginx_escape(pem: &str) -> String {
        let mut s = String::new();
        for c in pem.chars() {
            match c {
                '\n' => s.push_str("%0A"),
                '\r' => s.push_str("%0D"),
                ' ' => s.push_str("%20"),
                '+' => s.push_str("%2B"),
                '/' => s.push_str("%2F"),
                '=' => s.push_str("%3D"),
                c => s.push(c),
            }
        }
        s
    }

    fn thumbprint_b64(der: &[u8]) -> String {
        let mut buf = [0u8; 43];
        String::from(b64::encode(&x5t_s256(der), &mut buf).unwrap())
    }

    fn binding(value: &str, der: &[u8]) -> Result<(), Error> {
        let doc = std::format!(r#"{{"x":"{value}"}}"#);
        let obj = parse_object(doc.as_bytes(), &JsonLimits::DEFAULT).unwrap();
        check_binding(&obj.get("x").unwrap().as_str().unwrap(), der)
    }

    #[test]
    fn every_form_gives_the_same_der_and_thumbprint() {
        let der = cert_der();
        assert_eq!(der.len(), 838);
        assert_eq!(thumbprint_b64(&der), RFC7517_B_X5T_S256);
        let header = std::format!(":{RFC7517_B_CERT_B64}:");
        let cases: [(&str, Vec<u8>, CertEncoding); 12] = [
            ("der", der.clone(), CertEncoding::Der),
            ("pem 64 LF", pem(64, "\n").into_bytes(), CertEncoding::Pem),
            (
                "pem 64 CRLF",
                pem(64, "\r\n").into_bytes(),
                CertEncoding::Pem,
            ),
            (
                "pem single line",
                pem(4096, "\n").into_bytes(),
                CertEncoding::Pem,
            ),
            ("pem 76 LF", pem(76, "\n").into_bytes(), CertEncoding::Pem),
            (
                "pem no final newline",
                pem(64, "\n").trim_end().as_bytes().to_vec(),
                CertEncoding::Pem,
            ),
            (
                "pem surrounded by whitespace",
                std::format!("\r\n  {} \n\n", pem(64, "\n")).into_bytes(),
                CertEncoding::Pem,
            ),
            (
                "pem folded to spaces (Apache)",
                pem(64, " ").trim_end().as_bytes().to_vec(),
                CertEncoding::Pem,
            ),
            (
                "nginx escaped pem",
                nginx_escape(&pem(64, "\n")).into_bytes(),
                CertEncoding::EscapedPem,
            ),
            (
                "nginx escaped pem, lowercase hex",
                nginx_escape(&pem(64, "\n"))
                    .replace("%0A", "%0a")
                    .replace("%2F", "%2f")
                    .into_bytes(),
                CertEncoding::EscapedPem,
            ),
            (
                "escaped pem with literal '+'",
                nginx_escape(&pem(64, "\n"))
                    .replace("%2B", "+")
                    .into_bytes(),
                CertEncoding::EscapedPem,
            ),
            (
                "rfc 9440 client-cert",
                header.into_bytes(),
                CertEncoding::ClientCertHeader,
            ),
        ];
        for (name, input, enc) in &cases {
            let got = decode(input, *enc).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(got, der, "{name}");
            assert_eq!(thumbprint_b64(&got), RFC7517_B_X5T_S256, "{name}");
        }
    }

    #[test]
    fn rfc9440_surrounding_spaces_ignored() {
        let header = std::format!(" :{RFC7517_B_CERT_B64}:\t");
        assert_eq!(
            decode(header.as_bytes(), CertEncoding::ClientCertHeader).unwrap(),
            cert_der()
        );
    }

    #[test]
    fn refused_forms() {
        use CertEncoding::*;
        let der = cert_der();
        let p = pem(64, "\n");
        let b = RFC7517_B_CERT_B64;
        let url = b.replace('+', "-").replace('/', "_");
        let mut trailing = der.clone();
        trailing.push(0);
        let truncated = der.get(..der.len() - 1).unwrap().to_vec();
        // 0x30 0x82 0x03 0x42 re-encoded with a superfluous leading zero length byte.
        let mut non_minimal = std::vec![0x30, 0x83, 0x00, 0x03, 0x42];
        non_minimal.extend_from_slice(der.get(4..).unwrap());
        let cases: [(&str, Vec<u8>, CertEncoding); 32] = [
            (
                "pem two certificates",
                std::format!("{p}{p}").into_bytes(),
                Pem,
            ),
            (
                "pem without END line",
                p.replace("-----END CERTIFICATE-----\n", "").into_bytes(),
                Pem,
            ),
            (
                "pem without BEGIN line",
                p.replace("-----BEGIN CERTIFICATE-----\n", "").into_bytes(),
                Pem,
            ),
            (
                "pem wrong label",
                p.replace("CERTIFICATE", "PRIVATE KEY").into_bytes(),
                Pem,
            ),
            (
                "pem legacy label",
                p.replace("CERTIFICATE", "X509 CERTIFICATE").into_bytes(),
                Pem,
            ),
            (
                "pem bad base64 char",
                p.replacen("MIID", "MI*D", 1).into_bytes(),
                Pem,
            ),
            ("pem base64url chars", p.replace('+', "-").into_bytes(), Pem),
            ("pem missing padding", p.replace("==", "").into_bytes(), Pem),
            (
                "pem padding mid-body",
                p.replacen("MIID", "MI==", 1).into_bytes(),
                Pem,
            ),
            (
                "pem non-canonical trailing bits",
                p.replace("WA==", "WB==").into_bytes(),
                Pem,
            ),
            (
                "pem explanatory text",
                std::format!("Subject: CN=x\n{p}").into_bytes(),
                Pem,
            ),
            (
                "pem text after END",
                std::format!("{p}junk\n").into_bytes(),
                Pem,
            ),
            (
                "pem BEGIN glued to body",
                std::format!("-----BEGIN CERTIFICATE-----{b}\n-----END CERTIFICATE-----")
                    .into_bytes(),
                Pem,
            ),
            (
                "pem empty body",
                b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".to_vec(),
                Pem,
            ),
            ("pem given as der", p.clone().into_bytes(), Der),
            ("der given as pem", der.clone(), Pem),
            (
                "escaped pem bad escape",
                nginx_escape(&p).replacen("%0A", "%0G", 1).into_bytes(),
                EscapedPem,
            ),
            (
                "escaped pem truncated escape",
                std::format!("{}%0", nginx_escape(&p)).into_bytes(),
                EscapedPem,
            ),
            (
                "escaped pem double-escaped",
                nginx_escape(&p).replace('%', "%25").into_bytes(),
                EscapedPem,
            ),
            (
                "escaped pem two certificates",
                nginx_escape(&std::format!("{p}{p}")).into_bytes(),
                EscapedPem,
            ),
            (
                "rfc9440 missing padding",
                std::format!(":{}:", b.trim_end_matches('=')).into_bytes(),
                ClientCertHeader,
            ),
            (
                "rfc9440 base64url chars",
                std::format!(":{url}:").into_bytes(),
                ClientCertHeader,
            ),
            (
                "rfc9440 without colons",
                b.as_bytes().to_vec(),
                ClientCertHeader,
            ),
            (
                "rfc9440 one colon",
                std::format!(":{b}").into_bytes(),
                ClientCertHeader,
            ),
            (
                "rfc9440 whitespace inside",
                std::format!(":{} {}:", &b[..64], &b[64..]).into_bytes(),
                ClientCertHeader,
            ),
            (
                "rfc9440 parameter",
                std::format!(":{b}:;a=1").into_bytes(),
                ClientCertHeader,
            ),
            ("rfc9440 empty", b"::".to_vec(), ClientCertHeader),
            ("der trailing byte", trailing, Der),
            ("der truncated", truncated, Der),
            ("der non-minimal length", non_minimal, Der),
            (
                "der short length in long form",
                std::vec![0x30, 0x81, 0x01, 0x00],
                Der,
            ),
            (
                "der indefinite length",
                std::vec![0x30, 0x80, 0x00, 0x00],
                Der,
            ),
        ];
        for (name, input, enc) in &cases {
            assert_eq!(refused(input, *enc), REFUSED, "{name}");
        }
        for enc in [Der, Pem, EscapedPem, ClientCertHeader] {
            assert_eq!(refused(b"", enc), REFUSED, "empty {enc:?}");
            assert_eq!(refused(b" \r\n", enc), REFUSED, "blank {enc:?}");
        }
    }

    #[test]
    fn der_structure_edges() {
        use CertEncoding::Der;
        // Minimal SEQUENCEs in each length form are accepted.
        assert!(decode(&[0x30, 0x00], Der).is_ok());
        let mut long1 = std::vec![0x30, 0x81, 0x80];
        long1.resize(3 + 0x80, 0);
        assert!(decode(&long1, Der).is_ok());
        let mut long2 = std::vec![0x30, 0x82, 0x01, 0x00];
        long2.resize(4 + 0x100, 0);
        assert!(decode(&long2, Der).is_ok());
        // Wrong tag, two-byte length with a leading zero, three length bytes, lone tag.
        assert_eq!(refused(&[0x31, 0x00], Der), REFUSED);
        let mut zero_hi = std::vec![0x30, 0x82, 0x00, 0x80];
        zero_hi.resize(4 + 0x80, 0);
        assert_eq!(refused(&zero_hi, Der), REFUSED);
        assert_eq!(refused(&[0x30, 0x83, 0x00, 0x00, 0x00], Der), REFUSED);
        assert_eq!(refused(&[0x30], Der), REFUSED);
        // Two SEQUENCEs back to back are not one certificate.
        assert_eq!(refused(&[0x30, 0x00, 0x30, 0x00], Der), REFUSED);
    }

    #[test]
    fn size_limit() {
        use CertEncoding::*;
        let mut at_max = std::vec![0x30, 0x82, 0x1F, 0xFC];
        at_max.resize(MAX_CERT_DER_LEN, 0);
        assert_eq!(decode(&at_max, Der).unwrap().len(), MAX_CERT_DER_LEN);
        let mut over = std::vec![0x30, 0x82, 0x1F, 0xFD];
        over.resize(MAX_CERT_DER_LEN + 1, 0);
        assert_eq!(refused(&over, Der), REFUSED);
        let mut enc = std::vec![0u8; b64::encoded_len(over.len()) + 4];
        let text = Base64::encode(&over, &mut enc).unwrap();
        let header = std::format!(":{text}:");
        assert_eq!(refused(header.as_bytes(), ClientCertHeader), REFUSED);
        let at_max_text = String::from(Base64::encode(&at_max, &mut enc).unwrap());
        let header = std::format!(":{at_max_text}:");
        assert!(decode(header.as_bytes(), ClientCertHeader).is_ok());
    }

    #[test]
    fn buffers_too_small_and_minimal_sizes() {
        let der = cert_der();
        let p = pem(64, "\n");
        let e = nginx_escape(&p);
        let h = std::format!(":{RFC7517_B_CERT_B64}:");
        let mut out = std::vec![0u8; der.len()];
        let mut small_out = std::vec![0u8; der.len() - 1];
        let mut scratch = std::vec![0u8; e.len()];
        let cases: [(&[u8], CertEncoding); 4] = [
            (&der, CertEncoding::Der),
            (p.as_bytes(), CertEncoding::Pem),
            (e.as_bytes(), CertEncoding::EscapedPem),
            (h.as_bytes(), CertEncoding::ClientCertHeader),
        ];
        for (input, enc) in cases {
            // Exactly the DER length is enough for `out`; one byte less is refused.
            assert_eq!(
                decode_cert(input, enc, &mut scratch, &mut out).unwrap(),
                der.as_slice()
            );
            assert_eq!(
                decode_cert(input, enc, &mut scratch, &mut small_out),
                Err(super::MALFORMED),
                "{enc:?}"
            );
        }
        // Scratch: unused for DER and RFC 9440, too small for PEM forms.
        for enc in [CertEncoding::Der, CertEncoding::ClientCertHeader] {
            let input: &[u8] = if enc == CertEncoding::Der {
                &der
            } else {
                h.as_bytes()
            };
            assert!(decode_cert(input, enc, &mut [], &mut out).is_ok());
        }
        let mut tiny = [0u8; 100];
        assert_eq!(
            decode_cert(p.as_bytes(), CertEncoding::Pem, &mut tiny, &mut out),
            Err(super::MALFORMED)
        );
        assert_eq!(
            decode_cert(e.as_bytes(), CertEncoding::EscapedPem, &mut tiny, &mut out),
            Err(super::MALFORMED)
        );
    }

    #[test]
    fn binding_checks() {
        let der = cert_der();
        let mismatch = Err(Error::Mtls(MtlsError::CertMismatch));
        let bad = Err(Error::Mtls(MtlsError::CnfX5tMalformed));
        assert_eq!(binding(RFC7517_B_X5T_S256, &der), Ok(()));
        // The same value with a JSON escape is the same string.
        let escaped = std::format!("\\u0070{}", &RFC7517_B_X5T_S256[1..]);
        assert_eq!(binding(&escaped, &der), Ok(()));

        let mut other = der.clone();
        other[100] ^= 0x01;
        assert_eq!(binding(RFC7517_B_X5T_S256, &other), mismatch);
        assert_eq!(
            binding(RFC7517_B_X5T_S256, &[]),
            Err(Error::Mtls(MtlsError::CertMissing))
        );

        let digest = x5t_s256(&der);
        let hex: String = digest.iter().map(|b| std::format!("{b:02x}")).collect();
        let mut std_buf = [0u8; 44];
        let standard = Base64::encode(&digest, &mut std_buf).unwrap();
        assert!(standard.contains('+') || standard.contains('/'));
        let mut sha1_buf = [0u8; 27];
        let sha1_like = b64::encode(&[0xE2; 20], &mut sha1_buf).unwrap();
        let cases: [(&str, String); 10] = [
            ("padded", std::format!("{RFC7517_B_X5T_S256}=")),
            ("hex of the hash", hex),
            ("standard base64 with padding", String::from(standard)),
            (
                "standard base64 unpadded",
                String::from(standard.trim_end_matches('=')),
            ),
            ("20-byte sha-1 x5t", String::from(sha1_like)),
            (
                "rfc 7517 sha-1 x5t",
                String::from("4pNenEBLv0JpLIdugWxQkOsZcK0"),
            ),
            (
                "rfc 8705 non-canonical example",
                String::from(RFC8705_EXAMPLE_X5T),
            ),
            ("empty", String::new()),
            ("44 characters", std::format!("{RFC7517_B_X5T_S256}A")),
            ("whitespace", std::format!(" {}", &RFC7517_B_X5T_S256[1..])),
        ];
        for (name, value) in &cases {
            assert_eq!(binding(value, &der), bad, "{name}");
        }
        // Canonical re-encoding of the RFC 8705 example is well-formed, just another cert's.
        assert_eq!(
            binding("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg0", &der),
            mismatch
        );
    }
}
