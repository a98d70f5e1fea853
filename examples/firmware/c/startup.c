/* Bare-metal startup for QEMU mps2-an386 (Cortex-M4F): vector table, .data/.bss set-up, the
 * FPU switched on (libfapi.a is built for thumbv7em-none-eabihf: hard-float code), then main().
 * Every exit goes through semihosting, so QEMU's exit status is the firmware's verdict. */
#include <stdint.h>

#include "semihosting.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void semihosting_exit(int ok) {
    /* SYS_EXIT with ADP_Stopped_ApplicationExit (QEMU exits 0) or
     * ADP_Stopped_RunTimeErrorUnknown (QEMU exits 1). */
    semihosting_call(0x18, (void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
    for (;;) {
    }
}

void semihosting_puts(const char *s) {
    semihosting_call(0x04, (void *)s); /* SYS_WRITE0 */
}

static void fault_handler(void) {
    semihosting_puts("fault\n");
    semihosting_exit(0);
}

void Reset_Handler(void) {
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    /* CPACR: full access to CP10 and CP11 (the FPU), bits 20-23. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
    semihosting_exit(main() == 0);
}

/* Initial stack pointer, then the handlers: reset, NMI, HardFault, MemManage, BusFault,
 * UsageFault. Nothing else is enabled. */
__attribute__((section(".vectors"), used)) static void (*const vectors[])(void) = {
    (void (*)(void))(uintptr_t)&_estack,
    Reset_Handler,
    fault_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    fault_handler,
};
