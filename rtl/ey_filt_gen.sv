// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Filter stream generator of the pass controller (rtl/ey_pass_ctrl.sv): walks every pass of
// the layer (filter block mb, channel block cb, filter-row group rgi, on its own pass counter)
// and, per pass, for each physical row (chain v, channel set cgi, filter row ii) and set
// column hs, the p*q*S weights of that filter row (order s, k, c: c fastest), tagged (row, hs).
// Words of filters, channels or filter rows past the layer are sent as zeros without reading
// the GLB. Out: a valid/ready stream to the PE array's filter GIN, FiltLanes words a beat.
//
// A beat carries 1..FiltLanes consecutive words of the stream (filt_cnt_o) for one PE tag.
// When a filter holds one weight per channel (R*S = 1: FC layers and 1x1 convolutions), the
// channels c, c+1, ... of a filter are consecutive GLB words, so a beat takes up to FiltLanes
// of them at once (one GLB read of FiltLanes lanes); otherwise every beat is one word.
`include "ey_assert.svh"

module ey_filt_gen #(
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned IdW         = ey_pkg::IdW,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned FiltLanes   = 4,
  localparam int unsigned FltAW = $clog2(FilterWords),
  localparam int unsigned FlCntW = $clog2(FiltLanes + 1)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,          // a layer starts (with init_i) or is aborted
  input  logic               init_i,         // start at the layer's first pass

  input  ey_pkg::layer_cfg_t cfg_i,

  // GLB filter area read port (one cycle latency): FiltLanes words from glb_filt_addr_o on.
  output logic               glb_filt_re_o,
  output logic [FltAW-1:0]   glb_filt_addr_o,
  input  logic [FiltLanes*DataW-1:0] glb_filt_rdata_i,
  output logic [FlCntW-1:0]  glb_filt_words_o,   // GLB words this read uses (for the counter)

  // Filter GIN stream: filt_cnt_o words, word k in bits DataW*k and up (the rest zero).
  output logic               filt_valid_o,
  input  logic               filt_ready_i,
  output logic [IdW-1:0]     filt_row_o,
  output logic [IdW-1:0]     filt_col_o,
  output logic [FlCntW-1:0]  filt_cnt_o,
  output logic [FiltLanes*DataW-1:0] filt_data_o,

  output logic               pass_adv_o,     // the last word of a pass is issued
  output logic               done_o          // every pass is sent
);

  ey_pkg::layer_cfg_t c;
  assign c = cfg_i;

  // Per-pass bases of a generator: first filter, first channel, first filter row.
  function automatic logic [23:0] block_base(input logic [12:0] idx, input logic [7:0] a,
                                             input logic [7:0] b);
    block_base = 24'(idx) * 24'(a) * 24'(b);
  endfunction

  logic        fg_active_q;
  logic [7:0]  fg_row_q, fg_v_q, fg_cgi_q, fg_ii_q, fg_hs_q, fg_s_q, fg_cc_q, fg_k_q;
  logic [12:0] fg_mb, fg_cb;
  logic [3:0]  fg_rgi;
  logic        fg_last_pass, fg_adv;
  logic [23:0] mbase, cbase;
  logic [11:0] frbase;

  ey_pass_cnt u_fg_pass (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .init_i  (init_i),
    .adv_i   (fg_adv),
    .mb_n_i  (c.mb),
    .cb_n_i  (c.cb),
    .nrg_n_i (c.nrg),
    .mb_o    (fg_mb),
    .cb_o    (fg_cb),
    .rgi_o   (fg_rgi),
    .first_o (),
    .last_o  (fg_last_pass),
    .block_last_o (),
    .idx_o   ()
  );
  assign mbase  = block_base(fg_mb, 8'(c.t), 8'(c.p));
  assign cbase  = block_base(fg_cb, 8'(c.r), 8'(c.q));
  assign frbase = 12'(fg_rgi) * 12'(c.rg);
  logic [15:0] fg_tg;
  logic [23:0] fg_m, fg_c, fg_fr;
  logic        fg_zero, fg_issue;
  // Words in this beat: up to FiltLanes channels when a filter is one weight per channel.
  logic [8:0]        fg_left;    // channels of this (s, k) still to send: q - cc
  logic [FlCntW-1:0] fg_n;
  logic [FiltLanes-1:0] fg_lane_on;   // lanes that carry a word of the layer (others zero)
  assign fg_left = 9'(c.q) - 9'(fg_cc_q);
  logic              fg_wide;    // one weight per channel: a filter's channels are consecutive
  assign fg_wide = (c.rs == 12'd1);
  assign fg_n    = !fg_wide ? FlCntW'(1) :
                   (fg_left >= 9'(FiltLanes)) ? FlCntW'(FiltLanes) : FlCntW'(fg_left);
  logic        fg_end_k, fg_end_cc, fg_end_s, fg_end_hs, fg_end_row;
  assign fg_adv = fg_issue && fg_end_cc && fg_end_k && fg_end_s && fg_end_hs && fg_end_row;

  assign fg_tg   = 16'(fg_hs_q) * 16'(c.tv) + 16'(fg_v_q);
  assign fg_m    = mbase + 24'(fg_tg) * 24'(c.p) + 24'(fg_k_q);
  assign fg_c    = cbase + 24'(fg_cgi_q) * 24'(c.q) + 24'(fg_cc_q);
  assign fg_fr   = 24'(frbase) + 24'(fg_ii_q);
  assign fg_zero = (fg_m >= 24'(c.mg)) || (fg_c >= 24'(c.cg)) || (fg_fr >= 24'(c.kr));
  for (genvar i = 0; i < FiltLanes; i++) begin : g_lane_on
    assign fg_lane_on[i] = !fg_zero && (FlCntW'(i) < fg_n) && (fg_c + 24'(i) < 24'(c.cg));
  end
  always_comb begin
    glb_filt_words_o = '0;
    for (int unsigned i = 0; i < FiltLanes; i++) begin
      glb_filt_words_o = glb_filt_words_o + FlCntW'(fg_lane_on[i] && glb_filt_re_o);
    end
  end
  assign glb_filt_addr_o = FltAW'(24'(c.flt_base) + fg_m * 24'(c.crs) + fg_c * 24'(c.rs) +
                                  fg_fr * 24'(c.ks) + 24'(fg_s_q));

  assign fg_end_k   = (fg_k_q == 8'(c.p) - 1'b1);
  assign fg_end_cc  = (fg_left == 9'(fg_n));
  assign fg_end_s   = (fg_s_q == 8'(c.ks) - 1'b1);
  // The next set column holds no chain of this row: go to the next row.
  assign fg_end_hs  = (16'(fg_hs_q) + 1'b1 >= 16'(c.th)) ||
                      ((16'(fg_hs_q) + 1'b1) * 16'(c.tv) + 16'(fg_v_q) >= 16'(c.t));
  assign fg_end_row = (16'(fg_v_q) == 16'(c.tv) - 1'b1) && (fg_cgi_q == 8'(c.r) - 1'b1) &&
                      (fg_ii_q == 8'(c.rg) - 1'b1);

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      fg_active_q <= init_i;
      {fg_row_q, fg_v_q, fg_cgi_q, fg_ii_q, fg_hs_q, fg_s_q, fg_cc_q, fg_k_q} <= '0;
    end else if (fg_issue) begin
      if (!fg_end_cc) begin
        fg_cc_q <= fg_cc_q + 8'(fg_n);
      end else begin
        fg_cc_q <= '0;
        if (!fg_end_k) begin
          fg_k_q <= fg_k_q + 1'b1;
        end else begin
          fg_k_q <= '0;
          if (!fg_end_s) begin
            fg_s_q <= fg_s_q + 1'b1;
          end else begin
            fg_s_q <= '0;
            if (!fg_end_hs) begin
              fg_hs_q <= fg_hs_q + 1'b1;
            end else begin
              fg_hs_q  <= '0;
              fg_row_q <= fg_row_q + 1'b1;
              if (fg_end_row) begin
                // Pass done: the next pass starts at row 0, or the generator stops.
                {fg_row_q, fg_v_q, fg_cgi_q, fg_ii_q} <= '0;
                fg_active_q <= !fg_last_pass;
              end else if (fg_ii_q != 8'(c.rg) - 1'b1) begin
                fg_ii_q <= fg_ii_q + 1'b1;
              end else begin
                fg_ii_q <= '0;
                if (fg_cgi_q != 8'(c.r) - 1'b1) begin
                  fg_cgi_q <= fg_cgi_q + 1'b1;
                end else begin
                  fg_cgi_q <= '0;
                  fg_v_q   <= fg_v_q + 1'b1;
                end
              end
            end
          end
        end
      end
    end
  end

  localparam int unsigned FgTagW = 2 * IdW + FlCntW + FiltLanes;
  logic [FgTagW-1:0]          fg_tag_out;
  logic [FiltLanes*DataW-1:0] fg_data_out;
  logic                       fg_empty;
  ey_rd_port #(
    .TagW  (FgTagW),
    .DataW (FiltLanes * DataW)
  ) u_filt_port (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .req_valid_i (fg_active_q),
    .req_zero_i  (fg_zero),
    .req_tag_i   ({IdW'(fg_row_q), IdW'(fg_hs_q), fg_n, fg_lane_on}),
    .issue_o     (fg_issue),
    .mem_re_o    (glb_filt_re_o),
    .mem_rdata_i (glb_filt_rdata_i),
    .valid_o     (filt_valid_o),
    .ready_i     (filt_ready_i),
    .tag_o       (fg_tag_out),
    .data_o      (fg_data_out),
    .empty_o     (fg_empty)
  );
  assign filt_row_o = fg_tag_out[FgTagW-1 -: IdW];
  assign filt_col_o = fg_tag_out[FgTagW-IdW-1 -: IdW];
  assign filt_cnt_o = fg_tag_out[FiltLanes +: FlCntW];
  // Lanes past the layer's channels (or past the beat) carry zeros.
  for (genvar i = 0; i < FiltLanes; i++) begin : g_lane_data
    assign filt_data_o[i*DataW +: DataW] = fg_tag_out[i] ? fg_data_out[i*DataW +: DataW] : '0;
  end

  assign pass_adv_o = fg_adv;
  assign done_o     = !fg_active_q && fg_empty;

`ifndef SYNTHESIS
  `EY_ASSERT_STREAM(FiltStable, filt_valid_o, filt_ready_i, {filt_row_o, filt_col_o, filt_cnt_o,
                                                       filt_data_o},
                    clr_i, clk_i, rst_ni)
`endif

endmodule
