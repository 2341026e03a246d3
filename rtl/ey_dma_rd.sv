// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// DMA read engine of the AXI4 master (its twin is ey_dma_wr.sv). ey_dma_rd moves a
// byte range of DRAM into a stream of 16-bit words, ey_dma_wr moves a stream of 16-bit words
// into a byte range. Both take one command at a time: a 2-byte-aligned byte address and a
// length in 16-bit words.
//
// The read stream is as wide as the bus: each handshake hands over out_cnt_o words (1 to
// Lanes = AxiDataW / 16), the first in out_data_o[15:0], all from one beat (a beat's words that
// belong to the command, from the current one on). With out_wide_i low the consumer takes one
// word a handshake (the descriptor and the output-path table); high, as many as the beat has
// left (the GLB loads), so a transfer moves a full beat per cycle.
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
//
// Fault injection (tests only): a model Verilated with -DEY_FAULT reads the plusargs
// +ey_fault_dma_addr=A (hex) +ey_fault_dma_bit=B at time 0 and flips bit B (0..7) of the byte at
// DRAM address A in every word this engine delivers from it (a wrong byte on the read path);
// fault_hit is high in the cycles such a word leaves. Without EY_FAULT nothing of it is built.
`include "ey_assert.svh"

module ey_dma_rd #(
  parameter int unsigned AddrW    = 32,
  parameter int unsigned AxiDataW = 64,
  parameter int unsigned MaxBurst = 16,
  parameter int unsigned MaxOut   = 4,
  localparam int unsigned Lanes   = AxiDataW / 16,
  localparam int unsigned LaneW   = $clog2(Lanes),
  localparam int unsigned BeatBytes = AxiDataW / 8,
  localparam int unsigned ByteOff = $clog2(BeatBytes),
  localparam int unsigned BurstW  = $clog2(MaxBurst)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                abort_i,
  input  logic                err_clr_i,     // forget err_o (the walker, at a chain start)

  input  logic                cmd_valid_i,
  output logic                cmd_ready_o,
  input  logic [AddrW-1:0]    cmd_addr_i,
  input  logic [31:0]         cmd_len_i,     // 16-bit words, >= 1

  output logic                out_valid_o,
  input  logic                out_ready_i,
  input  logic                out_wide_i,    // take up to Lanes words a handshake, not one
  output logic [LaneW:0]      out_cnt_o,     // words in this handshake, 1..Lanes
  output logic [AxiDataW-1:0] out_data_o,    // word k in bits 16k..16k+15

  output logic                idle_o,
  output logic [1:0]          err_o,         // first non-OKAY RRESP since err_clr_i

  output logic [AddrW-1:0]    araddr_o,
  output logic [7:0]          arlen_o,
  output logic [2:0]          arsize_o,
  output logic [1:0]          arburst_o,
  output logic                arvalid_o,
  input  logic                arready_i,
  input  logic [AxiDataW-1:0] rdata_i,
  input  logic [1:0]          rresp_i,
  input  logic                rlast_i,
  input  logic                rvalid_i,
  output logic                rready_o
);

  // --- Burst issue -------------------------------------------------------------------------
  logic [AddrW-1:0] baddr_q;       // next beat address (beat aligned)
  logic [31:0]      beats_q;       // beats still to request
  localparam int unsigned OutW = $clog2(MaxOut + 1);
  logic [OutW-1:0]  out_q;         // bursts in flight
  logic [31:0]      words_q;       // words still to deliver
  logic [LaneW-1:0] skip_q;        // lanes to drop at the start of the first beat
  logic             first_q;       // the next beat is the command's first
  logic             drain_q;       // abort: drop beats until nothing is in flight
  logic [BurstW:0]  to_bound, blen;

  assign to_bound = (BurstW + 1)'(MaxBurst) - {1'b0, baddr_q[ByteOff +: BurstW]};
  assign blen     = (beats_q < 32'(to_bound)) ? beats_q[BurstW:0] : to_bound;

  assign arvalid_o = beats_q != '0 && out_q != OutW'(MaxOut);
  assign araddr_o  = baddr_q;
  assign arlen_o   = 8'(blen) - 8'd1;
  assign arsize_o  = 3'(ByteOff);
  assign arburst_o = 2'b01;

  assign cmd_ready_o = words_q == '0 && beats_q == '0 && !drain_q;
  assign idle_o      = out_q == '0 && words_q == '0 && beats_q == '0;

  // --- Beat register and unpacking -----------------------------------------------------------
  logic [AxiDataW-1:0] beat_q;
  logic                beat_v_q;
  logic [LaneW-1:0]    lane_q;
  logic                r_fire, out_fire, beat_done;
  logic [LaneW:0]      left;           // the beat's words from lane_q on
  logic [AxiDataW-1:0] beat_words;     // them, lane_q's in the low bits

  assign out_valid_o = beat_v_q && !drain_q;
  assign left        = (LaneW + 1)'(Lanes) - {1'b0, lane_q};
  assign out_cnt_o   = !out_wide_i ? (LaneW + 1)'(1)
                     : (words_q < 32'(left)) ? words_q[LaneW:0] : left;
  assign beat_words  = beat_q >> {lane_q, 4'b0};
`ifdef EY_FAULT
  // The byte address of the word at the head of the stream, and the word the fault hits.
  logic [AddrW-1:0]    fault_waddr_q;
  logic [AddrW-1:0]    fault_addr;
  logic [15:0]         fault_mask;
  logic                fault_on;
  logic [Lanes-1:0]    fault_match;   // handshake word k is the faulty one
  logic [AxiDataW-1:0] fault_xor;
  /* verilator lint_off UNUSED */
  logic             fault_hit;
  /* verilator lint_on UNUSED */
  initial begin
    logic [AddrW-1:0] addr;
    int bitn;
    fault_on   = 1'b0;
    fault_addr = '0;
    fault_mask = '0;
    if ($value$plusargs("ey_fault_dma_addr=%h", addr) &&
        $value$plusargs("ey_fault_dma_bit=%d", bitn) && bitn >= 0 && bitn < 8) begin
      fault_on   = 1'b1;
      fault_addr = addr & ~AddrW'(1);
      fault_mask = 16'(1) << (bitn + (addr[0] ? 8 : 0));
    end
  end
  always_ff @(posedge clk_i) begin
    if (cmd_valid_i && cmd_ready_o) fault_waddr_q <= cmd_addr_i;
    else if (out_fire) fault_waddr_q <= fault_waddr_q + AddrW'({out_cnt_o, 1'b0});
  end
  for (genvar k = 0; k < Lanes; k++) begin : g_fault
    assign fault_match[k] = fault_on && (LaneW + 1)'(k) < out_cnt_o &&
                            fault_waddr_q + AddrW'(2 * k) == fault_addr;
    assign fault_xor[k*16 +: 16] = fault_match[k] ? fault_mask : 16'h0;
  end
  assign fault_hit   = fault_match != '0 && out_fire;
  assign out_data_o  = beat_words ^ fault_xor;
