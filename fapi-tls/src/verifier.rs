//! fapi's server verifier and crypto provider for embedded-tls: the parts that close its traps.
//!
//! embedded-tls calls [`TlsVerifier::verify_certificate`] on the server's Certificate and
//! [`TlsVerifier::verify_signature`] on its CertificateVerify — but accepts a handshake in which
//! neither message arrives, and skips both when no verifier is supplied. The verifier here
//! keeps a small state machine (Certificate, then CertificateVerify) and the client refuses
//! the connection unless it ended authenticated; the provider never hands the client
//! certificate or key to a server that has not authenticated.

use crate::error::Error;
use crate::identity::ClientIdentity;
use crate::trust::{self, MAX_CHAIN_LEN, ServerTrust};
use embedded_tls::{
    Aes128GcmSha256, Certificate, CertificateEntryRef, CertificateRef, CertificateVerifyRef,
    CryptoProvider, CryptoRngCore, SignatureScheme, TlsCipherSuite, TlsError, TlsVerifier,
};
use p256::ecdsa::{DerSignature, Signature, VerifyingKey, signature::Verifier};
use sha2::Digest;

/// The context string of a server CertificateVerify (RFC 8446 §4.4.3).
const SERVER_CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\x00";

/// Where the server's authentication stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Stage {
    /// Waiting for the Certificate message.
    ExpectCertificate,
    /// Certificate accepted; waiting for CertificateVerify.
    ExpectCertificateVerify,
    /// Both verified.
    Authenticated,
    /// A check failed; the first failure is kept.
    Failed,
}

/// The server verifier fapi supplies to embedded-tls.
pub(crate) struct ServerVerifier<'a, CS: TlsCipherSuite> {
    trust: ServerTrust<'a>,
    server_name: &'a str,
    now: u64,
    stage: Stage,
    transcript: Option<CS::Hash>,
    key: Option<VerifyingKey>,
    error: Option<Error>,
}

impl<'a, CS: TlsCipherSuite> ServerVerifier<'a, CS> {
    /// A verifier for one handshake at time `now`.
    pub(crate) fn new(trust: ServerTrust<'a>, server_name: &'a str, now: u64) -> Self {
        Self {
            trust,
            server_name,
            now,
            stage: Stage::ExpectCertificate,
            transcript: None,
            key: None,
            error: None,
        }
    }

    /// True once both Certificate and CertificateVerify were verified.
    pub(crate) fn authenticated(&self) -> bool {
        self.stage == Stage::Authenticated
    }

    /// The first check that failed, if any.
    pub(crate) fn error(&self) -> Option<Error> {
        self.error
    }

    /// Records `e` (the first failure wins) and returns the error that stops embedded-tls.
    ///
    /// No alert is sent: embedded-tls 0.19 would send it as a plaintext record with version
    /// 0x0301 after ServerHello, which OpenSSL rejects as "wrong version number"; closing the
    /// connection says no less and nothing misleading.
    fn fail(&mut self, e: Error) -> TlsError {
        let e = *self.error.get_or_insert(e);
        self.stage = Stage::Failed;
        self.transcript = None;
        self.key = None;
        match e {
            Error::ServerSignatureInvalid => TlsError::InvalidSignature,
            _ => TlsError::InvalidCertificate,
        }
    }

    /// The Certificate checks; returns the leaf's key.
    fn check_certificate(&self, cert: &CertificateRef<'_>) -> Result<VerifyingKey, Error> {
        if self.stage != Stage::ExpectCertificate {
            return Err(Error::ServerNotAuthenticated);
        }
        let mut chain: [&[u8]; MAX_CHAIN_LEN] = [&[]; MAX_CHAIN_LEN];
        let mut n = 0usize;
        for (slot, entry) in chain.iter_mut().zip(cert.entries.iter()) {
            match entry {
                CertificateEntryRef::X509(der) => *slot = der,
                CertificateEntryRef::RawPublicKey(_) => return Err(Error::ServerCertMalformed),
            }
            n += 1;
        }
        let chain = chain.get(..n).ok_or(Error::ServerCertMalformed)?;
        trust::authenticate(&self.trust, chain, self.server_name, self.now)
    }

    /// The CertificateVerify check.
    fn check_signature(&mut self, verify: &CertificateVerifyRef<'_>) -> Result<(), Error> {
        if self.stage != Stage::ExpectCertificateVerify {
            return Err(Error::ServerNotAuthenticated);
        }
        let (Some(transcript), Some(key)) = (self.transcript.take(), self.key.take()) else {
            return Err(Error::ServerNotAuthenticated);
        };
        if verify.signature_scheme != SignatureScheme::EcdsaSecp256r1Sha256 {
            return Err(Error::ServerSignatureInvalid);
        }
        // 64 spaces, the context string, the transcript hash (at most 48 bytes).
        let mut msg = [0x20u8; 64 + 34 + 48];
        let hash = transcript.finalize();
        let len = 64 + SERVER_CONTEXT.len() + hash.len();
        let tail = msg.get_mut(64..len).ok_or(Error::ServerSignatureInvalid)?;
        let (ctx, h) = tail.split_at_mut(SERVER_CONTEXT.len());
        ctx.copy_from_slice(SERVER_CONTEXT);
        h.copy_from_slice(&hash);
        let msg = msg.get(..len).ok_or(Error::ServerSignatureInvalid)?;
        let sig =
            Signature::from_der(verify.signature).map_err(|_| Error::ServerSignatureInvalid)?;
        key.verify(msg, &sig)
            .map_err(|_| Error::ServerSignatureInvalid)
    }
}

