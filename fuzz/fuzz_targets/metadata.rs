//! Authorization-server metadata (RFC 8414 / OpenID discovery): any document, against the
//! expected issuer; endpoints, mTLS aliases and algorithm lists of an accepted document are
//! all read. No panic, no allocation; an accepted document's issuer is the expected one.
#![no_main]
use fapi_core::metadata::{self, AlgList, Endpoint, MetadataOptions};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, doc)) = data.split_first() else {
        return;
    };
    let opts = MetadataOptions {
        allow_http: flags & 1 == 1,
    };
    no_alloc(|| {
        let Ok(m) = metadata::parse(doc, fapi_tests::ISS, opts) else {
            return;
        };
        assert!(m.issuer().eq_str(fapi_tests::ISS));
        for e in Endpoint::ALL {
            let _ = m.endpoint(e);
            let _ = m.endpoint_for(e, true);
        }
        for l in AlgList::ALL {
            let _ = m.algs(l);
        }
        let _ = (m.iss_parameter_supported(), m.requires_par(), m.dpop_algs());
    });
});
