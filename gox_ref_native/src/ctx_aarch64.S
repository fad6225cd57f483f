/* ctx_aarch64.S: the goroutine context switch for aarch64 (AAPCS64).
 *
 * void gox_ctx_switch(void **save, void *to)
 *   stores x19-x30 (x29 the frame pointer, x30 the return address), d8-d15 and FPCR in a
 *   176-byte block on the current stack, stores the stack pointer in *save, switches to `to`
 *   and restores its block; `ret` resumes that context.  Block layout (offsets from the saved
 *   sp): x19..x28 at 0..72, x29 at 80, x30 at 88, d8..d15 at 96..152, FPCR at 160.
 * gox_ctx_trampoline: where a new context starts: calls x20(x19) with x29 = 0.
 */
#if defined(__aarch64__)
    .text
    .globl gox_ctx_switch
    .hidden gox_ctx_switch
    .type gox_ctx_switch, %function
    .p2align 4
gox_ctx_switch:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x9, fpcr
    str x9, [sp, #160]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldr x9, [sp, #160]
    msr fpcr, x9
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #176
    ret
    .size gox_ctx_switch, .-gox_ctx_switch

    .globl gox_ctx_trampoline
    .hidden gox_ctx_trampoline
    .type gox_ctx_trampoline, %function
    .p2align 4
gox_ctx_trampoline:
    mov x0, x19
    blr x20
    brk #0
    .size gox_ctx_trampoline, .-gox_ctx_trampoline
#endif
#if defined(__linux__) && defined(__ELF__)
    .section .note.GNU-stack, "", %progbits
#endif
