// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// eyelet_board_sim: a simulated iCEBreaker on a serial port. It opens a pseudo-terminal,
// prints the path of its terminal end (the "serial port"), and serves the Verilated board
// system (rtl/fpga/ey_uart_sys.sv, the up5k config) behind it: the host's bytes go into the UART
// bridge's rx pin, the bridge's answers come back. So the uart backend, serial port code and
// all, runs without a board:
//   build/eyelet_board_sim --port-file /tmp/port &
//   build/eyelet sweep --backend uart --config up5k --port $(cat /tmp/port)
// The model runs only while the host talks to it. It serves until killed; a host may close
// and reopen the port.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "rtluart_link.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Usage() {
  std::fprintf(stderr,
               "usage: eyelet_board_sim [--port-file FILE]\n"
               "Serves the Verilated up5k board system on a pseudo-terminal and prints the\n"
               "terminal's path (also to FILE); use it as --port of --backend uart.\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else {
      return Usage();
    }
  }
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    std::fprintf(stderr, "eyelet_board_sim: cannot open a pseudo-terminal: %s\n",
                 std::strerror(errno));
    return 1;
  }
  const std::string path = ::ptsname(master);
  // Keep the terminal end open here too, so the master does not read EIO between hosts.
  const int keep = ::open(path.c_str(), O_RDWR | O_NOCTTY);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  try {
    const std::unique_ptr<eyelet::ByteLink> link = eyelet::OpenRtlUartLink({}, 32);
    if (!port_file.empty()) {
      std::ofstream f(port_file + ".tmp");
      f << path << "\n";
      f.close();
      if (!f || std::rename((port_file + ".tmp").c_str(), port_file.c_str()) != 0) {
        std::fprintf(stderr, "eyelet_board_sim: cannot write '%s'\n", port_file.c_str());
        return 1;
      }
    }
    std::printf("eyelet_board_sim: the up5k board system on %s\n", path.c_str());
    std::fflush(stdout);
    std::vector<uint8_t> buf(65536);
    while (!g_stop) {
      pollfd p{master, POLLIN, 0};
      const int r = ::poll(&p, 1, 100);
      if (r <= 0) continue;
      const ssize_t k = ::read(master, buf.data(), buf.size());
      if (k <= 0) {
        if (k < 0 && errno != EINTR && errno != EAGAIN) ::usleep(10000);
        continue;
      }
      link->Send(buf.data(), static_cast<size_t>(k));
      // Runs the model until the bridge has taken the bytes and its answer, if any, is out.
      const size_t n = link->Receive(buf.data(), buf.size());
      for (size_t done = 0; done < n;) {
        const ssize_t w = ::write(master, buf.data() + done, n - done);
        if (w < 0 && errno != EINTR && errno != EAGAIN) break;
        if (w > 0) done += static_cast<size_t>(w);
      }
    }
  } catch (const eyelet::Error& e) {
    std::fprintf(stderr, "eyelet_board_sim: %s\n", e.what());
    return 1;
  }
  if (keep >= 0) ::close(keep);
  ::close(master);
  return 0;
}
