// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The rtl-uart backend's link (tb/rtluart_backend.cc): the Verilated board system
// (rtl/fpga/ey_uart_sys.sv, tiny config) behind the serial pins of its UART bridge, for a
// UartDevice or for tests that speak the protocol byte by byte. The model runs only while the
// link sends or waits for an answer. Uses options.plusargs and the trace path and window.
#ifndef EYELET_TB_RTLUART_LINK_H_
#define EYELET_TB_RTLUART_LINK_H_

#include <memory>

#include "eyelet/backend.h"
#include "eyelet/uart_device.h"

namespace eyelet {

std::unique_ptr<ByteLink> OpenRtlUartLink(const DeviceOptions& options = {});

}  // namespace eyelet

#endif  // EYELET_TB_RTLUART_LINK_H_
