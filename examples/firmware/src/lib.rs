//! Measurement helpers shared by the firmware images of this crate (QEMU `mps2-an386`,
//! Cortex-M4F): peak stack by painting, instructions by SysTick under `-icount shift=0`.
//!
//! - **Stack**: [`measure`] paints [`WINDOW`] bytes below the current stack pointer with a
//!   pattern, runs the closure, and finds the deepest overwritten word. That is the peak stack
//!   use of the closure and everything it calls, measured from `measure`'s own frame (±4 B).
//! - **Instructions**: with `-icount shift=0`, QEMU advances virtual time 1 ns per instruction
//!   and SysTick counts the 25 MHz core clock, so one tick is 40 instructions. [`start_systick`]
//!   sets SysTick free-running over its 24 bits (671 M instructions before it wraps; one
//!   decision is far below that).
#![no_std]

use core::arch::asm;

use cortex_m::peripheral::{SYST, syst::SystClkSource};

/// Bytes painted below the stack pointer before each measured call (well above every budget,
/// so an overrun is still measured; RAM is 4 MiB).
pub const WINDOW: usize = 64 * 1024;
const PAINT: u32 = 0xC0DE_F00D;
/// SysTick counts the 25 MHz core clock; with `-icount shift=0` that is 40 instructions a tick.
pub const INSTR_PER_TICK: u32 = 40;
const SYST_MASK: u32 = 0x00FF_FFFF;

unsafe extern "C" {
    /// End of `.bss` (cortex-m-rt's link.x): nothing static lives above it.
    static __ebss: u32;
}

/// What one measured call used.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// Peak stack in bytes, below `measure`'s frame.
    pub stack: usize,
    /// Instructions executed (SysTick ticks × 40).
    pub instructions: u32,
}

/// Ends the program through semihosting: QEMU exits with status 0 if `ok`, 1 otherwise.
pub fn exit(ok: bool) -> ! {
    cortex_m_semihosting::debug::exit(if ok {
        cortex_m_semihosting::debug::EXIT_SUCCESS
    } else {
        cortex_m_semihosting::debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

/// Reports a setup failure over semihosting and exits with status 1.
pub fn setup_failed(what: &str) -> ! {
    cortex_m_semihosting::hprintln!("setup failed: {}", what);
    exit(false)
}

/// What the hprintln binaries' panic handlers do: print the panic, exit with status 1.
pub fn report_panic(info: &core::panic::PanicInfo) -> ! {
    cortex_m_semihosting::hprintln!("panic: {}", info);
    exit(false)
}

/// Starts SysTick free-running on the core clock over its full 24-bit range.
pub fn start_systick(syst: &mut SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(SYST_MASK);
    syst.clear_current();
    syst.enable_counter();
}

fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer register; no memory access.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// Runs `f` on freshly painted stack; returns its result and what it used.
///
/// # Panics
/// If the painted window would reach into `.bss` (the stack is too small for [`WINDOW`]).
#[inline(never)]
pub fn measure<R>(syst: &mut SYST, f: &mut dyn FnMut() -> R) -> (R, Usage) {
    let top = sp() & !3;
    let bottom = top - WINDOW;
    // SAFETY (both loops): [bottom, top) lies below this frame's stack pointer, so it holds no
    // live data (AAPCS has no red zone and no interrupt is enabled), and above `__ebss`
    // (checked), so no static either. It is plain RAM of the mps2-an386 SSRAM2/3 bank.
    assert!(bottom >= &raw const __ebss as usize);
    let mut p = bottom;
    while p < top {
        unsafe { (p as *mut u32).write_volatile(PAINT) };
        p += 4;
    }
    // Hidden from the optimiser: otherwise LTO inlines `f` (and what it calls) into this
    // function, whose frame is allocated before `top` is read and so would go unmeasured.
    let f = core::hint::black_box(f);
    syst.clear_current();
    let start = SYST::get_current();
    let r = f();
    let end = SYST::get_current();
    let mut p = bottom;
    while p < top && unsafe { (p as *const u32).read_volatile() } == PAINT {
        p += 4;
    }
    let ticks = start.wrapping_sub(end) & SYST_MASK;
    (
        r,
        Usage {
            stack: top - p,
            instructions: ticks * INSTR_PER_TICK,
        },
    )
}

/// The shape of the generated decision cases (`src/cases.rs`, written by `gen_cases.rs`).
pub mod case {
    use fapi_core::mtls::CertEncoding;

    /// Which verifier of the firmware decides a case.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum V {
        /// The resource-server policy with the token cache.
        Rs,
        /// The same policy without the token cache.
        NoCache,
        /// Server nonces required.
        Nonce,
    }

    /// The sender constraint an allow must report.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Bind {
        /// An unbound bearer token.
        None,
        /// DPoP.
        Dpop,
        /// A client certificate.
        Mtls,
    }

    /// The expected verdict.
    #[derive(Clone, Copy, Debug)]
    pub enum Want {
        /// Allowed, with this binding and (when given) this cache outcome.
        Allow {
            /// The binding.
            binding: Bind,
            /// Whether the token cache vouched for the signature (`None`: not checked).
            cache_hit: Option<bool>,
        },
        /// Denied with exactly this code and status (and challenge, when given).
        Deny {
            /// `fapi_core::Error::code`.
            code: u16,
            /// `fapi_core::Error::name`.
            name: &'static str,
            /// The HTTP status.
            status: u16,
            /// The exact `WWW-Authenticate` value (`None`: not checked).
            challenge: Option<&'static str>,
        },
    }

    /// One request and its expected verdict.
    #[derive(Clone, Copy, Debug)]
    pub struct Case {
        /// The name, as in the Rust case tables.
        pub name: &'static str,
        /// The verifier.
        pub verifier: V,
        /// The method.
        pub method: &'static [u8],
        /// The request target.
        pub target: &'static [u8],
        /// Every `Authorization` field.
        pub authorization: &'static [&'static [u8]],
        /// Every `DPoP` field.
        pub dpop: &'static [&'static [u8]],
        /// The client certificate (DER from the TLS stack, other encodings from a proxy).
        pub cert: Option<(&'static [u8], CertEncoding)>,
        /// The clock.
        pub now: u64,
        /// The verdict.
        pub want: Want,
        /// An RSA signature is verified on the way (its own stack budget).
        pub rsa: bool,
        /// A headline measurement of the footprint report, or empty.
        pub tag: &'static str,
    }
}
