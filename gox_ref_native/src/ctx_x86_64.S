/* ctx_x86_64.S: the goroutine context switch for x86-64 (System V).
 *
 * void gox_ctx_switch(void **save, void *to)
 *   pushes the callee-saved registers (rbp, rbx, r12-r15) and the MXCSR / x87 control words
 *   on the current stack, stores the stack pointer in *save, switches to the stack pointer
 *   `to` (saved the same way, or prepared by ctx_make in stack.c) and pops its registers;
 *   `ret` resumes that context.  Layout from the saved sp up: [mxcsr, fpcw] r15 r14 r13 r12
 *   rbx rbp return-address.
 * gox_ctx_trampoline: where a new context starts: calls r13(r12) with a null frame pointer
 *   (rbp = 0 ends frame-pointer walks); the function never returns.
 */
#if defined(__x86_64__)
    .text
    .globl gox_ctx_switch
    .hidden gox_ctx_switch
    .type gox_ctx_switch, @function
    .p2align 4
gox_ctx_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size gox_ctx_switch, .-gox_ctx_switch

    .globl gox_ctx_trampoline
    .hidden gox_ctx_trampoline
    .type gox_ctx_trampoline, @function
    .p2align 4
gox_ctx_trampoline:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size gox_ctx_trampoline, .-gox_ctx_trampoline
#endif
#if defined(__linux__) && defined(__ELF__)
    .section .note.GNU-stack, "", %progbits
#endif
