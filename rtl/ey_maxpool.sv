// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Max pooling of the descriptor walker's output words (post bit 1 int16 outputs, pool_kh !=
// 0), with its line buffer. Each input word carries its ofmap row (global, -inf rows past the
// ofmap included), column, -inf flag and the line-buffer offset of its plane (0 with one
// band: a plane's rows are all in one store).
//
// The row stage takes the maximum along a window's row as its last column passes (a shift
// register of the two columns before). The window stage adds the two rows before it from the
// line buffer (row r sits in buffer r mod 2, read before it is overwritten by row r + 2) once
// the row that closes the window passes, and outputs the pooled word. The line buffer keeps,
// per plane, the rows a window needs from the band before (a band's first row continues the
// previous band's pooled rows: band_* from the store sequencer).
//
// Like the output path (rtl/ey_ppu.sv) it never stalls: out_valid_o is a push into the
// walker's output FIFO, which has room by the store sequencer's credit.
`include "ey_assert.svh"

module ey_maxpool #(
  parameter int unsigned PoolWords = 4096,
  localparam int unsigned PlAW = $clog2(PoolWords)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,           // abort

  input  ey_pkg::desc_t      desc_i,          // pool_* fields
  input  logic [9:0]         band_row0_i,     // the stored band's first ofmap row,
  input  logic [9:0]         band_prow0_i,    // its first pooled row,
  input  logic [11:0]        band_prow0_end_i,  // the ofmap row closing that row's windows

  input  logic               in_valid_i,
  input  logic [15:0]        in_data_i,
  input  logic [10:0]        in_row_i,
  input  logic [10:0]        in_col_i,
  input  logic [PlAW-1:0]    in_lb_i,
  input  logic               in_virt_i,

  output logic               out_valid_o,
  output logic [15:0]        out_data_o,
  output logic               busy_o           // the window stage holds a row maximum
);

  localparam logic signed [15:0] NegInf = 16'sh8000;   // never wins over a real output

  ey_pkg::desc_t d;
  assign d = desc_i;

  function automatic logic signed [15:0] max2(input logic signed [15:0] a,
                                              input logic signed [15:0] b);
    max2 = a > b ? a : b;
  endfunction

  logic pool_on;
  assign pool_on = d.pool_kh != '0;

  // ---------------------------------------------------------------------------------------
  // Row stage: along the row.
  // ---------------------------------------------------------------------------------------
  logic signed [15:0] in_value;                // the word, -inf for a -inf element
  logic signed [15:0] left1_q, left2_q;        // the two words before it in the row
  logic signed [15:0] left1, left2;            // the same, -inf at the row's start
  logic signed [15:0] row_max;                 // the window's maximum along this row
  logic [10:0]        pcol_q, pcol;            // pooled column whose window closes next
  logic [11:0]        pcol_end_q, pcol_end;    // its last ofmap column
  logic               row_max_valid;           // the window's row closes with this word
  assign in_value = in_virt_i ? NegInf : $signed(in_data_i);
  assign left1    = in_col_i == '0 ? NegInf : left1_q;
  assign left2    = in_col_i == '0 ? NegInf : left2_q;
  assign pcol     = in_col_i == '0 ? '0 : pcol_q;
  assign pcol_end = in_col_i == '0 ? 12'(d.pool_kw) - 12'd1 - 12'(d.pool_pl) : pcol_end_q;
  assign row_max  = max2(in_value, max2(d.pool_kw >= 4'd2 ? left1 : NegInf,
                                        d.pool_kw >= 4'd3 ? left2 : NegInf));
  assign row_max_valid = pool_on && in_valid_i && 12'(in_col_i) == pcol_end &&
                         32'(pcol) < 32'(d.pool_fo);

  logic               row_max_valid_q;         // the window stage holds a row maximum
  logic signed [15:0] row_max_q;
  logic [10:0]        row_max_row_q;           // its ofmap row
  logic [10:0]        row_max_pcol_q;          // its pooled column
  logic [PlAW-1:0]    row_max_lb_addr_q;       // its line-buffer address
  logic               lb_fwd_q, lb_fwd_slot_q; // the window stage wrote the address read
  logic signed [15:0] lb_fwd_data_q;
  logic [15:0]        lb0_rdata, lb1_rdata;
  logic               lb_we;
  logic [PlAW-1:0]    lb_raddr;
  assign lb_we    = row_max_valid_q;
  assign lb_raddr = in_lb_i + PlAW'(pcol);

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      row_max_valid_q <= 1'b0;
    end else begin
      row_max_valid_q <= row_max_valid;
    end
  end
  always_ff @(posedge clk_i) begin
    if (in_valid_i) begin
      left1_q    <= in_value;
      left2_q    <= left1;
      pcol_q     <= row_max_valid ? pcol + 1'b1 : pcol;
      pcol_end_q <= row_max_valid ? pcol_end + 12'(d.pool_sw) : pcol_end;
    end
    row_max_q         <= row_max;
    row_max_row_q     <= in_row_i;
    row_max_pcol_q    <= pcol;
    row_max_lb_addr_q <= lb_raddr;
    lb_fwd_q          <= lb_we && row_max_lb_addr_q == lb_raddr;
    lb_fwd_slot_q     <= row_max_row_q[0];
    lb_fwd_data_q     <= row_max_q;
  end

  // Line buffer: row maxima of even rows in u_lb0, odd rows in u_lb1.
  ey_sram_2p #(.Depth(PoolWords), .Width(16)) u_lb0 (
    .clk_i   (clk_i),
    .we_i    (lb_we && !row_max_row_q[0]),
    .waddr_i (row_max_lb_addr_q),
    .wdata_i (row_max_q),
    .re_i    (row_max_valid),
    .raddr_i (lb_raddr),
    .rdata_o (lb0_rdata)
  );
  ey_sram_2p #(.Depth(PoolWords), .Width(16)) u_lb1 (
    .clk_i   (clk_i),
    .we_i    (lb_we && row_max_row_q[0]),
    .waddr_i (row_max_lb_addr_q),
    .wdata_i (row_max_q),
    .re_i    (row_max_valid),
    .raddr_i (lb_raddr),
    .rdata_o (lb1_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // Window stage: across rows. prow / prow_end: the pooled row whose windows close next and
  // the ofmap row that closes them; each plane of the band starts at the band's first pooled
  // row.
  // ---------------------------------------------------------------------------------------
  logic signed [15:0] lb0_data, lb1_data;      // the buffers' words, forwarded if just written
  logic signed [15:0] row_prev1, row_prev2;    // row maxima of rows r - 1 and r - 2
  logic signed [15:0] window_max;
  logic [9:0]         prow_q, prow;
  logic [11:0]        prow_end_q, prow_end;
  logic               prow_closes, window_valid;
  logic               band_first;              // the band's first row maximum of a plane
  assign lb0_data     = (lb_fwd_q && !lb_fwd_slot_q) ? lb_fwd_data_q : $signed(lb0_rdata);
  assign lb1_data     = (lb_fwd_q && lb_fwd_slot_q) ? lb_fwd_data_q : $signed(lb1_rdata);
  assign row_prev1    = row_max_row_q[0] ? lb0_data : lb1_data;
  assign row_prev2    = row_max_row_q[0] ? lb1_data : lb0_data;
  assign window_max   = max2(row_max_q,
                             max2((d.pool_kh >= 4'd2 && row_max_row_q >= 11'd1) ? row_prev1
                                                                                 : NegInf,
                                  (d.pool_kh >= 4'd3 && row_max_row_q >= 11'd2) ? row_prev2
                                                                                 : NegInf));
  assign band_first   = row_max_row_q == 11'(band_row0_i) && row_max_pcol_q == '0;
  assign prow         = band_first ? band_prow0_i : prow_q;
  assign prow_end     = band_first ? band_prow0_end_i : prow_end_q;
  assign prow_closes  = 12'(row_max_row_q) == prow_end && 32'(prow) < 32'(d.pool_eo);
  assign window_valid = row_max_valid_q && prow_closes;

  always_ff @(posedge clk_i) begin
    if (row_max_valid_q) begin
      prow_q     <= (prow_closes && 32'(row_max_pcol_q) == 32'(d.pool_fo) - 32'd1) ?
                    prow + 1'b1 : prow;
      prow_end_q <= (prow_closes && 32'(row_max_pcol_q) == 32'(d.pool_fo) - 32'd1) ?
                    prow_end + 12'(d.pool_sh) : prow_end;
    end
  end

  assign out_valid_o = window_valid;
  assign out_data_o  = window_max;
  assign busy_o      = row_max_valid_q;

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md): every window and stride size,
  // padding, ceil-mode rows, the line buffer's forwarding and a band continuing pooled rows.
  `EY_COVER(CovPoolKh1, out_valid_o && d.pool_kh == 4'd1, clk_i, rst_ni)
  `EY_COVER(CovPoolKh2, out_valid_o && d.pool_kh == 4'd2, clk_i, rst_ni)
  `EY_COVER(CovPoolKh3, out_valid_o && d.pool_kh == 4'd3, clk_i, rst_ni)
  `EY_COVER(CovPoolKw1, out_valid_o && d.pool_kw == 4'd1, clk_i, rst_ni)
  `EY_COVER(CovPoolKw2, out_valid_o && d.pool_kw == 4'd2, clk_i, rst_ni)
  `EY_COVER(CovPoolKw3, out_valid_o && d.pool_kw == 4'd3, clk_i, rst_ni)
  `EY_COVER(CovPoolSh1, out_valid_o && d.pool_sh == 4'd1, clk_i, rst_ni)
  `EY_COVER(CovPoolSh2, out_valid_o && d.pool_sh == 4'd2, clk_i, rst_ni)
  `EY_COVER(CovPoolSh3, out_valid_o && d.pool_sh == 4'd3, clk_i, rst_ni)
  `EY_COVER(CovPoolSw1, out_valid_o && d.pool_sw == 4'd1, clk_i, rst_ni)
  `EY_COVER(CovPoolSw2, out_valid_o && d.pool_sw == 4'd2, clk_i, rst_ni)
  `EY_COVER(CovPoolSw3, out_valid_o && d.pool_sw == 4'd3, clk_i, rst_ni)
  `EY_COVER(CovPoolNonSquare, out_valid_o && d.pool_kh != d.pool_kw, clk_i, rst_ni)
  `EY_COVER(CovPoolOverlapping, out_valid_o && d.pool_sh < d.pool_kh, clk_i, rst_ni)
  `EY_COVER(CovPoolPadTop, out_valid_o && d.pool_pt != '0, clk_i, rst_ni)
  `EY_COVER(CovPoolPadLeft, out_valid_o && d.pool_pl != '0, clk_i, rst_ni)
  `EY_COVER(CovPoolCeilRow, in_valid_i && in_virt_i, clk_i, rst_ni)
  `EY_COVER(CovPoolAllNegative, out_valid_o && window_max < 0, clk_i, rst_ni)
  `EY_COVER(CovPoolLbForward, row_max_valid_q && lb_fwd_q, clk_i, rst_ni)
  `EY_COVER(CovPoolBandContinues, window_valid && band_first && band_row0_i != '0, clk_i,
            rst_ni)
`endif

endmodule
