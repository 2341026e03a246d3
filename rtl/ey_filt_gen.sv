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
  input  ey_pkg::run_consts_t k_i,           // the run's constant products (ey_run_consts)

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

  logic        fg_active_q;
  logic [7:0]  fg_row_q, fg_v_q, fg_cgi_q, fg_ii_q, fg_hs_q, fg_s_q, fg_cc_q, fg_k_q;
  logic [12:0] fg_cb;
  logic [3:0]  fg_rgi;
  logic        fg_last_pass, fg_adv;

  ey_pass_cnt u_fg_pass (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .init_i  (init_i),
    .adv_i   (fg_adv),
    .mb_n_i  (c.mb),
    .cb_n_i  (c.cb),
    .nrg_n_i (c.nrg),
    .mb_o    (),
    .cb_o    (fg_cb),
    .rgi_o   (fg_rgi),
    .first_o (),
    .last_o  (fg_last_pass),
    .block_last_o (),
    .idx_o   ()
  );

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

  // The loops, outermost first: filter block mb, channel block cb, filter-row group rgi (the
  // pass), chain v, channel set cgi, filter row ii (the physical row), set column hs, filter
  // column s, filter k, channel cc. lv_X: this issue steps loop X (the loops inside it start
  // over); in_X: a loop outside X steps, so X starts over.
  logic lv_mb, lv_cb, lv_rgi, lv_v, lv_cgi, lv_ii, lv_hs, lv_s, lv_k, lv_cc, lv_row;
  logic in_cb, in_rgi, in_v, in_cgi, in_ii, in_hs, in_k, in_cc;
  assign lv_cc  = fg_issue && !fg_end_cc;
  assign lv_k   = fg_issue && fg_end_cc && !fg_end_k;
  assign lv_s   = fg_issue && fg_end_cc && fg_end_k && !fg_end_s;
  assign lv_hs  = fg_issue && fg_end_cc && fg_end_k && fg_end_s && !fg_end_hs;
  assign lv_row = fg_issue && fg_end_cc && fg_end_k && fg_end_s && fg_end_hs && !fg_end_row;
  assign lv_ii  = lv_row && fg_ii_q != 8'(c.rg) - 1'b1;
  assign lv_cgi = lv_row && fg_ii_q == 8'(c.rg) - 1'b1 && fg_cgi_q != 8'(c.r) - 1'b1;
  assign lv_v   = lv_row && fg_ii_q == 8'(c.rg) - 1'b1 && fg_cgi_q == 8'(c.r) - 1'b1;
  // The pass steps as u_fg_pass does: rgi fastest.
  assign lv_rgi = fg_adv && fg_rgi != c.nrg - 1'b1;
  assign lv_cb  = fg_adv && fg_rgi == c.nrg - 1'b1 && fg_cb != c.cb - 1'b1;
  assign lv_mb  = fg_adv && fg_rgi == c.nrg - 1'b1 && fg_cb == c.cb - 1'b1;
  assign in_cb  = lv_mb;
  assign in_rgi = in_cb || lv_cb;
  assign in_v   = fg_adv;
  assign in_cgi = in_v || lv_v;
  assign in_ii  = in_cgi || lv_cgi;
  assign in_hs  = in_ii || lv_ii;
  assign in_k   = in_hs || lv_hs || lv_s;
  assign in_cc  = in_k || lv_k;

  // Filter m = mb*t*p + (hs*tv + v)*p + k, channel c = cb*r*q + cgi*q + cc, filter row
  // fr = rgi*rg + ii, and the GLB address flt_base + m*crs + c*rs + fr*ks + s, as sums of one
  // term per loop, each stepped by its constant (ey_run_consts) as its loop steps and cleared
  // as a loop outside it steps. hs_tv = hs*tv for the set columns' end.
  logic [17:0] m_mb_q;
  logic [15:0] m_v_q, m_hs_q, c_cb_q, c_cgi_q, hs_tv_q;
  logic [9:0]  f_rgi_q;
  logic [FltAW-1:0] a_mb_q, a_cb_q, a_rgi_q, a_v_q, a_cgi_q, a_ii_q, a_hs_q, a_k_q, a_cc_q;
  logic [17:0] fg_m;
  logic [15:0] fg_c;
  logic [9:0]  fg_fr;
  assign fg_m    = m_mb_q + 18'(m_v_q) + 18'(m_hs_q) + 18'(fg_k_q);
  assign fg_c    = c_cb_q + c_cgi_q + 16'(fg_cc_q);
  assign fg_fr   = f_rgi_q + 10'(fg_ii_q);
  assign glb_filt_addr_o = FltAW'(c.flt_base) + a_mb_q + a_cb_q + a_rgi_q + a_v_q + a_cgi_q +
                           a_ii_q + a_hs_q + FltAW'(fg_s_q) + a_k_q + a_cc_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      {m_mb_q, m_v_q, m_hs_q, c_cb_q, c_cgi_q, hs_tv_q, f_rgi_q} <= '0;
      {a_mb_q, a_cb_q, a_rgi_q, a_v_q, a_cgi_q, a_ii_q, a_hs_q, a_k_q, a_cc_q} <= '0;
    end else begin
      if (lv_mb) begin
        m_mb_q <= m_mb_q + 18'(k_i.tp);
        a_mb_q <= a_mb_q + FltAW'(k_i.tp_crs);
      end
      if (in_cb) begin
        c_cb_q <= '0;
        a_cb_q <= '0;
      end else if (lv_cb) begin
        c_cb_q <= c_cb_q + k_i.rq;
        a_cb_q <= a_cb_q + FltAW'(k_i.rq_rs);
      end
      if (in_rgi) begin
        f_rgi_q <= '0;
        a_rgi_q <= '0;
      end else if (lv_rgi) begin
        f_rgi_q <= f_rgi_q + 10'(c.rg);
        a_rgi_q <= a_rgi_q + FltAW'(k_i.rg_ks);
      end
      if (in_v) begin
        m_v_q <= '0;
        a_v_q <= '0;
      end else if (lv_v) begin
        m_v_q <= m_v_q + 16'(c.p);
        a_v_q <= a_v_q + FltAW'(k_i.p_crs);
      end
      if (in_cgi) begin
        c_cgi_q <= '0;
        a_cgi_q <= '0;
      end else if (lv_cgi) begin
        c_cgi_q <= c_cgi_q + 16'(c.q);
        a_cgi_q <= a_cgi_q + FltAW'(k_i.q_rs);
      end
      if (in_ii) a_ii_q <= '0;
      else if (lv_ii) a_ii_q <= a_ii_q + FltAW'(c.ks);
      if (in_hs) begin
        m_hs_q  <= '0;
        a_hs_q  <= '0;
        hs_tv_q <= '0;
      end else if (lv_hs) begin
        m_hs_q  <= m_hs_q + k_i.tvp;
        a_hs_q  <= a_hs_q + FltAW'(k_i.tvp_crs);
        hs_tv_q <= hs_tv_q + 16'(c.tv);
      end
      if (in_k) a_k_q <= '0;
      else if (lv_k) a_k_q <= a_k_q + FltAW'(c.crs);
      // cc steps by n channels: n*rs words, where n > 1 only when rs = 1.
      if (in_cc) a_cc_q <= '0;
      else if (lv_cc) a_cc_q <= a_cc_q + (fg_wide ? FltAW'(fg_n) : FltAW'(c.rs));
    end
  end

  assign fg_zero = (fg_m >= 18'(c.mg)) || (fg_c >= 16'(c.cg)) || (fg_fr >= 10'(c.kr));
  for (genvar i = 0; i < FiltLanes; i++) begin : g_lane_on
    assign fg_lane_on[i] = !fg_zero && (FlCntW'(i) < fg_n) && (fg_c + 16'(i) < 16'(c.cg));
  end
  always_comb begin
    glb_filt_words_o = '0;
    for (int unsigned i = 0; i < FiltLanes; i++) begin
      glb_filt_words_o = glb_filt_words_o + FlCntW'(fg_lane_on[i] && glb_filt_re_o);
    end
  end

  assign fg_end_k   = (fg_k_q == 8'(c.p) - 1'b1);
  assign fg_end_cc  = (fg_left == 9'(fg_n));
  assign fg_end_s   = (fg_s_q == 8'(c.ks) - 1'b1);
  // The next set column holds no chain of this row: go to the next row.
  assign fg_end_hs  = (16'(fg_hs_q) + 1'b1 >= 16'(c.th)) ||
                      (hs_tv_q + 16'(c.tv) + 16'(fg_v_q) >= 16'(c.t));
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
