// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Read port of an address generator: turns a stream of (address, tag) requests into a
// valid/ready stream of (tag, data) words, hiding the one-cycle latency of a synchronous
// memory read behind a small FIFO. A request marked `zero` (padding) reads no memory and
// yields a zero word. Requests issue at one per cycle as long as the FIFO has room for every
// word in flight, so a consumer that is always ready sees one word per cycle.
`include "ey_assert.svh"

module ey_rd_port #(
  parameter int unsigned TagW  = 8,
  parameter int unsigned DataW = 16
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clr_i,

  // Request side: the generator holds req_valid_i while it has a request, and advances when
  // issue_o is high.
  input  logic                  req_valid_i,
  input  logic                  req_zero_i,
  input  logic [TagW-1:0]       req_tag_i,
  output logic                  issue_o,

  // Memory: read enable this cycle, data next cycle.
  output logic                  mem_re_o,
  input  logic [DataW-1:0]      mem_rdata_i,

  output logic                  valid_o,
  input  logic                  ready_i,
  output logic [TagW-1:0]       tag_o,
  output logic [DataW-1:0]      data_o,

  output logic                  empty_o
);

  localparam int unsigned Depth = 2;

  logic            inflight_q, zero_q;
  logic [TagW-1:0] tag_q;
  logic [1:0]      count;
  logic            pop;

  assign pop      = valid_o && ready_i;
  // Room for this request once the word in flight and the FIFO contents are counted.
  assign issue_o  = req_valid_i &&
                    ({1'b0, count} + {2'b0, inflight_q} - {2'b0, pop} < 3'(Depth));
  assign mem_re_o = issue_o && !req_zero_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      inflight_q <= 1'b0;
      zero_q     <= 1'b0;
      tag_q      <= '0;
    end else begin
      inflight_q <= issue_o;
      if (issue_o) begin
        zero_q <= req_zero_i;
        tag_q  <= req_tag_i;
      end
    end
  end

  logic             fifo_ready;
  logic [TagW+DataW-1:0] fifo_out;

  ey_fifo #(
    .Depth (Depth),
    .Width (TagW + DataW)
  ) u_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (clr_i),
    .valid_i (inflight_q),
    .ready_o (fifo_ready),
    .data_i  ({tag_q, zero_q ? '0 : mem_rdata_i}),
    .valid_o (valid_o),
    .ready_i (ready_i),
    .data_o  (fifo_out),
    .count_o (count)
  );

  assign tag_o   = fifo_out[DataW +: TagW];
  assign data_o  = fifo_out[DataW-1:0];
  assign empty_o = !valid_o && !inflight_q;

`ifndef SYNTHESIS
  `EY_ASSERT(NoFifoOverflow, inflight_q |-> fifo_ready, clk_i, rst_ni)
`endif

endmodule
