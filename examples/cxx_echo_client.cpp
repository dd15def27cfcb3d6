// The echo client of echo_client.c, in C++ (include/streampeer_tcp.hpp):
// connects, sends a few messages and a Variant dictionary, and checks that
// each comes back from the echo server unchanged.
//
//   cxx_echo_client host port
#include "streampeer_tcp.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

const char *status_name(sptcp::Status s) {
    switch (s) {
    case sptcp::Status::NONE: return "NONE";
    case sptcp::Status::CONNECTING: return "CONNECTING";
    case sptcp::Status::CONNECTED: return "CONNECTED";
    case sptcp::Status::ERROR: return "ERROR";
    }
    return "?";
}

int fail(const char *what, sptcp::Error e) {
    std::fprintf(stderr, "client: %s: %s: %s\n", what, sptcp::error_name(e), sptcp::last_error_message().c_str());
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s host port\n", argv[0]);
        return 2;
    }
    sptcp::Peer peer = sptcp::Peer::tcp();
    peer.set_connect_timeout_ms(5000);
    peer.set_io_timeout_ms(5000); // no read or write waits longer than this
    sptcp::Status st = peer.get_status();
    std::printf("client: status %s\n", status_name(st));
    if (sptcp::Error e = peer.connect_to_host(argv[1], std::atoi(argv[2])); e != sptcp::Error::OK) {
        return fail("connect_to_host", e);
    }
    // poll() drives the connection; wait() sleeps until it has news.
    sptcp::Error e = sptcp::Error::OK;
    while (st == sptcp::Status::NONE || st == sptcp::Status::CONNECTING) {
        sptcp::Status now = peer.get_status();
        if (now != st) {
            std::printf("client: status %s -> %s\n", status_name(st), status_name(now));
            st = now;
        }
        if (st == sptcp::Status::CONNECTING) {
            (void)peer.wait(sptcp::EVENT_WRITABLE, 100);
            e = peer.poll();
        }
    }
    if (st != sptcp::Status::CONNECTED) {
        return fail("connect failed", e);
    }
    std::printf("client: connected to %s:%d from local port %d\n", peer.get_connected_host().c_str(),
                peer.get_connected_port(), peer.get_local_port());
    peer.set_no_delay(true);

    // Raw bytes: get_data blocks until all of them are back.
    for (std::string_view msg : {"hello", "from C++", "over streampeer_tcp"}) {
        std::string echo(msg.size(), '\0');
        if ((e = peer.put_data(msg.data(), msg.size())) != sptcp::Error::OK ||
            (e = peer.get_data(&echo[0], echo.size())) != sptcp::Error::OK) {
            return fail("exchange", e);
        }
        if (echo != msg) {
            std::fprintf(stderr, "client: sent \"%.*s\", got \"%s\"\n", int(msg.size()), msg.data(), echo.c_str());
            return 1;
        }
        std::printf("client: sent \"%.*s\", echoed \"%s\"\n", int(msg.size()), msg.data(), echo.c_str());
    }

    // A Variant goes out with put_var and comes back through get_var.
    sptcp::Variant player = sptcp::Variant::dictionary();
    sptcp::Variant inventory = sptcp::Variant::array();
    if (player.dict_set("name", "Godette") != sptcp::Error::OK || player.dict_set("hp", 42) != sptcp::Error::OK ||
        player.dict_set("position", sptcp::Vector2{1.5, -2}) != sptcp::Error::OK ||
        inventory.array_push("sword") != sptcp::Error::OK || inventory.array_push("shield") != sptcp::Error::OK ||
        player.dict_set("inventory", std::move(inventory)) != sptcp::Error::OK) {
        return fail("building the dictionary", sptcp::Error::FAILED);
    }
    sptcp::Variant back;
    if ((e = peer.put_var(player)) != sptcp::Error::OK || (e = peer.get_var(back)) != sptcp::Error::OK) {
        return fail("put_var / get_var", e);
    }
    std::string name;
    int64_t hp = 0;
    if (!back.equal(player) || back.dict_get(sptcp::Variant("name")).get_string(name) != sptcp::Error::OK ||
        back.dict_get(sptcp::Variant("hp")).get_int(hp) != sptcp::Error::OK) {
        std::fprintf(stderr, "client: the dictionary came back changed\n");
        return 1;
    }
    std::printf("client: sent a Dictionary of %zu entries, echoed {name: %s, hp: %lld, ...}\n", back.size(),
                name.c_str(), static_cast<long long>(hp));

    peer.disconnect_from_host();
    std::printf("client: status %s -> %s (disconnected)\n", status_name(st), status_name(peer.get_status()));
    return 0;
}
