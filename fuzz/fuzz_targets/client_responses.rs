//! The authorization server's plain answers the client parses: the PAR response, the token
//! response (with and without a DPoP proof sent), OAuth error bodies, the `DPoP-Nonce` header,
//! and form/query decoding. The first byte picks the parser and the HTTP status. No panic, no
//! allocation; an accepted token response has an access token.
#![no_main]
use fapi_core::{form, oauth, par, token};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let status = [200u16, 201, 400, 401, 500][usize::from(sel >> 3) % 5];
    let mut out = [0u8; 4096];
    no_alloc(|| match sel % 6 {
        0 => {
            let _ = par::parse_response(status, body);
        }
        1 | 2 => {
            if let Ok(t) = token::parse_response(status, body, sel % 6 == 2) {
                assert!(!t.access_token().raw().is_empty());
            }
        }
        3 => {
            let _ = oauth::ErrorResponse::parse(body);
        }
        4 => {
            let _ = token::dpop_nonce(body);
        }
        _ => {
            if let Ok(n) = form::decoded_len(body)
                && let Some(dst) = out.get_mut(..n)
                && let Ok(text) = form::decode(body, dst)
            {
                assert!(form::eq_decoded(body, text));
            }
            for p in form::params(body) {
                let _ = p;
            }
        }
    });
});
