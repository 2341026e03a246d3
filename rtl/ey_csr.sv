// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Control and status registers behind an AXI4-Lite slave (32-bit data, 12-bit byte address).
// The map is rtl/csr_map.def. Read-only hardware-configuration registers let one driver serve
// every build. An address outside the map or not 4-byte aligned, or a write to a read-only
// register, completes with SLVERR and changes nothing. One read and one write are served at a time; the write
// address and data channels may arrive in either order.
`include "ey_assert.svh"

module ey_csr #(
  parameter int unsigned Rows        = 12,
  parameter int unsigned Cols        = 14,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned AxiDataW    = 64,
  parameter int unsigned IfmapWords  = 16384,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned PsumWords   = 1024,
  parameter int unsigned PpWords     = 512,
  parameter int unsigned PoolWords   = 4096,
  parameter int unsigned AddrW       = 32,
  parameter int unsigned FiltLanes   = 4,
  localparam int unsigned NumCnt = ey_pkg::NumCnt
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  // AXI4-Lite slave
  input  logic                 awvalid_i,
  output logic                 awready_o,
  input  logic [11:0]          awaddr_i,
  input  logic                 wvalid_i,
  output logic                 wready_o,
  input  logic [31:0]          wdata_i,
  input  logic [3:0]           wstrb_i,
  output logic                 bvalid_o,
  input  logic                 bready_i,
  output logic [1:0]           bresp_o,
  input  logic                 arvalid_i,
  output logic                 arready_o,
  input  logic [11:0]          araddr_i,
  output logic                 rvalid_o,
  input  logic                 rready_i,
  output logic [31:0]          rdata_o,
  output logic [1:0]           rresp_o,

  // To the controller
  output logic                 start_o,        // one-cycle pulse
  output logic                 soft_reset_o,   // one-cycle pulse
  output logic [63:0]          desc_base_o,
  output logic                 irq_o,

  // From the controller
  input  logic                 busy_i,
  input  logic                 done_i,         // rises when the chain finished (level or pulse)
  input  logic                 error_i,        // rises when the chain stopped on an error
  input  logic [7:0]           err_code_i,
  input  logic [15:0]          err_desc_i,
  input  logic [NumCnt*32-1:0] counters_i      // CNT_CYCLES first, in map order
);

  localparam logic [1:0] RespOkay  = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  logic        irq_en_q, done_q;
  logic        done_prev_q, error_prev_q, done_rise, error_rise;
  logic [1:0]  irq_q;          // {error, done}
  logic [7:0]  err_code_q;
  logic [15:0] err_desc_q;
  logic [63:0] desc_base_q;

  // ---------------------------------------------------------------------------------------
  // Write channel: address and data latched independently, then one response.
  // ---------------------------------------------------------------------------------------
  logic        aw_q, w_q;
  logic [11:0] awaddr_q;
  logic [31:0] wdata_q;
  logic [3:0]  wstrb_q;
  logic        do_write;
  logic        wr_ok;

  assign awready_o = !aw_q && !bvalid_o;
  assign wready_o  = !w_q && !bvalid_o;
  assign do_write  = aw_q && w_q && !bvalid_o;

  // Byte-lane merge of a write into a register.
  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    for (int unsigned b = 0; b < 4; b++) begin
      merge[b*8 +: 8] = strb[b] ? data[b*8 +: 8] : old[b*8 +: 8];
    end
  endfunction

  always_comb begin
    unique case (awaddr_q)
      ey_pkg::CsrCtrl, ey_pkg::CsrIrq, ey_pkg::CsrDescBaseLo, ey_pkg::CsrDescBaseHi: wr_ok = 1'b1;
      default: wr_ok = 1'b0;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_q     <= 1'b0;
      w_q      <= 1'b0;
      awaddr_q <= '0;
      wdata_q  <= '0;
      wstrb_q  <= '0;
      bvalid_o <= 1'b0;
      bresp_o  <= RespOkay;
    end else begin
      if (awvalid_i && awready_o) begin
        aw_q     <= 1'b1;
        awaddr_q <= awaddr_i;
      end
      if (wvalid_i && wready_o) begin
        w_q     <= 1'b1;
        wdata_q <= wdata_i;
        wstrb_q <= wstrb_i;
      end
      if (do_write) begin
        aw_q     <= 1'b0;
        w_q      <= 1'b0;
        bvalid_o <= 1'b1;
        bresp_o  <= wr_ok ? RespOkay : RespSlvErr;
      end else if (bvalid_o && bready_i) begin
        bvalid_o <= 1'b0;
      end
    end
  end

  logic wr_ctrl, wr_irq;
  assign wr_ctrl = do_write && awaddr_q == ey_pkg::CsrCtrl;
  assign wr_irq  = do_write && awaddr_q == ey_pkg::CsrIrq;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      start_o      <= 1'b0;
      soft_reset_o <= 1'b0;
      irq_en_q     <= 1'b0;
      desc_base_q  <= '0;
    end else begin
      // A start while busy is ignored: it must not clear the status of the run in flight.
      start_o      <= wr_ctrl && wstrb_q[0] && wdata_q[ey_pkg::CtrlStartLsb] && !busy_i;
      soft_reset_o <= wr_ctrl && wstrb_q[0] && wdata_q[ey_pkg::CtrlSoftResetLsb];
      if (wr_ctrl && wstrb_q[0]) irq_en_q <= wdata_q[ey_pkg::CtrlIrqEnableLsb];
      if (do_write && awaddr_q == ey_pkg::CsrDescBaseLo) begin
        desc_base_q[31:0] <= merge(desc_base_q[31:0], wdata_q, wstrb_q);
      end
      if (do_write && awaddr_q == ey_pkg::CsrDescBaseHi) begin
        desc_base_q[63:32] <= merge(desc_base_q[63:32], wdata_q, wstrb_q);
      end
    end
  end

  // Status and interrupt events, on the rising edge of done_i / error_i. A new start clears
  // done and the error.
  assign done_rise  = done_i && !done_prev_q;
  assign error_rise = error_i && !error_prev_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      done_prev_q  <= 1'b0;
      error_prev_q <= 1'b0;
    end else begin
      done_prev_q  <= done_i;
      error_prev_q <= error_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || soft_reset_o) begin
      done_q     <= 1'b0;
      irq_q      <= '0;
      err_code_q <= '0;
      err_desc_q <= '0;
    end else begin
      if (start_o) begin
        done_q     <= 1'b0;
        err_code_q <= '0;
        err_desc_q <= '0;
      end
      if (done_rise) done_q <= 1'b1;
      if (error_rise) begin
        err_code_q <= err_code_i;
        err_desc_q <= err_desc_i;
      end
      irq_q <= (irq_q & ~((wr_irq && wstrb_q[0]) ? wdata_q[1:0] : 2'b00)) |
               {error_rise, done_rise};
    end
  end

  assign desc_base_o = desc_base_q;
  assign irq_o       = irq_en_q && (irq_q != '0);

  // ---------------------------------------------------------------------------------------
  // Read channel
  // ---------------------------------------------------------------------------------------
  logic [31:0] rd_data;
  logic        rd_ok;

  // The CNT_* registers are contiguous from CNT_CYCLES (csr_map.def's counter rows).
  localparam logic [11:0] CntEnd = ey_pkg::CsrCntCycles + 12'(4 * NumCnt);
  logic [11:0] cnt_off;
  logic [9:0]  cnt_idx;   // the counter an aligned offset names
  assign cnt_off = araddr_i - ey_pkg::CsrCntCycles;
  assign cnt_idx = cnt_off[11:2];

  always_comb begin
    rd_ok   = 1'b1;
    rd_data = '0;
    unique case (araddr_i)
      ey_pkg::CsrId:          rd_data = ey_pkg::CsrIdValue;
      ey_pkg::CsrVersion:     rd_data = ey_pkg::CsrVersionValue;
      ey_pkg::CsrHwArray:     rd_data = 32'(Rows) << ey_pkg::HwArrayRowsLsb |
                                        32'(Cols) << ey_pkg::HwArrayColsLsb;
      ey_pkg::CsrHwSpad:      rd_data = 32'(IfmapDepth) << ey_pkg::HwSpadIfmapLsb |
                                        32'(PsumDepth) << ey_pkg::HwSpadPsumLsb |
                                        32'(FilterDepth) << ey_pkg::HwSpadFilterLsb;
      ey_pkg::CsrHwWidths:    rd_data = 32'(FiltLanes) << ey_pkg::HwWidthsFiltGinLsb |
                                        32'(DataW) << ey_pkg::HwWidthsDataWLsb |
                                        32'(AccW) << ey_pkg::HwWidthsAccWLsb |
                                        32'(AxiDataW / 8) << ey_pkg::HwWidthsAxiBytesLsb;
      ey_pkg::CsrHwGlbIfmap:  rd_data = 32'(IfmapWords);
      ey_pkg::CsrHwGlbFilter: rd_data = 32'(FilterWords);
      ey_pkg::CsrHwGlbPsum:   rd_data = 32'(PsumWords);
      ey_pkg::CsrHwPp:        rd_data = 32'(PpWords);
      ey_pkg::CsrHwPool:      rd_data = 32'(PoolWords);
      ey_pkg::CsrHwAddr:      rd_data = 32'(AddrW);
      ey_pkg::CsrCtrl:        rd_data = 32'(irq_en_q) << ey_pkg::CtrlIrqEnableLsb;
      ey_pkg::CsrStatus:      rd_data = 32'(err_desc_q) << ey_pkg::StatusDescLsb |
                                        32'(err_code_q) << ey_pkg::StatusCodeLsb |
                                        32'(done_q) << ey_pkg::StatusDoneLsb |
                                        32'(busy_i) << ey_pkg::StatusBusyLsb;
      ey_pkg::CsrIrq:         rd_data = 32'(irq_q[1]) << ey_pkg::IrqErrorLsb |
                                        32'(irq_q[0]) << ey_pkg::IrqDoneLsb;
      ey_pkg::CsrDescBaseLo:  rd_data = desc_base_q[31:0];
      ey_pkg::CsrDescBaseHi:  rd_data = desc_base_q[63:32];
      default: begin
        if (araddr_i >= ey_pkg::CsrCntCycles && araddr_i < CntEnd && cnt_off[1:0] == 2'b00) begin
          rd_data = counters_i[32'(cnt_idx) * 32 +: 32];
        end else begin
          rd_ok = 1'b0;
        end
      end
    endcase
  end

  assign arready_o = !rvalid_o;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rvalid_o <= 1'b0;
      rdata_o  <= '0;
      rresp_o  <= RespOkay;
    end else if (arvalid_i && arready_o) begin
      rvalid_o <= 1'b1;
      rdata_o  <= rd_ok ? rd_data : '0;
      rresp_o  <= rd_ok ? RespOkay : RespSlvErr;
    end else if (rvalid_o && rready_i) begin
      rvalid_o <= 1'b0;
    end
  end

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md).
  `EY_COVER(CovCsrStartWhileBusy, wr_ctrl && wstrb_q[0] && wdata_q[ey_pkg::CtrlStartLsb] &&
            busy_i, clk_i, rst_ni)
  `EY_COVER(CovCsrSoftResetWhileBusy, soft_reset_o && busy_i, clk_i, rst_ni)
  `EY_COVER(CovCsrIrqDone, irq_o && irq_q[0], clk_i, rst_ni)
  `EY_COVER(CovCsrIrqError, irq_o && irq_q[1], clk_i, rst_ni)
  `EY_COVER(CovCsrEventMasked, !irq_en_q && (done_rise || error_rise), clk_i, rst_ni)
  `EY_COVER(CovCsrIrqCleared, wr_irq && wstrb_q[0] && (irq_q & wdata_q[1:0]) != '0, clk_i,
            rst_ni)
  `EY_COVER(CovCsrWriteRejected, do_write && !wr_ok, clk_i, rst_ni)
  `EY_COVER(CovCsrReadRejected, arvalid_i && arready_o && !rd_ok, clk_i, rst_ni)
  `EY_COVER(CovCsrPartialStrobe, do_write && wr_ok && wstrb_q != 4'hf, clk_i, rst_ni)
  `EY_COVER(CovCsrWBeforeAw, wvalid_i && wready_o && !awvalid_i && !aw_q, clk_i, rst_ni)
  `EY_COVER(CovCsrBBackPressure, bvalid_o && !bready_i, clk_i, rst_ni)
  `EY_COVER(CovCsrRBackPressure, rvalid_o && !rready_i, clk_i, rst_ni)

  `EY_ASSERT_STABLE(BStable, bvalid_o, bready_i, bresp_o, clk_i, rst_ni)
  `EY_ASSERT_STABLE(RStable, rvalid_o, rready_i, {rdata_o, rresp_o}, clk_i, rst_ni)
`endif

endmodule
