// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Performance counters of the descriptor walker, for the chain that ran last (cleared as a
// chain starts): walker busy cycles, DRAM bytes read and written, stall cycles (busy while the
// array is not running: CNT_DMA_STALL), descriptors completed, and the core's counters
// (passes .. GLB writes, in csr_map.def order) summed over every run of the chain. The pass
// count is live: while a run goes on, its passes so far are added, so a host polling
// CNT_PASSES sees each pass end (the debug tools find a pass's cycle window that way); the
// other core counters grow at the end of each run.
module ey_perf_cnt #(
  parameter int unsigned NumCore = ey_pkg::NumCoreCnt
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clr_i,          // a chain starts

  input  logic                  busy_i,         // the walker is busy
  input  logic                  core_busy_i,
  input  logic                  rd_cmd_fire_i,  // a read command of rd_cmd_len_i words
  input  logic [31:0]           rd_cmd_len_i,
  input  logic                  rd_cmd_filt_i,  // that command loads weights
  input  logic                  wr_cmd_fire_i,  // a write command of wr_cmd_len_i words
  input  logic [31:0]           wr_cmd_len_i,
  input  logic                  desc_done_i,    // a descriptor is complete
  input  logic                  run_done_i,     // a core run is done: add its counters
  input  logic                  running_i,      // a core run goes on (core_cnt_i is its own)
  input  logic [NumCore*32-1:0] core_cnt_i,     // the core's counters of its current run

  output logic [31:0]           cnt_cycles_o,
  output logic [31:0]           cnt_rd_bytes_o,
  output logic [31:0]           cnt_wr_bytes_o,
  output logic [31:0]           cnt_stall_o,
  output logic [31:0]           cnt_descs_o,
  output logic [31:0]           cnt_flt_bytes_o,
  output logic [NumCore*32-1:0] core_cnt_o
);

  logic [31:0]           cycles_q, cycles_d, rd_bytes_q, rd_bytes_d, wr_bytes_q, wr_bytes_d;
  logic [31:0]           stall_q, stall_d, descs_q, descs_d, flt_bytes_q, flt_bytes_d;
  logic [NumCore*32-1:0] core_q, core_d;

  always_comb begin
    cycles_d   = cycles_q;
    rd_bytes_d = rd_bytes_q;
    wr_bytes_d = wr_bytes_q;
    stall_d    = stall_q;
    descs_d    = descs_q;
    flt_bytes_d = flt_bytes_q;
    core_d     = core_q;
    if (busy_i) cycles_d = cycles_q + 1'b1;
    if (busy_i && !core_busy_i) stall_d = stall_q + 1'b1;
    // Command lengths are in 16-bit words.
    if (rd_cmd_fire_i) rd_bytes_d = rd_bytes_q + (rd_cmd_len_i << 1);
    if (rd_cmd_fire_i && rd_cmd_filt_i) flt_bytes_d = flt_bytes_q + (rd_cmd_len_i << 1);
    if (wr_cmd_fire_i) wr_bytes_d = wr_bytes_q + (wr_cmd_len_i << 1);
    if (desc_done_i) descs_d = descs_q + 1'b1;
    // The core's counters restart at each of its runs: add a run's totals when it is done.
    if (run_done_i) begin
      for (int unsigned k = 0; k < NumCore; k++) begin
        core_d[k*32 +: 32] = core_q[k*32 +: 32] + core_cnt_i[k*32 +: 32];
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      cycles_q   <= '0;
      rd_bytes_q <= '0;
      wr_bytes_q <= '0;
      stall_q    <= '0;
      descs_q    <= '0;
      flt_bytes_q <= '0;
      core_q     <= '0;
    end else begin
      cycles_q   <= cycles_d;
      rd_bytes_q <= rd_bytes_d;
      wr_bytes_q <= wr_bytes_d;
      stall_q    <= stall_d;
      descs_q    <= descs_d;
      flt_bytes_q <= flt_bytes_d;
      core_q     <= core_d;
    end
  end

  assign cnt_cycles_o   = cycles_q;
  assign cnt_rd_bytes_o = rd_bytes_q;
  assign cnt_wr_bytes_o = wr_bytes_q;
  assign cnt_stall_o    = stall_q;
  assign cnt_descs_o    = descs_q;
  assign cnt_flt_bytes_o = flt_bytes_q;
  // Passes (core counter 0) live; the rest as summed at the end of each run.
  always_comb begin
    core_cnt_o        = core_q;
    core_cnt_o[31:0]  = core_q[31:0] + (running_i ? core_cnt_i[31:0] : 32'd0);
  end

endmodule