`else
  assign out_data_o  = beat_words;
`endif
  assign out_fire    = out_valid_o && out_ready_i;
  assign beat_done   = out_fire && (out_cnt_o == left || words_q == 32'(out_cnt_o));
  assign rready_o    = drain_q || !beat_v_q || beat_done;
  assign r_fire      = rvalid_i && rready_o;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      baddr_q  <= '0;
      beats_q  <= '0;
      out_q    <= '0;
      words_q  <= '0;
      skip_q   <= '0;
      first_q  <= 1'b0;
      drain_q  <= 1'b0;
      beat_q   <= '0;
      beat_v_q <= 1'b0;
      lane_q   <= '0;
      err_o    <= 2'b00;
    end else begin
      if (arvalid_o && arready_i) begin
        baddr_q <= baddr_q + (AddrW'(blen) << ByteOff);
        beats_q <= beats_q - 32'(blen);
      end
      out_q <= out_q + OutW'(arvalid_o && arready_i) - OutW'(r_fire && rlast_i);
      if (err_clr_i) err_o <= 2'b00;
      else if (r_fire && rresp_i != 2'b00 && err_o == 2'b00) err_o <= rresp_i;

      if (abort_i) begin
        // A burst already presented on AR stays until it is taken (AXI forbids withdrawing it).
        drain_q  <= 1'b1;
        beats_q  <= (arvalid_o && !arready_i) ? 32'(blen) : '0;
        words_q  <= '0;
        beat_v_q <= 1'b0;
      end else if (drain_q) begin
        if (beats_q == '0 && out_q == '0) drain_q <= 1'b0;
      end else begin
        if (cmd_valid_i && cmd_ready_o) begin
          baddr_q <= {cmd_addr_i[AddrW-1:ByteOff], ByteOff'(0)};
          beats_q <= 32'((33'(cmd_addr_i[ByteOff-1:0]) + {cmd_len_i, 1'b0} +
                          33'(BeatBytes - 1)) >> ByteOff);
          words_q <= cmd_len_i;
          skip_q  <= cmd_addr_i[ByteOff-1:1];
          first_q <= 1'b1;
        end
        if (out_fire) begin
          words_q <= words_q - 32'(out_cnt_o);
          lane_q  <= lane_q + LaneW'(out_cnt_o);
        end
        if (beat_done) beat_v_q <= 1'b0;
        if (r_fire) begin
          beat_q   <= rdata_i;
          beat_v_q <= 1'b1;
          lane_q   <= first_q ? skip_q : '0;
          first_q  <= 1'b0;
        end
      end
    end
  end

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md). A command's byte range
  // [cmd_addr, cmd_end] and the bursts it is cut into.
  logic             cov_cmd, cov_ar;
  logic [AddrW-1:0] cov_cmd_end;
  logic [11:0]      cov_burst_end;  // its offset in a 4 KB page
  assign cov_cmd       = cmd_valid_i && cmd_ready_o;
  assign cov_cmd_end   = cmd_addr_i + AddrW'({cmd_len_i, 1'b0}) - AddrW'(1);
  assign cov_ar        = arvalid_o && arready_i;
  assign cov_burst_end = 12'(baddr_q + (AddrW'(blen) << ByteOff));
  `EY_COVER(CovRdCmdUnaligned, cov_cmd && cmd_addr_i[ByteOff-1:0] != '0, clk_i, rst_ni)
  `EY_COVER(CovRdCmdEndsMidBeat, cov_cmd && cov_cmd_end[ByteOff-1:0] != ByteOff'(BeatBytes - 1),
            clk_i, rst_ni)
  `EY_COVER(CovRdCmdOneWord, cov_cmd && cmd_len_i == 32'd1, clk_i, rst_ni)
  `EY_COVER(CovRdCmdCrosses4k, cov_cmd && ((cmd_addr_i ^ cov_cmd_end) >> 12) != '0,
            clk_i, rst_ni)
  `EY_COVER(CovRdBurstFull, cov_ar && blen == (BurstW + 1)'(MaxBurst), clk_i, rst_ni)
  `EY_COVER(CovRdBurstCutAtBoundary, cov_ar && beats_q > 32'(to_bound), clk_i, rst_ni)
  `EY_COVER(CovRdBurstEndsAt4k, cov_ar && cov_burst_end == '0 && beats_q > 32'(blen),
            clk_i, rst_ni)
  `EY_COVER(CovRdBurstOneBeat, cov_ar && blen == (BurstW + 1)'(1), clk_i, rst_ni)
  `EY_COVER(CovRdMaxOutstanding, beats_q != '0 && out_q == OutW'(MaxOut), clk_i, rst_ni)
  `EY_COVER(CovRdArBackPressure, arvalid_o && !arready_i, clk_i, rst_ni)
  `EY_COVER(CovRdRWaitsForData, out_q != '0 && !rvalid_i && !drain_q, clk_i, rst_ni)
  `EY_COVER(CovRdRBackPressure, rvalid_i && !rready_o, clk_i, rst_ni)
  `EY_COVER(CovRdConsumerStalls, out_valid_o && !out_ready_i, clk_i, rst_ni)
  `EY_COVER(CovRdWideFullBeat, out_fire && out_wide_i && out_cnt_o == (LaneW + 1)'(Lanes), clk_i,
            rst_ni)
  `EY_COVER(CovRdWidePartBeat, out_fire && out_wide_i && out_cnt_o != (LaneW + 1)'(Lanes), clk_i,
            rst_ni)
  `EY_COVER(CovRdNarrow, out_fire && !out_wide_i, clk_i, rst_ni)
  `EY_COVER(CovRdRespSlverr, r_fire && rresp_i == 2'b10, clk_i, rst_ni)
  `EY_COVER(CovRdRespDecerr, r_fire && rresp_i == 2'b11, clk_i, rst_ni)
  `EY_COVER(CovRdAbortArPending, abort_i && arvalid_o && !arready_i, clk_i, rst_ni)
  `EY_COVER(CovRdAbortDrainsBeats, drain_q && r_fire, clk_i, rst_ni)

  `EY_ASSERT_INIT(WidthLegal, AxiDataW >= 32 && (AxiDataW & (AxiDataW - 1)) == 0)
  `EY_ASSERT_INIT(BurstLegal, MaxBurst >= 2 && MaxBurst <= 256 && (MaxBurst & (MaxBurst - 1)) == 0)
  `EY_ASSERT(CmdAligned, cmd_valid_i && cmd_ready_o |-> !cmd_addr_i[0] && cmd_len_i != '0,
             clk_i, rst_ni)
  `EY_ASSERT(NoBeatWithoutBurst, r_fire |-> out_q != '0, clk_i, rst_ni)
  `EY_ASSERT_STABLE(ArStable, arvalid_o, arready_i, {araddr_o, arlen_o}, clk_i, rst_ni)
`endif

endmodule
