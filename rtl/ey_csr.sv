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
  localparam int unsigned NumCnt = 14
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
      start_o      <= wr_ctrl && wstrb_q[0] && wdata_q[0] && !busy_i;
      soft_reset_o <= wr_ctrl && wstrb_q[0] && wdata_q[1];
      if (wr_ctrl && wstrb_q[0]) irq_en_q <= wdata_q[2];
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

  always_comb begin
    rd_ok   = 1'b1;
    rd_data = '0;
    unique case (araddr_i)
      ey_pkg::CsrId:          rd_data = ey_pkg::CsrIdValue;
      ey_pkg::CsrVersion:     rd_data = ey_pkg::CsrVersionValue;
      ey_pkg::CsrHwArray:     rd_data = {16'(Rows), 16'(Cols)};
      ey_pkg::CsrHwSpad:      rd_data = {8'(IfmapDepth), 8'(PsumDepth), 16'(FilterDepth)};
      ey_pkg::CsrHwWidths:    rd_data = {8'd0, 8'(DataW), 8'(AccW), 8'(AxiDataW / 8)};
      ey_pkg::CsrHwGlbIfmap:  rd_data = 32'(IfmapWords);
      ey_pkg::CsrHwGlbFilter: rd_data = 32'(FilterWords);
      ey_pkg::CsrHwGlbPsum:   rd_data = 32'(PsumWords);
      ey_pkg::CsrHwPp:        rd_data = 32'(PpWords);
      ey_pkg::CsrHwPool:      rd_data = 32'(PoolWords);
      ey_pkg::CsrHwAddr:      rd_data = 32'(AddrW);
      ey_pkg::CsrCtrl:        rd_data = {29'd0, irq_en_q, 2'b00};
      ey_pkg::CsrStatus:      rd_data = {err_desc_q, err_code_q, 6'd0, done_q, busy_i};
      ey_pkg::CsrIrq:         rd_data = {30'd0, irq_q};
      ey_pkg::CsrDescBaseLo:  rd_data = desc_base_q[31:0];
      ey_pkg::CsrDescBaseHi:  rd_data = desc_base_q[63:32];
      ey_pkg::CsrCntCycles:   rd_data = counters_i[0*32 +: 32];
      ey_pkg::CsrCntPasses:   rd_data = counters_i[1*32 +: 32];
      ey_pkg::CsrCntMac:      rd_data = counters_i[2*32 +: 32];
      ey_pkg::CsrCntSkip:     rd_data = counters_i[3*32 +: 32];
      ey_pkg::CsrCntFiltWords: rd_data = counters_i[4*32 +: 32];
      ey_pkg::CsrCntIfWords:  rd_data = counters_i[5*32 +: 32];
      ey_pkg::CsrCntPinWords: rd_data = counters_i[6*32 +: 32];
      ey_pkg::CsrCntGonWords: rd_data = counters_i[7*32 +: 32];
      ey_pkg::CsrCntGlbReads: rd_data = counters_i[8*32 +: 32];
      ey_pkg::CsrCntGlbWrites: rd_data = counters_i[9*32 +: 32];
      ey_pkg::CsrCntDramRdBytes: rd_data = counters_i[10*32 +: 32];
      ey_pkg::CsrCntDramWrBytes: rd_data = counters_i[11*32 +: 32];
      ey_pkg::CsrCntDmaStall: rd_data = counters_i[12*32 +: 32];
      ey_pkg::CsrCntDescs:    rd_data = counters_i[13*32 +: 32];
      default:                rd_ok = 1'b0;
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
  `EY_ASSERT_STABLE(BStable, bvalid_o, bready_i, bresp_o, clk_i, rst_ni)
  `EY_ASSERT_STABLE(RStable, rvalid_o, rready_i, {rdata_o, rresp_o}, clk_i, rst_ni)
`endif

endmodule
