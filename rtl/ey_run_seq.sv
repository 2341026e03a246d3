// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Run sequencer of the descriptor walker: takes a loaded chunk from the load sequencer
// (rtl/ey_load_seq.sv), runs the pass controller and PE array on its layer record, and when
// the run is done and the chunk is its outputs' last channel chunk, hands the outputs to the
// store sequencer (rtl/ey_store_seq.sv), waiting for it to be idle. The psum banks the run
// writes are the store's source: with ps_pp_i (an output chunk's psums fit half of each bank)
// consecutive output chunks use the two halves, so a chunk runs beside the previous output
// chunk's store; without, it is taken only while the store sequencer is idle.
`include "ey_assert.svh"

module ey_run_seq #(
  parameter int unsigned PpWords = 512,
  localparam int unsigned PpAW   = $clog2(PpWords)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,            // abort: drop the chunk

  // The loaded chunk
  input  logic               chunk_valid_i,
  output logic               chunk_ready_o,
  input  ey_pkg::layer_cfg_t chunk_cfg_i,
  input  ey_pkg::out_job_t   chunk_job_i,
  input  logic               chunk_last_i,
  input  logic [PpAW-1:0]    chunk_tab_base_i,

  // The computed outputs, to the store sequencer
  output logic               store_valid_o,
  input  logic               store_ready_i,
  output ey_pkg::out_job_t   store_job_o,
  output logic [PpAW-1:0]    store_tab_base_o,

  input  logic               store_idle_i,
  input  logic               ps_pp_i,          // runs and stores alternate the banks' halves
  output logic               idle_o,
  output logic               run_done_o,       // the core finished the chunk's run
  output logic               running_o,        // the core runs a chunk (its counters are live)

  // Core
  output ey_pkg::layer_cfg_t core_cfg_o,
  output logic               core_start_o,
  input  logic               core_done_i
);

  typedef enum logic [1:0] {
    StIdle,      // no chunk
    StStart,     // start the core on the chunk
    StWaitDone,  // the core runs it
    StHandOff    // its outputs wait for the store sequencer
  } run_state_e;
  run_state_e state_q, state_d;

  ey_pkg::layer_cfg_t cfg_q, cfg_d;
  ey_pkg::out_job_t   job_q, job_d;
  logic               last_q, last_d;
  logic [PpAW-1:0]    tab_base_q, tab_base_d;

  logic core_done_q;   // done of the core seen rising
  always_ff @(posedge clk_i) begin
    if (!rst_ni) core_done_q <= 1'b0;
    else core_done_q <= core_done_i;
  end

  assign chunk_ready_o = state_q == StIdle && (store_idle_i || ps_pp_i);
  assign run_done_o    = state_q == StWaitDone && core_done_i && !core_done_q;

  always_comb begin
    state_d    = state_q;
    cfg_d      = cfg_q;
    job_d      = job_q;
    last_d     = last_q;
    tab_base_d = tab_base_q;
    unique case (state_q)
      StIdle: if (chunk_valid_i && chunk_ready_o) begin
        cfg_d      = chunk_cfg_i;
        job_d      = chunk_job_i;
        last_d     = chunk_last_i;
        tab_base_d = chunk_tab_base_i;
        state_d    = StStart;
      end
      StStart:    state_d = StWaitDone;
      StWaitDone: if (run_done_o) state_d = (store_valid_o && !store_ready_i) ? StHandOff : StIdle;
      StHandOff:  if (store_ready_i) state_d = StIdle;
      default:    state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      state_q    <= StIdle;
      cfg_q      <= '0;
      job_q      <= '0;
      last_q     <= 1'b0;
      tab_base_q <= '0;
    end else begin
      state_q    <= state_d;
      cfg_q      <= cfg_d;
      job_q      <= job_d;
      last_q     <= last_d;
      tab_base_q <= tab_base_d;
    end
  end

  assign idle_o           = state_q == StIdle;
  assign core_cfg_o       = cfg_q;
  assign core_start_o     = state_q == StStart;
  assign running_o        = state_q == StWaitDone;
  // Outputs leave after the last channel chunk; before it they stay in the banks.
  assign store_valid_o    = (run_done_o && last_q) || state_q == StHandOff;
  assign store_job_o      = job_q;
  assign store_tab_base_o = tab_base_q;

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md).
  `EY_COVER(CovRunWhileStoring, chunk_valid_i && chunk_ready_o && !store_idle_i, clk_i, rst_ni)
  `EY_COVER(CovRunWaitsForStore, chunk_valid_i && state_q == StIdle && !chunk_ready_o, clk_i,
            rst_ni)
  `EY_COVER(CovRunHandOffWaits, state_q == StHandOff && !store_ready_i, clk_i, rst_ni)
  // Without halves the store sequencer was idle when the chunk was taken and stays so until
  // this hand-over.
  `EY_ASSERT(StoreTakesOutputs, store_valid_o && !ps_pp_i |-> store_ready_i, clk_i, rst_ni)
  `EY_ASSERT_STREAM(StoreJobHeld, store_valid_o, store_ready_i, {store_job_o, store_tab_base_o},
                    clr_i, clk_i, rst_ni)
`endif

endmodule