impl<CS: TlsCipherSuite> TlsVerifier<CS> for ServerVerifier<'_, CS> {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        // embedded-tls passes back the name fapi configured; anything else is a bug.
        if hostname == self.server_name {
            Ok(())
        } else {
            Err(self.fail(Error::ServerNameInvalid))
        }
    }

    fn verify_certificate(
        &mut self,
        transcript: &CS::Hash,
        cert: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        match self.check_certificate(&cert) {
            Ok(key) => {
                self.key = Some(key);
                self.transcript = Some(transcript.clone());
                self.stage = Stage::ExpectCertificateVerify;
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        match self.check_signature(&verify) {
            Ok(()) => {
                self.stage = Stage::Authenticated;
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }
}

/// Whether and how the server asked for the client certificate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// The server did not send a CertificateRequest.
    NotRequested,
    /// The server asked, and no client identity was configured (an empty Certificate was sent).
    RequestedNoneSent,
    /// The server asked, and the client certificate and its CertificateVerify were sent.
    CertificateSent,
}

/// fapi's embedded-tls crypto provider: caller randomness, fapi's verifier, the checked
/// P-256 client identity.
pub(crate) struct Provider<'a, 'r, R> {
    rng: &'r mut R,
    pub(crate) verifier: ServerVerifier<'a, Aes128GcmSha256>,
    identity: Option<&'a ClientIdentity<'a>>,
    pub(crate) client_auth: ClientAuth,
}

impl<'a, 'r, R: CryptoRngCore> Provider<'a, 'r, R> {
    /// A provider for one handshake.
    pub(crate) fn new(
        rng: &'r mut R,
        verifier: ServerVerifier<'a, Aes128GcmSha256>,
        identity: Option<&'a ClientIdentity<'a>>,
    ) -> Self {
        Self {
            rng,
            verifier,
            identity,
            client_auth: ClientAuth::NotRequested,
        }
    }
}

impl<R: CryptoRngCore> CryptoProvider for Provider<'_, '_, R> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = DerSignature;

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut *self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Self::CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }

    fn signer(
        &mut self,
    ) -> Result<
        (
            impl p256::ecdsa::signature::SignerMut<Self::Signature>,
            SignatureScheme,
        ),
        TlsError,
    > {
        if !self.verifier.authenticated() {
            return Err(self.verifier.fail(Error::ServerNotAuthenticated));
        }
        match self.identity {
            Some(id) => {
                self.client_auth = ClientAuth::CertificateSent;
                Ok((
                    id.signing_key().clone(),
                    SignatureScheme::EcdsaSecp256r1Sha256,
                ))
            }
            None => Err(TlsError::InvalidPrivateKey),
        }
    }

    fn client_cert(&mut self) -> Option<Certificate<impl AsRef<[u8]>>> {
        // Never show the certificate to a server that has not authenticated itself.
        let id = self.identity.filter(|_| self.verifier.authenticated());
        self.client_auth = match id {
            Some(_) => ClientAuth::CertificateSent,
            None => ClientAuth::RequestedNoneSent,
        };
        id.map(|id| Certificate::X509(id.cert_der()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type V = ServerVerifier<'static, Aes128GcmSha256>;

    fn verifier() -> V {
        ServerVerifier::new(ServerTrust::PublicKeySha256([0; 32]), "server.test", 0)
    }

    #[test]
    fn certificate_verify_before_certificate_is_refused() {
        let mut v = verifier();
        assert!(!v.authenticated());
        let cv = CertificateVerifyRef {
            signature_scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            signature: &[0x30, 0x00],
        };
        let r = TlsVerifier::<Aes128GcmSha256>::verify_signature(&mut v, cv);
        assert!(matches!(r, Err(TlsError::InvalidCertificate)));
        assert_eq!(v.error(), Some(Error::ServerNotAuthenticated));
        assert!(!v.authenticated());
    }

    #[test]
    fn empty_certificate_is_refused_and_first_error_kept() {
        let mut v = verifier();
        let transcript = <Aes128GcmSha256 as TlsCipherSuite>::Hash::new();
        let empty = CertificateRef::with_context(&[]);
        let r = TlsVerifier::<Aes128GcmSha256>::verify_certificate(&mut v, &transcript, empty);
        assert!(r.is_err());
        assert_eq!(v.error(), Some(Error::ServerCertMalformed));
        // A later Certificate cannot reset the failure.
        let again = CertificateRef::with_context(&[]);
        let _ = TlsVerifier::<Aes128GcmSha256>::verify_certificate(&mut v, &transcript, again);
        assert_eq!(v.error(), Some(Error::ServerCertMalformed));
        assert!(!v.authenticated());
    }

    #[test]
    fn no_signer_and_no_certificate_for_an_unauthenticated_server() {
        struct Zero;
        impl rand_core::RngCore for Zero {
            fn next_u32(&mut self) -> u32 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                0
            }
            fn fill_bytes(&mut self, d: &mut [u8]) {
                d.fill(0)
            }
            fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> {
                d.fill(0);
                Ok(())
            }
        }
        impl rand_core::CryptoRng for Zero {}
        let mut rng = Zero;
        let mut p = Provider::new(&mut rng, verifier(), None);
        assert!(p.client_cert().is_none());
        assert_eq!(p.client_auth, ClientAuth::RequestedNoneSent);
        assert!(p.signer().is_err());
        assert_eq!(p.verifier.error(), Some(Error::ServerNotAuthenticated));
    }
}
