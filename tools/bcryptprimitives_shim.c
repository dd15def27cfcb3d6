/* Test tooling only, never shipped: Wine 8 has no bcryptprimitives.dll,
 * whose ProcessPrng Rust's standard library imports on Windows. This
 * stand-in forwards to RtlGenRandom (advapi32's SystemFunction036) so Rust
 * test programs start under Wine. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) {
            return FALSE;
        }
        data += n;
        len -= n;
    }
    return TRUE;
}
