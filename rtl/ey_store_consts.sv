// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Products of a computed chunk's store (ey_pkg::store_consts_t): the strides the store
// sequencer (rtl/ey_store_seq.sv) steps its psum-bank addresses and pooling line-buffer
// offsets by, so that it needs no multiplier. One 16 x 16 multiplier computes them one a
// cycle, Steps cycles from the chunk's run start (start_i); a run takes longer than that (the
// pass controller alone spends at least ey_run_consts' 18 cycles before it), so they are
// ready when the store takes the chunk (ready_o; ey_store_seq asserts it).
//
// Psum-bank strides are kept modulo 2^PsAW and line-buffer ones modulo 2^PlAW, all an address
// needs; a product that needs another comes after it.
module ey_store_consts #(
  parameter int unsigned PsAW = 10,
  parameter int unsigned PlAW = 12
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,   // the chunk's run starts; desc_i and job_i hold
  input  ey_pkg::desc_t         desc_i,
  input  ey_pkg::out_job_t      job_i,
  output logic                  ready_o,   // every product of the chunk is computed
  output ey_pkg::store_consts_t consts_o
);

  localparam int unsigned Steps = 11;

  ey_pkg::desc_t d;
  assign d = desc_i;

  logic [3:0]  step_q;
  logic        busy_q;
  logic [15:0] a, b, prod, ps_mask, pl_mask;
  logic [15:0] tvth_q;   // tv*th: the chains the set columns hold
  ey_pkg::store_consts_t k_q;
  assign ps_mask = 16'((17'd1 << PsAW) - 17'd1);
  assign pl_mask = 16'((17'd1 << PlAW) - 17'd1);

  always_comb begin
    a = '0;
    b = '0;
    unique case (step_q)
      4'd0:  begin a = 16'(d.tv);   b = 16'(d.p);          end
      4'd1:  begin a = 16'(d.tv);   b = 16'(d.th);         end
      4'd2:  begin a = 16'(d.t) + 16'(d.tv) - tvth_q; b = 16'(d.p); end
      4'd3:  begin a = 16'(d.fo);   b = k_q.tvp;           end
      4'd4:  begin a = 16'(d.fo);   b = k_q.tvlp;          end
      4'd5:  begin a = 16'(job_i.n_strips); b = k_q.s_f;   end
      4'd6:  begin a = 16'(job_i.n_strips); b = k_q.s_l;   end
      4'd7:  begin a = 16'(job_i.n_imgs);   b = k_q.i_f;   end
      4'd8:  begin a = 16'(job_i.n_imgs);   b = k_q.i_l;   end
      4'd9:  begin a = 16'(d.mg);   b = 16'(d.pool_fo);    end
      4'd10: begin a = 16'(job_i.filt0); b = 16'(d.pool_fo); end
      default: ;
    endcase
  end
  assign prod = a * b;

  logic last;
  assign last    = busy_q && step_q == 4'(Steps - 1);
  assign ready_o = !busy_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      step_q <= '0;
      tvth_q <= '0;
      k_q    <= '0;
    end else if (start_i) begin
      busy_q <= 1'b1;
      step_q <= '0;
    end else if (busy_q) begin
      busy_q <= !last;
      step_q <= step_q + 1'b1;
      unique case (step_q)
        4'd0:  k_q.tvp    <= prod & ps_mask;
        4'd1:  tvth_q     <= prod;
        4'd2:  k_q.tvlp   <= prod & ps_mask;
        4'd3:  k_q.s_f    <= prod & ps_mask;
        4'd4:  k_q.s_l    <= prod & ps_mask;
        4'd5:  k_q.i_f    <= prod & ps_mask;
        4'd6:  k_q.i_l    <= prod & ps_mask;
        4'd7:  k_q.b_f    <= prod & ps_mask;
        4'd8:  k_q.b_l    <= prod & ps_mask;
        4'd9:  k_q.lb_img <= prod & pl_mask;
        4'd10: k_q.lb0    <= prod & pl_mask;
        default: ;
      endcase
    end
  end
  assign consts_o = k_q;

endmodule
