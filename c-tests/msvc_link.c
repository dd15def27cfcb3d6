/* Proves that the MSVC-style import library `streampeer_tcp.lib` made by
 * `make windows` links with an MSVC-compatible linker and that the program
 * runs: built with clang for x86_64-pc-windows-msvc, linked with lld-link
 * against streampeer_tcp.lib, run under Wine (c-tests/windows.sh).
 *
 * No C runtime is linked (there is no MSVC CRT on this machine), so the
 * program defines its own entry point and writes through kernel32 only.
 * It does one real exchange over loopback through the DLL. */
#include <stddef.h>
#include <stdint.h>

#include "streampeer_tcp.h"

/* The three kernel32 calls used, declared by hand (no Windows SDK here). */
__declspec(dllimport) void *__stdcall GetStdHandle(uint32_t which);
__declspec(dllimport) int __stdcall WriteFile(void *file, const void *data, uint32_t len,
                                             uint32_t *written, void *overlapped);
__declspec(dllimport) void __stdcall Sleep(uint32_t ms);
__declspec(dllimport) __declspec(noreturn) void __stdcall ExitProcess(uint32_t code);

static int passed, failed;

static void say(const char *text) {
    uint32_t len = 0, written = 0;
    while (text[len]) {
        len++;
    }
    WriteFile(GetStdHandle((uint32_t)-11), text, len, &written, NULL);
}

static void check(int ok, const char *what) {
    say(ok ? "msvc_link: ok   " : "msvc_link: FAIL ");
    say(what);
    say("\r\n");
    if (ok) {
        passed++;
    } else {
        failed++;
    }
}

static void say_number(int n) {
    char digits[12];
    int i = (int)sizeof digits - 1;
    digits[i] = 0;
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0 && i > 0);
    say(&digits[i]);
}

static int same(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

void start(void) {
    say("msvc_link: library ");
    say(sptcp_version());
    say("\r\n");

    sptcp_server *server = sptcp_server_new();
    check(sptcp_server_listen(server, 0, "127.0.0.1") == SPTCP_OK, "listen on 127.0.0.1:0");
    int32_t port = sptcp_server_get_local_port(server);
    check(port > 0, "the server has a port");

    sptcp_peer *client = sptcp_peer_new();
    check(sptcp_connect_to_host(client, "127.0.0.1", port) == SPTCP_OK, "connect_to_host");
    for (int i = 0; i < 5000 && sptcp_get_status(client) == SPTCP_STATUS_CONNECTING; i++) {
        sptcp_poll(client);
        Sleep(1);
    }
    check(sptcp_get_status(client) == SPTCP_STATUS_CONNECTED, "client CONNECTED");
    for (int i = 0; i < 5000 && !sptcp_server_is_connection_available(server); i++) {
        Sleep(1);
    }
    sptcp_peer *accepted = sptcp_server_take_connection(server);
    check(accepted != NULL, "take_connection");

    check(sptcp_put_u32(client, 0xC0FFEEu) == SPTCP_OK, "put_u32");
    check(sptcp_put_utf8_string(client, "from MSVC") == SPTCP_OK, "put_utf8_string");
    uint32_t got = 0;
    check(sptcp_get_u32(accepted, &got) == SPTCP_OK && got == 0xC0FFEEu, "get_u32 = 0xC0FFEE");
    char *text = NULL;
    size_t len = 0;
    check(sptcp_get_utf8_string(accepted, -1, &text, &len) == SPTCP_OK && text != NULL &&
              len == 9 && same(text, "from MSVC"),
          "get_utf8_string = \"from MSVC\"");
    sptcp_string_free(text);

    sptcp_peer_free(accepted);
    sptcp_peer_free(client);
    sptcp_server_free(server);
    /* The summary line c-tests/run.sh adds up. */
    say("msvc_link: ");
    say_number(passed);
    say(" passed, ");
    say_number(failed);
    say(" failed\r\n");
    ExitProcess(failed ? 1 : 0);
}
