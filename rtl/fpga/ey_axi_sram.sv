// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The board's DRAM stand-in: an AXI4 slave over one single-port memory of 64-bit words
// (ey_sram_1p; on the iCE40 UP5K the four SPRAMs, 128 KB), shared with a host port that the
// UART bridge (ey_uart_bridge) uses for the host's block transfers.
//
// It serves what the accelerator's DMA issues (the subset tb/axi_mem.h checks): 64-bit beats,
// INCR bursts, one ID, WSTRB. One burst at a time: a read burst streams a beat a cycle (the
// memory's read is pipelined behind R's ready), a write burst takes a beat a cycle after its AW
// and answers on B. A beat outside [MemBase, MemBase + 8 * Words) reads zero and writes
// nothing, and its burst answers SLVERR, as a bus would for a hole in the map.
//
// The host port is served between bursts, first when both wait (its requests are rare and a
// cycle long): host_gnt_o takes the request; a read's data is on host_rdata_o with
// host_rvalid_o one cycle later. The bridge checks the range before it asks; an address outside
// is ignored here.
`include "ey_assert.svh"

module ey_axi_sram #(
  parameter int unsigned AddrW   = 32,
  parameter logic [31:0] MemBase = 32'h8000_0000,
  parameter int unsigned Words   = 16384
) (
  input  logic             clk_i,
  input  logic             rst_ni,

  input  logic [AddrW-1:0] s_axi_araddr,
  input  logic [7:0]       s_axi_arlen,
  input  logic [2:0]       s_axi_arsize,
  input  logic [1:0]       s_axi_arburst,
  input  logic             s_axi_arvalid,
  output logic             s_axi_arready,
  output logic [63:0]      s_axi_rdata,
  output logic [1:0]       s_axi_rresp,
  output logic             s_axi_rlast,
  output logic             s_axi_rvalid,
  input  logic             s_axi_rready,
  input  logic [AddrW-1:0] s_axi_awaddr,
  input  logic [7:0]       s_axi_awlen,
  input  logic [2:0]       s_axi_awsize,
  input  logic [1:0]       s_axi_awburst,
  input  logic             s_axi_awvalid,
  output logic             s_axi_awready,
  input  logic [63:0]      s_axi_wdata,
  input  logic [7:0]       s_axi_wstrb,
  input  logic             s_axi_wlast,
  input  logic             s_axi_wvalid,
  output logic             s_axi_wready,
  output logic [1:0]       s_axi_bresp,
  output logic             s_axi_bvalid,
  input  logic             s_axi_bready,

  input  logic             host_req_i,
  input  logic             host_we_i,
  input  logic [AddrW-1:0] host_addr_i,   // byte address, a multiple of 8
  input  logic [63:0]      host_wdata_i,
  output logic             host_gnt_o,
  output logic             host_rvalid_o,
  output logic [63:0]      host_rdata_o
);

  localparam int unsigned WordAW = (Words > 1) ? $clog2(Words) : 1;

  typedef enum logic [1:0] {StIdle, StRead, StWrite, StResp} sram_state_e;

  sram_state_e      state_q, state_d;
  logic [AddrW-1:0] addr_q, addr_d;     // the next beat's byte address
  logic [8:0]       left_q, left_d;     // read beats not yet issued
  logic             rvalid_q, rvalid_d;
  logic             rlast_q, rlast_d;
  logic             rerr_q, rerr_d;     // the beat on R was outside
  logic             berr_q, berr_d;     // a beat of this write burst was outside
  logic             host_rd_q;

  logic             mem_req, mem_we;
  logic [WordAW-1:0] mem_addr;
  logic [63:0]      mem_wdata;
  logic [7:0]       mem_be;

  // Whether a byte address falls inside the memory, and its word.
  function automatic logic inside_mem(input logic [AddrW-1:0] a);
    logic [AddrW:0] off;
    off = {1'b0, a} - {1'b0, AddrW'(MemBase)};
    inside_mem = !off[AddrW] && (off[AddrW-1:0] < AddrW'(Words * 8));
  endfunction
  function automatic logic [WordAW-1:0] word_of(input logic [AddrW-1:0] a);
    word_of = WordAW'((a - AddrW'(MemBase)) >> 3);
  endfunction

  wire r_take  = rvalid_q && s_axi_rready;
  wire r_issue = (state_q == StRead) && (left_q != '0) && (!rvalid_q || s_axi_rready);
  wire w_take  = (state_q == StWrite) && s_axi_wvalid;

  always_comb begin
    state_d = state_q;
    addr_d = addr_q;
    left_d = left_q;
    rvalid_d = rvalid_q;
    rlast_d = rlast_q;
    rerr_d = rerr_q;
    berr_d = berr_q;
    host_gnt_o = 1'b0;
    s_axi_arready = 1'b0;
    s_axi_awready = 1'b0;
    mem_req = 1'b0;
    mem_we = 1'b0;
    mem_addr = word_of(addr_q);
    mem_wdata = s_axi_wdata;
    mem_be = s_axi_wstrb;
    unique case (state_q)
      StIdle: begin
        if (host_req_i) begin
          host_gnt_o = 1'b1;
          mem_req = inside_mem(host_addr_i);
          mem_we = host_we_i;
          mem_addr = word_of(host_addr_i);
          mem_wdata = host_wdata_i;
          mem_be = '1;
        end else if (s_axi_arvalid) begin
          s_axi_arready = 1'b1;
          state_d = StRead;
          addr_d = s_axi_araddr;
          left_d = {1'b0, s_axi_arlen} + 9'd1;
        end else if (s_axi_awvalid) begin
          s_axi_awready = 1'b1;
          state_d = StWrite;
          addr_d = s_axi_awaddr;
          berr_d = 1'b0;
        end
      end
      StRead: begin
        if (r_take) rvalid_d = 1'b0;
        if (r_issue) begin
          mem_req = inside_mem(addr_q);
          addr_d = addr_q + AddrW'(8);
          left_d = left_q - 1'b1;
          rvalid_d = 1'b1;
          rlast_d = (left_q == 9'd1);
          rerr_d = !inside_mem(addr_q);
        end
        if (r_take && rlast_q) state_d = StIdle;
      end
      StWrite: begin
        if (w_take) begin
          mem_req = inside_mem(addr_q);
          mem_we = 1'b1;
          addr_d = addr_q + AddrW'(8);
          berr_d = berr_q || !inside_mem(addr_q);
          if (s_axi_wlast) state_d = StResp;
        end
      end
      StResp: begin
        if (s_axi_bready) state_d = StIdle;
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      addr_q <= '0;
      left_q <= '0;
      rvalid_q <= 1'b0;
      rlast_q <= 1'b0;
      rerr_q <= 1'b0;
      berr_q <= 1'b0;
      host_rd_q <= 1'b0;
    end else begin
      state_q <= state_d;
      addr_q <= addr_d;
      left_q <= left_d;
      rvalid_q <= rvalid_d;
      rlast_q <= rlast_d;
      rerr_q <= rerr_d;
      berr_q <= berr_d;
      host_rd_q <= host_gnt_o && !host_we_i;
    end
  end

  logic [63:0] mem_rdata;

  ey_sram_1p #(
    .Depth(Words),
    .Width(64)
  ) u_mem (
    .clk_i,
    .req_i  (mem_req),
    .we_i   (mem_we),
    .addr_i (mem_addr),
    .wdata_i(mem_wdata),
    .be_i   (mem_be),
    .rdata_o(mem_rdata)
  );

  assign s_axi_rvalid = rvalid_q;
  assign s_axi_rdata = rerr_q ? '0 : mem_rdata;
  assign s_axi_rresp = rerr_q ? 2'b10 : 2'b00;
  assign s_axi_rlast = rlast_q;
  assign s_axi_wready = (state_q == StWrite);
  assign s_axi_bvalid = (state_q == StResp);
  assign s_axi_bresp = berr_q ? 2'b10 : 2'b00;
  assign host_rvalid_o = host_rd_q;
  assign host_rdata_o = mem_rdata;

  `EY_ASSERT_INIT(WordsPow2, (Words & (Words - 1)) == 0)
  `EY_ASSERT_INIT(BaseAligned, (MemBase % (Words * 8)) == 0)
  `EY_ASSERT(IncrOnly, s_axi_arvalid && s_axi_arready |-> s_axi_arburst == 2'b01
                       && s_axi_arsize == 3'd3, clk_i, rst_ni)
  `EY_ASSERT(IncrOnlyW, s_axi_awvalid && s_axi_awready |-> s_axi_awburst == 2'b01
                        && s_axi_awsize == 3'd3, clk_i, rst_ni)

endmodule
