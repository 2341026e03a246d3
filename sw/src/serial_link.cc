// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// OpenSerialLink: a POSIX serial port, raw 8N1 without flow control, for the uart backend.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "eyelet/error.h"
#include "eyelet/uart_device.h"

namespace eyelet {
namespace {

speed_t SpeedOf(int baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 2000000: return B2000000;
    case 3000000: return B3000000;
    default:
      throw UsageError("--baud " + std::to_string(baud) +
                       " is not a rate the serial port takes: 9600, 19200, 38400, 57600, 115200, "
                       "230400, 460800, 921600, 1000000, 2000000 or 3000000");
  }
}

class SerialLink : public ByteLink {
 public:
  SerialLink(const std::string& port, int baud, int timeout_ms)
      : port_(port), timeout_ms_(timeout_ms) {
    const speed_t speed = SpeedOf(baud);
    // Non-blocking, so that a port waiting for a carrier does not hang the open; blocking again
    // once CLOCAL is set.
    fd_ = ::open(port.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) {
      throw FileError("cannot open serial port '" + port + "': " + std::strerror(errno) +
                      "; check the board is plugged in, the port's name (ls /dev/ttyUSB*) and "
                      "that you may use it (group dialout)");
    }
    termios t{};
    if (::tcgetattr(fd_, &t) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw FileError("'" + port + "' is not a serial port (" + why + ")");
    }
    ::cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(CSTOPB | CRTSCTS | PARENB);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    ::cfsetispeed(&t, speed);
    ::cfsetospeed(&t, speed);
    if (::tcsetattr(fd_, TCSANOW, &t) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw FileError("cannot set '" + port + "' to " + std::to_string(baud) + " baud 8N1: " +
                      why);
    }
    ::tcflush(fd_, TCIOFLUSH);
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw FileError("cannot set '" + port + "' to blocking I/O: " + why);
    }
  }
  ~SerialLink() override { ::close(fd_); }

  std::string Name() const override { return port_; }

  void Send(const uint8_t* data, size_t n) override {
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        throw FileError("writing to '" + port_ + "': " + std::strerror(errno));
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
  }

  size_t Receive(uint8_t* data, size_t n) override {
    size_t got = 0;
    while (got < n) {
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, timeout_ms_);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw FileError("waiting on '" + port_ + "': " + std::strerror(errno));
      if (r == 0) break;  // the answer timeout
      const ssize_t k = ::read(fd_, data + got, n - got);
      if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (k <= 0) {
        throw FileError("reading from '" + port_ + "': " +
                        (k < 0 ? std::strerror(errno) : "the port closed (board unplugged?)"));
      }
      got += static_cast<size_t>(k);
    }
    return got;
  }

  void Drain() override {
    ::usleep(20000);  // let the rest of a garbled answer arrive
    ::tcflush(fd_, TCIFLUSH);
  }

 private:
  std::string port_;
  int timeout_ms_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<ByteLink> OpenSerialLink(const std::string& port, int baud, int timeout_ms) {
  return std::make_unique<SerialLink>(port, baud, timeout_ms);
}

}  // namespace eyelet
