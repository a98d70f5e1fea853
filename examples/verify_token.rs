//! `verify_token`: verifies one JWT access token against a JWKS file and prints the verdict
//! with its reason — what an operator runs to ask "why is this token refused?".
//!
//! ```text
//! cargo run -p fapi-tests --example verify_token -- --jwks examples/data/jwks.json \
//!     --iss https://as.example.com --aud https://rs.example.com [--now UNIX] TOKEN|-
//! ```
//! `--now` defaults to the host clock: the library itself never reads a clock.

use fapi_core::config::Config;
use fapi_core::jwk::{JWKS_LIMITS, KeySet};
use fapi_core::jws::{Alg, AlgSet};
use fapi_core::jwt::{self, Confirmation, Scratch};
use std::io::Read;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: verify_token --jwks FILE --iss ISSUER --aud AUDIENCE [--now UNIX] [--leeway S] TOKEN|-"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut jwks, mut iss, mut aud, mut now, mut leeway, mut token) =
        (None, None, None, None, 10u32, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jwks" => jwks = args.next(),
            "--iss" => iss = args.next(),
            "--aud" => aud = args.next(),
            "--now" => now = args.next().and_then(|v| v.parse::<u64>().ok()),
            "--leeway" => leeway = args.next().and_then(|v| v.parse().ok()).unwrap_or(u32::MAX),
            _ if token.is_none() => token = Some(a),
            _ => return usage(),
        }
    }
    let (Some(jwks), Some(iss), Some(aud), Some(token)) = (jwks, iss, aud, token) else {
        return usage();
    };
    let token = if token == "-" {
        let mut s = String::new();
        if std::io::stdin().read_to_string(&mut s).is_err() {
            return usage();
        }
        s.trim().to_string()
    } else {
        token
    };
    let now = now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    });
    let jwks_bytes = match std::fs::read(&jwks) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {jwks}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut keys: KeySet<16> = KeySet::new();
    match keys.load(&jwks_bytes, &JWKS_LIMITS) {
        Ok(r) => eprintln!("jwks: {} usable keys, {} skipped", r.loaded, r.skipped),
        Err(e) => {
            println!(
                "{{\"verdict\":\"error\",\"stage\":\"jwks\",\"code\":{},\"reason\":\"{}\"}}",
                e.code(),
                e.name()
            );
            return ExitCode::from(2);
        }
    }
    let cfg = match Config::builder(
        &iss,
        &aud,
        AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ed25519]),
    )
    .leeway(leeway)
    .build()
    {
        Ok(c) => c,
        Err(e) => {
            println!(
                "{{\"verdict\":\"error\",\"stage\":\"config\",\"code\":{},\"reason\":\"{}\"}}",
                e.code(),
                e.name()
            );
            return ExitCode::from(2);
        }
    };
    let mut scratch: Box<Scratch> = Box::new(Scratch::new());
    match jwt::verify_access_token(&cfg, keys.keys(), &mut scratch, token.as_bytes(), now) {
        Ok(t) => {
            let c = t.claims();
            let mut sub = [0u8; 256];
            let sub = c.claim_str("sub", &mut sub).ok().flatten().unwrap_or("");
            let bound = match c.cnf() {
                Confirmation::Unbound => "none",
                Confirmation::Bound {
                    jkt: Some(_),
                    x5t_s256: Some(_),
                } => "dpop+mtls",
                Confirmation::Bound { jkt: Some(_), .. } => "dpop",
                Confirmation::Bound { .. } => "mtls",
            };
            println!(
                "{{\"verdict\":\"allow\",\"alg\":\"{}\",\"sub\":{:?},\"exp\":{},\"binding\":\"{bound}\"}}",
                t.jws().header().alg().name(),
                sub,
                c.exp()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!(
                "{{\"verdict\":\"deny\",\"code\":{},\"reason\":\"{}\",\"error\":\"{}\",\"status\":{}}}",
                e.code(),
                e.name(),
                e.oauth_error().as_str(),
                e.http_status()
            );
            ExitCode::from(1)
        }
    }
}
