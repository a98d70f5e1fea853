//! An owned per-request input of the decision cases, and the builder methods shared by
//! `tests/tests/decision.rs` (which borrows it into a `fapi_core::request::Request`) and the C
//! case generator (which prints it as a C case).

use fapi_core::mtls::CertEncoding;

use crate::NOW;

/// An owned request: the fields of a `fapi_core::request::Request` (no introspection).
#[derive(Clone, Debug)]
pub struct Req {
    /// The HTTP method.
    pub method: Vec<u8>,
    /// The request target.
    pub target: Vec<u8>,
    /// The index of the public base.
    pub base: usize,
    /// The `Authorization` fields.
    pub auth: Vec<Vec<u8>>,
    /// The `DPoP` fields.
    pub dpop: Vec<Vec<u8>>,
    /// The client certificate and its encoding.
    pub cert: Option<(Vec<u8>, CertEncoding)>,
    /// The required scopes.
    pub scopes: Vec<String>,
    /// The clock.
    pub now: u64,
}

impl Req {
    /// `GET /accounts` on base 0 at [`NOW`], no fields.
    pub fn new() -> Self {
        Self {
            method: b"GET".to_vec(),
            target: b"/accounts".to_vec(),
            base: 0,
            auth: Vec::new(),
            dpop: Vec::new(),
            cert: None,
            scopes: Vec::new(),
            now: NOW,
        }
    }
}

impl Default for Req {
    fn default() -> Self {
        Self::new()
    }
}

/// Builder methods over anything holding a [`Req`].
pub trait ReqFields: Sized {
    /// The request being built.
    fn req_mut(&mut self) -> &mut Req;

    /// Sets the method.
    #[must_use]
    fn method(mut self, m: &str) -> Self {
        self.req_mut().method = m.as_bytes().to_vec();
        self
    }
    /// Sets the target.
    #[must_use]
    fn target(mut self, t: &str) -> Self {
        self.req_mut().target = t.as_bytes().to_vec();
        self
    }
    /// Sets the public base index.
    #[must_use]
    fn base(mut self, b: usize) -> Self {
        self.req_mut().base = b;
        self
    }
    /// Replaces the `Authorization` fields.
    #[must_use]
    fn auth(mut self, fields: &[&str]) -> Self {
        self.req_mut().auth = fields.iter().map(|f| f.as_bytes().to_vec()).collect();
        self
    }
    /// Replaces the `DPoP` fields.
    #[must_use]
    fn dpop(mut self, fields: &[&str]) -> Self {
        self.req_mut().dpop = fields.iter().map(|f| f.as_bytes().to_vec()).collect();
        self
    }
    /// `Bearer <token>` as the one `Authorization` field.
    #[must_use]
    fn bearer(self, token: &str) -> Self {
        self.auth(&[&format!("Bearer {token}")])
    }
    /// `DPoP <token>` as the one `Authorization` field and `proof` as the one `DPoP` field.
    #[must_use]
    fn dpop_req(self, token: &str, proof: &str) -> Self {
        self.auth(&[&format!("DPoP {token}")]).dpop(&[proof])
    }
    /// Sets the client certificate (DER comes from the TLS stack, the other encodings from a
    /// trusted proxy).
    #[must_use]
    fn cert(mut self, bytes: impl Into<Vec<u8>>, enc: CertEncoding) -> Self {
        self.req_mut().cert = Some((bytes.into(), enc));
        self
    }
    /// Sets the required scopes.
    #[must_use]
    fn scopes(mut self, s: &[&str]) -> Self {
        self.req_mut().scopes = s.iter().map(|x| (*x).to_string()).collect();
        self
    }
    /// Sets the clock.
    #[must_use]
    fn now(mut self, t: u64) -> Self {
        self.req_mut().now = t;
        self
    }
}

impl ReqFields for Req {
    fn req_mut(&mut self) -> &mut Req {
        self
    }
}
