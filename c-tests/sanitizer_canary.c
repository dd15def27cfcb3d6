/* Must FAIL under the sanitizers: it leaks Variants made by the library
 * (or, with an argument, reads one byte past a library-owned buffer).
 * `make check-asan` runs it to prove that the sanitizers see into the
 * library: a run where this program passed would make the results of the
 * real tests meaningless. */
#include <stdio.h>

#include "streampeer_tcp.h"

/* Drops every handle at once, so no pointer to them survives anywhere. */
static void leak(void) {
    for (int i = 0; i < 64; i++) {
        (void)sptcp_variant_new_string("never freed");
    }
}

int main(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        sptcp_variant *v = sptcp_variant_new_string("overflow");
        uint8_t *b = NULL;
        size_t len = 0;
        sptcp_var_to_bytes(v, 4, false, &b, &len);
        printf("%d\n", b[len]); /* one past the end */
        sptcp_bytes_free(b);
        sptcp_variant_free(v);
        return 0;
    }
    leak();
    puts("canary: leaked 64 values");
    return 0;
}
