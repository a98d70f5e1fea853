/* Arm semihosting (BKPT 0xAB) for QEMU: console output and exit status. */
#ifndef FAPI_FW_SEMIHOSTING_H
#define FAPI_FW_SEMIHOSTING_H

#include <stdint.h>

static inline uintptr_t semihosting_call(uint32_t op, void *arg) {
    register uintptr_t r0 __asm("r0") = op;
    register void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihosting_puts(const char *s);
/* Ends the run: QEMU exits 0 if `ok`, 1 otherwise. */
__attribute__((noreturn)) void semihosting_exit(int ok);

#endif
