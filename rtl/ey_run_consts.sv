// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Constant products of a run (ey_pkg::run_consts_t): the strides the pass controller's stream
// generators step their GLB addresses and tiling indices by (rtl/ey_filt_gen.sv,
// rtl/ey_ifmap_gen.sv), and the array's row count. One 16 x 16 multiplier computes them one a
// cycle, Steps cycles from start_i, while the pass controller writes the NoC IDs (Rows*Cols
// cycles); the run waits for whichever ends last. So the generators need no multiplier: on
// an iCE40 they took 20 SB_MAC16 where this takes one.
//
// Products of two record fields are exact (they are at most 16 bits); address strides are
// kept modulo 2^AddrW (their upper bits are zero), which is all a GLB address needs. A
// product that needs another (tvp_crs = tvp * crs) comes after it.
module ey_run_consts #(
  parameter int unsigned AddrW = 16   // GLB address bits the strides need (at most 16)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,   // a run starts; cfg_i holds through the run
  input  ey_pkg::layer_cfg_t  cfg_i,
  output logic                last_o,    // the last product is computed in this cycle
  output ey_pkg::run_consts_t consts_o
);

  // The cost model counts these cycles (kRunConstSteps, sw/src/cost_model.cc).
  localparam int unsigned Steps = 18;

  ey_pkg::layer_cfg_t c;
  assign c = cfg_i;

  logic [4:0]  step_q;
  logic        busy_q;
  logic [15:0] a, b, prod, aprod;
  ey_pkg::run_consts_t k_q;

  // Operands of step step_q.
  always_comb begin
    a = '0;
    b = '0;
    unique case (step_q)
      5'd0:  begin a = 16'(c.t);      b = 16'(c.p);      end
      5'd1:  begin a = 16'(c.r);      b = 16'(c.q);      end
      5'd2:  begin a = 16'(c.tv);     b = 16'(c.p);      end
      5'd3:  begin a = 16'(c.e);      b = 16'(c.uh);     end
      5'd4:  begin a = 16'(c.p);      b = c.crs[15:0];   end
      5'd5:  begin a = k_q.tvp;       b = c.crs[15:0];   end
      5'd6:  begin a = k_q.tp;        b = c.crs[15:0];   end
      5'd7:  begin a = 16'(c.q);      b = 16'(c.rs);     end
      5'd8:  begin a = k_q.rq;        b = 16'(c.rs);     end
      5'd9:  begin a = 16'(c.rg);     b = 16'(c.ks);     end
      5'd10: begin a = 16'(c.uh);     b = 16'(c.w);      end
      5'd11: begin a = k_q.e_uh;      b = 16'(c.w);      end
      5'd12: begin a = 16'(c.q);      b = c.hw[15:0];    end
      5'd13: begin a = k_q.rq;        b = c.hw[15:0];    end
      5'd14: begin a = 16'(c.rg);     b = 16'(c.w);      end
      5'd15: begin a = 16'(c.pad_top); b = 16'(c.w);     end
      5'd16: begin a = 16'(c.n);      b = 16'(c.strips); end
      5'd17: begin a = 16'(c.r);      b = 16'(c.rg);     end
      default: ;
    endcase
  end
  assign prod  = a * b;
  assign aprod = prod & 16'((17'd1 << AddrW) - 17'd1);

  assign last_o = busy_q && step_q == 5'(Steps - 1);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      step_q <= '0;
      k_q    <= '0;
    end else begin
      if (start_i) begin
        busy_q <= 1'b1;
        step_q <= '0;
      end else if (busy_q) begin
        busy_q <= !last_o;
        step_q <= step_q + 1'b1;
        unique case (step_q)
          5'd0:  k_q.tp       <= prod;
          5'd1:  k_q.rq       <= prod;
          5'd2:  k_q.tvp      <= prod;
          5'd3:  k_q.e_uh     <= prod;
          5'd4:  k_q.p_crs    <= aprod;
          5'd5:  k_q.tvp_crs  <= aprod;
          5'd6:  k_q.tp_crs   <= aprod;
          5'd7:  k_q.q_rs     <= aprod;
          5'd8:  k_q.rq_rs    <= aprod;
          5'd9:  k_q.rg_ks    <= aprod;
          5'd10: k_q.uh_w     <= aprod;
          5'd11: k_q.euh_w    <= aprod;
          5'd12: k_q.q_hw     <= aprod;
          5'd13: k_q.rq_hw    <= aprod;
          5'd14: k_q.rg_w     <= aprod;
          5'd15: k_q.pt_w     <= aprod;
          5'd16: k_q.n_strips <= prod;
          5'd17: k_q.r_rg     <= prod[7:0];
          default: ;
        endcase
      end
    end
  end
  assign consts_o = k_q;

endmodule
