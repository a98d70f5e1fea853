//! The baseline of `footprint`: the same runtime (cortex-m-rt vector table and reset handler,
//! the exported input and output, the panic handler) without fapi. Never run.
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::ptr::{read_volatile, write_volatile};

use cortex_m_rt::entry;

#[unsafe(no_mangle)]
static mut INPUT: [u8; 16 * 1024] = [0; 16 * 1024];
#[unsafe(no_mangle)]
static mut OUTPUT: [u32; 4] = [0; 4];

#[entry]
fn main() -> ! {
    // SAFETY: in-bounds volatile accesses of the two statics; nothing else touches them.
    unsafe {
        let x = read_volatile((&raw const INPUT).cast::<u32>());
        write_volatile(&raw mut OUTPUT, [x, 0, 0, 0]);
    }
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}
