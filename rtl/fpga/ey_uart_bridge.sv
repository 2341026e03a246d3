// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// UART bridge: the host's way into a board without a CPU. Frames from the host carry CSR reads
// and writes (an AXI4-Lite master on the accelerator's CSR port), DRAM block transfers (the host
// port of ey_axi_sram) and a poll of the interrupt line and a cycle counter. The host side is
// sw/src/uart_device.cc (backend "uart", and "rtl-uart" over this module Verilated).
//
// Framing (protocol version 1). Multi-byte fields are little-endian.
//   host -> device   A5  cmd  args  [data]  crc
//   device -> host   5A  status  [payload]  crc
// crc is CRC-8 (polynomial 0x07, initial 0, no reflection, no final xor) over every byte after
// the sync byte (A5 or 5A). One frame is answered before the host sends the next.
//
//   cmd  name     args                     data            payload when status is OK
//   01   CSR_RD   offset:2                 -               value:4
//   02   CSR_WR   offset:2 value:4         -               -
//   03   MEM_RD   addr:4 n:1               -               8 * (n + 1) bytes
//   04   MEM_WR   addr:4 n:1               8 * (n + 1) B   -
//   05   POLL     -                        -               flags:1 cycles:6
//   06   INFO     -                        -               version:1 mem_base:4 mem_bytes:4
//
//   status  00 OK, 01 BAD_CRC (the frame was not carried out), 02 BAD_CMD, 03 BUS_ERR (the CSR
//           port answered SLVERR or DECERR, or the offset is past 12 bits), 04 RANGE (the block
//           is not 8-byte aligned or leaves [mem_base, mem_base + mem_bytes)), 05 OVERRUN (a
//           MEM_WR word came before the last one was written). Only OK carries a payload.
//   flags   bit 0 the interrupt line, bit 1 a UART framing error since the last POLL.
//   cycles  clock cycles since reset, modulo 2^48.
//
// A MEM_WR whose crc fails may already have written some of its words (the block is written as
// it arrives): the host sends the frame again. A frame that stops for 64 byte times is dropped
// without an answer, and the bridge hunts for the next A5; so does an unknown command, after
// its BAD_CMD answer.
`include "ey_assert.svh"

module ey_uart_bridge #(
  parameter int unsigned ClksPerBit = 12,
  parameter logic [31:0] MemBase    = 32'h8000_0000,
  parameter logic [31:0] MemBytes   = 32'h0002_0000,
  parameter int unsigned AddrW      = 32
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             rx_i,
  output logic             tx_o,
  input  logic             irq_i,

  // AXI4-Lite master to the CSRs
  output logic             m_axil_awvalid,
  input  logic             m_axil_awready,
  output logic [11:0]      m_axil_awaddr,
  output logic             m_axil_wvalid,
  input  logic             m_axil_wready,
  output logic [31:0]      m_axil_wdata,
  output logic [3:0]       m_axil_wstrb,
  input  logic             m_axil_bvalid,
  output logic             m_axil_bready,
  input  logic [1:0]       m_axil_bresp,
  output logic             m_axil_arvalid,
  input  logic             m_axil_arready,
  output logic [11:0]      m_axil_araddr,
  input  logic             m_axil_rvalid,
  output logic             m_axil_rready,
  input  logic [31:0]      m_axil_rdata,
  input  logic [1:0]       m_axil_rresp,

  // Host port of the memory (ey_axi_sram)
  output logic             host_req_o,
  output logic             host_we_o,
  output logic [AddrW-1:0] host_addr_o,
  output logic [63:0]      host_wdata_o,
  input  logic             host_gnt_i,
  input  logic             host_rvalid_i,
  input  logic [63:0]      host_rdata_i
);

  localparam logic [7:0] SyncIn = 8'hA5, SyncOut = 8'h5A, Version = 8'd1;
  localparam logic [7:0] CmdCsrRd = 8'h01, CmdCsrWr = 8'h02, CmdMemRd = 8'h03,
                         CmdMemWr = 8'h04, CmdPoll = 8'h05, CmdInfo = 8'h06;
  localparam logic [7:0] StsOk = 8'h00, StsBadCrc = 8'h01, StsBadCmd = 8'h02,
                         StsBusErr = 8'h03, StsRange = 8'h04, StsOverrun = 8'h05;
  localparam int unsigned TimeoutClks = 640 * ClksPerBit;  // 64 byte times
  localparam int unsigned ToW = $clog2(TimeoutClks + 1);

  typedef enum logic [3:0] {
    StHunt, StCmd, StArgs, StData, StCrc, StExec, StCsrWr, StCsrRd,
    StTxSync, StTxStatus, StTxPay, StMemFetch, StMemWait, StTxWord, StTxCrc
  } bridge_state_e;

  // CRC-8, polynomial x^8 + x^2 + x + 1, one byte.
  function automatic logic [7:0] crc8(input logic [7:0] crc, input logic [7:0] data);
    logic [7:0] x;
    x = crc ^ data;
    for (int unsigned i = 0; i < 8; i++) x = x[7] ? ((x << 1) ^ 8'h07) : (x << 1);
    crc8 = x;
  endfunction

  // ---- the UART
  logic       rx_valid, rx_frame_err;
  logic [7:0] rx_data;
  logic       tx_valid, tx_ready;
  logic [7:0] tx_data;

  ey_uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i, .rst_ni, .rx_i,
    .valid_o    (rx_valid),
    .data_o     (rx_data),
    .frame_err_o(rx_frame_err)
  );
  ey_uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i, .rst_ni,
    .valid_i(tx_valid),
    .ready_o(tx_ready),
    .data_i (tx_data),
    .tx_o
  );

  // ---- state
  bridge_state_e state_q, state_d;
  logic [7:0]  cmd_q, cmd_d;
  logic [47:0] args_q, args_d;
  logic [2:0]  argn_q, argn_d;       // argument bytes of the command
  logic [3:0]  cnt_q, cnt_d;         // argument or payload byte
  logic [7:0]  crc_q, crc_d;         // over the received frame
  logic [7:0]  tcrc_q, tcrc_d;       // over the answer
  logic [7:0]  status_q, status_d;
  logic [71:0] pay_q, pay_d;
  logic [3:0]  paylen_q, paylen_d;
  logic [8:0]  widx_q, widx_d;       // block word
  logic [2:0]  bidx_q, bidx_d;       // byte in the word
  logic [63:0] word_q, word_d;
  logic        wpend_q, wpend_d;     // a received word waits for the memory
  logic [63:0] wword_q, wword_d;
  logic [AddrW-1:0] waddr_q, waddr_d;
  logic        overrun_q, overrun_d;
  logic        crc_bad_q, crc_bad_d;
  logic        aw_done_q, aw_done_d, w_done_q, w_done_d, ar_done_q, ar_done_d;
  logic [ToW-1:0] to_q, to_d;
  logic [47:0] cycles_q;
  logic        frame_err_q, frame_err_d;

  // ---- argument fields
  wire [15:0] csr_off  = args_q[15:0];
  wire [31:0] csr_val  = args_q[47:16];
  wire [31:0] mem_addr = args_q[31:0];
  wire [7:0]  mem_n    = args_q[39:32];
  wire [AddrW-1:0] blk_addr = AddrW'(mem_addr) + AddrW'({widx_q, 3'b000});

  // The block [mem_addr, mem_addr + 8 (n + 1)) is aligned and inside the memory.
  function automatic logic block_ok(input logic [31:0] addr, input logic [7:0] n);
    logic [32:0] off, last;
    off = {1'b0, addr} - {1'b0, MemBase};
    last = off + 33'({n, 3'b000}) + 33'd7;
    block_ok = (addr[2:0] == 3'b000) && !off[32] && (last < {1'b0, MemBytes});
  endfunction
  wire mem_ok = block_ok(mem_addr, mem_n);

  function automatic logic [2:0] args_of(input logic [7:0] cmd);
    unique case (cmd)
      CmdCsrRd: args_of = 3'd2;
      CmdCsrWr: args_of = 3'd6;
      CmdMemRd, CmdMemWr: args_of = 3'd5;
      default: args_of = 3'd0;
    endcase
  endfunction

  wire known_cmd = (cmd_q >= CmdCsrRd) && (cmd_q <= CmdInfo);
  wire tx_fire = tx_valid && tx_ready;

  // What the bridge drives, from its state alone (the next state reads the answers).
  always_comb begin
    tx_valid = 1'b0;
    tx_data = 8'h00;
    unique case (state_q)
      StTxSync: begin
        tx_valid = 1'b1;
        tx_data = SyncOut;
      end
      StTxStatus: begin
        tx_valid = 1'b1;
        tx_data = status_q;
      end
      StTxPay: begin
        tx_valid = 1'b1;
        tx_data = pay_q[8 * cnt_q +: 8];
      end
      StTxWord: begin
        tx_valid = 1'b1;
        tx_data = word_q[8 * bidx_q +: 8];
      end
      StTxCrc: begin
        tx_valid = 1'b1;
        tx_data = tcrc_q;
      end
      default: ;
    endcase
  end

  assign m_axil_awvalid = (state_q == StCsrWr) && !aw_done_q;
  assign m_axil_wvalid = (state_q == StCsrWr) && !w_done_q;
  assign m_axil_bready = (state_q == StCsrWr);
  assign m_axil_arvalid = (state_q == StCsrRd) && !ar_done_q;
  assign m_axil_rready = (state_q == StCsrRd);
  // A received word goes to the memory first; a block read's fetch waits for it.
  assign host_req_o = wpend_q || (state_q == StMemFetch);
  assign host_we_o = wpend_q;
  assign host_addr_o = wpend_q ? waddr_q : blk_addr;
  assign host_wdata_o = wword_q;

  always_comb begin
    state_d = state_q;
    cmd_d = cmd_q;
    args_d = args_q;
    argn_d = argn_q;
    cnt_d = cnt_q;
    crc_d = crc_q;
    tcrc_d = tcrc_q;
    status_d = status_q;
    pay_d = pay_q;
    paylen_d = paylen_q;
    widx_d = widx_q;
    bidx_d = bidx_q;
    word_d = word_q;
    wpend_d = wpend_q;
    wword_d = wword_q;
    waddr_d = waddr_q;
    overrun_d = overrun_q;
    crc_bad_d = crc_bad_q;
    aw_done_d = aw_done_q;
    w_done_d = w_done_q;
    ar_done_d = ar_done_q;
    frame_err_d = frame_err_q || rx_frame_err;
    to_d = '0;

    if (wpend_q && host_gnt_i) wpend_d = 1'b0;

    // A frame that stalls mid-way is dropped.
    if (state_q == StCmd || state_q == StArgs || state_q == StData || state_q == StCrc) begin
      to_d = rx_valid ? '0 : to_q + 1'b1;
      if (to_q == ToW'(TimeoutClks)) state_d = StHunt;
    end

    unique case (state_q)
      StHunt: begin
        if (rx_valid && rx_data == SyncIn) begin
          state_d = StCmd;
          crc_d = '0;
        end
      end
      StCmd: begin
        if (rx_valid) begin
          cmd_d = rx_data;
          crc_d = crc8(crc_q, rx_data);
          argn_d = args_of(rx_data);
          cnt_d = '0;
          widx_d = '0;
          bidx_d = '0;
          overrun_d = 1'b0;
          state_d = (args_of(rx_data) != '0) ? StArgs : StCrc;
        end
      end
      StArgs: begin
        if (rx_valid) begin
          args_d[8 * cnt_q[2:0] +: 8] = rx_data;
          crc_d = crc8(crc_q, rx_data);
          cnt_d = cnt_q + 1'b1;
          if (cnt_q == {1'b0, argn_q - 1'b1}) state_d = (cmd_q == CmdMemWr) ? StData : StCrc;
        end
      end
      StData: begin
        if (rx_valid) begin
          word_d[8 * bidx_q +: 8] = rx_data;
          crc_d = crc8(crc_q, rx_data);
          bidx_d = bidx_q + 1'b1;
          if (bidx_q == 3'd7) begin
            if (mem_ok) begin
              overrun_d = overrun_q || (wpend_q && !host_gnt_i);
              wpend_d = 1'b1;
              wword_d = word_d;
              waddr_d = blk_addr;
            end
            widx_d = widx_q + 1'b1;
            if (widx_q[7:0] == mem_n) state_d = StCrc;
          end
        end
      end
      StCrc: begin
        if (rx_valid) begin
          crc_bad_d = (rx_data != crc_q);
          state_d = StExec;
        end
      end
      StExec: begin
        paylen_d = '0;
        status_d = StsOk;
        widx_d = '0;
        aw_done_d = 1'b0;
        w_done_d = 1'b0;
        ar_done_d = 1'b0;
        state_d = StTxSync;
        if (!known_cmd) begin
          status_d = StsBadCmd;
        end else if (crc_bad_q) begin
          status_d = StsBadCrc;
        end else begin
          unique case (cmd_q)
            CmdCsrRd, CmdCsrWr: begin
              if (csr_off[15:12] != '0) status_d = StsBusErr;
              else state_d = (cmd_q == CmdCsrRd) ? StCsrRd : StCsrWr;
            end
            CmdMemRd: if (!mem_ok) status_d = StsRange;
            CmdMemWr: begin
              if (wpend_q) state_d = StExec;  // the last word is written before the answer
              if (!mem_ok) status_d = StsRange;
              else if (overrun_q) status_d = StsOverrun;
            end
            CmdPoll: begin
              pay_d = {16'h0, cycles_q, 6'h0, frame_err_q, irq_i};
              paylen_d = 4'd7;
              frame_err_d = rx_frame_err;
            end
            default: begin  // CmdInfo
              pay_d = {MemBytes, MemBase, Version};
              paylen_d = 4'd9;
            end
          endcase
        end
      end
      StCsrWr: begin
        aw_done_d = aw_done_q || m_axil_awready;
        w_done_d = w_done_q || m_axil_wready;
        if (m_axil_bvalid) begin
          status_d = (m_axil_bresp != 2'b00) ? StsBusErr : StsOk;
          state_d = StTxSync;
        end
      end
      StCsrRd: begin
        ar_done_d = ar_done_q || m_axil_arready;
        if (m_axil_rvalid) begin
          status_d = (m_axil_rresp != 2'b00) ? StsBusErr : StsOk;
          pay_d = {40'h0, m_axil_rdata};
          paylen_d = (m_axil_rresp != 2'b00) ? 4'd0 : 4'd4;
          state_d = StTxSync;
        end
      end
      StTxSync: begin
        if (tx_fire) state_d = StTxStatus;
      end
      StTxStatus: begin
        if (tx_fire) begin
          tcrc_d = crc8(8'h00, status_q);
          cnt_d = '0;
          if (paylen_q != '0) state_d = StTxPay;
          else if (cmd_q == CmdMemRd && status_q == StsOk) state_d = StMemFetch;
          else state_d = StTxCrc;
        end
      end
      StTxPay: begin
        if (tx_fire) begin
          tcrc_d = crc8(tcrc_q, tx_data);
          cnt_d = cnt_q + 1'b1;
          if (cnt_q == paylen_q - 1'b1) state_d = StTxCrc;
        end
      end
      StMemFetch: begin
        if (!wpend_q && host_gnt_i) state_d = StMemWait;
      end
      StMemWait: begin
        if (host_rvalid_i) begin
          word_d = host_rdata_i;
          bidx_d = '0;
          state_d = StTxWord;
        end
      end
      StTxWord: begin
        if (tx_fire) begin
          tcrc_d = crc8(tcrc_q, tx_data);
          bidx_d = bidx_q + 1'b1;
          if (bidx_q == 3'd7) begin
            widx_d = widx_q + 1'b1;
            state_d = (widx_q[7:0] == mem_n) ? StTxCrc : StMemFetch;
          end
        end
      end
      StTxCrc: begin
        if (tx_fire) state_d = StHunt;
      end
      default: state_d = StHunt;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StHunt;
      cmd_q <= '0;
      args_q <= '0;
      argn_q <= '0;
      cnt_q <= '0;
      crc_q <= '0;
      tcrc_q <= '0;
      status_q <= '0;
      pay_q <= '0;
      paylen_q <= '0;
      widx_q <= '0;
      bidx_q <= '0;
      word_q <= '0;
      wpend_q <= 1'b0;
      wword_q <= '0;
      waddr_q <= '0;
      overrun_q <= 1'b0;
      crc_bad_q <= 1'b0;
      aw_done_q <= 1'b0;
      w_done_q <= 1'b0;
      ar_done_q <= 1'b0;
      to_q <= '0;
      cycles_q <= '0;
      frame_err_q <= 1'b0;
    end else begin
      state_q <= state_d;
      cmd_q <= cmd_d;
      args_q <= args_d;
      argn_q <= argn_d;
      cnt_q <= cnt_d;
      crc_q <= crc_d;
      tcrc_q <= tcrc_d;
      status_q <= status_d;
      pay_q <= pay_d;
      paylen_q <= paylen_d;
      widx_q <= widx_d;
      bidx_q <= bidx_d;
      word_q <= word_d;
      wpend_q <= wpend_d;
      wword_q <= wword_d;
      waddr_q <= waddr_d;
      overrun_q <= overrun_d;
      crc_bad_q <= crc_bad_d;
      aw_done_q <= aw_done_d;
      w_done_q <= w_done_d;
      ar_done_q <= ar_done_d;
      to_q <= to_d;
      cycles_q <= cycles_q + 48'd1;
      frame_err_q <= frame_err_d;
    end
  end

  assign m_axil_awaddr = csr_off[11:0];
  assign m_axil_araddr = csr_off[11:0];
  assign m_axil_wdata = csr_val;
  assign m_axil_wstrb = 4'hf;

  `EY_ASSERT_INIT(MemBaseAligned, MemBase[2:0] == 3'b000)

endmodule
