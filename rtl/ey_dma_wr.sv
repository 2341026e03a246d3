// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// DMA write engine of the AXI4 master (its twin is ey_dma_rd.sv). ey_dma_rd moves a
// byte range of DRAM into a stream of 16-bit words, ey_dma_wr moves a stream of 16-bit words
// into a byte range. Both take one command at a time: a 2-byte-aligned byte address and a
// length in 16-bit words.
//
// AXI use: one ID (in-order), INCR bursts of AxiDataW-bit beats (AxSIZE = full width), at most
// MaxBurst beats, never crossing a MaxBurst-beat-aligned boundary (so never a 4 KB one), and
// at most MaxOut bursts in flight per direction. The first non-OKAY response is kept in err_o
// until err_clr_i; the transfer still runs to its end, so the data stream always completes and
// the walker decides what to do at a quiescent point.
//
// abort_i (soft reset) stops issuing new bursts and drops queued data; bursts already issued
// complete on the bus (reads are drained, written bursts carry data that is already queued:
// a write burst is only issued once all its beats are in the W queue), so the bus is left
// clean. idle_o says when nothing is in flight.
`include "ey_assert.svh"

module ey_dma_wr #(
  parameter int unsigned AddrW    = 32,
  parameter int unsigned AxiDataW = 64,
  parameter int unsigned MaxBurst = 16,
  parameter int unsigned MaxOut   = 4,
  localparam int unsigned Lanes   = AxiDataW / 16,
  localparam int unsigned LaneW   = $clog2(Lanes),
  localparam int unsigned BeatBytes = AxiDataW / 8,
  localparam int unsigned ByteOff = $clog2(BeatBytes),
  localparam int unsigned BurstW  = $clog2(MaxBurst),
  localparam int unsigned QDepth  = 2 * MaxBurst,
  localparam int unsigned QCntW   = $clog2(QDepth + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  abort_i,
  input  logic                  err_clr_i,     // forget err_o (the walker, at a chain start)

  input  logic                  cmd_valid_i,
  output logic                  cmd_ready_o,
  input  logic [AddrW-1:0]      cmd_addr_i,
  input  logic [31:0]           cmd_len_i,     // 16-bit words, >= 1

  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [31:0]           in_data_i,     // one word in [15:0], or two (in_wide_i)
  input  logic                  in_wide_i,     // take two words: the lane must be even

  output logic                  idle_o,        // every burst answered
  output logic [1:0]            err_o,         // first non-OKAY BRESP since err_clr_i

  output logic [AddrW-1:0]      awaddr_o,
  output logic [7:0]            awlen_o,
  output logic [2:0]            awsize_o,
  output logic [1:0]            awburst_o,
  output logic                  awvalid_o,
  input  logic                  awready_i,
  output logic [AxiDataW-1:0]   wdata_o,
  output logic [AxiDataW/8-1:0] wstrb_o,
  output logic                  wlast_o,
  output logic                  wvalid_o,
  input  logic                  wready_i,
  input  logic [1:0]            bresp_i,
  input  logic                  bvalid_i,
  output logic                  bready_o
);

  localparam int unsigned OutW = $clog2(MaxOut + 1);

  // --- Packing words into beats ---------------------------------------------------------------
  logic [AxiDataW-1:0]   pk_data_q;
  logic [AxiDataW/8-1:0] pk_strb_q;
  logic [LaneW-1:0]      pk_lane_q;
  logic [31:0]           words_q;       // words still to take
  logic                  in_fire, beat_full;
  logic                  q_valid, q_ready, q_pop;
  logic [QCntW-1:0]      q_count;
  logic [AxiDataW+AxiDataW/8-1:0] q_out;

  assign in_ready_o = words_q != '0 && q_ready;
  assign in_fire    = in_valid_i && in_ready_o;
  assign beat_full  = in_fire && (32'(pk_lane_q) + 32'(in_wide_i) == 32'(Lanes - 1) ||
                                  words_q == (in_wide_i ? 32'd2 : 32'd1));

  logic [AxiDataW-1:0]   pk_data_d;
  logic [AxiDataW/8-1:0] pk_strb_d;
  logic [LaneW-1:0]      pk_lane1;
  assign pk_lane1 = pk_lane_q + 1'b1;
  always_comb begin
    pk_data_d = pk_data_q;
    pk_strb_d = pk_strb_q;
    pk_data_d[pk_lane_q*16 +: 16] = in_data_i[15:0];
    pk_strb_d[pk_lane_q*2 +: 2]   = 2'b11;
    if (in_wide_i) begin
      pk_data_d[pk_lane1*16 +: 16] = in_data_i[31:16];
      pk_strb_d[pk_lane1*2 +: 2]   = 2'b11;
    end
  end

  ey_fifo #(.Depth(QDepth), .Width(AxiDataW + AxiDataW / 8)) u_wq (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (1'b0),
    .valid_i (beat_full),
    .ready_o (q_ready),
    .data_i  ({pk_strb_d, pk_data_d}),
    .valid_o (q_valid),
    .ready_i (q_pop),
    .data_o  (q_out),
    .count_o (q_count)
  );

  // --- Burst issue: a burst goes out once all its beats are queued ----------------------------
  logic [AddrW-1:0] baddr_q;
  logic [31:0]      beats_q;       // beats of the command not yet covered by a burst
  logic [QCntW-1:0] claimed_q;     // queued beats that belong to issued bursts, not yet sent
  logic [OutW-1:0]  out_q;         // bursts issued, B not yet received
  logic             drop_q;        // abort: discard queued beats no burst claims
  logic [BurstW:0]  to_bound, blen;
  logic             aw_fire, w_fire, b_fire;

  assign to_bound  = (BurstW + 1)'(MaxBurst) - {1'b0, baddr_q[ByteOff +: BurstW]};
  assign blen      = (beats_q < 32'(to_bound)) ? beats_q[BurstW:0] : to_bound;
  assign awvalid_o = beats_q != '0 && out_q != OutW'(MaxOut) &&
                     32'(q_count) - 32'(claimed_q) >= 32'(blen);
  assign awaddr_o  = baddr_q;
  assign awlen_o   = 8'(blen) - 8'd1;
  assign awsize_o  = 3'(ByteOff);
  assign awburst_o = 2'b01;
  assign aw_fire   = awvalid_o && awready_i;

  // Lengths of issued bursts, in order, for WLAST.
  logic            len_valid, len_pop;
  logic [BurstW:0] len_head;
  logic [BurstW:0] wbeat_q;        // beats of the head burst already sent

  ey_fifo #(.Depth(MaxOut), .Width(BurstW + 1)) u_lenq (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (1'b0),
    .valid_i (aw_fire),
    .ready_o (),
    .data_i  (blen),
    .valid_o (len_valid),
    .ready_i (len_pop),
    .data_o  (len_head),
    .count_o ()
  );

  assign wvalid_o = len_valid && claimed_q != '0;
  assign {wstrb_o, wdata_o} = q_out;
  assign wlast_o  = wbeat_q + 1'b1 == len_head;
  assign w_fire   = wvalid_o && wready_i;
  assign len_pop  = w_fire && wlast_o;
  assign q_pop    = w_fire || (drop_q && beats_q == '0 && q_valid && claimed_q == '0);
  assign bready_o = 1'b1;
  assign b_fire   = bvalid_i;

  assign cmd_ready_o = words_q == '0 && beats_q == '0 && !drop_q;
  assign idle_o      = cmd_ready_o && out_q == '0 && claimed_q == '0 && !q_valid;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pk_data_q <= '0;
      pk_strb_q <= '0;
      pk_lane_q <= '0;
      words_q   <= '0;
      baddr_q   <= '0;
      beats_q   <= '0;
      claimed_q <= '0;
      out_q     <= '0;
      wbeat_q   <= '0;
      drop_q    <= 1'b0;
      err_o     <= 2'b00;
    end else begin
      claimed_q <= claimed_q + (aw_fire ? QCntW'(blen) : '0) - QCntW'(w_fire);
      out_q     <= out_q + OutW'(aw_fire) - OutW'(b_fire);
      if (w_fire) wbeat_q <= wlast_o ? '0 : wbeat_q + 1'b1;
      if (err_clr_i) err_o <= 2'b00;
      else if (b_fire && bresp_i != 2'b00 && err_o == 2'b00) err_o <= bresp_i;
      if (aw_fire) begin
        baddr_q <= baddr_q + (AddrW'(blen) << ByteOff);
        beats_q <= beats_q - 32'(blen);
      end
      if (abort_i) begin
        // A burst already presented on AW stays until it is taken, and its beats are sent.
        drop_q    <= 1'b1;
        words_q   <= '0;
        beats_q   <= (awvalid_o && !awready_i) ? 32'(blen) : '0;
        pk_strb_q <= '0;
      end else if (drop_q) begin
        if (beats_q == '0 && claimed_q == '0 && !q_valid) drop_q <= 1'b0;
      end else begin
        if (cmd_valid_i && cmd_ready_o) begin
          baddr_q   <= {cmd_addr_i[AddrW-1:ByteOff], ByteOff'(0)};
          beats_q   <= 32'((33'(cmd_addr_i[ByteOff-1:0]) + {cmd_len_i, 1'b0} +
                            33'(BeatBytes - 1)) >> ByteOff);
          words_q   <= cmd_len_i;
          pk_lane_q <= cmd_addr_i[ByteOff-1:1];
          pk_strb_q <= '0;
        end
        if (in_fire) begin
          words_q   <= words_q - (in_wide_i ? 32'd2 : 32'd1);
          pk_lane_q <= pk_lane_q + (in_wide_i ? LaneW'(2) : LaneW'(1));
          pk_data_q <= pk_data_d;
          pk_strb_q <= beat_full ? '0 : pk_strb_d;
        end
      end
    end
  end

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md), as in ey_dma_rd.
  logic             cov_cmd;
  logic [AddrW-1:0] cov_cmd_end;
  logic [11:0]      cov_burst_end;  // its offset in a 4 KB page
  assign cov_cmd       = cmd_valid_i && cmd_ready_o;
  assign cov_cmd_end   = cmd_addr_i + AddrW'({cmd_len_i, 1'b0}) - AddrW'(1);
  assign cov_burst_end = 12'(baddr_q + (AddrW'(blen) << ByteOff));
  `EY_COVER(CovWrCmdUnaligned, cov_cmd && cmd_addr_i[ByteOff-1:0] != '0, clk_i, rst_ni)
  `EY_COVER(CovWrCmdEndsMidBeat, cov_cmd && cov_cmd_end[ByteOff-1:0] != ByteOff'(BeatBytes - 1),
            clk_i, rst_ni)
  `EY_COVER(CovWrCmdCrosses4k, cov_cmd && ((cmd_addr_i ^ cov_cmd_end) >> 12) != '0,
            clk_i, rst_ni)
  `EY_COVER(CovWrBurstFull, aw_fire && blen == (BurstW + 1)'(MaxBurst), clk_i, rst_ni)
  `EY_COVER(CovWrBurstCutAtBoundary, aw_fire && beats_q > 32'(to_bound), clk_i, rst_ni)
  `EY_COVER(CovWrBurstEndsAt4k, aw_fire && cov_burst_end == '0 && beats_q > 32'(blen),
            clk_i, rst_ni)
  `EY_COVER(CovWrBurstOneBeat, aw_fire && blen == (BurstW + 1)'(1), clk_i, rst_ni)
  `EY_COVER(CovWrPartialStrobe, w_fire && wstrb_o != '1, clk_i, rst_ni)
  `EY_COVER(CovWrMaxOutstanding, beats_q != '0 && out_q == OutW'(MaxOut), clk_i, rst_ni)
  `EY_COVER(CovWrAwBackPressure, awvalid_o && !awready_i, clk_i, rst_ni)
  `EY_COVER(CovWrWBackPressure, wvalid_o && !wready_i, clk_i, rst_ni)
  `EY_COVER(CovWrBWaitsForResponse, out_q != '0 && !bvalid_i && claimed_q == '0, clk_i, rst_ni)
  `EY_COVER(CovWrQueueFull, in_valid_i && words_q != '0 && !q_ready, clk_i, rst_ni)
  `EY_COVER(CovWrWide, in_fire && in_wide_i, clk_i, rst_ni)
  `EY_COVER(CovWrNarrow, in_fire && !in_wide_i, clk_i, rst_ni)
  `EY_COVER(CovWrRespSlverr, b_fire && bresp_i == 2'b10, clk_i, rst_ni)
  `EY_COVER(CovWrRespDecerr, b_fire && bresp_i == 2'b11, clk_i, rst_ni)
  `EY_COVER(CovWrAbortAwPending, abort_i && awvalid_o && !awready_i, clk_i, rst_ni)
  `EY_COVER(CovWrAbortDropsQueued, drop_q && q_pop && !w_fire, clk_i, rst_ni)

  `EY_ASSERT_INIT(WidthLegal, AxiDataW >= 32 && (AxiDataW & (AxiDataW - 1)) == 0)
  `EY_ASSERT_INIT(BurstLegal, MaxBurst >= 2 && MaxBurst <= 256 && (MaxBurst & (MaxBurst - 1)) == 0)
  `EY_ASSERT(CmdAligned, cmd_valid_i && cmd_ready_o |-> !cmd_addr_i[0] && cmd_len_i != '0,
             clk_i, rst_ni)
  `EY_ASSERT(WideOnEvenLane, in_fire && in_wide_i |-> !pk_lane_q[0] && words_q >= 32'd2,
             clk_i, rst_ni)
  `EY_ASSERT(NoBWithoutBurst, b_fire |-> out_q != '0, clk_i, rst_ni)
  `EY_ASSERT_STABLE(AwStable, awvalid_o, awready_i, {awaddr_o, awlen_o}, clk_i, rst_ni)
  `EY_ASSERT_STABLE(WStable, wvalid_o, wready_i, {wdata_o, wstrb_o, wlast_o}, clk_i, rst_ni)
`endif

endmodule
