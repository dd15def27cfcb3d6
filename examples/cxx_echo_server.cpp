// The echo server of echo_server.c, in C++ (include/streampeer_tcp.hpp):
// listens, sends back whatever arrives, and sleeps in one poll group wait
// between events instead of polling every client.
//
//   cxx_echo_server [port [clients [port_file]]]
//
// port 0 (the default) picks a free port; the server stops after `clients`
// connections (default 1) have come and gone. The chosen port is printed,
// and also written to `port_file` when given.
#include "streampeer_tcp.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

constexpr int MAX_CLIENTS = 16;

const char *status_name(sptcp::Status s) {
    switch (s) {
    case sptcp::Status::NONE: return "NONE";
    case sptcp::Status::CONNECTING: return "CONNECTING";
    case sptcp::Status::CONNECTED: return "CONNECTED";
    case sptcp::Status::ERROR: return "ERROR";
    }
    return "?";
}

} // namespace

int main(int argc, char **argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    int port = argc > 1 ? std::atoi(argv[1]) : 0;
    int clients = argc > 2 ? std::atoi(argv[2]) : 1;
    const char *port_file = argc > 3 ? argv[3] : nullptr;

    sptcp::Server server = sptcp::Server::tcp();
    if (sptcp::Error e = server.listen(port, "127.0.0.1"); e != sptcp::Error::OK) {
        std::fprintf(stderr, "server: listen failed: %s (%s)\n", sptcp::error_name(e),
                     sptcp::last_error_message().c_str());
        return 1;
    }
    port = server.get_local_port();
    std::printf("server: listening on 127.0.0.1:%d (streampeer_tcp %s, C++)\n", port, sptcp::version());
    if (port_file) {
        if (FILE *f = std::fopen(port_file, "w")) {
            std::fprintf(f, "%d\n", port);
            std::fclose(f);
        }
    }

    // One wait for the server and every client; each event says whose it is.
    sptcp::Group group = sptcp::Group::create();
    sptcp::Peer slots[MAX_CLIENTS];
    if (group.add_server(server, &server) != sptcp::Error::OK) {
        std::fprintf(stderr, "server: group: %s\n", sptcp::last_error_message().c_str());
        return 1;
    }
    int served = 0;
    int idle_seconds = 0;
    while (served < clients) {
        sptcp::Event events[MAX_CLIENTS + 1];
        size_t n = 0;
        if (group.wait(1000, events, n) != sptcp::Error::OK) {
            std::fprintf(stderr, "server: wait: %s\n", sptcp::last_error_message().c_str());
            return 1;
        }
        if (n == 0 && ++idle_seconds >= 30) {
            std::fprintf(stderr, "server: nothing happened for 30 s, giving up\n");
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (events[i].user_data == &server) {
                // New connections are CONNECTED at once.
                for (sptcp::Peer p = server.take_connection(); p; p = server.take_connection()) {
                    int slot = 0;
                    while (slot < MAX_CLIENTS && slots[slot]) {
                        slot++;
                    }
                    if (slot == MAX_CLIENTS) {
                        continue; // full: the Peer is freed here, which disconnects it
                    }
                    std::printf("server: client %d from %s:%d, status %s\n", slot, p.get_connected_host().c_str(),
                                p.get_connected_port(), status_name(p.get_status()));
                    slots[slot] = std::move(p);
                    if (group.add_peer(slots[slot], sptcp::EVENT_READABLE, &slots[slot]) != sptcp::Error::OK) {
                        slots[slot].reset();
                    }
                }
                continue;
            }
            sptcp::Peer &p = *static_cast<sptcp::Peer *>(events[i].user_data);
            int slot = static_cast<int>(&p - slots);
            uint8_t buf[4096];
            size_t got = 0;
            if (p.get_partial_data(buf, sizeof buf, &got) == sptcp::Error::OK && got > 0) {
                std::printf("server: client %d sent %zu bytes, echoing\n", slot, got);
                if (p.put_data(buf, got) != sptcp::Error::OK) {
                    std::printf("server: client %d: echo failed: %s\n", slot, sptcp::last_error_message().c_str());
                }
            }
            // poll() notices a close once the bytes are read.
            if (p.get_available_bytes() == 0) {
                (void)p.poll();
            }
            sptcp::Status st = p.get_status();
            if (st != sptcp::Status::CONNECTED) {
                std::printf("server: client %d status CONNECTED -> %s (sent %llu, received %llu bytes)\n", slot,
                            status_name(st), static_cast<unsigned long long>(p.get_bytes_sent()),
                            static_cast<unsigned long long>(p.get_bytes_received()));
                p.reset(); // frees it, which also takes it out of the group
                served++;
            }
        }
    }
    std::printf("server: served %d client(s), bye\n", served);
    return 0;
}
