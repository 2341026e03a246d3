// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The rtl-uart backend's link (tb/rtluart_backend.cc): the Verilated board system
// (rtl/fpga/ey_uart_sys.sv, the iCEBreaker's up5k config) behind the serial pins of its UART bridge, for a
// UartDevice or for tests that speak the protocol byte by byte. The model runs only while the
// link sends or waits for an answer. Uses options.plusargs and the trace path and window.
#ifndef EYELET_TB_RTLUART_LINK_H_
#define EYELET_TB_RTLUART_LINK_H_

#include <memory>

#include "eyelet/backend.h"
#include "eyelet/uart_device.h"

namespace eyelet {

// Receive() returns what has arrived once the line has been quiet (nothing sent, nothing
// received) for `quiet_bytes` byte times. The bridge drops a frame after 64 quiet byte times,
// so a server that forwards a frame in pieces keeps it below that.
std::unique_ptr<ByteLink> OpenRtlUartLink(const DeviceOptions& options = {},
                                          int quiet_bytes = 64);

}  // namespace eyelet

#endif  // EYELET_TB_RTLUART_LINK_H_
